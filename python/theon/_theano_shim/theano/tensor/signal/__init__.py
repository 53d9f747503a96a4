"""theano.tensor.signal."""
