"""theano.tensor.slinalg: SciPy's linear algebra, which Theon does not have yet."""

from theano import _missing

__getattr__ = _missing.module_getattr("theano.tensor.slinalg", "linear algebra (slinalg)")
