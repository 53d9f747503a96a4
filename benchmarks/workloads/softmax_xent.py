"""Workload 7: softmax + cross-entropy (mean NLL of integer labels) forward and its gradient
with respect to the logits, float32, at (128, 10), (512, 1000) and (4096, 10000). Theon has no
categorical_crossentropy: its rows index log_softmax by the labels, as a user would."""

import numpy as np

from systems import NotApplicable
import systems

NAME = "softmax_xent"
TITLE = "Softmax + cross-entropy forward + backward (float32)"
NOTE = "time per call (loss and gradient with respect to the logits)"

DTYPE = "float32"


def cases(smoke):
    shapes = [(16, 10), (32, 100)] if smoke else [(128, 10), (512, 1000), (4096, 10000)]
    return [{"id": f"{n}x{c}", "shape": (n, c)} for n, c in shapes]


def setup(case):
    n, c = case["shape"]
    rng = np.random.default_rng(0)
    x = (3 * rng.standard_normal((n, c))).astype(DTYPE)
    y = rng.integers(0, c, n).astype(np.int64)
    z = x.astype(np.float64)
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(n), y].mean()
    g = np.exp(logp)
    g[np.arange(n), y] -= 1
    g /= n
    return {"x": x, "y": y, "expected": [loss, g], "tol": (1e-4, 1e-7), "dtype_of": DTYPE}


def _numpy(x, y):
    n = len(y)
    z = x - x.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(n), y].mean()
    g = np.exp(logp)
    g[np.arange(n), y] -= 1
    g /= np.float32(n)
    return loss, g


def build(system, case, data):
    x, y = data["x"], data["y"]
    if system == "numpy":
        return lambda: _numpy(x, y)
    if system == "theon" or system.startswith("pytensor"):
        if system == "theon":
            th, T = systems.theon()
            grad, function, log_softmax, kwargs = th.grad, th.function, T.nnet.log_softmax, {}
        else:
            pytensor, T, mode = systems.pytensor(system.split("_")[1])
            from pytensor.tensor.special import log_softmax
            grad, function, kwargs = pytensor.grad, pytensor.function, {"mode": mode}
        X = T.matrix("x", dtype=DTYPE)
        Y = T.vector("y", dtype="int64")
        loss = -log_softmax(X, axis=-1)[T.arange(Y.shape[0]), Y].mean()
        f = function([X, Y], [loss, grad(loss, X)], **kwargs)
        return lambda: f(x, y)
    if system == "jax":
        jax, jnp = systems.jax()

        def loss(xs, ys):
            logp = jax.nn.log_softmax(xs)
            return -jnp.mean(jnp.take_along_axis(logp, ys[:, None], axis=1))

        f = systems.jax_block(jax.jit(jax.value_and_grad(loss)))
        dx, dy = jax.device_put(x), jax.device_put(y)
        return lambda: f(dx, dy)
    if system in ("torch", "torch_compile"):
        torch = systems.torch()
        loss = torch.nn.functional.cross_entropy
        if system == "torch_compile":
            loss = torch.compile(loss, dynamic=False)
        ty = torch.from_numpy(y)

        def run():
            tx = torch.from_numpy(x).requires_grad_()
            value = loss(tx, ty)
            value.backward()
            return value.detach(), tx.grad
        return run
    raise NotApplicable
