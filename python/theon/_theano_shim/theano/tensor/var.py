"""theano.tensor.var: the variable classes."""

from theano.tensor import TensorConstant, TensorSharedVariable, TensorVariable  # noqa: F401
