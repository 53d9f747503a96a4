"""theano.tensor.extra_ops: theon.tensor.extra_ops (Theano's functions with its signatures)."""

from theano import _missing
from theon.tensor.extra_ops import *  # noqa: F401,F403

__getattr__ = _missing.module_getattr(
    "theano.tensor.extra_ops",
    "Theano's extra_ops op classes (CumOp, DiffOp, RepeatOp, ...) as Python objects")
