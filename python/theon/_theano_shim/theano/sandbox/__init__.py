"""theano.sandbox."""
