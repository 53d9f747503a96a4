"""theano.compile.sharedvalue: shared variables."""

from theon.compile import shared  # noqa: F401
from theon.graph import SharedVariable  # noqa: F401
