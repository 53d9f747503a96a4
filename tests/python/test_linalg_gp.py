"""The Gaussian-process acceptance example (examples/gaussian_process.py): its log marginal
likelihood equals scikit-learn's GaussianProcessRegressor at the same hyperparameters, and
gradient ascent through theon.grad raises it."""

import importlib.util
import os

import numpy as np

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "gaussian_process.py")


def load_example():
    spec = importlib.util.spec_from_file_location("gaussian_process", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_log_marginal_likelihood_matches_scikit_learn():
    gp = load_example()
    X, y = gp.make_data(n=30, seed=1)
    f = gp.lml_function()
    for theta in [(0.0, 0.0, -1.0), (0.5, -0.3, -2.5), (-0.7, 1.2, -0.4)]:
        assert abs(float(f(X, y, *theta)) - gp.sklearn_lml(X, y, *theta)) < 1e-6


def test_gradient_ascent_fits_the_hyperparameters():
    gp = load_example()
    X, y = gp.make_data(n=30, seed=2)
    theta, history = gp.fit(X, y, steps=60, lr=0.02)
    assert history[-1] > history[0] + 1.0
    assert np.all(np.diff(history[-10:]) > -1e-9)  # still climbing, not diverging
    # The fitted point agrees with scikit-learn too.
    assert abs(float(gp.lml_function()(X, y, *theta)) - gp.sklearn_lml(X, y, *theta)) < 1e-6
