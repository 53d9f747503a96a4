"""The ops the fuzzer draws from. Each op is written once over a backend `M` (theon.tensor or
NumPy, see BACKENDS) so that the Theon graph and the NumPy reference cannot drift apart, and
says which inputs it takes and how it draws its parameters."""

import numpy as np
import scipy.special as sp

import theon.tensor as T
from theon.tensor import nnet

FLOATS = ("float64", "float32")
INTS = ("int64", "int32", "int8", "uint8")


class _NumPy:
    """NumPy under the names theon.tensor uses."""
    add, sub, mul, true_divide = np.add, np.subtract, np.multiply, np.true_divide
    maximum, minimum, neg, abs, sqr = np.maximum, np.minimum, np.negative, np.abs, np.square
    sqrt, exp, log, log1p, expm1, sin, tanh = (np.sqrt, np.exp, np.log, np.log1p, np.expm1,
                                               np.sin, np.tanh)
    sign, floor, isnan, gt, eq = np.sign, np.floor, np.isnan, np.greater, np.equal
    sigmoid = staticmethod(sp.expit)
    reciprocal = staticmethod(np.reciprocal)

    @staticmethod
    def pow(x, e):
        # NumPy computes x ** 0.5 as sqrt(x) for a Python scalar exponent or 0-d operands (-0.0
        # and NaN at -0.0 and -inf); Theon's pow with a constant exponent is C's pow (+0.0 and
        # +inf), as NumPy's is for 1-d array operands.
        flat = np.reshape(x, -1)
        return np.power(flat, np.full(flat.shape, e, x.dtype)).reshape(np.shape(x))

    @staticmethod
    def softplus(x):
        return np.logaddexp(x.dtype.type(0), x)

    @staticmethod
    def switch(c, a, b):
        return np.where(c, a, b)

    @staticmethod
    def cast(x, dtype):
        return np.asarray(x).astype(dtype)

    @staticmethod
    def reduce(kind, x, axis, keepdims):
        return np.asarray(getattr(np, kind)(x, axis=axis, keepdims=keepdims))

    @staticmethod
    def transpose(x, perm):
        return np.transpose(x, perm)

    @staticmethod
    def expand(x, axis):
        return np.expand_dims(x, axis)

    @staticmethod
    def reshape(x, shape):
        return np.reshape(x, shape)

    @staticmethod
    def dot(a, b):
        return np.dot(a, b)

    zeros_like, ones_like = staticmethod(np.zeros_like), staticmethod(np.ones_like)

    @staticmethod
    def set_subtensor(base, key, value):
        out = base.copy()
        out[key] = value
        return out


