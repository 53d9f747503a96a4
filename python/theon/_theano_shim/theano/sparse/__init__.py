"""theano.sparse: sparse tensors, which Theon does not have yet."""

from theano import _missing

__getattr__ = _missing.module_getattr("theano.sparse", "sparse tensors")
