"""Calls of one compiled function from one thread and from two at once, in one process.

    python benchmarks/concurrent_calls.py [--n 2000000] [--calls 20] [--rounds 7]

Each round times `calls` calls of f(x) = sum(tanh(x) * x) on n float64 values made by one
thread, then the same number split over two threads (the GIL is released during a call and
each concurrent call gets its own call state); rounds alternate and the medians are printed
with their ratio. Generated kernels run with config.num_threads=1, so the threads are the
only parallelism. Also times a tiny call that updates a shared variable, the path that takes
the shared value's lock.
"""

import argparse
import statistics
import threading
import time

import numpy as np

import theon
import theon.tensor as T


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2_000_000)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    theon.config.num_threads = 1
    x = T.vector("x")
    f = theon.function([x], T.sum(T.tanh(x) * x))
    f.wait_for_kernels()
    value = np.random.default_rng(0).standard_normal(args.n)

    def serial():
        for _ in range(args.calls):
            f(value)

    def two_threads():
        def work():
            for _ in range(args.calls // 2):
                f(value)
        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    one, two = [], []
    for _ in range(args.rounds):
        one.append(timed(serial))
        two.append(timed(two_threads))
    m1, m2 = statistics.median(one), statistics.median(two)
    print(f"{args.calls} calls on {args.n} values: 1 thread {m1 * 1e3:.1f} ms, "
          f"2 threads {m2 * 1e3:.1f} ms, speed-up {m1 / m2:.2f}x")

    s = theon.shared(np.float64(0.0), "s")
    step = theon.function([], [], updates=[(s, s + 1)])
    plain = theon.function([x], T.exp(x))
    small = np.ones(10)
    per_update, per_plain = [], []
    for _ in range(args.rounds):
        per_update.append(timed(lambda: [step() for _ in range(20000)]) / 20000)
        per_plain.append(timed(lambda: [plain(small) for _ in range(20000)]) / 20000)
    print(f"call updating a shared variable {statistics.median(per_update) * 1e6:.2f} us, "
          f"exp of 10 values {statistics.median(per_plain) * 1e6:.2f} us")


if __name__ == "__main__":
    main()
