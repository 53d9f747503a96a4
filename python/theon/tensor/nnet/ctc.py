"""theon.tensor.nnet.ctc: Theano's connectionist temporal classification loss (the C++ op
Ctc in src/ops/nnet/ctc.cpp, on the CPU)."""

from theon.tensor._build import build

__all__ = ["ctc"]


def ctc(activations, labels, input_lengths):
    """The CTC loss of each sequence of a batch: ``activations`` (time, batch, classes) are
    unnormalized (a softmax over the classes is applied at each step; class 0 is the blank),
    ``labels`` (batch, length) integers in [1, classes) padded at the end with -1,
    ``input_lengths`` (batch,) the steps of each sequence. Returns the negative log-likelihood
    of each sequence's labels (inf where no alignment fits in its steps); differentiable with
    respect to the activations."""
    return build("ctc", activations, labels, input_lengths)
