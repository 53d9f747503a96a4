"""theon.compile.builders: OpFromGraph, an op defined by a graph (Theano's
``theano.compile.builders``).

    x, y = T.scalars('x', 'y')
    op = OpFromGraph([x, y], [x * y + 1])
    f = theon.function([a, b], op(a, b) ** 2)

Not inlined (the default), the graph is compiled once per function that uses it and run as one
node; ``inline=True`` expands it into the caller's graph before the rewrites. Shared variables
the graph reads become implicit inputs. Pickling an OpFromGraph is not supported yet.
"""

from theon import _core
from theon._location import user_location
from theon.tensor._build import Variable, as_tensor_variable


def _gradient_graph(inputs, outputs, override, is_lop):
    """The override as a graph: (the inputs, then one gradient variable per output) and one
    gradient per input (None where there is none)."""
    grads_in = [o.type(f"{o.name or 'output'}_grad") for o in outputs]

    def call(fn):
        if isinstance(fn, OpFromGraph):
            r = fn(*inputs, *(list(outputs) if is_lop else []), *grads_in)
            return r if isinstance(r, list) else [r]
        return fn(inputs, outputs, grads_in) if is_lop else fn(inputs, grads_in)

    if isinstance(override, (list, tuple)):
        results = []
        for k, entry in enumerate(override):
            if isinstance(entry, str) and entry == "default":
                from theon.gradient import Lop

                results.append(Lop(list(outputs), inputs[k], grads_in,
                                   disconnected_inputs="ignore"))
            elif entry is None:
                results.append(None)
            else:
                one = call(entry)
                results.append(one[k] if isinstance(one, (list, tuple)) else one)
    else:
        results = call(override)
        if not isinstance(results, (list, tuple)):
            results = [results]
    if len(results) != len(inputs):
        raise ValueError(
            f"OpFromGraph: the gradient override gave {len(results)} gradients for "
            f"{len(inputs)} inputs")
    results = [None if r is None else as_tensor_variable(r) for r in results]
    for x, g in zip(inputs, results):
        if g is not None and (g.dtype != x.dtype or g.ndim != x.ndim):
            raise TypeError(
                f"OpFromGraph: the gradient override gave {g.type} for the input {x} of "
                f"type {x.type}; expected the input's dtype and number of dimensions")
    return list(inputs) + grads_in, results


class OpFromGraph:
    """An op computing ``outputs`` from ``inputs``: a graph used as one op.

    By default the gradient is that of the graph, itself an OpFromGraph. The R-operator is
    derived from the gradient.

    Parameters
    ----------
    inputs : list of Variable
        The op's inputs.
    outputs : Variable or list of Variable
        What it computes from them.
    inline : bool
        Expand the graph into the caller's graph instead of running it as one node.
    grad_overrides : callable or list
        ``(inputs, output_grads) -> input_grads``, or a list with one entry per input (a
        callable, 'default', or None for no gradient).
    lop_overrides : callable or list
        The same with ``(inputs, outputs, output_grads)``.
    rop_overrides : 'default'
        Anything else raises NotImplementedError.
    connection_pattern, **kwargs
        Accepted for Theano's signature.
    name : str
        Shown in printed graphs.

    Examples
    --------
    >>> from theon.compile.builders import OpFromGraph
    >>> a, b = T.dscalars('a', 'b')
    >>> axpy = OpFromGraph([a, b], [2 * a + b])
    >>> x, y = T.dscalars('x', 'y')
    >>> theon.function([x, y], axpy(x, y))(1.0, 3.0)
    array(5.)
    """

    def __init__(self, inputs, outputs, inline=False, grad_overrides="default",
                 lop_overrides="default", rop_overrides="default", connection_pattern=None,
                 name=None, **kwargs):
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        inputs = list(inputs)
        for v in inputs + outputs:
            if not isinstance(v, Variable):
                raise TypeError(
                    f"OpFromGraph: inputs and outputs must be Variables, got {type(v).__name__}")
        if not (isinstance(rop_overrides, str) and rop_overrides == "default"):
            raise NotImplementedError(
                "OpFromGraph: rop_overrides is not supported; Theon derives the R-operator "
                "from the gradient (give grad_overrides or lop_overrides instead)")
        grad_given = not (isinstance(grad_overrides, str) and grad_overrides == "default")
        lop_given = not (isinstance(lop_overrides, str) and lop_overrides == "default")
        if grad_given and lop_given:
            raise ValueError("OpFromGraph: give grad_overrides or lop_overrides, not both")
        lop_inputs, lop_outputs = [], []
        if grad_given or lop_given:
            lop_inputs, lop_outputs = _gradient_graph(
                inputs, outputs, lop_overrides if lop_given else grad_overrides, lop_given)
        self.name = name
        self.is_inline = bool(inline)
        self._op = _core.op_from_graph(inputs, outputs, bool(inline), name or "", lop_inputs,
                                       lop_outputs)

    @property
    def inputs(self):
        """The inner graph's inputs."""
        return self._op.inputs

    @property
    def outputs(self):
        """The inner graph's outputs."""
        return self._op.outputs

    def __call__(self, *inputs):
        outs = self._op([as_tensor_variable(x) for x in inputs], user_location())
        return outs[0] if len(outs) == 1 else outs

    def make_node(self, *inputs):
        """The node applying this op to ``inputs`` (Theano's Op.make_node).

        Parameters
        ----------
        *inputs : Variable or array_like
            One per input of the inner graph.

        Returns
        -------
        theon.pyop.Apply
            The node; ``.outputs`` are its results.

        Examples
        --------
        >>> from theon.compile.builders import OpFromGraph
        >>> a = T.dscalar('a')
        >>> node = OpFromGraph([a], [a + 1]).make_node(T.dscalar('x'))
        >>> len(node.outputs)
        1
        """
        outs = self._op([as_tensor_variable(x) for x in inputs], user_location())
        return outs[0].owner

    def __eq__(self, other):
        return isinstance(other, OpFromGraph) and self._op == other._op

    def __hash__(self):
        return hash(self._op)

    def __str__(self):
        return str(self._op)

    def __reduce__(self):
        raise NotImplementedError("OpFromGraph cannot be pickled yet")


__all__ = ["OpFromGraph"]
