"""The elementwise math functions of theon.tensor (C++ in src/ops/math.cpp and src/ops/scalar/).

Every function accepts Variables, NumPy arrays, lists and Python scalars. Python scalars are
NumPy 2 "weak" scalars: they take the dtype of the tensor inputs when of the same or a higher
kind (``x_int8 + 1`` stays int8, ``x_int8 + 1.5`` is float64).

Dtype rules follow NumPy 2, except: float functions of 8-bit ints and bool give float32 (NumPy:
float16, which Theon does not have); ``reciprocal`` of an integer is computed in float (NumPy
gives the integer ``1 // x``); ``round`` of a bool stays bool (NumPy: float16).
"""

import numpy as np

from theon.tensor._build import Variable, as_tensor_variable, build, build_elemwise

__all__ = [
    # arithmetic
    "add", "sub", "subtract", "mul", "multiply", "true_div", "true_divide", "divide",
    "floor_div", "floor_divide", "int_div", "mod", "remainder", "pow", "power", "neg",
    "negative", "abs", "abs_", "absolute", "sgn", "sign", "sqr", "square", "sqrt",
    "reciprocal", "inv", "maximum", "minimum", "clip",
    # float functions
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p",
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2",
    "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh",
    "erf", "erfc", "erfinv", "gamma", "gammaln", "psi",
    # rounding
    "floor", "ceil", "trunc", "round", "iround",
    # comparisons and classification
    "lt", "le", "gt", "ge", "eq", "neq",
    "less", "less_equal", "greater", "greater_equal", "equal", "not_equal",
    "isnan", "isinf", "isfinite",
    # logic and bits
    "and_", "or_", "xor", "invert", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    "logical_and", "logical_or", "logical_xor", "logical_not",
    # selection
    "switch", "where",
]


def _unary(name, doc):
    def f(a):
        return build_elemwise(name, a)

    f.__doc__ = doc
    return f


def _binary(name, doc):
    def f(a, b):
        return build_elemwise(name, a, b)

    f.__doc__ = doc
    return f


# ---------------------------------------------------------------------------- arithmetic
add = _binary("add", "a + b elementwise.")
sub = subtract = _binary("sub", "a - b elementwise (not for bools, like NumPy).")
mul = multiply = _binary("mul", "a * b elementwise.")
true_div = true_divide = divide = _binary(
    "true_divide", "a / b elementwise, in float (float32 for <= 16-bit ints and bool).")
floor_div = floor_divide = int_div = _binary(
    "floor_divide",
    "a // b elementwise with Python's rounding toward -inf; integer division by zero is 0.")
mod = remainder = _binary(
    "mod", "a % b elementwise with the sign of b (Python); integer modulo by zero is 0.")
pow = power = _binary(
    "pow", "a ** b elementwise; integers to negative integer powers raise ValueError.")
neg = negative = _unary("neg", "-a elementwise (not for bools, like NumPy).")
abs = abs_ = absolute = _unary("abs", "|a| elementwise, same dtype.")
sgn = sign = _unary("sign", "The sign of a (-1, 0, 1; NaN stays NaN), same dtype.")
sqr = square = _unary("sqr", "a * a elementwise.")
sqrt = _unary("sqrt", "Square root.")
reciprocal = inv = _unary("reciprocal", "1 / a, in float even for integers.")
maximum = _binary("maximum", "Elementwise maximum; NaN propagates.")
minimum = _binary("minimum", "Elementwise minimum; NaN propagates.")


def clip(x, a_min, a_max):
    """minimum(maximum(x, a_min), a_max) elementwise; either bound may be None."""
    if a_min is None and a_max is None:
        raise ValueError("clip: at least one of a_min and a_max must be given")
    if a_min is None:
        return build_elemwise("minimum", x, a_max)
    if a_max is None:
        return build_elemwise("maximum", x, a_min)
    return build_elemwise("clip", x, a_min, a_max)


# ---------------------------------------------------------------------------- float functions
exp = _unary("exp", "e ** a.")
exp2 = _unary("exp2", "2 ** a.")
expm1 = _unary("expm1", "exp(a) - 1, accurate near 0.")
log = _unary("log", "Natural logarithm.")
log2 = _unary("log2", "Base-2 logarithm.")
log10 = _unary("log10", "Base-10 logarithm.")
log1p = _unary("log1p", "log(1 + a), accurate near 0.")
sin = _unary("sin", "Sine.")
cos = _unary("cos", "Cosine.")
tan = _unary("tan", "Tangent.")
arcsin = _unary("arcsin", "Inverse sine.")
arccos = _unary("arccos", "Inverse cosine.")
arctan = _unary("arctan", "Inverse tangent.")
arctan2 = _binary("arctan2", "The angle of the point (b, a): arctan(a / b) in the right quadrant.")
sinh = _unary("sinh", "Hyperbolic sine.")
cosh = _unary("cosh", "Hyperbolic cosine.")
tanh = _unary("tanh", "Hyperbolic tangent.")
arcsinh = _unary("arcsinh", "Inverse hyperbolic sine.")
arccosh = _unary("arccosh", "Inverse hyperbolic cosine.")
arctanh = _unary("arctanh", "Inverse hyperbolic tangent.")
erf = _unary("erf", "Error function.")
erfc = _unary("erfc", "Complementary error function 1 - erf(a).")
erfinv = _unary("erfinv", "Inverse error function.")
gamma = _unary("gamma", "Gamma function.")
gammaln = _unary("gammaln", "log |gamma(a)|.")
psi = _unary("psi", "Digamma function, the derivative of gammaln.")

