"""One LSTM training step (forward through the sequence with scan, BPTT gradient, SGD update
of the weights), float32, hidden 256, sequence 50, batch 32 by default, in Theon (theon.scan +
theon.grad + updates of shared weights), JAX (lax.scan + jax.grad under jit) and PyTorch eager
(torch.nn.LSTM, autograd, SGD), timed interleaved in one run, on one thread by default. All
start from the same weights and data; their losses and updated weights are checked against
Theon's before timing.

    python benchmarks/lstm_step.py [--hidden 256] [--seq 50] [--batch 32] [--repeats 7]
                                   [--threads 1] [--profile]

Prints the median time of a step for each system and the ratio Theon / peer; with --profile,
Theon's per-node times of the step (the scan's inner body included).
"""

import argparse
import os
import sys

import numpy as np

import harness


def lstm_weights(n_in, n_hidden, seed=0):
    rng = np.random.default_rng(seed)
    scale = 1.0 / np.sqrt(n_hidden)
    return {
        "W": (rng.standard_normal((n_in, 4 * n_hidden)) * scale).astype(np.float32),
        "U": (rng.standard_normal((n_hidden, 4 * n_hidden)) * scale).astype(np.float32),
        "b": np.zeros(4 * n_hidden, np.float32),
    }


def theon_step(weights, lr, profile):
    """Returns (step(x, y) -> loss, the shared weights)."""
    import theon
    import theon.tensor as T
    from theon.tensor.nnet import sigmoid

    shared = {k: theon.shared(v.copy(), name=k) for k, v in weights.items()}
    W, U, b = shared["W"], shared["U"], shared["b"]
    x = T.tensor3("x", dtype="float32")  # (seq, batch, n_in)
    y = T.tensor3("y", dtype="float32")  # (seq, batch, hidden)
    n = U.shape[0]

    def cell(x_t, h, c, U_):
        z = x_t + T.dot(h, U_)
        i, f, o = sigmoid(z[:, :n]), sigmoid(z[:, n:2 * n]), sigmoid(z[:, 2 * n:3 * n])
        c_new = f * c + i * T.tanh(z[:, 3 * n:])
        return o * T.tanh(c_new), c_new

    h0 = T.zeros((x.shape[1], n), dtype="float32")
    # The input projection of every step is one matrix product before the loop.
    xw = T.dot(x, W) + b
    (hs, _), _ = theon.scan(cell, sequences=xw, outputs_info=[h0, h0], non_sequences=[U],
                            name="lstm")
    loss = T.mean((hs - y) ** 2)
    grads = theon.grad(loss, [W, U, b])
    updates = [(p, p - np.float32(lr) * g) for p, g in zip([W, U, b], grads)]
    f = theon.function([x, y], loss, updates=updates, profile=profile)
    f.wait_for_kernels()
    return f, shared


