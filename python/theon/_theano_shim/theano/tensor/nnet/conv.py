"""theano.tensor.nnet.conv: convolutions, which Theon does not have yet."""

from theano import _missing

__getattr__ = _missing.module_getattr("theano.tensor.nnet.conv", "convolutions (conv/pool/bn)")
