"""theano.tensor.signal.pool: pooling, which Theon does not have yet."""

from theano import _missing

__getattr__ = _missing.module_getattr("theano.tensor.signal.pool", "pooling (conv/pool/bn)")
