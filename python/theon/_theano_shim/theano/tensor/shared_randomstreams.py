"""theano.tensor.shared_randomstreams: Theon's RandomStreams (theon.tensor.shared_randomstreams)."""

from theon.tensor.shared_randomstreams import RandomStreams  # noqa: F401

__all__ = ["RandomStreams"]
