"""The RBM example (examples/rbm.py, CD-k with MRG_RandomStreams drawing the Gibbs chain in the
compiled step): its reconstruction error falls on small sizes, and the free energy's gradient
matches finite differences."""

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


def test_free_energy_gradient_matches_finite_differences():
    rbm = rbm_example.RBM(6, 4, seed=1)
    v = np.random.default_rng(2).integers(0, 2, (5, 6)).astype(theon.config.floatX)

    def cost(W, hb, vb):
        rbm.W, rbm.hbias, rbm.vbias = W, hb, vb
        return T.mean(rbm.free_energy(T.constant(v)))

    rng = np.random.default_rng(3)
    theon.gradient.verify_grad(cost, [rng.normal(size=(6, 4)), rng.normal(size=4),
                                      rng.normal(size=6)], rng=rng)
