"""theon.gradient: symbolic differentiation (grad, Lop, Rop, jacobian, hessian), gradient
modifiers and verify_grad. The work is done in C++; this module adapts Theano's signatures."""

import warnings

import numpy as np

from theon import _core
from theon._location import user_location
from theon.tensor._build import as_tensor_variable, build

__all__ = ["grad", "Lop", "Rop", "jacobian", "hessian", "zero_grad", "disconnected_grad",
           "consider_constant", "grad_clip", "grad_scale", "verify_grad", "GradientError",
           "grad_undefined", "grad_not_implemented", "disconnected_type", "DisconnectedType",
           "NullType", "UndefinedGrad", "DisconnectedGrad"]


class GradientError(ValueError):
    """Raised by verify_grad when symbolic and numeric gradients disagree."""


def _as_list(x):
    return (list(x), True) if isinstance(x, (list, tuple)) else ([x], False)


def grad(cost, wrt, consider_constant=None, disconnected_inputs="raise", known_grads=None,
         return_disconnected="zero", null_gradients="raise"):
    """The gradient of the scalar ``cost`` with respect to ``wrt``, as graphs.

    Parameters
    ----------
    cost : scalar Variable or None
        What to differentiate (None when ``known_grads`` gives the starting gradients).
    wrt : Variable or list of Variable
        The variables to differentiate with respect to.
    consider_constant : list of Variable
        Subexpressions through which no gradient flows.
    disconnected_inputs : {'raise', 'warn', 'ignore'}
        What to do when ``cost`` does not depend on one of ``wrt``.
    known_grads : dict
        ``{variable: gradient}`` to start the backward pass from.
    return_disconnected : {'zero', 'None', 'Disconnected'}
        What to return for a disconnected input.
    null_gradients : {'raise', 'return'}
        What to do when a gradient is undefined.

    Returns
    -------
    Variable or list of Variable
        One gradient per element of ``wrt`` (a list when ``wrt`` is a list), each of the
        type of its variable; graphs that can be compiled and differentiated again.

    Examples
    --------
    >>> x = T.dscalar('x')
    >>> theon.function([x], theon.grad(x ** 3, x))(2.0)
    array(12.)
    """
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


def consider_constant(x):
    """x in the forward pass; the gradient through it is zero (Theano's name for zero_grad)."""
    return build("zero_grad", x)


class UndefinedGrad:
    """What an Op's grad returns for an input whose gradient is not defined (Theano's
    NullType variable): asking for a gradient through it raises NotImplementedError (or gives
    None with grad(..., null_gradients='return'))."""

    def __init__(self, op, x_pos, comment=""):
        self.op, self.x_pos, self.comment = op, x_pos, comment

    def __repr__(self):
        return f"UndefinedGrad({self.op}, input {self.x_pos}: {self.comment!r})"


class DisconnectedGrad:
    """What an Op's grad returns for an input its outputs do not depend on."""

    def __repr__(self):
        return "DisconnectedGrad()"


NullType = UndefinedGrad
DisconnectedType = DisconnectedGrad


def grad_undefined(op, x_pos, x, comment=""):
    """The gradient of ``op`` with respect to its input ``x_pos`` (``x``) is undefined."""
    return UndefinedGrad(op, x_pos, comment)


def grad_not_implemented(op, x_pos, x, comment=""):
    """The gradient of ``op`` with respect to its input ``x_pos`` is not implemented."""
    return UndefinedGrad(op, x_pos, comment or "not implemented")


def disconnected_type():
    """The gradient of an input the outputs do not depend on."""
    return DisconnectedGrad()


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
