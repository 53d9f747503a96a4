"""The MLP of demo.py (digits, one tanh hidden layer) trained data-parallel on MPI.

    mpirun -np 2 python examples/mpi_mlp.py --batch 32   # 2 processes, 32 digits each per step
    python examples/mpi_mlp.py --batch 64                # the same steps in one process

Each process takes its part of every global batch (theon.distributed.sharded_batches), the
gradients are averaged over the processes inside the compiled step (theon.distributed.
data_parallel) and every process applies the same update, so N processes with batch B train
as one process with batch N*B: the printed final loss is the same (up to float rounding).
"""

import argparse
import time

import numpy as np
from sklearn.datasets import load_digits

import theon
import theon.distributed as D
import theon.tensor as T
from theon.tensor.nnet import softmax


def build_mlp(n_in, n_hidden, n_out, seed=1):
    """The model and its parameters; each rank draws its own, data_parallel keeps rank 0's."""
    rng = np.random.default_rng(seed + D.rank())
    W1 = theon.shared(rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in), "W1")
    b1 = theon.shared(np.zeros(n_hidden), "b1")
    W2 = theon.shared(rng.standard_normal((n_hidden, n_out)) / np.sqrt(n_hidden), "W2")
    b2 = theon.shared(np.zeros(n_out), "b2")
    X, y = T.dmatrix("X"), T.lvector("y")
    p = softmax(T.tanh(X.dot(W1) + b1).dot(W2) + b2)
    loss = -T.mean(T.log(p[T.arange(y.shape[0]), y]))
    return [W1, b1, W2, b2], X, y, loss


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32, help="digits per process per step")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--lr", type=float, default=0.3)
    parser.add_argument("--bucket-bytes", type=int, default=D.DEFAULT_BUCKET_BYTES)
    args = parser.parse_args()

    rank, size = D.init()
    digits = load_digits()
    X_all, y_all = digits.data / 16.0, digits.target.astype(np.int64)
    params, X, y, loss = build_mlp(X_all.shape[1], 64, 10)
    sgd = lambda ps, gs: [(p, p - args.lr * g) for p, g in zip(ps, gs)]  # noqa: E731
    step = theon.function([X, y], D.all_reduce(loss, "mean"),
                          updates=D.data_parallel(loss, params, sgd, args.bucket_bytes))
    evaluate = theon.function([X, y], loss)

    t0 = time.perf_counter()
    for epoch in range(args.epochs):
        for Xb, yb in D.sharded_batches([X_all, y_all], args.batch * size, seed=0, epoch=epoch):
            batch_loss = step(Xb, yb)
        if rank == 0:
            print(f"epoch {epoch + 1:3d}  last batch loss {float(batch_loss):.6f}")
    seconds = time.perf_counter() - t0
    final = float(evaluate(X_all, y_all))  # the parameters are equal on every rank
    if rank == 0:
        print(f"trained on {size} process(es), global batch {args.batch * size}, "
              f"in {seconds:.2f} s")
        print(f"final loss {final:.12f} on all {len(y_all)} digits")


if __name__ == "__main__":
    main()
