"""The RBM example (examples/rbm.py, CD-k with MRG_RandomStreams drawing a Gibbs chain that
theon.scan runs inside the compiled step): its reconstruction error falls on small sizes, each
step of the chain draws new numbers, and the free energy's gradient matches finite
differences."""

import importlib.util
import pathlib

import numpy as np

import theon
import theon.tensor as T

_PATH = pathlib.Path(__file__).resolve().parents[2] / "examples" / "rbm.py"
_spec = importlib.util.spec_from_file_location("rbm_example", _PATH)
rbm_example = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rbm_example)


def test_cd_training_lowers_the_reconstruction_error():
    X = rbm_example.load_digits_binary()[:300]
    _, history = rbm_example.train(X, epochs=4, n_hidden=24, k=2, log=lambda *_: None)
    assert history[-1] < 0.8 * history[0], history


def test_the_chain_is_one_scan_whose_steps_draw_new_numbers():
    rbm = rbm_example.RBM(6, 4, seed=1)
    x = T.matrix("x")
    _, _, updates = rbm.cd_cost(x, 3)
    states = list(updates)
    assert len(states) == 2  # the hidden and the visible draws' streams
    before = [s.get_value().copy() for s in states]
    step = theon.function([x], [], updates=list(updates.items()))
    assert "Scan{name=gibbs" in step.debugprint(print_type=False)
    step(np.ones((5, 6), theon.config.floatX))
    for s, b in zip(states, before):  # advanced once per step of the chain
        assert s.get_value()[3] == b[3] + 3


def test_free_energy_gradient_matches_finite_differences():
    rbm = rbm_example.RBM(6, 4, seed=1)
    v = np.random.default_rng(2).integers(0, 2, (5, 6)).astype(theon.config.floatX)

    def cost(W, hb, vb):
        rbm.W, rbm.hbias, rbm.vbias = W, hb, vb
        return T.mean(rbm.free_energy(T.constant(v)))

    rng = np.random.default_rng(3)
    theon.gradient.verify_grad(cost, [rng.normal(size=(6, 4)), rng.normal(size=4),
                                      rng.normal(size=6)], rng=rng)
