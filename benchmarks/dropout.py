"""Dropout forward: x * mask, the mask a fresh Bernoulli(1 - p) draw at every call, against the
plain elementwise kernel x * 0.5 (the goal: within 1.2x of it), NumPy's Generator and
PyTorch (when installed), timed interleaved in one run. Keep probability 0.5 draws one random
bit per element; a second Theon dropout with keep 0.7 shows the one-word-per-element path, and
a third is the first with the mask drawn as a whole array before the multiply reads it (the
draw_into_loop rewrite excluded).

python benchmarks/dropout.py [--n 10000000] [--repeats 15] [--threads 0]

Prints the median time of each and its ratio to Theon's x * 0.5.
"""

import argparse

import numpy as np

import harness
import theon
import theon.tensor as T
from theon.tensor.shared_randomstreams import RandomStreams


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=10_000_000)
    p.add_argument("--repeats", type=int, default=15)
    p.add_argument("--threads", type=int, default=0, help="config.num_threads (0: every core)")
    args = p.parse_args()
    theon.config.compile_wait = True
    theon.config.num_threads = args.threads
    n, keep = args.n, 0.5
    data = np.random.default_rng(0).standard_normal(n).astype(np.float32)

    x = T.fvector("x")
    srng = RandomStreams(1)
    mask = srng.binomial(size=x.shape, p=keep, dtype="float32")
    dropout = theon.function([x], x * mask)
    # The same graph with the mask drawn as a whole array before the loop reads it.
    with theon.config.change_flags(optimizer_excluding="draw_into_loop"):
        dropout_apart = theon.function(
            [x], x * RandomStreams(1).binomial(size=x.shape, p=keep, dtype="float32"))
    plain = theon.function([x], x * np.float32(0.5))
    # keep = 0.7 has no short binary expansion: each mask element takes a 32-bit word.
    dropout_word = theon.function(
        [x], x * srng.binomial(size=x.shape, p=0.7, dtype="float32"))
    out = dropout(data)
    kept = out != 0
    assert abs(kept.mean() - keep) < 0.01 and np.array_equal(out[kept], data[kept])

    gen = np.random.default_rng(1)
    fns = {
        "theon x * 0.5": lambda: plain(data),
        "theon dropout": lambda: dropout(data),
        "theon dropout, mask apart": lambda: dropout_apart(data),
        "theon dropout, keep 0.7": lambda: dropout_word(data),
        "numpy Generator dropout": lambda: data * (gen.random(n, dtype=np.float32) < keep),
    }
    try:
        import torch

        torch.set_num_threads(args.threads or torch.get_num_threads())
        xt = torch.from_numpy(data)
        fns["torch dropout"] = lambda: torch.nn.functional.dropout(xt, 1 - keep, training=True)
    except ImportError:
        pass
    medians = dict(zip(fns, harness.interleaved_median_times(list(fns.values()), args.repeats)))
    base = medians["theon x * 0.5"]
    print(f"dropout forward, n = {n:,} float32, threads: {args.threads or 'all'}, "
          f"median of {args.repeats}, interleaved")
    for name, t in medians.items():
        print(f"  {name:26s} {t * 1e3:8.2f} ms   {t / base:5.2f}x theon x * 0.5")


if __name__ == "__main__":
    main()
