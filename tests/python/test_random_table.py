"""The random op rows (op_table_random.py): distributions against SciPy, dtypes, shape
inference on empty, size-1 and broadcast cases, and parameter errors. False-alarm rates: each
KS / chi-square test rejects at p < 1e-3 (a correct generator fails one in a thousand seeds;
the seeds here are fixed, so the outcome is deterministic)."""

import re
import zlib

import numpy as np
import pytest
import scipy.stats as st

import theon
import theon.tensor as T
from op_table_random import ROWS
from theon.tensor.random import RandomStream

N = 20000
ALPHA = 1e-3


def stream(*keys):
    return RandomStream(zlib.crc32(repr(keys).encode()))


def draw(row, srng, size, dtype=None, params=None):
    kw = dict(row.kwargs)
    if dtype is not None:
        kw["dtype"] = dtype
    return getattr(srng, row.method)(*(row.params if params is None else params), size=size,
                                     **kw)


def chi_square_p(sample, dist):
    """p-value of a chi-square test of integer `sample` against `dist`, tail bins merged until
    every expected count is at least 5."""
    lo, hi = int(sample.min()), int(sample.max())
    support = np.arange(lo, hi + 1)
    observed = np.bincount(sample - lo, minlength=len(support)).astype(float)
    expected = dist.pmf(support) * len(sample)
    expected[0] += dist.cdf(lo - 1) * len(sample)
    expected[-1] += dist.sf(hi) * len(sample)
    obs, exp, acc_o, acc_e = [], [], 0.0, 0.0
    for o, e in zip(observed, expected):
        acc_o, acc_e = acc_o + o, acc_e + e
        if acc_e >= 5:
            obs.append(acc_o)
            exp.append(acc_e)
            acc_o = acc_e = 0.0
    if acc_e > 0:
        obs[-1] += acc_o
        exp[-1] += acc_e
    exp = np.array(exp) * (sum(obs) / sum(exp))
    return st.chisquare(obs, exp).pvalue if len(obs) > 1 else 1.0


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_the_sample_follows_the_scipy_distribution(row):
    x = draw(row, stream(row.id), (N,), dtype=row.dtypes[0])
    sample = theon.function([], x)()
    assert sample.shape == (N,)
    if row.discrete:
        p = chi_square_p(sample.astype(np.int64), row.scipy)
    else:
        p = st.kstest(sample, row.scipy.cdf).pvalue
    assert p > ALPHA, f"{row.id}: p-value {p}"
    # The mean within 5 standard errors of the distribution's.
    mean, sd = row.scipy.mean(), row.scipy.std()
    assert abs(sample.mean() - mean) < 5 * sd / np.sqrt(N) + 1e-12, row.id


@pytest.mark.parametrize("row,dtype", [(r, d) for r in ROWS for d in r.dtypes],
                         ids=lambda v: v if isinstance(v, str) else v.id)
def test_each_dtype_gives_that_dtype_in_the_support(row, dtype):
    x = draw(row, stream(row.id, dtype), (500,), dtype=dtype)
    assert x.dtype == dtype
    sample = theon.function([], x)()
    assert sample.dtype == dtype
    lo, hi = row.scipy.support()
    assert np.all(sample >= np.asarray(lo, dtype=np.float64) - 1e-6)
    assert np.all(sample <= np.asarray(hi, dtype=np.float64) + 1e-6)
    if dtype == "float32" and not row.discrete:  # float32 draws follow the distribution too
        assert st.kstest(sample.astype(np.float64), row.scipy.cdf).pvalue > ALPHA


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
@pytest.mark.parametrize("shape", [(0, 5), (1, 1), (3, 4)])
def test_symbolic_size_and_shape_inference(row, shape):
    x = T.matrix("x")
    s = draw(row, stream(row.id, shape), x.shape)
    assert s.ndim == 2
    value = np.zeros(shape, dtype=theon.config.floatX)
    got = theon.function([x], s)(value)
    assert got.shape == shape
    inferred = theon.function([x], s.shape)(value)
    assert tuple(inferred) == shape


@pytest.mark.parametrize("row", [r for r in ROWS if r.params], ids=lambda r: r.id)
def test_parameters_broadcast_without_size(row):
    # The first parameter as a column of 3, the others as they are: shape (3, 1), and with a
    # row of 4 beside it (3, 4).
    col = np.full((3, 1), row.params[0])
    out = draw(row, stream(row.id), None, params=(col,) + tuple(row.params[1:]))
    assert theon.function([], out)().shape == (3, 1)
    assert theon.function([], out.shape)().tolist() == [3, 1]
    if len(row.params) > 1:
        wide = np.full((1, 4), row.params[1])
        out = draw(row, stream(row.id, 2), None, params=(col, wide) + tuple(row.params[2:]))
        assert theon.function([], out)().shape == (3, 4)


@pytest.mark.parametrize("row", [r for r in ROWS if r.bad], ids=lambda r: r.id)
def test_bad_parameters_are_errors_naming_the_op(row):
    params, message = row.bad
    # Constants: refused when the node is built.
    with pytest.raises(ValueError, match="RandomVariable.*" + re.escape(message)):
        draw(row, stream(row.id), (3,), params=params)
    # Inputs: refused when the function runs, the state left as it was.
    inputs = [T.scalar(f"p{i}", dtype="float64") for i in range(len(params))]
    srng = stream(row.id, "run")
    x = draw(row, srng, (3,), params=inputs)
    f = theon.function(inputs, x)
    state = srng.state_updates[0][0]
    before = state.get_value()
    with pytest.raises(ValueError, match=re.escape(message)):
        f(*params)
    np.testing.assert_array_equal(state.get_value(), before)
