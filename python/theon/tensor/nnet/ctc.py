"""theon.tensor.nnet.ctc: Theano's connectionist temporal classification loss (the C++ op
Ctc in src/ops/nnet/ctc.cpp, on the CPU)."""

from theon.tensor._build import build

__all__ = ["ctc"]


def ctc(activations, labels, input_lengths):
    """The connectionist temporal classification loss of each sequence of a batch.

    Parameters
    ----------
    activations : 3-d Variable
        Unnormalized scores, (time, batch, classes): a softmax over the classes is applied at
        each step; class 0 is the blank.
    labels : int matrix Variable
        (batch, length): integers in [1, classes), padded at the end with -1.
    input_lengths : int vector Variable
        (batch,): the steps of each sequence.

    Returns
    -------
    Variable
        (batch,): the negative log-likelihood of each sequence's labels (inf where no
        alignment fits in its steps); differentiable with respect to the activations.

    Examples
    --------
    Two steps of equal scores over (blank, 'a'): 'a' is read from 3 of the 4 paths.

    >>> from theon.tensor.nnet.ctc import ctc
    >>> a, y, n = T.dtensor3('a'), T.imatrix('y'), T.ivector('n')
    >>> theon.function([a, y, n], ctc(a, y, n))(np.zeros((2, 1, 2)), [[1]], [2])
    array([0.28768207])
    """
    return build("ctc", activations, labels, input_lengths)
