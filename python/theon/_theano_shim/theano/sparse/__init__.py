"""theano.sparse: Theon's sparse matrices (theon.sparse), under Theano's names."""

from theon.sparse import *  # noqa: F401,F403
from theon.sparse import __all__  # noqa: F401
from theano.sparse import basic  # noqa: F401
