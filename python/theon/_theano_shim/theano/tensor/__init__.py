"""theano.tensor over theon.tensor, with Theano 1.0's names where Theon's differ. Names of
subsystems Theon does not have yet raise NotImplementedError (see _missing_names)."""

import numpy as np

from theon.tensor import *  # noqa: F401,F403
from theon.tensor import as_tensor_variable, cast  # noqa: F401
from theon.tensor._broadcast import *  # noqa: F401,F403
from theon.gradient import (Lop, Rop, consider_constant, grad, hessian, jacobian,  # noqa: F401
                            verify_grad)
from theon.compile import shared  # noqa: F401
from theon.graph import Constant as TensorConstant  # noqa: F401
from theon.graph import SharedVariable as TensorSharedVariable  # noqa: F401
from theon.graph import TensorVariable  # noqa: F401
from theano.tensor._compat import *  # noqa: F401,F403

del nnet, nlinalg, slinalg  # noqa: F821  (the submodules below, with Theano's names, replace them)
from theano.tensor import (extra_ops, nlinalg, nnet, opt, shared_randomstreams,  # noqa: F401
                           signal, slinalg, xlogx)
from theano.tensor._missing_names import MISSING as _MISSING

as_tensor = as_tensor_variable
round_half_to_even = round  # noqa: F405  (NumPy's rounding is half to even)
int_dtypes = ("int8", "int16", "int32", "int64")
uint_dtypes = ("uint8", "uint16", "uint32", "uint64")
integer_dtypes = int_dtypes + uint_dtypes
float_dtypes = ("float32", "float64")
complex_dtypes = ()
discrete_dtypes = ("bool",) + integer_dtypes
continuous_dtypes = float_dtypes
all_dtypes = discrete_dtypes + continuous_dtypes
del np

from theano.tensor import basic, sharedvar, var  # noqa: E402,F401  (after every name above)


def __getattr__(name):
    if name in _MISSING:
        raise NotImplementedError(f"theano.tensor.{name}: Theon does not implement "
                                  f"{_MISSING[name]} yet")
    raise AttributeError(f"module 'theano.tensor' has no attribute {name!r}")
