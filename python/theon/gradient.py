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
    """Raised by verify_grad when symbolic and numeric gradients disagree.

    Parameters
    ----------
    message : str
        Names the input and the element where the two gradients differ most.

    Examples
    --------
    >>> wrong = theon.gradient.grad_scale  # a forward identity whose gradient is scaled
    >>> try:
    ...     theon.gradient.verify_grad(lambda x: wrong(x, 2.0), [np.ones(2)])
    ... except theon.gradient.GradientError:
    ...     print('mismatch found')
    mismatch found
    """


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
    """The L-operator: ``eval_points`` times the Jacobian of ``f`` with respect to ``wrt``.

    Parameters
    ----------
    f : Variable or list of Variable
        The outputs.
    wrt : Variable or list of Variable
        The variables to differentiate with respect to.
    eval_points : Variable or list of Variable
        One vector per output, of its shape, multiplied from the left.
    consider_constant : list of Variable
        Subexpressions through which no gradient flows.
    disconnected_inputs : {'raise', 'warn', 'ignore'}
        What to do when ``f`` does not depend on one of ``wrt``.

    Returns
    -------
    Variable or list of Variable
        One per element of ``wrt``, of its shape (a list when ``wrt`` is a list).

    Examples
    --------
    >>> x, v = T.dvectors('x', 'v')
    >>> theon.function([x, v], theon.gradient.Lop(x ** 2, x, v))([1., 2.], [1., 1.])
    array([2., 4.])
    """
    f_list, _ = _as_list(f)
    e_list, _ = _as_list(eval_points)
    if len(f_list) != len(e_list):
        raise ValueError(f"Lop: expected {len(f_list)} evaluation points, got {len(e_list)}")
    known = dict(zip(f_list, [as_tensor_variable(e) for e in e_list]))
    return grad(None, wrt, consider_constant=consider_constant,
                disconnected_inputs=disconnected_inputs, known_grads=known)


def Rop(f, wrt, eval_points):
    """The R-operator: the Jacobian of ``f`` with respect to ``wrt`` times ``eval_points``.

    Parameters
    ----------
    f : Variable or list of Variable
        The outputs.
    wrt : Variable or list of Variable
        The variables to differentiate with respect to.
    eval_points : Variable or list of Variable
        One per element of ``wrt``, of its shape, multiplied from the right.

    Returns
    -------
    Variable or list of Variable
        One per output, of its shape (a list when ``f`` is a list).

    Examples
    --------
    >>> x, v = T.dvectors('x', 'v')
    >>> theon.function([x, v], theon.gradient.Rop(x ** 2, x, v))([1., 2.], [1., 1.])
    array([2., 4.])
    """
    f_list, f_is_list = _as_list(f)
    w_list, _ = _as_list(wrt)
    e_list, _ = _as_list(eval_points)
    out = _core.Rop(f_list, w_list, [as_tensor_variable(e) for e in e_list])
    return out if f_is_list else out[0]


def jacobian(expression, wrt, consider_constant=None, disconnected_inputs="raise"):
    """The Jacobian of ``expression`` with respect to ``wrt``.

    Parameters
    ----------
    expression : Variable
        A scalar or vector.
    wrt : Variable or list of Variable
        The variables to differentiate with respect to.
    consider_constant : None
        Accepted for Theano's signature; anything else raises NotImplementedError.
    disconnected_inputs : {'raise', 'warn', 'ignore'}
        What to do when ``expression`` does not depend on one of ``wrt``.

    Returns
    -------
    Variable or list of Variable
        Of shape ``expression.shape + w.shape`` for each ``w`` of ``wrt`` (a list when
        ``wrt`` is a list).

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], theon.gradient.jacobian(x ** 2, x))([1., 2.])
    array([[2., 0.],
           [0., 4.]])
    """
    if consider_constant:
        raise NotImplementedError("jacobian: consider_constant is not supported")
    w_list, is_list = _as_list(wrt)
    out = _core.jacobian(as_tensor_variable(expression), w_list, disconnected_inputs)
    return out if is_list else out[0]


