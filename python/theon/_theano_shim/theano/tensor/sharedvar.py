"""theano.tensor.sharedvar: shared tensors."""

from theano.tensor import TensorSharedVariable, shared  # noqa: F401

tensor_constructor = shared
