"""theano.sandbox.rng_mrg: MRG random streams, which Theon does not have yet."""

from theano import _missing

MRG_RandomStreams = _missing.function("theano.sandbox.rng_mrg.MRG_RandomStreams",
                                      "random streams")
__getattr__ = _missing.module_getattr("theano.sandbox.rng_mrg", "random streams")
