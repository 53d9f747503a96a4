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
    """Every variable the ``variables`` depend on, themselves included, outputs before
    inputs; the search stops at ``blockers``."""
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
    """The leaves of the graphs of ``variables``: free inputs, shared variables and
    constants (and the ``blockers`` reached), in the order a depth-first walk meets them."""
    blocked = {id(b) for b in (blockers or [])}
    return [v for v in ancestors(variables, blockers)
            if v.owner is None or id(v) in blocked]


def io_toposort(inputs, outputs):
    """The Apply nodes between ``inputs`` and ``outputs``, each after the nodes computing its
    inputs."""
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
    """The variables between inputs ``i`` and outputs ``o``, both included."""
    nodes = io_toposort(i, o)
    out, seen = [], set()
    for v in list(i) + [x for n in nodes for x in list(n.inputs) + list(n.outputs)] + list(o):
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def clone(output, replace=None, strict=True, share_inputs=True):
    """A copy of the graph of ``output`` (a variable or a list) with the variables of
    ``replace`` ({old: new} or pairs) substituted. Inputs are shared, not copied."""
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
    """Whether each xs[i] computes what ys[i] computes (same ops on the same inputs, equal
    constants); in_xs[j] and in_ys[j] are taken as the same input."""
    return _core.equal_computations(list(xs), list(ys), list(in_xs or []), list(in_ys or []))


def is_same_graph(var1, var2, givens=None):
    """Whether var1 and var2 compute the same thing, with the variables of ``givens``
    ({a: b}) taken as the same."""
    pairs = list(givens.items()) if givens else []
    return equal_computations([var1], [var2], [a for a, _ in pairs], [b for _, b in pairs])


class _KindMeta(type):
    """Classes whose isinstance tests a property of Theon's one Variable class."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, _core.Variable) and cls._is_kind(obj)

    def __subclasscheck__(cls, sub):
        return sub is cls or type.__subclasscheck__(cls, sub)


class Variable(metaclass=_KindMeta):
    """Any graph variable. ``Variable(type, name=None)`` makes a free input of that type."""

    @staticmethod
    def _is_kind(v):
        return True

    def __new__(cls, type, owner=None, index=None, name=None):
        if owner is not None:
            raise TypeError("Variable: the outputs of a node are made by the node (apply an op "
                            "instead of passing owner=)")
        return _core.input(type.dtype, list(type.shape), name, user_location())


class TensorVariable(Variable):
    """A variable that is neither a constant nor shared."""

    @staticmethod
    def _is_kind(v):
        return not v.is_constant and not v.is_shared


class Constant(Variable):
    """A constant (``constant(value)``); its value is ``.data``."""

    @staticmethod
    def _is_kind(v):
        return v.is_constant

    def __new__(cls, type, data, name=None):
        import numpy as np
        from theon.tensor._build import constant

        return constant(np.asarray(data, dtype=type.dtype), name=name)


class SharedVariable(Variable):
    """A shared variable (``shared(value)``), with get_value/set_value."""

    @staticmethod
    def _is_kind(v):
        return v.is_shared

    def __new__(cls, name, type, value, strict=False, allow_downcast=None, container=None):
        from theon.compile import shared

        return shared(value, name=name, shape=type.shape)
