"""theano.tensor.shared_randomstreams: random streams, which Theon does not have yet."""

from theano import _missing

RandomStreams = _missing.function("theano.tensor.shared_randomstreams.RandomStreams",
                                  "random streams")
__getattr__ = _missing.module_getattr("theano.tensor.shared_randomstreams", "random streams")