# ---------------------------------------------------------------------------- rounding
floor = _unary("floor", "Round toward -inf; integers are returned unchanged.")
ceil = _unary("ceil", "Round toward +inf; integers are returned unchanged.")
trunc = _unary("trunc", "Round toward 0; integers are returned unchanged.")

_ROUND_MODES = {
    None: "round",
    "half_to_even": "round",
    "half_away_from_zero": "round_half_away_from_zero",
}


def round(a, mode=None):
    """Round to the nearest integer value, ties to even like np.round (mode='half_to_even'),
    or away from zero (mode='half_away_from_zero'). Integers are returned unchanged."""
    if mode not in _ROUND_MODES:
        raise ValueError(
            "round: mode must be 'half_to_even' or 'half_away_from_zero', got %r" % (mode,))
    return build_elemwise(_ROUND_MODES[mode], a)


def iround(a, mode=None):
    """round(a, mode) cast to int64."""
    return build("cast", round(a, mode), dtype="int64")


# ---------------------------------------------------------------------------- comparisons
def _out_of_range_int(scalar, other):
    """True when Python int `scalar` does not fit the integer dtype of tensor `other`."""
    if type(scalar) is not int or not isinstance(other, Variable):
        return False
    dt = np.dtype(other.dtype)
    if dt.kind not in "iu":
        return False
    info = np.iinfo(dt)
    return not info.min <= scalar <= info.max


def _compare_arg(scalar):
    # NumPy 2 compares integer arrays with out-of-range Python ints exactly (uint8 < -1 is
    # False) instead of raising: compare against a wider strong constant instead.
    if -2**63 <= scalar < 2**63:
        return as_tensor_variable(np.int64(scalar))
    return as_tensor_variable(np.float64(scalar))


def _comparison(name, doc):
    def f(a, b):
        if _out_of_range_int(a, b):
            a = _compare_arg(a)
        elif _out_of_range_int(b, a):
            b = _compare_arg(b)
        return build_elemwise(name, a, b)

    f.__doc__ = doc
    return f


lt = less = _comparison("less", "a < b elementwise (bool).")
le = less_equal = _comparison("less_equal", "a <= b elementwise (bool).")
gt = greater = _comparison("greater", "a > b elementwise (bool).")
ge = greater_equal = _comparison("greater_equal", "a >= b elementwise (bool).")
eq = equal = _comparison("equal", "a == b elementwise (bool).")
neq = not_equal = _comparison("not_equal", "a != b elementwise (bool).")
isnan = _unary("isnan", "True where a is NaN.")
isinf = _unary("isinf", "True where a is +inf or -inf.")
isfinite = _unary("isfinite", "True where a is neither NaN nor infinite.")

# ---------------------------------------------------------------------------- logic and bits
and_ = bitwise_and = _binary("bitwise_and", "a & b for bools and integers.")
or_ = bitwise_or = _binary("bitwise_or", "a | b for bools and integers.")
xor = bitwise_xor = _binary("bitwise_xor", "a ^ b for bools and integers.")
invert = bitwise_not = _unary("invert", "~a for bools (logical not) and integers.")
logical_and = _binary("logical_and", "a and b, reading inputs as a != 0 (bool).")
logical_or = _binary("logical_or", "a or b, reading inputs as a != 0 (bool).")
logical_xor = _binary("logical_xor", "a xor b, reading inputs as a != 0 (bool).")
logical_not = _unary("logical_not", "not a, reading the input as a != 0 (bool).")


# ---------------------------------------------------------------------------- selection
def switch(cond, ift, iff):
    """Elements of ift where cond is true (nonzero), of iff elsewhere (NumPy's where with three
    arguments). The result dtype is that of ift and iff promoted; the condition is read as
    cond != 0 and does not take part in the promotion."""
    c = as_tensor_variable(cond)
    if c.dtype != "bool":
        c = build("cast", c, dtype="bool")
    return build_elemwise("switch", c, ift, iff)


def where(condition, x, y):
    """NumPy's where(condition, x, y): see switch."""
    return switch(condition, x, y)
