"""theano.sandbox.rng_mrg: Theon's MRG_RandomStreams (theon.sandbox.rng_mrg)."""

from theon.sandbox.rng_mrg import MRG_RandomStreams  # noqa: F401

__all__ = ["MRG_RandomStreams"]
