"""theano.tensor.signal.pool: theon.tensor.signal.pool."""

from theon.tensor.signal.pool import *  # noqa: F401,F403
