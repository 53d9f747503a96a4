"""theon.tensor.signal: Theano's signal package (pooling in theon.tensor.signal.pool)."""

from theon.tensor.signal import pool  # noqa: F401
