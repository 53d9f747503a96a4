"""theon.tensor.nnet.ctc against an enumeration of every alignment (conv_reference.ctc):
values, padding, lengths, impossible labels, gradients, errors."""

import numpy as np

import conv_reference as ref
import theon
import theon.tensor as T
from error_match import raises_matching
from theon.gradient import verify_grad
from theon.tensor.nnet.ctc import ctc

RNG = np.random.default_rng(158)


def compiled():
    a, l, n = T.tensor3("a"), T.imatrix("l"), T.ivector("n")
    return theon.function([a, l, n], ctc(a, l, n))


def test_matches_the_enumeration():
    act = RNG.normal(size=(5, 4, 4))
    labels = np.array([[1, 2, 2], [3, -1, -1], [2, 3, -1], [-1, -1, -1]], "int32")
    lengths = np.array([5, 4, 3, 2], "int32")
    got = compiled()(act, labels, lengths)
    np.testing.assert_allclose(got, ref.ctc(act, labels, lengths)[0], rtol=1e-12)


def test_uniform_activations_count_the_alignments():
    # With equal activations every path has probability classes**-steps: the cost is
    # steps * log(classes) - log(number of alignments). "1" in 3 steps of 2 classes: the paths
    # 1bb, b1b, bb1, 11b, b11, 111 (b the blank).
    got = compiled()(np.zeros((3, 1, 2)), np.array([[1]], "int32"), np.array([3], "int32"))
    np.testing.assert_allclose(got, [3 * np.log(2) - np.log(6)], rtol=1e-14)


def test_labels_that_do_not_fit_cost_infinity():
    got = compiled()(RNG.normal(size=(2, 1, 3)), np.array([[1, 1]], "int32"),
                     np.array([2], "int32"))  # a repeat needs a blank between: 3 steps
    assert got[0] == np.inf


def test_gradient():
    labels = T.constant(np.array([[1, 2], [2, -1]], "int32"))
    lengths = T.constant(np.array([4, 3], "int32"))
    verify_grad(lambda a: ctc(a, labels, lengths), [RNG.normal(size=(4, 2, 3))], rng=RNG)


def test_errors():
    f = compiled()
    act = RNG.normal(size=(3, 1, 3))
    raises_matching(ValueError, lambda: f(act, np.array([[3]], "int32"), np.array([3], "int32")),
                    r"Ctc", r"labels of sample 0", r"\[1, 3\)")
    raises_matching(ValueError,
                    lambda: f(act, np.array([[-1, 1]], "int32"), np.array([3], "int32")),
                    r"Ctc", r"padding")
    raises_matching(ValueError, lambda: f(act, np.array([[1]], "int32"), np.array([4], "int32")),
                    r"Ctc", r"input_lengths\[0\] = 4")
    raises_matching(TypeError, lambda: ctc(T.matrix(), T.imatrix(), T.ivector()), r"Ctc",
                    r"time, batch, classes", r"test_ctc\.py")
    raises_matching(ValueError,
                    lambda: ctc(T.tensor("float64", shape=(3, 2, 4)),
                                T.tensor("int32", shape=(3, 2)), T.ivector()),
                    r"Ctc", r"batch sizes differ")


def test_theano_name():
    import theon.theano_alias

    theon.theano_alias.enable()
    import theano.tensor.nnet.ctc

    assert theano.tensor.nnet.ctc.ctc is ctc


def test_second_derivatives_are_a_clear_error():
    a = T.tensor3("a")
    labels = T.constant(np.array([[1]], "int32"))
    lengths = T.constant(np.array([2], "int32"))
    g = theon.grad(T.sum(ctc(a, labels, lengths)), a)
    raises_matching(NotImplementedError, lambda: theon.grad(T.sum(g), a), r"CtcGrad",
                    r"second derivatives")


def test_no_class_is_an_error():
    f = compiled()
    raises_matching(ValueError, lambda: f(np.zeros((2, 1, 0)), np.full((1, 1), -1, "int32"),
                                          np.array([2], "int32")), r"Ctc", r"no class")
