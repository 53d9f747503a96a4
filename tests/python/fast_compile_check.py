"""Shared by the rewrite tests: a rewritten function must compute what FAST_COMPILE computes."""

import numpy as np

import theon


def tolerance(dtype):
    return {"float32": 1e-5, "float16": 1e-2}.get(str(dtype), 1e-12)


# FAST_RUN with the rewrites that assume finite floats, which the value checks on finite
# random inputs cover too.
FAST_MATH = theon.Mode("FAST_RUN").including("fast_math")


def assert_same_as_fast_compile(inputs, out, values, mode="FAST_RUN"):
    fast = theon.function(inputs, out, mode=mode)
    plain = theon.function(inputs, out, mode="FAST_COMPILE")
    got, want = fast(*values), plain(*values)
    assert got.dtype == want.dtype
    assert got.shape == want.shape
    rtol = tolerance(want.dtype)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol)
    return got
