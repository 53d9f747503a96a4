"""The scan language models of examples/lstm_lm.py: on small sizes they train (the loss falls)
and their gradients match finite differences."""

import importlib.util
import pathlib

import numpy as np
import pytest

import theon.tensor as T
from theon.gradient import verify_grad

_PATH = pathlib.Path(__file__).resolve().parents[2] / "examples" / "lstm_lm.py"
_spec = importlib.util.spec_from_file_location("lstm_lm", _PATH)
lstm_lm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lstm_lm)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_language_model_trains(cell):
    losses = lstm_lm.train(cell, n_hidden=16, seq_len=8, batch=8, steps=60, lr=0.03)
    assert np.mean(losses[-10:]) < 0.7 * np.mean(losses[:5]), losses


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_language_model_gradients(cell):
    rng = np.random.default_rng(3)
    values = lstm_lm.init_params(5, 3, cell, seed=1)
    x = rng.integers(0, 5, size=(4, 2)).astype(np.int32)
    y = rng.integers(0, 5, size=(4, 2)).astype(np.int32)
    names = ["W", "U", "b", "V"]

    def cost(*weights):
        params = {k: T.constant(v) for k, v in values.items()}
        params.update(dict(zip(names, weights)))
        return lstm_lm.loss(params, T.constant(x), T.constant(y), cell)

    verify_grad(cost, [values[k] + 0.1 * rng.standard_normal(values[k].shape) for k in names],
                rng=rng)
