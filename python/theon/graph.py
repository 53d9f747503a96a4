"""theon.graph: walking, copying and comparing expression graphs, and the variable kinds as
classes that isinstance understands (Theano's Variable, Constant, SharedVariable, ...)."""

from theon import _core
from theon._location import user_location

__all__ = ["Variable", "Constant", "SharedVariable", "TensorVariable", "Apply", "inputs",
           "ancestors", "io_toposort", "variables", "clone", "equal_computations",
           "is_same_graph"]

Apply = _core.Apply


def _parents(v):
    return list(v.owner.inputs) if v.owner is not None else []


def ancestors(variables, blockers=None):
    """Every variable the ``variables`` depend on, themselves included, outputs first.

    Parameters
    ----------
    variables : list of Variable
        Where the search starts.
    blockers : list of Variable
        Where it stops (they are included, their ancestors are not).

    Returns
    -------
    list of Variable
        In the order a depth-first walk meets them.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> y = T.exp(x)
    >>> [str(v) for v in theon.graph.ancestors([y * 2])]
    ['(exp(x) * 2)', 'exp(x)', 'x', '2']
    """
    blocked = {id(b) for b in (blockers or [])}
    seen, out, stack = set(), [], list(reversed(list(variables)))
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        out.append(v)
        if id(v) not in blocked:
            stack.extend(reversed(_parents(v)))
    return out


def inputs(variables, blockers=None):
    """The leaves of the graphs of ``variables``: free inputs, shared variables, constants.

    Parameters
    ----------
    variables : list of Variable
        The graphs' outputs.
    blockers : list of Variable
        Variables taken as leaves when reached.

    Returns
    -------
    list of Variable
        In the order a depth-first walk meets them.

    Examples
    --------
    >>> x, y = T.dvectors('x', 'y')
    >>> [str(v) for v in theon.graph.inputs([x * 2 + y])]
    ['x', '2', 'y']
    """
    blocked = {id(b) for b in (blockers or [])}
    return [v for v in ancestors(variables, blockers)
            if v.owner is None or id(v) in blocked]


def io_toposort(inputs, outputs):
    """The Apply nodes between ``inputs`` and ``outputs`` in an order that can run them.

    Parameters
    ----------
    inputs : list of Variable
        Where the walk stops.
    outputs : list of Variable
        The graph's outputs.

    Returns
    -------
    list of theon.graph.Apply
        Each node after the nodes computing its inputs.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> y = T.exp(x) * 2
    >>> [node.op for node in theon.graph.io_toposort([x], [y])]
    ['Elemwise{exp}', 'Elemwise{mul}']
    """
    stop = {id(i) for i in inputs}
    order, done = [], set()

    def visit(v):
        node = v.owner
        if node is None or id(v) in stop or id(node) in done:
            return
        done.add(id(node))
        for i in node.inputs:
            visit(i)
        order.append(node)

    for o in outputs:
        visit(o)
    return order


def variables(i, o):
    """The variables between inputs ``i`` and outputs ``o``, both included.

    Parameters
    ----------
    i : list of Variable
        The inputs.
    o : list of Variable
        The outputs.

    Returns
    -------
    list of Variable
        Each once: the inputs, those of the nodes in order, the outputs.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> y = T.exp(x) * 2
    >>> [str(v) for v in theon.graph.variables([x], [y])]
    ['x', 'exp(x)', '2', '(exp(x) * 2)']
    """
    nodes = io_toposort(i, o)
    out, seen = [], set()
    for v in list(i) + [x for n in nodes for x in list(n.inputs) + list(n.outputs)] + list(o):
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def clone(output, replace=None, strict=True, share_inputs=True):
    """A copy of the graph of ``output`` with some variables replaced.

    Parameters
    ----------
    output : Variable or list of Variable
        The graph's outputs.
    replace : dict or list of pairs
        ``{old: new}``: each ``old`` is replaced by ``new`` in the copy.
    strict : bool
        Accepted for Theano's signature.
    share_inputs : bool
        Must be True: the inputs are shared, not copied.

    Returns
    -------
    Variable or list of Variable
        The copied outputs (a list when ``output`` is a list).

    Examples
    --------
    >>> x, y = T.dscalars('x', 'y')
    >>> z = theon.clone(x * 2, replace={x: y + 1})
    >>> theon.function([y], z)(3.0)
    array(8.)
    """
    if not share_inputs:
        raise NotImplementedError("clone: share_inputs=False is not supported (inputs are "
                                  "always shared)")
    from theon.tensor._build import as_tensor_variable

    outs = list(output) if isinstance(output, (list, tuple)) else [output]
    items = replace.items() if hasattr(replace, "items") else (replace or [])
    pairs = [(old, as_tensor_variable(new)) for old, new in items]
    copies = _core.clone_replace(outs, pairs)
    return copies if isinstance(output, (list, tuple)) else copies[0]


