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


def _elementwise_doc(summary, arity, example):
    """The docstring of an elementwise function: ``summary``, its parameters, and the example
    ``(public name, input constructor, arguments, expected result)``."""
    name, constructor, arguments, expected = example
    names = "a" if arity == 1 else "a, b"
    variables = "a" if arity == 1 else f"a, b = T.{constructor}s('a', 'b')"
    declare = f"a = T.{constructor}('a')" if arity == 1 else variables
    return f"""{summary}

    Parameters
    ----------
    {names} : Variable, array_like or number
        {"The input." if arity == 1 else "The operands, broadcast together."}

    Returns
    -------
    Variable
        Computed elementwise, of the {"input's" if arity == 1 else "broadcast"} shape.

    Examples
    --------
    >>> {declare}
    >>> theon.function([{names}], T.{name}({names}))({arguments})
    {expected}
    """


def _unary(name, doc, example):
    def f(a):
        return build_elemwise(name, a)

    f.__name__ = f.__qualname__ = example[0]
    f.__doc__ = _elementwise_doc(doc, 1, example)
    return f


def _binary(name, doc, example):
    def f(a, b):
        return build_elemwise(name, a, b)

    f.__name__ = f.__qualname__ = example[0]
    f.__doc__ = _elementwise_doc(doc, 2, example)
    return f


# ---------------------------------------------------------------------------- arithmetic
add = _binary(
    "add", "a + b elementwise.",
    ("add", "dvector", "[1.0, 2.0], [10.0, 20.0]", "array([11., 22.])"))
sub = subtract = _binary(
    "sub", "a - b elementwise (not for bools, like NumPy).",
    ("sub", "dvector", "[1.0, 2.0], [10.0, 20.0]", "array([ -9., -18.])"))
mul = multiply = _binary(
    "mul", "a * b elementwise.",
    ("mul", "dvector", "[1.0, 2.0], [10.0, 20.0]", "array([10., 40.])"))
true_div = true_divide = divide = _binary(
    "true_divide", "a / b elementwise, in float (float32 for <= 16-bit ints and bool).",
    ("true_div", "lvector", "[1, 7], [2, 2]", "array([0.5, 3.5])"))
floor_div = floor_divide = int_div = _binary(
    "floor_divide",
    "a // b elementwise with Python's rounding toward -inf; integer division by zero is 0.",
    ("floor_div", "lvector", "[7, -7], [2, 2]", "array([ 3, -4])"))
mod = remainder = _binary(
    "mod", "a % b elementwise with the sign of b (Python); integer modulo by zero is 0.",
    ("mod", "lvector", "[7, -7], [3, 3]", "array([1, 2])"))
pow = power = _binary(
    "pow", "a ** b elementwise; integers to negative integer powers raise ValueError.",
    ("pow", "dvector", "[2.0, 3.0], [3.0, 0.5]", "array([8.        , 1.73205081])"))
neg = negative = _unary(
    "neg", "-a elementwise (not for bools, like NumPy).",
    ("neg", "dvector", "[1.0, -2.0]", "array([-1.,  2.])"))
abs = abs_ = absolute = _unary(
    "abs", "|a| elementwise, same dtype.",
    ("abs", "dvector", "[-1.5, 2.0]", "array([1.5, 2. ])"))
sgn = sign = _unary(
    "sign", "The sign of a (-1, 0, 1; NaN stays NaN) elementwise, same dtype (np.sign).",
    ("sgn", "dvector", "[-1.5, 0.0, 2.0]", "array([-1.,  0.,  1.])"))
sqr = square = _unary(
    "sqr", "a * a elementwise.",
    ("sqr", "dvector", "[-1.5, 2.0]", "array([2.25, 4.  ])"))
sqrt = _unary(
    "sqrt", "Square root, elementwise (np.sqrt).",
    ("sqrt", "dvector", "[4.0, 2.0]", "array([2.        , 1.41421356])"))
reciprocal = inv = _unary(
    "reciprocal", "1 / a elementwise, in float even for integers (np.reciprocal).",
    ("reciprocal", "dvector", "[4.0, 0.5]", "array([0.25, 2.  ])"))
maximum = _binary(
    "maximum", "Elementwise maximum; NaN propagates.",
    ("maximum", "dvector", "[1.0, np.nan, 3.0], [2.0, 0.0, 0.0]", "array([ 2., nan,  3.])"))
minimum = _binary(
    "minimum", "Elementwise minimum; NaN propagates.",
    ("minimum", "dvector", "[1.0, np.nan, 3.0], [2.0, 0.0, 0.0]", "array([ 1., nan,  0.])"))


