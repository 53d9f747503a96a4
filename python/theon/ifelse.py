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
    """``then_branch`` if the scalar ``condition`` is nonzero, else ``else_branch``; lazily:
    only the chosen branch is computed.

    The branches are variables or lists (tuples) of as many variables, pairwise of the same
    dtype and number of dimensions; a dimension of static size 1 (broadcastable) on one side
    only becomes of unknown size. Returns a variable, or a list (tuple) of them when the then
    branch is one. The gradient reaches the branch that was taken (zeros for the other)."""
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
    ``as_view`` and ``gpu`` are accepted; outputs are always views of the chosen branch."""

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
