"""Op-table rows of scan (src/ops/scan/): a recurrence with a sequence, a recurrent output fed
back through its tap, an output not fed back and a non-sequence, checked against a NumPy loop
over every generic case (dtypes, empty and size-1 sequences, non-contiguous inputs, shape
inference, first and second-order gradients). Taps, until, updates and errors:
tests/python/test_scan.py."""

import numpy as np

from op_table_kinds import FLOATS, Row


def _step(xt, h, w):
    import theon.tensor as T

    return T.tanh(h * w + xt), (xt * h).sum()


def _build(x, w):
    import theon
    import theon.tensor as T

    h0 = T.zeros((x.shape[1],), dtype=x.dtype)
    (hs, dots), _ = theon.scan(_step, sequences=x, outputs_info=[h0, None], non_sequences=w)
    return [hs, dots]


def _ref(x, w):
    h = np.zeros(x.shape[1], dtype=x.dtype)
    hs, dots = [], []
    for xt in x:
        dots.append((xt * h).sum())
        h = np.tanh(h * w + xt)
        hs.append(h)
    return [np.array(hs, dtype=x.dtype).reshape(x.shape),
            np.array(dots, dtype=x.dtype).reshape(x.shape[0])]


SCAN = [
    Row("scan", _ref, [((5, 3), (3,)), ((0, 3), (3,)), ((1, 1), (1,)), ((4, 1), (1,))],
        build=_build, dtypes=FLOATS, grad=2, rtol=1e-10, rtol32=1e-4),
]