def clip(x, a_min, a_max):
    """``minimum(maximum(x, a_min), a_max)`` elementwise.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    a_min, a_max : Variable, array_like, number or None
        The bounds, broadcast against x; either may be None.

    Returns
    -------
    Variable
        Of the broadcast shape.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.clip(x, 0., 1.))([-1., 0.5, 2.])
    array([0. , 0.5, 1. ])
    """
    if a_min is None and a_max is None:
        raise ValueError("clip: at least one of a_min and a_max must be given")
    if a_min is None:
        return build_elemwise("minimum", x, a_max)
    if a_max is None:
        return build_elemwise("maximum", x, a_min)
    return build_elemwise("clip", x, a_min, a_max)


# ---------------------------------------------------------------------------- float functions
exp = _unary(
    "exp", "e ** a, elementwise (np.exp).",
    ("exp", "dvector", "[0.0, 1.0]", "array([1.        , 2.71828183])"))
exp2 = _unary(
    "exp2", "2 ** a, elementwise (np.exp2).",
    ("exp2", "dvector", "[3.0, 0.5]", "array([8.        , 1.41421356])"))
expm1 = _unary(
    "expm1", "exp(a) - 1 elementwise, accurate near 0 (np.expm1).",
    ("expm1", "dvector", "[1e-10, 1.0]", "array([1.00000000e-10, 1.71828183e+00])"))
log = _unary(
    "log", "Natural logarithm, elementwise (np.log).",
    ("log", "dvector", "[1.0, 2.718281828459045]", "array([0., 1.])"))
log2 = _unary(
    "log2", "Base-2 logarithm, elementwise (np.log2).",
    ("log2", "dvector", "[8.0, 0.5]", "array([ 3., -1.])"))
log10 = _unary(
    "log10", "Base-10 logarithm, elementwise (np.log10).",
    ("log10", "dvector", "[1000.0, 0.1]", "array([ 3., -1.])"))
log1p = _unary(
    "log1p", "log(1 + a) elementwise, accurate near 0 (np.log1p).",
    ("log1p", "dvector", "[1e-10, 1.0]", "array([1.00000000e-10, 6.93147181e-01])"))
sin = _unary(
    "sin", "Sine, elementwise (np.sin).",
    ("sin", "dvector", "[0.0, 1.5707963267948966]", "array([0., 1.])"))
cos = _unary(
    "cos", "Cosine, elementwise (np.cos).",
    ("cos", "dvector", "[0.0, 3.141592653589793]", "array([ 1., -1.])"))
tan = _unary(
    "tan", "Tangent, elementwise (np.tan).",
    ("tan", "dvector", "[0.0, 0.7853981633974483]", "array([0., 1.])"))
arcsin = _unary(
    "arcsin", "Inverse sine, elementwise (np.arcsin).",
    ("arcsin", "dvector", "[0.0, 1.0]", "array([0.        , 1.57079633])"))
arccos = _unary(
    "arccos", "Inverse cosine, elementwise (np.arccos).",
    ("arccos", "dvector", "[1.0, 0.0]", "array([0.        , 1.57079633])"))
arctan = _unary(
    "arctan", "Inverse tangent, elementwise (np.arctan).",
    ("arctan", "dvector", "[0.0, 1.0]", "array([0.        , 0.78539816])"))
arctan2 = _binary(
    "arctan2", "The angle of the point (b, a) elementwise: arctan(a / b) in the right quadrant "
    "(np.arctan2).",
    ("arctan2", "dvector", "[1.0, 1.0], [1.0, -1.0]", "array([0.78539816, 2.35619449])"))
sinh = _unary(
    "sinh", "Hyperbolic sine, elementwise (np.sinh).",
    ("sinh", "dvector", "[0.0, 1.0]", "array([0.        , 1.17520119])"))
cosh = _unary(
    "cosh", "Hyperbolic cosine, elementwise (np.cosh).",
    ("cosh", "dvector", "[0.0, 1.0]", "array([1.        , 1.54308063])"))
tanh = _unary(
    "tanh", "Hyperbolic tangent, elementwise (np.tanh).",
    ("tanh", "dvector", "[0.0, 1.0]", "array([0.        , 0.76159416])"))
arcsinh = _unary(
    "arcsinh", "Inverse hyperbolic sine, elementwise (np.arcsinh).",
    ("arcsinh", "dvector", "[0.0, 1.0]", "array([0.        , 0.88137359])"))
arccosh = _unary(
    "arccosh", "Inverse hyperbolic cosine, elementwise (np.arccosh).",
    ("arccosh", "dvector", "[1.0, 2.0]", "array([0.       , 1.3169579])"))
