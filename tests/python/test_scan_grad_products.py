"""Scan gradients of recurrent weights read through a matrix product with a state row (an RNN's
dU = sum over steps of h_{t-1}^T dz_t) are summed after the reverse loop by one product over
all steps, not in a running sum inside it: the values against finite differences and against
the same model written without a matrix product, either side of the product, a weight read
twice, no steps, truncated gradients and a second-order gradient."""

import numpy as np

import theon
import theon.tensor as T
from theon.gradient import verify_grad

RNG = np.random.default_rng(21)


def f64(*shape):
    return RNG.standard_normal(shape)


def rows_rnn(x, h0, u, name="rows"):
    """h_t = tanh(x_t + h_{t-1} U), states as rows (batch, n)."""
    out, _ = theon.scan(lambda xt, h, u_: T.tanh(xt + T.dot(h, u_)), sequences=x,
                        outputs_info=h0, non_sequences=u, name=name)
    return out


def columns_rnn(x, h0, u):
    """h_t = tanh(x_t + U h_{t-1}), states as columns (n, batch)."""
    out, _ = theon.scan(lambda xt, h, u_: T.tanh(xt + T.dot(u_, h)), sequences=x,
                        outputs_info=h0, non_sequences=u)
    return out


def elementwise_rnn(x, h0, u, truncate=-1):
    """rows_rnn without a matrix product: sum(h[:, :, None] * U, axis=1)."""
    out, _ = theon.scan(lambda xt, h, u_: T.tanh(xt + (h.dimshuffle(0, 1, "x") * u_).sum(1)),
                        sequences=x, outputs_info=h0, non_sequences=u,
                        truncate_gradient=truncate)
    return out


def test_rows_and_columns_match_finite_differences():
    verify_grad(lambda x, h0, u: (rows_rnn(x, h0, u) ** 2).sum(),
                [f64(5, 2, 3), f64(2, 3), f64(3, 3) * 0.5], rng=RNG)
    verify_grad(lambda x, h0, u: (columns_rnn(x, h0, u) ** 2).sum(),
                [f64(5, 3, 2), f64(3, 2), f64(3, 3) * 0.5], rng=RNG)


def test_a_weight_read_twice_and_outside_a_product():
    def cost(x, h0, u):
        out, _ = theon.scan(
            lambda xt, h, u_: T.tanh(xt + T.dot(h, u_) + T.dot(h * h, u_) * 0.1 + u_.sum()),
            sequences=x, outputs_info=h0, non_sequences=u)
        return (out ** 2).sum()

    verify_grad(cost, [f64(4, 2, 3), f64(2, 3), f64(3, 3) * 0.3], rng=RNG)


def test_the_sum_leaves_the_loop():
    x, h0, u = T.tensor3("x"), T.matrix("h0"), T.matrix("u")
    f = theon.function([x, h0, u], theon.grad(rows_rnn(x, h0, u, "rnn").sum(), u))
    text = f.debugprint(print_type=False)
    reverse = [line for line in text.splitlines() if "Scan{name=grad_of_rnn" in line]
    # The reverse loop sends the state's gradient back (one recurrent output) and stacks
    # dz_t; U's gradient is one tensordot over the steps and the batch.
    assert reverse and all("recurrent=1," in line for line in reverse)
    assert "Tensordot{axes=((0, 1), (0, 1))}" in text


def test_matches_the_running_sum_with_no_steps_and_truncated():
    x, h0, u = T.tensor3("x"), T.matrix("h0"), T.matrix("u")
    args = [f64(6, 2, 3), f64(2, 3), f64(3, 3) * 0.5]
    for truncate in (-1, 2):
        out, _ = theon.scan(lambda xt, h, u_: T.tanh(xt + T.dot(h, u_)), sequences=x,
                            outputs_info=h0, non_sequences=u, truncate_gradient=truncate)
        product = theon.function([x, h0, u], theon.grad((out ** 2).sum(), u))
        plain = theon.function(
            [x, h0, u], theon.grad((elementwise_rnn(x, h0, u, truncate) ** 2).sum(), u))
        np.testing.assert_allclose(product(*args), plain(*args), rtol=1e-12, atol=1e-12)
        empty = product(np.zeros((0, 2, 3)), *args[1:])
        np.testing.assert_array_equal(empty, np.zeros((3, 3)))


def test_second_order_gradient():
    def grad_norm(x, h0, u):
        c = (rows_rnn(x, h0, u) ** 2).sum()
        return (theon.grad(c, u) ** 2).sum()

    verify_grad(grad_norm, [f64(3, 2, 2), f64(2, 2), f64(2, 2) * 0.5], rng=RNG)
