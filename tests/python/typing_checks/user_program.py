"""A small typed program written against Theon's public API, as a user would; the typing test
runs mypy over it (it must pass) to show the stubs describe what the library does."""

import numpy as np
import numpy.typing as npt

import theon
import theon.tensor as T


def train(features: npt.NDArray[np.float64], labels: npt.NDArray[np.float64]) -> float:
    X: T.TensorVariable = T.dmatrix("X")
    y = T.dvector("y")
    w = theon.shared(np.zeros(features.shape[1]), name="w")
    p = T.nnet.sigmoid(X.dot(w))
    cost = -(y * T.log(p) + (1 - y) * T.log(1 - p)).mean()
    (gw,) = theon.grad(cost, [w])
    step = theon.function([X, y], cost, updates=[(w, w - 0.1 * gw)])
    first = float(step(features, labels))
    for _ in range(10):
        last = float(step(features, labels))
    assert last <= first
    return last


shape_sum: T.TensorVariable = T.dmatrix("m").shape[0] + 1
