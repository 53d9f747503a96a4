"""Ops defined in Python, in Theano's style: subclass ``Op`` with ``make_node`` (returning
``Apply(self, inputs, [output types' variables])``), ``perform(node, inputs,
output_storage)`` and optionally ``grad`` (or ``L_op``), ``infer_shape`` and ``__props__``; or
wrap a NumPy function with ``as_op(itypes, otypes)``. The node is a C++ PythonOp that calls
back into Python (with the GIL) to compute; gradients and shapes are graphs as for any op."""

import itertools

import numpy as np

from theon import _core
from theon._location import user_location
from theon.gradient import DisconnectedGrad, UndefinedGrad
from theon.tensor._build import as_tensor_variable

__all__ = ["Op", "Apply", "as_op"]

# The callables (perform, grad, infer_shape) of each Python op node, by the id its C++
# PythonOp holds; the op removes its entry when it is destroyed.
_callbacks = {}
_ids = itertools.count()


class Op:
    """Base class of ops written in Python, in Theano's style.

    A subclass defines ``make_node`` and ``perform``, and optionally ``grad(inputs,
    output_grads)`` (or ``L_op``), ``infer_shape(node, input_shapes)`` and ``__props__``: the
    names of the attributes that make two instances equal (equal ops on equal inputs are
    merged); without it every instance is distinct. Calling an instance applies it.

    Examples
    --------
    >>> class Double(theon.Op):
    ...     __props__ = ()
    ...     def make_node(self, x):
    ...         x = T.as_tensor_variable(x)
    ...         return theon.Apply(self, [x], [x.type()])
    ...     def perform(self, node, inputs, output_storage):
    ...         output_storage[0][0] = inputs[0] * 2
    ...     def grad(self, inputs, output_grads):
    ...         return [output_grads[0] * 2]
    >>> x = T.dvector('x')
    >>> theon.function([x], Double()(x))([1., 2.])
    array([2., 4.])
    """

    __props__ = None
    default_output = None
    L_op = None  # a subclass defines L_op(inputs, outputs, output_grads) or grad(inputs, grads)

    def make_node(self, *inputs):
        """The node applying this op to ``inputs``; a subclass defines it.

        Parameters
        ----------
        *inputs : Variable or array_like
            What the op was called with.

        Returns
        -------
        theon.pyop.Apply
            ``theon.Apply(self, inputs, [output variables])``.

        Examples
        --------
        >>> class Same(theon.Op):
        ...     def make_node(self, x):
        ...         return theon.Apply(self, [x], [x.type()])
        >>> Same().make_node(T.dvector()).outputs[0].type
        TensorType(float64, shape=(None,))
        """
        raise NotImplementedError(f"{type(self).__name__}.make_node is not defined")

    def perform(self, node, inputs, output_storage):
        """Computes the outputs from NumPy arrays; a subclass defines it.

        Parameters
        ----------
        node : Apply
            The node (its ``op``, ``inputs`` and ``outputs``).
        inputs : list of numpy.ndarray
            The input values.
        output_storage : list of list
            ``output_storage[i][0] = value`` stores output ``i``.

        Examples
        --------
        >>> class Negate(theon.Op):
        ...     def make_node(self, x):
        ...         return theon.Apply(self, [x], [x.type()])
        ...     def perform(self, node, inputs, output_storage):
        ...         output_storage[0][0] = -inputs[0]
        >>> x = T.dvector('x')
        >>> theon.function([x], Negate()(x))([1., -2.])
        array([-1.,  2.])
        """
        raise NotImplementedError(f"{type(self).__name__}.perform is not defined")

    def __call__(self, *inputs, **kwargs):
        node = self.make_node(*inputs, **kwargs)
        outs = list(node.outputs)
        if self.default_output is not None:
            return outs[self.default_output]
        return outs[0] if len(outs) == 1 else outs

    def _props(self):
        return tuple(getattr(self, a) for a in self.__props__)

    def _has_infer_shape(self):
        return hasattr(self, "infer_shape")

    def __eq__(self, other):
        if self.__props__ is None:
            return self is other
        return type(self) is type(other) and self._props() == other._props()

    def __hash__(self):
        if self.__props__ is None:
            return object.__hash__(self)
        return hash((type(self), self._props()))

    def __str__(self):
        if not self.__props__:
            return type(self).__name__
        return (f"{type(self).__name__}{{"
                f"{', '.join(f'{a}={getattr(self, a)!r}' for a in self.__props__)}}}")