arctanh = _unary(
    "arctanh", "Inverse hyperbolic tangent, elementwise (np.arctanh).",
    ("arctanh", "dvector", "[0.0, 0.5]", "array([0.        , 0.54930614])"))
erf = _unary(
    "erf", "Error function, elementwise (scipy.special.erf).",
    ("erf", "dvector", "[0.0, 1.0]", "array([0.        , 0.84270079])"))
erfc = _unary(
    "erfc", "Complementary error function 1 - erf(a), elementwise (scipy.special.erfc).",
    ("erfc", "dvector", "[0.0, 1.0]", "array([1.        , 0.15729921])"))
erfinv = _unary(
    "erfinv", "Inverse error function, elementwise (scipy.special.erfinv).",
    ("erfinv", "dvector", "[0.0, 0.5]", "array([0.        , 0.47693628])"))
gamma = _unary(
    "gamma", "Gamma function, elementwise (scipy.special.gamma).",
    ("gamma", "dvector", "[5.0, 0.5]", "array([24.        ,  1.77245385])"))
gammaln = _unary(
    "gammaln", "log |gamma(a)|, elementwise (scipy.special.gammaln).",
    ("gammaln", "dvector", "[5.0, 100.0]", "array([  3.17805383, 359.13420537])"))
psi = _unary(
    "psi", "The digamma function (the derivative of gammaln), elementwise (scipy.special.psi).",
    ("psi", "dvector", "[1.0, 2.0]", "array([-0.57721566,  0.42278434])"))

# ---------------------------------------------------------------------------- rounding
floor = _unary(
    "floor", "Rounds toward -inf elementwise (np.floor); integers are returned unchanged.",
    ("floor", "dvector", "[-1.5, 1.5]", "array([-2.,  1.])"))
ceil = _unary(
    "ceil", "Rounds toward +inf elementwise (np.ceil); integers are returned unchanged.",
    ("ceil", "dvector", "[-1.5, 1.5]", "array([-1.,  2.])"))
trunc = _unary(
    "trunc", "Rounds toward 0 elementwise (np.trunc); integers are returned unchanged.",
    ("trunc", "dvector", "[-1.5, 1.5]", "array([-1.,  1.])"))

_ROUND_MODES = {
    None: "round",
    "half_to_even": "round",
    "half_away_from_zero": "round_half_away_from_zero",
}


def round(a, mode=None):
    """Rounds to the nearest integer value, elementwise.

    Parameters
    ----------
    a : Variable or array_like
        The input; integers are returned unchanged.
    mode : {None, 'half_to_even', 'half_away_from_zero'}
        Ties to even like np.round (None, 'half_to_even'), or away from zero.

    Returns
    -------
    Variable
        Of a's shape and dtype.

    Examples
    --------
    >>> a = T.dvector('a')
    >>> f = theon.function([a], [T.round(a), T.round(a, 'half_away_from_zero')])
    >>> f([0.5, 1.5, -2.5])
    [array([ 0.,  2., -2.]), array([ 1.,  2., -3.])]
    """
    if mode not in _ROUND_MODES:
        raise ValueError(
            "round: mode must be 'half_to_even' or 'half_away_from_zero', got %r" % (mode,))
    return build_elemwise(_ROUND_MODES[mode], a)


def iround(a, mode=None):
    """``round(a, mode)`` cast to int64.

    Parameters
    ----------
    a : Variable or array_like
        The input.
    mode : {None, 'half_to_even', 'half_away_from_zero'}
        As for round.

    Returns
    -------
    Variable
        int64, of a's shape.

    Examples
    --------
    >>> a = T.dvector('a')
    >>> theon.function([a], T.iround(a))([0.5, 1.7])
    array([0, 2])
    """
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


def _comparison(name, doc, example):
    def f(a, b):
        if _out_of_range_int(a, b):
            a = _compare_arg(a)
        elif _out_of_range_int(b, a):
            b = _compare_arg(b)
        return build_elemwise(name, a, b)

    f.__name__ = f.__qualname__ = example[0]
    f.__doc__ = _elementwise_doc(doc, 2, example)
    return f


lt = less = _comparison(
    "less", "a < b elementwise (bool).",
    ("lt", "dvector", "[1.0, 2.0, 3.0], [2.0, 2.0, 2.0]", "array([ True, False, False])"))
le = less_equal = _comparison(
    "less_equal", "a <= b elementwise (bool).",
    ("le", "dvector", "[1.0, 2.0, 3.0], [2.0, 2.0, 2.0]", "array([ True,  True, False])"))
gt = greater = _comparison(
    "greater", "a > b elementwise (bool).",
    ("gt", "dvector", "[1.0, 2.0, 3.0], [2.0, 2.0, 2.0]", "array([False, False,  True])"))
