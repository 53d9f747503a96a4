"""The vector math library of generated loops (config.vector_math): SLEEF's functions give
results within 1 ulp of correctly rounded ones on edge values (NaN, infinities, -0.0, huge,
tiny, subnormal) and random ones, float64 and float32; the library enters the cache key."""

import ctypes
import math

import numpy as np
import pytest

import theon
import theon.tensor as T

try:
    ctypes.CDLL("libsleef.so.3")
    HAVE_SLEEF = True
except OSError:
    HAVE_SLEEF = False

# theon.tensor's function: its reference, computed in long double (80-bit on x86-64) and rounded
# once, so within about 0.5 ulp of the correctly rounded float64 result. NumPy has no erf: the C
# library's (within 1 ulp on glibc) rounded from float64 is as close as NumPy gets.
UNARY = {
    "exp": np.exp, "exp2": np.exp2, "expm1": np.expm1, "log": np.log, "log2": np.log2,
    "log10": np.log10, "log1p": np.log1p, "sin": np.sin, "cos": np.cos, "tan": np.tan,
    "arcsin": np.arcsin, "arccos": np.arccos, "arctan": np.arctan, "sinh": np.sinh,
    "cosh": np.cosh, "tanh": np.tanh, "arcsinh": np.arcsinh, "arccosh": np.arccosh,
    "arctanh": np.arctanh,
    "erf": np.vectorize(lambda v: math.erf(float(v)), otypes=[np.float64]),
}
BINARY = {"pow": np.power, "arctan2": np.arctan2}
# SLEEF overflows short of these functions' range's end, so the C library's scalar functions
# (glibc: within 2 ulp) compute them also under vector_math="sleef".
SCALAR = {"log1p", "sinh", "cosh", "arcsinh", "arccosh"}
EDGES = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1e300, -1e300, 1.7e308,
         5e-324, -5e-324, 1e-310, 2.2250738585072014e-308, 1e-20, -1e-20, 1e-8, 700.0, 710.0,
         -745.0, -750.0, 88.0, 89.0, -104.0, 1e10, -1e10, 3.0e38, 1e-40, 20.0, -20.0]


def sample(dtype, n=2000):
    rng = np.random.default_rng(7)
    with np.errstate(over="ignore"):
        edges = np.array(EDGES, dtype=np.float64).astype(dtype)
    spread = rng.standard_normal(n) * 10.0 ** rng.integers(-6, 3, n)
    unit = rng.uniform(-1, 1, n)
    return np.concatenate([edges, spread.astype(dtype), unit.astype(dtype), edges[::-1]])


def ulps_apart(a, b):
    """|a - b| in units in the last place of the dtype, 0 where both are the same NaN or
    infinity; infinite where only one is NaN, where infinities differ or zeros' signs do."""
    bits, magnitude = (np.int64, (1 << 63) - 1) if a.dtype == np.float64 else (np.int32, (1 << 31) - 1)
    # Ordered integers: a negative float's bits count down from zero.
    ia, ib = (v.view(bits).astype(np.int64) for v in (a, b))
    ia = np.where(ia < 0, -(ia & magnitude), ia)
    ib = np.where(ib < 0, -(ib & magnitude), ib)
    d = np.abs(ia - ib).astype(np.float64)
    both_nan = np.isnan(a) & np.isnan(b)
    d[both_nan] = 0
    d[np.isnan(a) != np.isnan(b)] = np.inf
    zeros = (a == 0) & (b == 0)
    d[zeros & (np.signbit(a) != np.signbit(b))] = np.inf
    return d


def reference(fn, dtype, *args):
    with np.errstate(all="ignore"):
        if fn is UNARY["erf"]:
            return fn(*[a.astype(np.float64) for a in args]).astype(dtype)
        return fn(*[a.astype(np.longdouble) for a in args]).astype(dtype)


def shifted(x, dtype):
    """x + z with z = -0.0 everywhere, an input: leaves every value (-0.0 too) as it is and
    makes each function a fused expression of two ops, which generated loops compute."""
    z = T.vector("z", dtype=dtype)
    return z, x + z


@pytest.mark.skipif(not HAVE_SLEEF, reason="SLEEF (libsleef.so.3) is not installed")
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_sleef_within_one_ulp(codegen, dtype):
    x = T.vector("x", dtype=dtype)
    y = T.vector("y", dtype=dtype)
    z, xs = shifted(x, dtype)
    names = list(UNARY) + list(BINARY)
    outs = [getattr(T, n)(xs) for n in UNARY] + [getattr(T, "power" if n == "pow" else n)(xs, y)
                                                 for n in BINARY]
    with theon.config.change_flags(vector_math="sleef"):
        f = theon.function([x, y, z], outs)
    assert f.kernels["state"] == "installed", f.kernels["error"]
    assert "Sleef_tanh" in f.kernels["source"] and "Sleef_sinh" not in f.kernels["source"]
    a = sample(dtype)
    b = np.random.default_rng(3).permutation(a)
    got = f(a, b, np.full_like(a, -0.0))
    for name, g in zip(names, got):
        fn = UNARY.get(name) or BINARY[name]
        want = reference(fn, dtype, a) if name in UNARY else reference(fn, dtype, a, b)
        d = ulps_apart(g, want)
        worst = int(np.argmax(d))
        assert d[worst] <= (2 if name in SCALAR else 1), (name, dtype, a[worst], b[worst] if name in BINARY else None,
                               g[worst], want[worst], d[worst])


@pytest.mark.skipif(not HAVE_SLEEF, reason="SLEEF (libsleef.so.3) is not installed")
def test_library_changes_cache_key(codegen):
    x = T.vector("x")
    z, xs = shifted(x, "float64")
    keys = {}
    for library in ("sleef", "libmvec", "scalar"):
        with theon.config.change_flags(vector_math=library):
            f = theon.function([x, z], T.tanh(xs))
            assert f.kernels["state"] == "installed", f.kernels["error"]
            keys[library] = f.kernels["key"]
            a = np.linspace(-3, 3, 101)
            np.testing.assert_allclose(f(a, np.full_like(a, -0.0)), np.tanh(a), rtol=1e-15)
    assert len(set(keys.values())) == 3, keys


def test_unknown_library_rejected():
    with pytest.raises(Exception, match="vector_math"):
        theon.config.vector_math = "svml"