class _NodeView:
    """What perform and infer_shape see as ``node``: the op, its inputs, and its outputs'
    types (the output variables themselves would keep the node alive from its own op)."""

    class _Output:
        def __init__(self, type_):
            self.type = type_
            self.dtype = type_.dtype
            self.ndim = type_.ndim
            self.broadcastable = type_.broadcastable

    def __init__(self, op, inputs, out_types):
        self.op = op
        self.inputs = inputs
        self.outputs = [self._Output(t) for t in out_types]


def _output_value(value, out_type):
    if value is None:
        return None
    array = np.asarray(value)
    if array.dtype != out_type.dtype and np.can_cast(array.dtype, out_type.dtype, "same_kind"):
        array = array.astype(out_type.dtype)
    return array


def _grad_entry(op, i, x, g):
    if g is None or isinstance(g, DisconnectedGrad):
        return None
    if isinstance(g, UndefinedGrad):
        message = (f"the gradient of {op} with respect to input {i} is undefined"
                   f"{': ' + g.comment if g.comment else ''}")
        return _UndefinedGradOp(message)(x)
    return as_tensor_variable(g)


def _shape_entry(s):
    s = as_tensor_variable(s)
    return s if s.dtype == "int64" else s.astype("int64")


def _apply(op, inputs, outputs):
    """Builds the node of Python op ``op``: ``outputs`` are variables (or types) giving the
    output types."""
    if not isinstance(op, Op):
        raise TypeError(f"Apply: expected an Op written in Python, got {type(op).__name__}")
    inputs = [as_tensor_variable(i) for i in inputs]
    out_types = [o if isinstance(o, _core.TensorType) else o.type for o in outputs]
    node = _NodeView(op, inputs, out_types)
    cls = type(op)
    ident = repr(op._props()) if op.__props__ is not None else f"instance {id(op)}"
    key = f"{cls.__module__}.{cls.__qualname__}@{id(cls)}: {ident}"

    def perform(arrays):
        storage = [[None] for _ in out_types]
        op.perform(node, arrays, storage)
        return [_output_value(s[0], t) for s, t in zip(storage, out_types)]

    overrides_l_op = getattr(type(op), "L_op", None) is not None
    has_grad = overrides_l_op or hasattr(op, "grad")

    def grad(ins, outs, output_grads):
        if overrides_l_op:
            gs = op.L_op(list(ins), list(outs), list(output_grads))
        else:
            gs = op.grad(list(ins), list(output_grads))
        if len(gs) != len(ins):
            raise ValueError(f"{op}.grad returned {len(gs)} gradients for {len(ins)} inputs")
        return [_grad_entry(op, i, x, g) for i, (x, g) in enumerate(zip(ins, gs))]

    def infer_shape(ins, shapes):
        out = op.infer_shape(node, [tuple(s) for s in shapes])
        return [[_shape_entry(s) for s in shape] for shape in out]

    slot = next(_ids)
    _callbacks[slot] = (perform, grad, infer_shape)
    try:
        outs = _core.python_op_apply(str(op), key, inputs, out_types, slot, has_grad,
                                     op._has_infer_shape(), user_location())
    except BaseException:
        _callbacks.pop(slot, None)
        raise
    for o, placeholder in zip(outs, outputs):
        if isinstance(placeholder, _core.Variable) and placeholder.name is not None:
            o.name = placeholder.name
    return outs[0].owner


class _ApplyMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, _core.Apply)