ge = greater_equal = _comparison(
    "greater_equal", "a >= b elementwise (bool).",
    ("ge", "dvector", "[1.0, 2.0, 3.0], [2.0, 2.0, 2.0]", "array([False,  True,  True])"))
eq = equal = _comparison(
    "equal", "a == b elementwise (bool).",
    ("eq", "dvector", "[1.0, 2.0, np.nan], [2.0, 2.0, np.nan]", "array([False,  True, False])"))
neq = not_equal = _comparison(
    "not_equal", "a != b elementwise (bool).",
    ("neq", "dvector", "[1.0, 2.0, np.nan], [2.0, 2.0, np.nan]", "array([ True, False,  True])"))
isnan = _unary(
    "isnan", "True where a is NaN, elementwise (np.isnan).",
    ("isnan", "dvector", "[1.0, np.nan, np.inf]", "array([False,  True, False])"))
isinf = _unary(
    "isinf", "True where a is +inf or -inf, elementwise (np.isinf).",
    ("isinf", "dvector", "[1.0, np.nan, -np.inf]", "array([False, False,  True])"))
isfinite = _unary(
    "isfinite", "True where a is neither NaN nor infinite, elementwise (np.isfinite).",
    ("isfinite", "dvector", "[1.0, np.nan, np.inf]", "array([ True, False, False])"))

# ---------------------------------------------------------------------------- logic and bits
and_ = bitwise_and = _binary(
    "bitwise_and", "a & b elementwise, for bools and integers (np.bitwise_and).",
    ("and_", "lvector", "[12, 5], [10, 3]", "array([8, 1])"))
or_ = bitwise_or = _binary(
    "bitwise_or", "a | b elementwise, for bools and integers (np.bitwise_or).",
    ("or_", "lvector", "[12, 5], [10, 3]", "array([14,  7])"))
xor = bitwise_xor = _binary(
    "bitwise_xor", "a ^ b elementwise, for bools and integers (np.bitwise_xor).",
    ("xor", "lvector", "[12, 5], [10, 3]", "array([6, 6])"))
invert = bitwise_not = _unary(
    "invert", "~a elementwise, for bools (logical not) and integers (np.invert).",
    ("invert", "lvector", "[0, 5]", "array([-1, -6])"))
logical_and = _binary(
    "logical_and", "a and b elementwise, reading the inputs as a != 0; bool (np.logical_and).",
    ("logical_and", "dvector", "[0.0, 1.0, 2.0], [1.0, 1.0, 0.0]", "array([False,  True, False])"))
logical_or = _binary(
    "logical_or", "a or b elementwise, reading the inputs as a != 0; bool (np.logical_or).",
    ("logical_or", "dvector", "[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]", "array([ True,  True, False])"))
logical_xor = _binary(
    "logical_xor", "a xor b elementwise, reading the inputs as a != 0; bool (np.logical_xor).",
    ("logical_xor", "dvector", "[0.0, 1.0, 2.0], [1.0, 1.0, 0.0]", "array([ True, False,  True])"))
logical_not = _unary(
    "logical_not", "not a elementwise, reading the input as a != 0; bool (np.logical_not).",
    ("logical_not", "dvector", "[0.0, 1.5]", "array([ True, False])"))


# ---------------------------------------------------------------------------- selection
def switch(cond, ift, iff):
    """Elements of ``ift`` where ``cond`` is nonzero, of ``iff`` elsewhere.

    NumPy's where with three arguments.

    Parameters
    ----------
    cond : Variable or array_like
        Read as ``cond != 0``; it does not take part in the dtype promotion.
    ift, iff : Variable, array_like or number
        The two choices; the result dtype is theirs promoted.

    Returns
    -------
    Variable
        Of the broadcast shape of the three. Both choices are computed (see ifelse for a lazy
        choice).

    Examples
    --------
    >>> c, x = T.dvectors('c', 'x')
    >>> theon.function([c, x], T.switch(c, x, -x))([1., 0.], [3., 4.])
    array([ 3., -4.])
    """
    c = as_tensor_variable(cond)
    if c.dtype != "bool":
        c = build("cast", c, dtype="bool")
    return build_elemwise("switch", c, ift, iff)


def where(condition, x, y):
    """NumPy's ``where(condition, x, y)``: see switch.

    Parameters
    ----------
    condition : Variable or array_like
        Read as ``condition != 0``.
    x, y : Variable, array_like or number
        The two choices.

    Returns
    -------
    Variable
        Of the broadcast shape of the three.

    Examples
    --------
    >>> c = T.bvector('c')
    >>> theon.function([c], T.where(c, 1.0, 0.0))([1, 0])
    array([1., 0.])
    """
    return switch(condition, x, y)
