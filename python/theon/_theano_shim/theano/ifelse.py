"""theano.ifelse: lazy conditionals (Theon's theon.ifelse)."""

from theon.ifelse import IfElse, ifelse  # noqa: F401

__all__ = ["ifelse", "IfElse"]
