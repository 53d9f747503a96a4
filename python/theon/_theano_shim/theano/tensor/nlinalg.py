"""theano.tensor.nlinalg, mapped onto theon.tensor.nlinalg (NumPy's linear algebra)."""

import theon.tensor as _T
from theano import _missing
from theon.tensor.nlinalg import (det, eig, eigh, kron, lstsq, matrix_dot, matrix_inverse,  # noqa: F401
                                  matrix_power, norm, pinv, qr, slogdet, svd, tensorinv,
                                  tensorsolve, trace)


def __getattr__(name):
    # diag, alloc_diag and extract_diag are the extra ops' (theon.tensor.diag / diagonal).
    if name in ("diag", "extract_diag", "alloc_diag") and hasattr(_T, "diag"):
        if name == "extract_diag" and hasattr(_T, "diagonal"):
            return _T.diagonal
        return _T.diag
    return _missing.module_getattr(
        "theano.tensor.nlinalg", "this part of linear algebra")(name)
