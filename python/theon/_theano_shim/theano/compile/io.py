"""theano.compile.io: In and Out."""

from theon.compile import In, Out  # noqa: F401
