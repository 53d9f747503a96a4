"""theon.tensor.nnet: sigmoid, softplus, relu, softmax, log_softmax."""

__all__ = []
