"""theon.ifelse: lazy conditionals (Theano's ``theano.ifelse``).

``ifelse(c, a, b)`` is ``a`` when the scalar ``c`` is nonzero and ``b`` otherwise, and only the
chosen branch is computed: the nodes that only one branch needs run in a block of the compiled
program that the VM skips when that branch is not taken. ``switch(c, a, b)`` (elementwise)
computes both.
"""

import numpy as np

from theon import _core
from theon._location import user_location
from theon.tensor._build import Variable, as_tensor_variable, constant


def _as_branch_pair(then_value, else_value):
    """Both branch outputs as variables; a plain value (number, list, array) beside a variable
    takes that variable's dtype, as Theano casts it to the other branch's type."""
    if isinstance(then_value, Variable) and not isinstance(else_value, Variable):
        return then_value, constant(np.asarray(else_value, dtype=then_value.dtype))
    if isinstance(else_value, Variable) and not isinstance(then_value, Variable):
        return constant(np.asarray(then_value, dtype=else_value.dtype)), else_value
    return as_tensor_variable(then_value), as_tensor_variable(else_value)


def ifelse(condition, then_branch, else_branch, name=None):
    """``then_branch`` if the scalar ``condition`` is nonzero, else ``else_branch``, lazily.

    Only the chosen branch is computed. The gradient reaches the branch that was taken (zeros
    for the other).

    Parameters
    ----------
    condition : scalar Variable
        Nonzero selects the then branch.
    then_branch, else_branch : Variable or list (tuple) of Variable
        As many variables each, pairwise of the same dtype and number of dimensions; a
        dimension of static size 1 (broadcastable) on one side only becomes of unknown size.
    name : str
        Shown in printed graphs.

    Returns
    -------
    Variable or list (tuple) of Variable
        A list (tuple) when the then branch is one.

    Examples
    --------
    >>> from theon.ifelse import ifelse
    >>> a, b = T.dscalars('a', 'b')
    >>> f = theon.function([a, b], ifelse(T.lt(a, b), a, b * 10))
    >>> f(1.0, 2.0), f(3.0, 2.0)
    (array(1.), array(20.))
    """
    kind = type(then_branch) if isinstance(then_branch, (list, tuple)) else None
    then_list = list(then_branch) if kind else [then_branch]
    else_list = list(else_branch) if isinstance(else_branch, (list, tuple)) else [else_branch]
    if len(then_list) != len(else_list):
        raise ValueError(
            f"ifelse: the then branch has {len(then_list)} outputs and the else branch "
            f"{len(else_list)}; they must have as many")
    pairs = [_as_branch_pair(t, e) for t, e in zip(then_list, else_list)]
    inputs = [as_tensor_variable(condition)]
    inputs += [t for t, _ in pairs] + [e for _, e in pairs]
    outs = _core.build("ifelse", inputs, {"name": name}, user_location())
    if kind is None:
        return outs[0]
    return kind(outs)


class IfElse:
    """Theano's IfElse op: ``IfElse(n_outs)(condition, *then_outputs, *else_outputs)``.

    Calling it is ``ifelse(condition, then_outputs, else_outputs)``.

    Parameters
    ----------
    n_outs : int
        The number of outputs of each branch.
    as_view, gpu : bool
        Accepted for Theano's signature; outputs are always views of the chosen branch.
    name : str
        Shown in printed graphs.

    Examples
    --------
    >>> from theon.ifelse import IfElse
    >>> c, a, b = T.dscalars('c', 'a', 'b')
    >>> theon.function([c, a, b], IfElse(1)(c, a, b))(0.0, 1.0, 2.0)
    array(2.)
    """

    def __init__(self, n_outs, as_view=False, gpu=False, name=None):
        if n_outs < 1:
            raise ValueError(f"IfElse: expected at least one output per branch, got {n_outs}")
        self.n_outs = n_outs
        self.name = name

    def __call__(self, condition, *branches):
        if len(branches) != 2 * self.n_outs:
            raise TypeError(
                f"IfElse: expected the condition and {2 * self.n_outs} branch outputs "
                f"({self.n_outs} per branch), got {len(branches)}")
        n = self.n_outs
        outs = ifelse(condition, list(branches[:n]), list(branches[n:]), name=self.name)
        return outs[0] if n == 1 else outs

    def __eq__(self, other):
        return type(other) is IfElse and other.n_outs == self.n_outs

    def __hash__(self):
        return hash((IfElse, self.n_outs))

    def __str__(self):
        return f"IfElse{{n_outs={self.n_outs}}}"


__all__ = ["ifelse", "IfElse"]
