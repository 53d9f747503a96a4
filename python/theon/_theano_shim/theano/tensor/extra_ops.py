"""theano.tensor.extra_ops: theon.tensor.extra_ops (Theano's functions with its signatures),
and Theano's Unique op class, which is how Theano 1.0 users call unique."""

from theano import _missing
from theon.tensor.extra_ops import *  # noqa: F401,F403
from theon.tensor.extra_ops import unique as _unique


class Unique:
    """Theano's Unique(return_index, return_inverse, return_counts): calling it on x gives
    np.unique's outputs (the values alone, or a list with the asked-for extras)."""

    def __init__(self, return_index=False, return_inverse=False, return_counts=False,
                 axis=None):
        self.return_index = return_index
        self.return_inverse = return_inverse
        self.return_counts = return_counts
        self.axis = axis

    def __call__(self, x):
        out = _unique(x, self.return_index, self.return_inverse, self.return_counts, self.axis)
        return list(out) if isinstance(out, tuple) else out


__getattr__ = _missing.module_getattr(
    "theano.tensor.extra_ops",
    "Theano's extra_ops op classes other than Unique (CumOp, DiffOp, RepeatOp, ...) as Python "
    "objects")