def jax_step(lr):
    import jax
    import jax.numpy as jnp

    def loss_fn(params, x, y):
        n = params["U"].shape[0]
        xw = jnp.dot(x, params["W"]) + params["b"]

        def cell(carry, xw_t):
            h, c = carry
            z = xw_t + jnp.dot(h, params["U"])
            i, f, o = (jax.nn.sigmoid(z[:, k * n:(k + 1) * n]) for k in range(3))
            c = f * c + i * jnp.tanh(z[:, 3 * n:])
            h = o * jnp.tanh(c)
            return (h, c), h

        h0 = jnp.zeros((x.shape[1], n), x.dtype)
        _, hs = jax.lax.scan(cell, (h0, h0), xw)
        return jnp.mean((hs - y) ** 2)

    @jax.jit
    def step(params, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        return {k: params[k] - lr * grads[k] for k in params}, loss

    return step


# Theon's (and JAX's) gate blocks along the 4 * hidden axis are (i, f, o, g); PyTorch's are
# (i, f, g, o). The permutation swaps the last two, so it is its own inverse.
GATE_ORDER = [0, 1, 3, 2]


def torch_gates(a):
    blocks = np.split(a, 4, axis=-1)
    return np.concatenate([blocks[k] for k in GATE_ORDER], axis=-1)


def torch_step(torch, weights, lr):
    """Returns (step(x, y) -> loss, a function giving the weights in Theon's layout)."""
    n_in, n = weights["W"].shape[0], weights["U"].shape[0]
    lstm = torch.nn.LSTM(n_in, n)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(torch_gates(weights["W"]).T.copy()))
        lstm.weight_hh_l0.copy_(torch.from_numpy(torch_gates(weights["U"]).T.copy()))
        lstm.bias_ih_l0.copy_(torch.from_numpy(torch_gates(weights["b"])))
        lstm.bias_hh_l0.zero_()
    # Theon has one bias; PyTorch's second one stays zero and untrained.
    lstm.bias_hh_l0.requires_grad_(False)
    opt = torch.optim.SGD([lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0], lr=lr)

    def step(x, y):
        opt.zero_grad()
        hs, _ = lstm(x)
        loss = ((hs - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    def theon_layout():
        return {"W": torch_gates(lstm.weight_ih_l0.detach().numpy().T),
                "U": torch_gates(lstm.weight_hh_l0.detach().numpy().T),
                "b": torch_gates(lstm.bias_ih_l0.detach().numpy())}
    return step, theon_layout


def check_against_theon(name, loss, params, t_loss, t_shared):
    np.testing.assert_allclose(float(loss), t_loss, rtol=1e-4, err_msg=name)
    for k, v in t_shared.items():
        np.testing.assert_allclose(v.get_value(), np.asarray(params[k]), rtol=1e-3, atol=1e-5,
                                   err_msg=f"{name}: {k}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--seq", type=int, default=50)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--profile", action="store_true")
    args = p.parse_args()
    if os.environ.get("THEON_LSTM_PINNED") != "1":  # thread caps must be set before imports
        env = dict(os.environ, THEON_LSTM_PINNED="1", **harness.thread_env(args.threads))
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    harness.pin_threads(args.threads)

    import theon

    theon.config.compile_wait = True
    theon.config.num_threads = args.threads
    lr = 0.1
    h = args.hidden
    rng = np.random.default_rng(1)
    x = rng.standard_normal((args.seq, args.batch, h)).astype(np.float32)
    y = (rng.standard_normal((args.seq, args.batch, h)) * 0.5).astype(np.float32)
    weights = lstm_weights(h, h)

    t_step, t_shared = theon_step(weights, lr, args.profile)
    fns = {"theon": lambda: t_step(x, y)}
    try:
        import jax

        j_step = jax_step(lr)
    except ImportError as e:
        j_step = None
        print(f"jax: not installed ({e})")

    # One step from the same weights: the same loss and the same updated weights.
    t_loss = float(t_step(x, y))
    if j_step is not None:
        j_params, j_loss = j_step(weights, x, y)
        check_against_theon("jax", j_loss, j_params, t_loss, t_shared)
        state = {"params": j_params}

        def jax_call():
            state["params"], loss = j_step(state["params"], x, y)
            loss.block_until_ready()

        fns["jax"] = jax_call
    try:
        import torch
    except ImportError as e:
        print(f"torch: not installed ({e})")
    else:
        torch.set_num_threads(args.threads)
        p_step, p_params = torch_step(torch, weights, lr)
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)
        p_loss = p_step(xt, yt)
        check_against_theon("torch", p_loss.item(), p_params(), t_loss, t_shared)
        fns["torch"] = lambda: p_step(xt, yt)
    medians = dict(zip(fns, harness.interleaved_median_times(list(fns.values()), args.repeats)))
    print(f"LSTM training step, hidden {h}, seq {args.seq}, batch {args.batch}, float32, "
          f"threads {args.threads}, median of {args.repeats}, interleaved")
    for name, t in medians.items():
        ratio = "" if name == "theon" else f"   theon / {name}: {medians['theon'] / t:.2f}"
        print(f"  {name:6s} {t * 1e3:8.2f} ms{ratio}")
    if args.profile:
        t_step.profile.summary()


if __name__ == "__main__":
    main()
