"""Ops defined in op files of their own reach Python through the registry: theon.tensor gets a
function per exported builder, with the C++ docstring, positional parameters after the
variables, and the user's line in errors."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import _core


def test_every_export_names_a_builder_and_is_defined_in_its_module():
    exports = _core.python_exports()
    assert {e[1] for e in exports} >= {"deg2rad", "rad2deg", "flip"}
    modules = {"tensor": T, "distributed": theon.distributed}
    for module, name, builder, doc, _elementwise, n_inputs, params in exports:
        assert module in modules, module
        assert _core.has_builder(builder), builder
        assert callable(getattr(modules[module], name)), name
        assert getattr(modules[module], name).__doc__ == doc and doc
        assert n_inputs >= 1 and all(isinstance(p, str) for p in params)


def test_hand_written_functions_are_not_replaced():
    from theon.tensor import _math

    assert T.exp is _math.exp


def test_elementwise_exports_follow_numpys_dtypes():
    x = T.fvector("x")
    f = theon.function([x], [T.deg2rad(x), T.rad2deg(1.0)])
    v = np.float32([0, 90, -45])
    radians, degrees = f(v)
    assert radians.dtype == np.float32 and degrees.dtype == np.float64
    np.testing.assert_array_equal(radians, np.deg2rad(v))
    assert degrees == np.rad2deg(1.0)


def test_parameters_may_follow_the_variables_positionally_or_by_keyword():
    x = T.matrix("x")
    v = np.arange(6.0).reshape(2, 3)
    f = theon.function([x], [T.flip(x, 1), T.flip(x, axis=(0, 1)), T.flip(x)])
    for got, want in zip(f(v), [np.flip(v, 1), np.flip(v, (0, 1)), np.flip(v)]):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(TypeError, match="takes 2 positional arguments but 3 were given"):
        T.flip(x, 0, 1)
    with pytest.raises(TypeError, match="multiple values for argument 'axis'"):
        T.flip(x, 0, axis=1)


def test_a_bad_parameter_names_the_op_and_the_users_line():
    x = T.matrix("x")
    with pytest.raises(ValueError) as info:
        T.flip(x, axis=2)
    assert "flip: axis 2 is out of bounds" in str(info.value)
    assert "test_op_files.py" in str(info.value)
