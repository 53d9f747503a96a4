"""A tanh MLP with a softmax + negative log-likelihood output, trained by plain SGD on shared
parameters, written the idiomatic way for each system; logistic regression is the MLP without
hidden layers. Shared by the logistic-regression, MLP, compile-time and memory workloads.

One call is one SGD step on a fixed batch. The result checked is the loss of the first step and
every parameter after it, against the NumPy implementation from the same starting point."""

import numpy as np

from systems import NotApplicable
import systems

LR = 0.01
DTYPE = "float32"


class Stateful:
    """A step whose check also needs the state it leaves (the parameters after one update)."""

    def __init__(self, step, state):
        self.step = step
        self.state = state

    def __call__(self):
        return self.step()


def setup(sizes, batch, seed=0, reference=True):
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.append((rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(DTYPE))
        params.append(np.zeros(fan_out, DTYPE))
    x = rng.random((batch, sizes[0])).astype(DTYPE)
    y = rng.integers(0, sizes[-1], batch).astype(np.int64)
    data = {"params": params, "x": x, "y": y, "tol": (2e-4, 2e-5), "dtype_of": DTYPE}
    if reference:
        loss, after = numpy_step([p.copy() for p in params], x, y)
        data["expected"] = [np.asarray(loss)] + after
    return data


def numpy_step(params, x, y):
    """One SGD step by hand-written backpropagation; updates ``params`` in place."""
    n_layers = len(params) // 2
    acts = [x]
    for i in range(n_layers):
        z = acts[-1] @ params[2 * i] + params[2 * i + 1]
        acts.append(np.tanh(z) if i < n_layers - 1 else z)
    z = acts[-1]
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    batch = len(y)
    loss = -logp[np.arange(batch), y].mean()
    dz = np.exp(logp)
    dz[np.arange(batch), y] -= 1
    dz /= batch
    for i in reversed(range(n_layers)):
        gw = acts[i].T @ dz
        gb = dz.sum(axis=0)
        if i > 0:
            dz = (dz @ params[2 * i].T) * (1 - acts[i] ** 2)
        params[2 * i] -= np.float32(LR) * gw
        params[2 * i + 1] -= np.float32(LR) * gb
    return loss, params


def build(system, data):
    params0, x, y = data["params"], data["x"], data["y"]
    n_layers = len(params0) // 2
    lr = np.float32(LR)
    if system == "numpy":
        params = [p.copy() for p in params0]
        return Stateful(lambda: numpy_step(params, x, y)[0], lambda: params)
    if system == "theon" or system.startswith("pytensor"):
        if system == "theon":
            th, T = systems.theon()
            shared, grad, function = th.shared, th.grad, th.function
            log_softmax, kwargs = T.nnet.log_softmax, {}
        else:
            pytensor, T, mode = systems.pytensor(system.split("_")[1])
            from pytensor.tensor.special import log_softmax
            shared, grad, function = pytensor.shared, pytensor.grad, pytensor.function
            kwargs = {"mode": mode}
        X = T.matrix("X", dtype=DTYPE)
        Y = T.vector("y", dtype="int64")
        params = [shared(p.copy()) for p in params0]
        h = X
        for i in range(n_layers):
            z = T.dot(h, params[2 * i]) + params[2 * i + 1]
            h = T.tanh(z) if i < n_layers - 1 else z
        nll = -log_softmax(h, axis=-1)[T.arange(Y.shape[0]), Y].mean()
        grads = grad(nll, params)
        f = function([X, Y], nll, updates=[(p, p - lr * g) for p, g in zip(params, grads)],
                     **kwargs)
        return Stateful(lambda: f(x, y), lambda: [p.get_value() for p in params])
    if system == "jax":
        jax, jnp = systems.jax()

        def loss(ps, xs, ys):
            h = xs
            for i in range(n_layers):
                z = h @ ps[2 * i] + ps[2 * i + 1]
                h = jnp.tanh(z) if i < n_layers - 1 else z
            logp = jax.nn.log_softmax(h)
            return -jnp.mean(jnp.take_along_axis(logp, ys[:, None], axis=1))

        @jax.jit
        def step(ps, xs, ys):
            value, g = jax.value_and_grad(loss)(ps, xs, ys)
            return value, [p - lr * gp for p, gp in zip(ps, g)]

        state = [[jax.device_put(p) for p in params0]]
        dx, dy = jax.device_put(x), jax.device_put(y)

        def run():
            value, state[0] = step(state[0], dx, dy)
            return jax.block_until_ready(value)
        return Stateful(run, lambda: state[0])
    if system in ("torch", "torch_compile"):
        torch = systems.torch()
        F = torch.nn.functional
        params = [torch.from_numpy(p.copy()).requires_grad_() for p in params0]
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)

        def loss(xs, ys):
            h = xs
            for i in range(n_layers):
                z = torch.addmm(params[2 * i + 1], h, params[2 * i])
                h = torch.tanh(z) if i < n_layers - 1 else z
            return F.cross_entropy(h, ys)

        if system == "torch_compile":
            loss = torch.compile(loss, dynamic=False)
        opt = torch.optim.SGD(params, lr=LR)

        def run():
            opt.zero_grad(set_to_none=True)
            value = loss(tx, ty)
            value.backward()
            opt.step()
            return value.detach()
        return Stateful(run, lambda: params)
    raise NotApplicable