def equal_computations(xs, ys, in_xs=None, in_ys=None):
    """Whether each ``xs[i]`` computes what ``ys[i]`` computes.

    Same ops on the same inputs, and equal constants.

    Parameters
    ----------
    xs, ys : list of Variable
        Compared pairwise.
    in_xs, in_ys : list of Variable
        ``in_xs[j]`` and ``in_ys[j]`` are taken as the same input.

    Returns
    -------
    bool

    Examples
    --------
    >>> x, y = T.dvectors('x', 'y')
    >>> theon.graph.equal_computations([x + 1], [x + 1])
    True
    >>> theon.graph.equal_computations([x + 1], [y + 1], [x], [y])
    True
    """
    return _core.equal_computations(list(xs), list(ys), list(in_xs or []), list(in_ys or []))


def is_same_graph(var1, var2, givens=None):
    """Whether ``var1`` and ``var2`` compute the same thing.

    Parameters
    ----------
    var1, var2 : Variable
        The two expressions.
    givens : dict
        ``{a: b}``: ``a`` and ``b`` are taken as the same variable.

    Returns
    -------
    bool

    Examples
    --------
    >>> x, y = T.dvectors('x', 'y')
    >>> theon.graph.is_same_graph(T.exp(x), T.exp(y), givens={x: y})
    True
    >>> theon.graph.is_same_graph(T.exp(x), T.exp(y))
    False
    """
    pairs = list(givens.items()) if givens else []
    return equal_computations([var1], [var2], [a for a, _ in pairs], [b for _, b in pairs])


class _KindMeta(type):
    """Classes whose isinstance tests a property of Theon's one Variable class."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, _core.Variable) and cls._is_kind(obj)

    def __subclasscheck__(cls, sub):
        return sub is cls or type.__subclasscheck__(cls, sub)


class Variable(metaclass=_KindMeta):
    """Any graph variable, for ``isinstance``; calling it makes a free input.

    Parameters
    ----------
    type : TensorType
        The input's type.
    owner, index
        Accepted for Theano's signature; ``owner`` must be None.
    name : str
        The input's name.

    Examples
    --------
    >>> x = theon.graph.Variable(T.TensorType('float64', (None,)), name='x')
    >>> isinstance(x, theon.graph.Variable), isinstance(x * 2, theon.graph.Variable)
    (True, True)
    """

    @staticmethod
    def _is_kind(v):
        return True

    def __new__(cls, type, owner=None, index=None, name=None):
        if owner is not None:
            raise TypeError("Variable: the outputs of a node are made by the node (apply an op "
                            "instead of passing owner=)")
        return _core.input(type.dtype, list(type.shape), name, user_location())


class TensorVariable(Variable):
    """A variable that is neither a constant nor shared, for ``isinstance``.

    Parameters
    ----------
    type : TensorType
        The type of the free input made by calling it.
    owner, index, name
        As for Variable.

    Examples
    --------
    >>> isinstance(T.dvector() * 2, theon.graph.TensorVariable)
    True
    >>> isinstance(T.constant(1.0), theon.graph.TensorVariable)
    False
    """

    @staticmethod
    def _is_kind(v):
        return not v.is_constant and not v.is_shared


class Constant(Variable):
    """A constant (``T.constant(value)``), for ``isinstance``; its value is ``.data``.

    Parameters
    ----------
    type : TensorType
        The constant's type.
    data : array_like
        Its value.
    name : str
        Its name.

    Examples
    --------
    >>> c = theon.graph.Constant(T.TensorType('float64', ()), 2.5)
    >>> isinstance(c, theon.graph.Constant), c.data
    (True, array(2.5))
    """

    @staticmethod
    def _is_kind(v):
        return v.is_constant

    def __new__(cls, type, data, name=None):
        import numpy as np
        from theon.tensor._build import constant

        return constant(np.asarray(data, dtype=type.dtype), name=name)


class SharedVariable(Variable):
    """A shared variable (``theon.shared(value)``), for ``isinstance``.

    Parameters
    ----------
    name : str
        The variable's name.
    type : TensorType
        Its type.
    value : array_like
        Its initial value.
    strict, allow_downcast, container
        Accepted for Theano's signature.

    Examples
    --------
    >>> isinstance(theon.shared(np.zeros(2)), theon.graph.SharedVariable)
    True
    """

    @staticmethod
    def _is_kind(v):
        return v.is_shared

    def __new__(cls, name, type, value, strict=False, allow_downcast=None, container=None):
        from theon.compile import shared

        return shared(value, name=name, shape=type.shape)
