"""theon.gradient: symbolic differentiation (grad, Lop, Rop, jacobian, hessian), gradient
modifiers and verify_grad. The work is done in C++; this module adapts Theano's signatures."""

import warnings

import numpy as np

from theon import _core
from theon._location import user_location
from theon.tensor._build import as_tensor_variable, build

__all__ = ["grad", "Lop", "Rop", "jacobian", "hessian", "zero_grad", "disconnected_grad",
           "grad_clip", "grad_scale", "verify_grad", "GradientError"]


class GradientError(ValueError):
    """Raised by verify_grad when symbolic and numeric gradients disagree."""


def _as_list(x):
    return (list(x), True) if isinstance(x, (list, tuple)) else ([x], False)


def grad(cost, wrt, consider_constant=None, disconnected_inputs="raise", known_grads=None,
         return_disconnected="zero", null_gradients="raise"):
    """The gradient of the scalar ``cost`` with respect to ``wrt`` (a variable or a list),
    as graphs. known_grads: {variable: gradient} to start from (cost may then be None)."""
    wrt_list, is_list = _as_list(wrt)
    pairs = [(as_tensor_variable(k), as_tensor_variable(v))
             for k, v in (known_grads or {}).items()]
    grads, messages = _core.grad(
        None if cost is None else as_tensor_variable(cost), wrt_list,
        list(consider_constant or []), disconnected_inputs, pairs, return_disconnected,
        null_gradients, user_location())
    for m in messages:
        warnings.warn(m, stacklevel=2)
    return grads if is_list else grads[0]


def Lop(f, wrt, eval_points, consider_constant=None, disconnected_inputs="raise"):
    """The L-operator: eval_points times the Jacobian of f with respect to wrt."""
    f_list, _ = _as_list(f)
    e_list, _ = _as_list(eval_points)
    if len(f_list) != len(e_list):
        raise ValueError(f"Lop: expected {len(f_list)} evaluation points, got {len(e_list)}")
    known = dict(zip(f_list, [as_tensor_variable(e) for e in e_list]))
    return grad(None, wrt, consider_constant=consider_constant,
                disconnected_inputs=disconnected_inputs, known_grads=known)


def Rop(f, wrt, eval_points):
    """The R-operator: the Jacobian of f with respect to wrt times eval_points."""
    f_list, f_is_list = _as_list(f)
    w_list, _ = _as_list(wrt)
    e_list, _ = _as_list(eval_points)
    out = _core.Rop(f_list, w_list, [as_tensor_variable(e) for e in e_list])
    return out if f_is_list else out[0]


def jacobian(expression, wrt, consider_constant=None, disconnected_inputs="raise"):
    """The Jacobian of ``expression``: shape expression.shape + wrt.shape for each wrt."""
    if consider_constant:
        raise NotImplementedError("jacobian: consider_constant is not supported")
    w_list, is_list = _as_list(wrt)
    out = _core.jacobian(as_tensor_variable(expression), w_list, disconnected_inputs)
    return out if is_list else out[0]


def hessian(cost, wrt, consider_constant=None, disconnected_inputs="raise"):
    """The Hessian of the scalar ``cost``: shape wrt.shape + wrt.shape for each wrt."""
    if consider_constant:
        raise NotImplementedError("hessian: consider_constant is not supported")
    w_list, is_list = _as_list(wrt)
    out = _core.hessian(as_tensor_variable(cost), w_list, disconnected_inputs)
    return out if is_list else out[0]


def zero_grad(x):
    """x in the forward pass; the gradient through it is zero."""
    return build("zero_grad", x)


def disconnected_grad(x):
    """x in the forward pass; no gradient flows through it (it is disconnected)."""
    return build("disconnected_grad", x)


def grad_clip(x, lower_bound, upper_bound):
    """x in the forward pass; the gradient flowing through it is clipped to the bounds."""
    return build("grad_clip", x, lower=float(lower_bound), upper=float(upper_bound))


def grad_scale(x, multiplier):
    """x in the forward pass; the gradient flowing through it is multiplied."""
    return build("grad_scale", x, multiplier=float(multiplier))


def verify_grad(fun, pt, n_tests=2, rng=None, eps=None, abs_tol=None, rel_tol=None,
                out_type=None, mode=None, cast_to_output_type=False, no_debug_ref=True):
    """Checks grad(fun) at the point ``pt`` (a list of float arrays) against central finite
    differences, on ``n_tests`` random projections of fun's output. fun receives variables
    with the test point's dtypes and broadcastable pattern (static size 1 where the point has a
    dimension of size 1). Raises GradientError naming the input and the worst element when
    they disagree."""
    pt = [np.array(p) for p in pt]
    if rng is None:
        seed = 0
    elif hasattr(rng, "integers"):
        seed = int(rng.integers(0, 2 ** 63))
    else:
        seed = int(rng.randint(0, 2 ** 31))

    def symbolic(inputs):
        return as_tensor_variable(fun(*inputs))

    try:
        _core.verify_grad(symbolic, pt, int(n_tests), seed, eps, abs_tol, rel_tol)
    except ValueError as e:
        if str(e).startswith("verify_grad:"):
            raise GradientError(str(e)) from None
        raise
