"""theon.tensor: typed tensor variables and the NumPy-style op library.

Each op family lives in its own module (_math, _reduce, _shape, ...) and is re-exported here.
"""

from theon.tensor._build import as_tensor_variable, build, build_elemwise, constant
from theon.tensor._types import *  # noqa: F401,F403
from theon.tensor._types import TensorType, tensor
from theon.tensor._math import *  # noqa: F401,F403
from theon.tensor._reduce import *  # noqa: F401,F403
from theon.tensor._shape import *  # noqa: F401,F403
from theon.tensor._subtensor import *  # noqa: F401,F403
from theon.tensor._join import *  # noqa: F401,F403
from theon.tensor._alloc import *  # noqa: F401,F403
from theon.tensor._blas import *  # noqa: F401,F403
from theon.tensor._sort import *  # noqa: F401,F403
from theon.tensor._broadcast import *  # noqa: F401,F403
from theon.tensor.extra_ops import *  # noqa: F401,F403
from theon.tensor import _subtensor
from theon.tensor import nnet
from theon.tensor import extra_ops  # noqa: F401
from theon.tensor import linalg, nlinalg, slinalg  # noqa: F401
from theon.tensor import _var  # noqa: F401  (installs Variable operators and methods)
from theon.tensor import random, shared_randomstreams  # noqa: F401,E402
from theon.tensor._build import Variable as TensorVariable

as_tensor = as_tensor_variable


def cast(x, dtype):
    """``x`` converted to ``dtype`` (NumPy's unsafe casting).

    Parameters
    ----------
    x : Variable or array_like
        The input.
    dtype : str
        The new dtype.

    Returns
    -------
    Variable
        x itself when it has that dtype.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.cast(x, 'int32'))([1.7, -1.7])
    array([ 1, -1], dtype=int32)
    """
    x = as_tensor_variable(x)
    return x if x.dtype == dtype else build("cast", x, dtype=dtype)



# Ops whose C++ file exports them to theon.tensor (and that no module above defines by hand).
from theon.tensor._build import export_registered as _export_registered  # noqa: E402

_export_registered(globals(), "tensor")

# Theano's theano.tensor also holds the gradient functions (T.grad).
from theon.gradient import (Lop, Rop, consider_constant, grad, hessian, jacobian,  # noqa: E402
                            verify_grad)