def hessian(cost, wrt, consider_constant=None, disconnected_inputs="raise"):
    """The Hessian of the scalar ``cost`` with respect to ``wrt``.

    Parameters
    ----------
    cost : scalar Variable
        What to differentiate twice.
    wrt : Variable or list of Variable
        The variables to differentiate with respect to.
    consider_constant : None
        Accepted for Theano's signature; anything else raises NotImplementedError.
    disconnected_inputs : {'raise', 'warn', 'ignore'}
        What to do when ``cost`` does not depend on one of ``wrt``.

    Returns
    -------
    Variable or list of Variable
        Of shape ``w.shape + w.shape`` for each ``w`` of ``wrt`` (a list when ``wrt`` is a
        list).

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], theon.gradient.hessian((x ** 3).sum(), x))([1., 2.])
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    if consider_constant:
        raise NotImplementedError("hessian: consider_constant is not supported")
    w_list, is_list = _as_list(wrt)
    out = _core.hessian(as_tensor_variable(cost), w_list, disconnected_inputs)
    return out if is_list else out[0]


def zero_grad(x):
    """``x`` in the forward pass; the gradient through it is zero.

    Parameters
    ----------
    x : Variable
        The expression passed through.

    Returns
    -------
    Variable
        ``x`` unchanged in value.

    Examples
    --------
    >>> x = T.dscalar('x')
    >>> g = theon.grad(x * theon.gradient.zero_grad(x), x)
    >>> theon.function([x], g)(3.0)
    array(3.)
    """
    return build("zero_grad", x)


def consider_constant(x):
    """``x`` in the forward pass; the gradient through it is zero (as zero_grad).

    Parameters
    ----------
    x : Variable
        The expression passed through.

    Returns
    -------
    Variable
        ``x`` unchanged in value.

    Examples
    --------
    >>> x = T.dscalar('x')
    >>> g = theon.grad(x * theon.gradient.consider_constant(x), x)
    >>> theon.function([x], g)(3.0)
    array(3.)
    """
    return build("zero_grad", x)


class UndefinedGrad:
    """What an Op's grad returns for an input whose gradient is not defined.

    Theano's NullType variable: asking for a gradient through it raises NotImplementedError
    (or gives None with ``grad(..., null_gradients='return')``).

    Parameters
    ----------
    op : Op
        The op whose gradient is undefined.
    x_pos : int
        The position of the input.
    comment : str
        Why, shown in the error.

    Examples
    --------
    >>> theon.gradient.UndefinedGrad('MyOp', 0, 'a step function')
    UndefinedGrad(MyOp, input 0: 'a step function')
    """

    def __init__(self, op, x_pos, comment=""):
        self.op, self.x_pos, self.comment = op, x_pos, comment

    def __repr__(self):
        return f"UndefinedGrad({self.op}, input {self.x_pos}: {self.comment!r})"


class DisconnectedGrad:
    """What an Op's grad returns for an input its outputs do not depend on.

    Examples
    --------
    >>> theon.gradient.DisconnectedGrad()
    DisconnectedGrad()
    """

    def __repr__(self):
        return "DisconnectedGrad()"


NullType = UndefinedGrad
DisconnectedType = DisconnectedGrad


def grad_undefined(op, x_pos, x, comment=""):
    """The gradient of ``op`` with respect to its input ``x_pos`` (``x``) is undefined.

    Parameters
    ----------
    op : Op
        The op whose grad method is asking.
    x_pos : int
        The position of the input.
    x : Variable
        The input.
    comment : str
        Why, shown in the error.

    Returns
    -------
    UndefinedGrad
        To return from ``Op.grad`` in that input's place.

    Examples
    --------
    >>> theon.gradient.grad_undefined('MyOp', 1, None, 'integer input')
    UndefinedGrad(MyOp, input 1: 'integer input')
    """
    return UndefinedGrad(op, x_pos, comment)


def grad_not_implemented(op, x_pos, x, comment=""):
    """The gradient of ``op`` with respect to its input ``x_pos`` is not implemented.

    Parameters
    ----------
    op : Op
        The op whose grad method is asking.
    x_pos : int
        The position of the input.
    x : Variable
        The input.
    comment : str
        Shown in the error (default ``'not implemented'``).

    Returns
    -------
    UndefinedGrad
        To return from ``Op.grad`` in that input's place.

    Examples
    --------
    >>> theon.gradient.grad_not_implemented('MyOp', 0, None)
    UndefinedGrad(MyOp, input 0: 'not implemented')
    """
    return UndefinedGrad(op, x_pos, comment or "not implemented")


def disconnected_type():
    """The gradient of an input the outputs do not depend on.

    Returns
    -------
    DisconnectedGrad
        To return from ``Op.grad`` in that input's place.

    Examples
    --------
    >>> theon.gradient.disconnected_type()
    DisconnectedGrad()
    """
    return DisconnectedGrad()


def disconnected_grad(x):
    """``x`` in the forward pass; no gradient flows through it (it is disconnected).

    Parameters
    ----------
    x : Variable
        The expression passed through.

    Returns
    -------
    Variable
        ``x`` unchanged in value.

    Examples
    --------
    >>> x = T.dscalar('x')
    >>> g = theon.grad(x * theon.gradient.disconnected_grad(x), x)
    >>> theon.function([x], g)(3.0)
    array(3.)
    """
    return build("disconnected_grad", x)


def grad_clip(x, lower_bound, upper_bound):
    """``x`` in the forward pass; the gradient flowing through it is clipped to the bounds.

    Parameters
    ----------
    x : Variable
        The expression passed through.
    lower_bound, upper_bound : float
        The interval the gradient with respect to ``x`` is clipped to.

    Returns
    -------
    Variable
        ``x`` unchanged in value.

    Examples
    --------
    >>> x = T.dscalar('x')
    >>> g = theon.grad(5.0 * theon.gradient.grad_clip(x ** 2, -1.0, 1.0), x)
    >>> theon.function([x], g)(3.0)  # 2 * x * clip(5, -1, 1)
    array(6.)
    """
    return build("grad_clip", x, lower=float(lower_bound), upper=float(upper_bound))


def grad_scale(x, multiplier):
    """``x`` in the forward pass; the gradient flowing through it is multiplied.

    Parameters
    ----------
    x : Variable
        The expression passed through.
    multiplier : float
        What the gradient with respect to ``x`` is multiplied by.

    Returns
    -------
    Variable
        ``x`` unchanged in value.

    Examples
    --------
    >>> x = T.dscalar('x')
    >>> g = theon.grad(theon.gradient.grad_scale(x, 0.5) ** 2, x)
    >>> theon.function([x], g)(3.0)
    array(3.)
    """
    return build("grad_scale", x, multiplier=float(multiplier))


def verify_grad(fun, pt, n_tests=2, rng=None, eps=None, abs_tol=None, rel_tol=None,
                out_type=None, mode=None, cast_to_output_type=False, no_debug_ref=True):
    """Checks the symbolic gradient of ``fun`` at ``pt`` against finite differences.

    The gradient of ``n_tests`` random projections of fun's output is compared with central
    finite differences. fun receives variables with the test point's dtypes and broadcastable
    pattern (static size 1 where the point has a dimension of size 1).

    Parameters
    ----------
    fun : callable
        Takes one Variable per array of ``pt`` and returns a Variable.
    pt : list of array_like
        The point, float arrays.
    n_tests : int
        How many random projections are checked.
    rng : numpy.random.Generator or RandomState
        Seeds the projections (default: a fixed seed).
    eps : float
        The finite-difference step (default: by dtype).
    abs_tol, rel_tol : float
        The tolerances (default: by dtype).
    out_type, mode, cast_to_output_type, no_debug_ref
        Accepted for Theano's signature.

    Raises
    ------
    GradientError
        Naming the input and the worst element when the gradients disagree.

    Examples
    --------
    >>> theon.gradient.verify_grad(lambda x: T.tanh(x).sum(), [np.array([0.1, 0.5])])
    """
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