class _Theon:
    """theon.tensor, with the few spellings that differ from NumPy's."""

    def __getattr__(self, name):
        return getattr(T, name)

    sigmoid = staticmethod(nnet.sigmoid)
    softplus = staticmethod(nnet.softplus)

    @staticmethod
    def reduce(kind, x, axis, keepdims):
        return getattr(T, kind)(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def transpose(x, perm):
        return T.dimshuffle(x, *perm)

    @staticmethod
    def expand(x, axis):
        pattern = list(range(x.ndim))
        pattern.insert(axis, "x")
        return T.dimshuffle(x, *pattern)

    @staticmethod
    def reshape(x, shape):
        return T.reshape(x, shape)

    @staticmethod
    def dot(a, b):
        return T.dot(a, b)

    @staticmethod
    def set_subtensor(base, key, value):
        return T.set_subtensor(base[key], value)


BACKENDS = {"numpy": _NumPy, "theon": _Theon()}


class Op:
    """`fn(M, args, params)` computes the op over backend M; `kinds` is, per argument, the dtype
    kinds it takes ('f' float, 'i' integer, 'b' bool); `draw(rng, args)` returns the params
    for argument values `args` (NumPy arrays) or None when the op does not apply to them."""

    def __init__(self, name, kinds, fn, draw=None, smooth=False, weight=1.0):
        self.name, self.kinds, self.fn = name, kinds, fn
        self.draw = draw or (lambda rng, args: {})
        self.smooth, self.weight = smooth, weight

    @property
    def arity(self):
        return len(self.kinds)


def _unary(name, kinds="f", smooth=False, weight=1.0):
    return Op(name, (kinds,), lambda M, a, p: getattr(M, name)(a[0]), smooth=smooth,
              weight=weight)


def _binary(name, kinds="fi", smooth=False, weight=1.0):
    return Op(name, (kinds, kinds), lambda M, a, p: getattr(M, name)(a[0], a[1]),
              smooth=smooth, weight=weight)


# Constants the cancelling rewrites look for (and those they must not mistake for them).
SPECIAL_CONSTANTS = (0, 0.0, -0.0, 1, 1.0, -1, 2.0, 0.5, float("inf"), float("nan"))


def _draw_constant(rng, args):
    c = SPECIAL_CONSTANTS[rng.integers(len(SPECIAL_CONSTANTS))]
    op = ["add", "sub", "mul", "true_divide", "maximum"][rng.integers(5)]
    if args[0].dtype.kind != "f" and (isinstance(c, float) or op == "true_divide"):
        # int8 + 0.5 is float64 in NumPy 2, int8 / 2 float32 in Theon: the cast op's business.
        return None
    return {"c": c, "left": bool(rng.integers(2)), "op": op}


def _with_constant(M, a, p):
    f = getattr(M, p["op"])
    return f(p["c"], a[0]) if p["left"] else f(a[0], p["c"])


def _draw_trig(rng, args):
    # sin of a large argument turns the last-ulp differences of NumPy's and glibc's exp into
    # different values: no tolerance fits an ill-conditioned function.
    finite = args[0][np.isfinite(args[0])]
    return {} if (np.abs(finite) <= 1e3).all() else None


def _draw_pow(rng, args):
    return {"e": [2, 3, 0.5, -1, -2, 1][rng.integers(6)]}


def _draw_cast(rng, args):
    dtype = list(FLOATS + INTS + ("bool",))[rng.integers(7)]
    if args[0].dtype.kind == "f" and dtype in INTS:
        # NumPy leaves NaN, infinities and out-of-range values converted to integers undefined.
        info = np.iinfo(dtype)
        if not (np.isfinite(args[0]).all() and (args[0] >= info.min).all() and
                (args[0] <= info.max).all()):
            return None
    return {"dtype": dtype}


def _draw_axes(rng, x):
    if x.ndim == 0 or rng.integers(4) == 0:
        return None
    axes = tuple(int(d) for d in range(x.ndim) if rng.integers(2))
    return axes or (int(rng.integers(x.ndim)),)


def _draw_reduce(kinds):
    def draw(rng, args):
        kind = kinds[rng.integers(len(kinds))]
        axis = _draw_axes(rng, args[0])
        if kind in ("max", "min"):
            sizes = args[0].shape if axis is None else [args[0].shape[d] for d in axis]
            if 0 in sizes:
                return None  # the maximum of nothing raises, in NumPy and Theon alike
        return {"kind": kind, "axis": axis, "keepdims": bool(rng.integers(2))}
    return draw


def _reduce(M, a, p):
    axis = p["axis"] if p["axis"] is None else tuple(p["axis"])
    return M.reduce(p["kind"], a[0], axis, p["keepdims"])


def _draw_transpose(rng, args):
    if args[0].ndim < 2:
        return None
    return {"perm": [int(d) for d in rng.permutation(args[0].ndim)]}


def _draw_expand(rng, args):
    if args[0].ndim >= 4:
        return None
    return {"axis": int(rng.integers(args[0].ndim + 1))}


def _draw_reshape(rng, args):
    n = args[0].size
    choices = [[-1], [1, -1], [-1, 1]]
    if n and n % 2 == 0:
        choices.append([2, -1])
    return {"shape": choices[rng.integers(len(choices))]}


def _draw_slice(rng, args):
    x = args[0]
    if x.ndim == 0:
        return None
    key = []
    for d in range(int(rng.integers(1, x.ndim + 1))):
        n = x.shape[d]
        if n and rng.integers(4) == 0:
            key.append(int(rng.integers(-n, n)))
            continue
        step = int([1, 2, -1, -2, 3][rng.integers(5)])
        bound = lambda: None if rng.integers(3) == 0 else int(rng.integers(-n - 1, n + 2))  # noqa
        key.append([bound(), bound(), step])
    return {"key": key}


def _subtensor(M, a, p):
    key = tuple(k if isinstance(k, int) else slice(*k) for k in p["key"])
    return a[0][key]


def _draw_slice_write(rng, args):
    """Unit-step slices of a (any bounds) into which b broadcasts, as NumPy's assignment
    requires; stencil code writes values into slices of a fill this way."""
    a, b = args
    if a.ndim == 0 or a.dtype != b.dtype or b.ndim > a.ndim:
        return None
    def bound(n):
        return None if rng.integers(3) == 0 else int(rng.integers(-n - 1, n + 2))

    for _ in range(8):
        key = [[bound(n), bound(n)] for n in a.shape]
        shape = a[tuple(slice(*k) for k in key)].shape
        try:
            np.broadcast_to(b, shape)
        except ValueError:
            continue
        return {"key": key, "fill": int(rng.integers(2))}
    return None


def _slice_write(M, a, p):
    key = tuple(slice(*k) for k in p["key"])
    base = M.zeros_like(a[0]) if p["fill"] == 0 else M.ones_like(a[0])
    return M.set_subtensor(base, key, a[1])


def _draw_dot(rng, args):
    a, b = args
    if a.ndim not in (1, 2) or b.ndim not in (1, 2) or a.dtype != b.dtype:
        return None
    if a.shape[-1] != b.shape[0]:
        return None
    return {}


def _draw_switch(rng, args):
    return {} if args[0].dtype == np.bool_ else None


# Compositions that the cancelling rewrites rewrite (x - x, x / x, (x * y) / x, x + y - y).
_PATTERNS = {
    "self_sub": (("fi",), lambda M, a, p: M.sub(a[0], a[0])),
    "self_div": (("f",), lambda M, a, p: M.true_divide(a[0], a[0])),
    "mul_div": (("f", "f"), lambda M, a, p: M.true_divide(M.mul(a[0], a[1]), a[0])),
    "add_sub": (("fi", "fi"), lambda M, a, p: M.sub(M.add(a[0], a[1]), a[1])),
    "div_mul": (("f", "f"), lambda M, a, p: M.mul(M.true_divide(a[0], a[1]), a[1])),
}

OPS = [
    _binary("add", "fib", smooth=True, weight=2), _binary("sub", smooth=True, weight=2),
    _binary("mul", "fib", smooth=True, weight=2), _binary("true_divide", "f"),
    _binary("maximum", "fib"), _binary("minimum", "fib"),
    _unary("neg", "fi", smooth=True), _unary("abs", "fi"), _unary("sqr", "fi", smooth=True),
    _unary("sign", "fi"), _unary("floor"),
    _unary("sqrt"), _unary("exp"), _unary("log"), _unary("log1p"), _unary("expm1"),
    Op("sin", ("f",), lambda M, a, p: M.sin(a[0]), _draw_trig, smooth=True),
    _unary("tanh", smooth=True), _unary("sigmoid", smooth=True),
    _unary("softplus", smooth=True), _unary("reciprocal"), _unary("isnan"),
    Op("gt", ("fi", "fi"), lambda M, a, p: M.gt(a[0], a[1])),
    Op("eq", ("fib", "fib"), lambda M, a, p: M.eq(a[0], a[1])),
    Op("switch", ("b", "fib", "fib"), lambda M, a, p: M.switch(a[0], a[1], a[2]), _draw_switch),
    Op("const", ("fi",), _with_constant, _draw_constant, weight=3),
    Op("pow", ("f",), lambda M, a, p: M.pow(a[0], p["e"]), _draw_pow),
    Op("cast", ("fib",), lambda M, a, p: M.cast(a[0], p["dtype"]), _draw_cast),
    Op("reduce", ("fib",), _reduce, _draw_reduce(("sum", "prod", "max", "min")), weight=2),
    Op("sum", ("f",), _reduce, _draw_reduce(("sum", "mean")), smooth=True),
    Op("transpose", ("fib",), lambda M, a, p: M.transpose(a[0], p["perm"]), _draw_transpose,
       smooth=True),
    Op("expand", ("fib",), lambda M, a, p: M.expand(a[0], p["axis"]), _draw_expand, smooth=True),
    Op("reshape", ("fib",), lambda M, a, p: M.reshape(a[0], p["shape"]), _draw_reshape,
       smooth=True),
    Op("subtensor", ("fib",), _subtensor, _draw_slice, smooth=True, weight=2),
    Op("slice_write", ("f", "f"), _slice_write, _draw_slice_write),
    Op("dot", ("f", "f"), lambda M, a, p: M.dot(a[0], a[1]), _draw_dot, smooth=True),
] + [Op(n, k, f, smooth=n in ("add_sub",), weight=1.5) for n, (k, f) in _PATTERNS.items()]

BY_NAME = {op.name: op for op in OPS}

# Ops whose float results NumPy and Theon may round differently: their own exp, sin, ... (a few
# ulp apart) or another order of additions.
_ROUNDING = {"exp", "log", "log1p", "expm1", "sin", "tanh", "sigmoid", "softplus", "pow", "sum",
             "dot"}
# Ops that jump where their argument crosses a value, so that a last-ulp difference in it can
# change the result entirely: the generator gives them only arguments both sides compute alike.
DISCONTINUOUS = {"gt", "eq", "floor", "sign", "cast"}


def rounds_differently(node):
    return node["op"] in _ROUNDING or node["p"].get("kind") in ("sum", "prod")


def zero_sign_unspecified(node):
    """Ops whose zero signs NumPy leaves to its loops: maximum(-0.0, +0.0) (contiguous and
    strided loops differ) and max/min reductions; and dot, whose sums BLAS starts from +0.0."""
    return (node["op"] in ("maximum", "minimum", "dot") or node["p"].get("op") == "maximum" or
            node["p"].get("kind") in ("max", "min"))


# Ops that turn a zero's sign into something else (1 / -0.0 is -inf): the generator does not
# give them values whose zero sign is unspecified.
SIGN_SENSITIVE = {"true_divide", "reciprocal", "pow", "self_div", "mul_div", "div_mul", "const",
                  "sign"}
