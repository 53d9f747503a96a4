"""JAX (jit) versions of benchmarks/conv.py's LeNet-5 training step and ResNet basic block, the
same arithmetic as Theon's graphs: true convolution for LeNet (Theano's filter_flip=True),
batch normalization in training mode with running averages, max pooling, dropout, softmax
cross-entropy and Adam; the ResNet block's gradients of the sum of its output with respect to
the input and every parameter."""

import numpy as np


def _conv(jax, x, w, padding):
    return jax.lax.conv_general_dilated(x, w, (1, 1), padding,
                                        dimension_numbers=("NCHW", "OIHW", "NCHW"))


def _channel(v):
    return v[None, :, None, None]


def _batch_norm(jnp, h, gamma, beta, epsilon):
    """Normalized h, its batch mean and unbiased variance per channel."""
    mean = h.mean(axis=(0, 2, 3))
    var = h.var(axis=(0, 2, 3))
    count = h.size // h.shape[1]
    normed = (h - _channel(mean)) / jnp.sqrt(_channel(var) + epsilon)
    return normed * _channel(gamma) + _channel(beta), mean, var * count / max(count - 1, 1)


def lenet_step(jax, jnp, seed=0, lr=2e-3, dropout=0.3, b1=0.9, b2=0.999, eps=1e-8):
    """A callable step(x, y) -> cost that trains a LeNet-5 like examples/lenet.py's with Adam,
    its state carried between calls."""
    rng = np.random.default_rng(seed)

    def weights(shape, fan_in):
        return jnp.asarray((rng.normal(size=shape) * np.sqrt(2.0 / fan_in)).astype(np.float32))

    def full(n, value):
        return jnp.full(n, value, jnp.float32)

    params = {"W1": weights((6, 1, 5, 5), 25), "g1": full(6, 1.0), "b1": full(6, 0.0),
              "W2": weights((16, 6, 5, 5), 150), "g2": full(16, 1.0), "b2": full(16, 0.0),
              "H1": weights((256, 120), 256), "c1": full(120, 0.0),
              "H2": weights((120, 84), 120), "c2": full(84, 0.0),
              "H3": weights((84, 10), 84), "c3": full(10, 0.0)}
    running = [(full(6, 0.0), full(6, 1.0)), (full(16, 0.0), full(16, 1.0))]
    keep = 1.0 - dropout

    def cost_fn(p, running, x, y, key):
        h, new_running = x, []
        for i, (rm, rv) in enumerate(running, start=1):
            h = _conv(jax, h, p[f"W{i}"][:, :, ::-1, ::-1], "VALID")
            h, mean, var = _batch_norm(jnp, h, p[f"g{i}"], p[f"b{i}"], 1e-4)
            new_running.append((0.9 * rm + 0.1 * mean, 0.9 * rv + 0.1 * var))
            h = jax.lax.reduce_window(jax.nn.relu(h), -jnp.inf, jax.lax.max, (1, 1, 2, 2),
                                      (1, 1, 2, 2), "VALID")
        h = jax.nn.relu(h.reshape(h.shape[0], -1) @ p["H1"] + p["c1"])
        h = h * jax.random.bernoulli(key, keep, h.shape).astype(h.dtype) / keep
        h = jax.nn.relu(h @ p["H2"] + p["c2"])
        logp = jax.nn.log_softmax(h @ p["H3"] + p["c3"])
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1)), new_running

    @jax.jit
    def train(state, x, y):
        p, m, v, t, running, key = state
        key, draw = jax.random.split(key)
        (cost, new_running), g = jax.value_and_grad(cost_fn, has_aux=True)(p, running, x, y,
                                                                             draw)
        t = t + 1
        step = lr * jnp.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        m = {k: b1 * m[k] + (1 - b1) * g[k] for k in p}
        v = {k: b2 * v[k] + (1 - b2) * g[k] * g[k] for k in p}
        p = {k: p[k] - step * m[k] / (jnp.sqrt(v[k]) + eps) for k in p}
        return (p, m, v, t, new_running, key), cost

    zeros = {k: jnp.zeros_like(a) for k, a in params.items()}
    state = [(params, zeros, zeros, jnp.float32(0), running, jax.random.PRNGKey(seed))]

    def step(x, y):
        state[0], cost = train(state[0], x, y)
        return cost.block_until_ready()
    return step


def resnet_block_gradients(jax, jnp):
    """A jitted function of (x, w0, w1, g0, g1, b0, b1) returning the gradients of the sum of
    relu(bn(conv(relu(bn(conv(x))))) + x) with respect to each (cross-correlations, 'half'
    padding, epsilon 1e-5)."""

    def block_sum(x, w0, w1, g0, g1, b0, b1):
        h = x
        for i, (w, g, b) in enumerate([(w0, g0, b0), (w1, g1, b1)]):
            h = _batch_norm(jnp, _conv(jax, h, w, "SAME"), g, b, 1e-5)[0]
            h = jax.nn.relu(h) if i == 0 else jax.nn.relu(h + x)
        return h.sum()
    return jax.jit(jax.grad(block_sum, argnums=tuple(range(7))))
