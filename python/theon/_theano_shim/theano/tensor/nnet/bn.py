"""theano.tensor.nnet.bn: batch normalization, which Theon does not have yet."""

from theano import _missing

__getattr__ = _missing.module_getattr("theano.tensor.nnet.bn",
                                      "batch normalization (conv/pool/bn)")
