"""theano.compile.nanguardmode."""

from theon.compile import NanGuardMode  # noqa: F401
