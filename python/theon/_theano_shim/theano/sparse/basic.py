"""theano.sparse.basic: Theon's theon.sparse.basic."""

from theon.sparse.basic import *  # noqa: F401,F403
from theon.sparse.basic import __all__  # noqa: F401