class Apply(metaclass=_ApplyMeta):
    """The node applying a Python ``op`` to ``inputs``, made in the op's ``make_node``.

    Parameters
    ----------
    op : Op
        The op.
    inputs : list of Variable
        Its inputs.
    outputs : list of Variable
        Variables of the outputs' types (e.g. ``[x.type()]``); the node makes its own.

    Examples
    --------
    >>> class Same(theon.Op):
    ...     def make_node(self, x):
    ...         return theon.Apply(self, [x], [x.type()])
    >>> node = Same().make_node(T.dvector('x'))
    >>> isinstance(node, theon.Apply), len(node.outputs)
    (True, 1)
    """

    def __new__(cls, op, inputs, outputs):
        return _apply(op, inputs, outputs)


class _UndefinedGradOp(Op):
    """Stands for a gradient an op declares undefined (Theano's grad_undefined). The reverse
    pass builds every input's term, so it cannot refuse one nobody asked for; a graph that
    uses this term raises NotImplementedError with the op's message when computed."""

    __props__ = ("message",)

    def __init__(self, message):
        self.message = message

    def __str__(self):
        return "UndefinedGrad"

    def make_node(self, x):
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        raise NotImplementedError(self.message)


class _FromFunctionOp(Op):
    """The op as_op makes from a Python function of NumPy arrays."""

    __props__ = ("fn", "itypes", "otypes", "infer_shape_fn")

    def __init__(self, fn, itypes, otypes, infer_shape):
        self.fn = fn
        self.itypes = tuple(itypes)
        self.otypes = tuple(otypes)
        self.infer_shape_fn = infer_shape
        self.__name__ = getattr(fn, "__name__", "as_op")

    def _has_infer_shape(self):
        return self.infer_shape_fn is not None

    def __str__(self):
        return self.__name__

    def make_node(self, *inputs):
        if len(inputs) != len(self.itypes):
            raise TypeError(f"{self}: expected {len(self.itypes)} inputs, got {len(inputs)}")
        ins = []
        for i, (x, t) in enumerate(zip(inputs, self.itypes)):
            x = as_tensor_variable(x)
            if x.dtype != t.dtype or x.ndim != t.ndim:
                raise TypeError(f"{self}: input {i} must be {t}, got {x.type}")
            ins.append(x)
        return Apply(self, ins, list(self.otypes))

    def perform(self, node, inputs, output_storage):
        outs = self.fn(*inputs)
        if not isinstance(outs, (list, tuple)):
            outs = (outs,)
        for storage, value in zip(output_storage, outs):
            storage[0] = value

    def infer_shape(self, node, input_shapes):
        return self.infer_shape_fn(node, input_shapes)


def _as_tensor_type(t):
    """A TensorType, or one of the type constructors (``T.dvector``), which are types in Theano
    and functions here: such a constructor gives the type of the variable it makes."""
    if isinstance(t, _core.TensorType):
        return t
    if callable(t) and getattr(t, "__module__", "").startswith("theon.tensor"):
        made = t()
        if isinstance(getattr(made, "type", None), _core.TensorType):
            return made.type
    raise TypeError(f"as_op: itypes and otypes must be TensorTypes, got {t!r}")


def as_op(itypes, otypes, infer_shape=None):
    """Decorator making an Op of a function of NumPy arrays.

    Parameters
    ----------
    itypes, otypes : TensorType, type constructor, or list of them
        The types of the inputs and outputs (``T.dvector`` stands for its type).
    infer_shape : callable
        ``infer_shape(node, input_shapes)`` returns the output shapes, so that shapes are
        known without running the function.

    Returns
    -------
    callable
        Takes the function and returns the Op; the op has no gradient.

    Examples
    --------
    >>> @theon.as_op(itypes=[T.dvector], otypes=[T.dvector])
    ... def cumulative_max(x):
    ...     return np.maximum.accumulate(x)
    >>> x = T.dvector('x')
    >>> theon.function([x], cumulative_max(x))([1., 3., 2.])
    array([1., 3., 3.])
    """
    itypes = [_as_tensor_type(t) for t in (itypes if isinstance(itypes, (list, tuple)) else [itypes])]
    otypes = [_as_tensor_type(t) for t in (otypes if isinstance(otypes, (list, tuple)) else [otypes])]

    def wrap(fn):
        return _FromFunctionOp(fn, itypes, otypes, infer_shape)

    return wrap
