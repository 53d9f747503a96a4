"""A character-level language model with an LSTM or GRU written with theon.scan, trained with
Adam on a small synthetic corpus; prints the loss as it falls.

    .venv/bin/python examples/lstm_lm.py [--cell gru] [--hidden 64] [--steps 200]

The same code runs under the Theano names (`import theano`, theano.scan): only the imports
differ. tests/python/test_scan_lm.py trains it on small sizes and checks its gradients.
"""

import argparse

import numpy as np

import theon
import theon.tensor as T
from theon.tensor.nnet import log_softmax, sigmoid

WORDS = ["the", "cat", "sat", "on", "mat", "a", "dog", "ran", "to", "park", "and", "slept"]


def corpus(n_chars, seed=0):
    """Sentences of a tiny grammar ('the cat sat on the mat. a dog ran to the park.'), as text."""
    rng = np.random.default_rng(seed)
    out = []
    while sum(len(s) for s in out) < n_chars:
        subj = f"{rng.choice(['the', 'a'])} {rng.choice(['cat', 'dog'])}"
        verb = rng.choice(["sat on", "ran to", "slept on"])
        out.append(f"{subj} {verb} the {rng.choice(['mat', 'park'])}. ")
    return "".join(out)[:n_chars]


def batches(text, vocab, seq_len, batch, rng):
    """(inputs, targets): int32 arrays of shape (seq_len, batch), targets shifted by one."""
    ids = np.array([vocab[c] for c in text], dtype=np.int32)
    starts = rng.integers(0, len(ids) - seq_len - 1, size=batch)
    x = np.stack([ids[s:s + seq_len] for s in starts], axis=1)
    y = np.stack([ids[s + 1:s + seq_len + 1] for s in starts], axis=1)
    return x, y


def init_params(n_vocab, n_hidden, cell, seed=0, dtype="float64"):
    rng = np.random.default_rng(seed)
    gates = 4 if cell == "lstm" else 3

    def weights(*shape):
        return (rng.standard_normal(shape) / np.sqrt(shape[0])).astype(dtype)

    return {
        "E": weights(n_vocab, n_hidden),
        "W": weights(n_hidden, gates * n_hidden),
        "U": weights(n_hidden, gates * n_hidden),
        "b": np.zeros(gates * n_hidden, dtype=dtype),
        "V": weights(n_hidden, n_vocab),
        "c": np.zeros(n_vocab, dtype=dtype),
    }


def lstm_step(x_t, h, c, W, U, b):
    n = h.shape[1]
    z = T.dot(x_t, W) + T.dot(h, U) + b
    i, f, o = sigmoid(z[:, :n]), sigmoid(z[:, n:2 * n]), sigmoid(z[:, 2 * n:3 * n])
    g = T.tanh(z[:, 3 * n:])
    c_new = f * c + i * g
    return o * T.tanh(c_new), c_new


def gru_step(x_t, h, W, U, b):
    n = h.shape[1]
    a = T.dot(x_t, W) + b
    u = T.dot(h, U[:, :2 * n])
    z, r = sigmoid(a[:, :n] + u[:, :n]), sigmoid(a[:, n:2 * n] + u[:, n:])
    cand = T.tanh(a[:, 2 * n:] + T.dot(r * h, U[:, 2 * n:]))
    return (1 - z) * h + z * cand


def loss(params, x, y, cell):
    """Mean negative log-likelihood of the next character; x, y: int (seq_len, batch)."""
    E, W, U, b, V, c = (params[k] for k in "EWUbVc")
    emb = E[x]  # (seq_len, batch, hidden)
    n_hidden = E.shape[1]
    h0 = T.zeros((x.shape[1], n_hidden), dtype=E.dtype)
    if cell == "lstm":
        (hs, _), _ = theon.scan(lstm_step, sequences=emb, outputs_info=[h0, h0],
                                non_sequences=[W, U, b], name="lstm")
    else:
        hs, _ = theon.scan(gru_step, sequences=emb, outputs_info=h0, non_sequences=[W, U, b],
                           name="gru")
    logits = T.dot(hs.reshape((-1, n_hidden)), V) + c
    logp = log_softmax(logits)
    flat_y = y.flatten()
    return -logp[T.arange(flat_y.shape[0]), flat_y].mean()


def adam_updates(cost, params, lr=0.01, b1=0.9, b2=0.999, eps=1e-8):
    grads = theon.grad(cost, params)
    t = theon.shared(np.float64(0.0), "adam_t")
    t_new = t + 1
    updates = [(t, t_new)]
    for p, g in zip(params, grads):
        m = theon.shared(np.zeros_like(p.get_value()), "m_" + p.name)
        v = theon.shared(np.zeros_like(p.get_value()), "v_" + p.name)
        m_new = b1 * m + (1 - b1) * g
        v_new = b2 * v + (1 - b2) * g * g
        step = lr * T.sqrt(1 - b2 ** t_new) / (1 - b1 ** t_new)
        updates += [(m, m_new), (v, v_new),
                    (p, p - T.cast(step, p.dtype) * m_new / (T.sqrt(v_new) + eps))]
    return updates


def train(cell="lstm", n_hidden=64, seq_len=20, batch=16, steps=200, lr=0.01, seed=0,
          log_every=0):
    text = corpus(4000, seed)
    chars = sorted(set(text))
    vocab = {ch: i for i, ch in enumerate(chars)}
    values = init_params(len(chars), n_hidden, cell, seed)
    params = {k: theon.shared(v, k) for k, v in values.items()}
    x, y = T.imatrix("x"), T.imatrix("y")
    cost = loss(params, x, y, cell)
    step = theon.function([x, y], cost, updates=adam_updates(cost, list(params.values()), lr))
    rng = np.random.default_rng(seed)
    losses = []
    for i in range(steps):
        losses.append(float(step(*batches(text, vocab, seq_len, batch, rng))))
        if log_every and i % log_every == 0:
            print(f"step {i:4d}  loss {losses[-1]:.4f}")
    return losses


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", choices=["lstm", "gru"], default="lstm")
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    losses = train(args.cell, args.hidden, steps=args.steps, log_every=20)
    print(f"{args.cell}: loss {np.mean(losses[:10]):.3f} (first 10 steps) -> "
          f"{np.mean(losses[-10:]):.3f} (last 10)")


if __name__ == "__main__":
    main()
