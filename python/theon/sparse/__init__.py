"""theon.sparse: CSR and CSC sparse matrices (Theano's theano.sparse). Values are
scipy.sparse matrices; see basic.py for the ops."""

from theon.sparse import basic
from theon.sparse.basic import *  # noqa: F401,F403
from theon.sparse.basic import __all__ as _basic_all
from theon.sparse import _var  # noqa: F401  (sparse operands of Variable's operators)

__all__ = list(_basic_all) + ["basic"]
