"""What each rank runs in tests/python/test_distributed_mpi.py: `python distributed_worker.py
SCENARIO [ARGS]` under mpirun. A scenario checks its results itself and exits non-zero (with an
AssertionError naming what differed) when they are wrong; rank 0 prints "OK <scenario>"."""

import os
import signal
import sys
import time

import numpy as np

import theon
import theon.distributed as D
import theon.tensor as T


def _data(r, shape, dtype="float64"):
    """Rank r's input: distinct per rank, known to every rank."""
    v = np.random.default_rng(100 + r).uniform(-3, 3, size=shape)
    return v.astype(dtype)


def collectives():
    r, n = D.rank(), D.size()
    parts = [_data(k, (2 * n, 3)) for k in range(n)]
    x = T.dmatrix("x")
    outs = [D.all_reduce(x, op) for op in ("sum", "mean", "max", "min")]
    outs += [D.all_gather(x), D.broadcast(x, root=n - 1), D.reduce_to_root(x, "sum", root=1),
             D.reduce_scatter(x, "sum"), D.reduce_scatter(x, "max")]
    got = theon.function([x], outs)(parts[r])
    stack = np.stack(parts)
    block = slice(2 * r, 2 * r + 2)
    want = [stack.sum(0), stack.mean(0), stack.max(0), stack.min(0), np.concatenate(parts),
            parts[n - 1], stack.sum(0) if r == 1 else np.zeros_like(parts[0]),
            stack.sum(0)[block], stack.max(0)[block]]
    for i, (g, w) in enumerate(zip(got, want)):
        np.testing.assert_allclose(g, w, rtol=1e-13, err_msg=f"output {i}")
    # Integers and booleans: exact, in their own dtype.
    xi = T.lvector("xi")
    ints = [np.arange(4, dtype=np.int64) * (k + 1) for k in range(n)]
    si, mi = theon.function([xi], [D.all_reduce(xi), D.all_reduce(xi, "min")])(ints[r])
    assert si.dtype == np.int64 and (si == sum(ints)).all() and (mi == ints[0]).all()
    xb = T.vector("xb", dtype="bool")
    bools = [np.array([k == 0, False, True]) for k in range(n)]
    any_, all_ = theon.function([xb], [D.all_reduce(xb, "max"), D.all_reduce(xb, "min")])(bools[r])
    assert any_.tolist() == [True, False, True] and all_.tolist() == [n == 1, False, True]
    _check_gradients(r, n, parts)
    # A graph whose shapes depend on the world size refuses to run in another world.
    gather = theon.function([x], D.all_gather(x))
    D.barrier()
    D.finalize()
    try:
        gather(parts[r])
    except ValueError as e:
        assert f"built for a world of {n} process(es) and runs in a world of 1" in str(e), str(e)
    else:
        raise AssertionError("a graph for another world size ran")


def _check_gradients(r, n, parts):
    """The total cost is the sum of the ranks' costs sum(c_r * op(x_r)); its gradient with
    respect to x_r, computed by NumPy from every rank's values, against theon.grad's."""
    coef = [_data(50 + k, (2 * n, 3)) for k in range(n)]
    x = T.dmatrix("x")
    c = T.dmatrix("c")

    def grad_of(y):
        return theon.function([x, c], theon.grad((c * y).sum(), x))(parts[r], coef[r])

    total_c = sum(coef)
    stack = np.stack(parts)
    checks = {
        "all_reduce sum": (D.all_reduce(x, "sum"), total_c),
        "all_reduce mean": (D.all_reduce(x, "mean"), total_c / n),
        "all_reduce max": (D.all_reduce(x, "max"), total_c * (parts[r] == stack.max(0))),
        "broadcast": (D.broadcast(x, root=0), total_c if r == 0 else np.zeros_like(total_c)),
        "reduce_to_root": (D.reduce_to_root(x, "sum", root=0), coef[0]),
        "reduce_to_root mean": (D.reduce_to_root(x, "mean", root=0), coef[0] / n),
    }
    for name, (y, want) in checks.items():
        np.testing.assert_allclose(grad_of(y), want, rtol=1e-13, err_msg=name)
    # all_gather: cost_s = sum(c_s * gather) -> block r of the sum of the c_s (the gathered
    # axis is n times longer, so c is tiled to match).
    cg = T.dmatrix("cg")
    g = theon.function([x, cg], theon.grad((cg * D.all_gather(x)).sum(), x))
    coefs_g = [np.concatenate([coef[k]] * n) for k in range(n)]
    np.testing.assert_allclose(g(parts[r], coefs_g[r]), sum(coefs_g)[2 * n * r:2 * n * (r + 1)],
                               rtol=1e-13, err_msg="all_gather")
    # reduce_scatter: cost_s = sum(c_s[:2] * block s of the sum) -> rows s of x_r get c_s.
    cs = T.dmatrix("cs")
    g = theon.function([x, cs], theon.grad((cs * D.reduce_scatter(x)).sum(), x))
    small = [coef[k][:2] for k in range(n)]
    np.testing.assert_allclose(g(parts[r], small[r]), np.concatenate(small), rtol=1e-13,
                               err_msg="reduce_scatter")


def mismatch():
    r = D.rank()
    x = T.dmatrix("x")
    f = theon.function([x], D.all_reduce(x))
    try:
        f(np.zeros((2, 3 + r)))
    except ValueError as e:
        msg = str(e)
        assert "rank 0: call #1 all_reduce(op=sum) of float64 (2, 3)" in msg, msg
        assert "rank 1: call #1 all_reduce(op=sum) of float64 (2, 4)" in msg, msg
        assert "test_distributed" in msg or "distributed_worker.py" in msg, msg
    else:
        raise AssertionError("no error for different shapes")
    # The world is still usable: the check failed before any data moved.
    y = T.vector("y", dtype="float32" if r == 0 else "float64")
    try:
        theon.function([y], D.broadcast(y))(np.zeros(2, y.dtype))
    except ValueError as e:
        assert "of float32 (2,)" in str(e) and "of float64 (2,)" in str(e), str(e)
    else:
        raise AssertionError("no error for different dtypes")
    ok = theon.function([x], D.all_reduce(x))(np.ones((1, 1)))
    assert ok[0, 0] == D.size()


def _mlp(seed=3, n_in=5, n_hidden=7, n_out=3):
    rng = np.random.default_rng(seed + D.rank())  # different per rank: rank 0's win
    shapes = [(n_in, n_hidden), (n_hidden,), (n_hidden, n_out), (n_out,)]
    params = [theon.shared(rng.standard_normal(s) * 0.5, name=f"p{i}")
              for i, s in enumerate(shapes)]
    X, y = T.dmatrix("X"), T.lvector("y")
    h = T.tanh(X.dot(params[0]) + params[1])
    p = T.nnet.softmax(h.dot(params[2]) + params[3])
    loss = -T.mean(T.log(p[T.arange(y.shape[0]), y]))
    return params, X, y, loss


def _sgd(params, grads, lr=0.3):
    return [(p, p - lr * g) for p, g in zip(params, grads)]


def _dataset(n=48, n_in=5):
    rng = np.random.default_rng(7)
    return rng.standard_normal((n, n_in)), rng.integers(0, 3, size=n)


def _reference(params_init, steps, batch, start_step=0):
    """The single-process run on the global batches: plain gradients, no collectives."""
    params, X, y, loss = _mlp()
    for p, v in zip(params, params_init):
        p.set_value(v.copy())
    step = theon.function([X, y], loss, updates=_sgd(params, theon.grad(loss, params)))
    Xs, ys = _dataset()
    batches = [(Xs[i:i + batch], ys[i:i + batch]) for i in range(0, len(ys) - batch + 1, batch)]
    losses = [float(step(*batches[(start_step + k) % len(batches)])) for k in range(steps)]
    return [p.get_value() for p in params], losses


def _train(params, X, y, loss, steps, batch, bucket_bytes, start_step=0):
    updates = D.data_parallel(loss, params, _sgd, bucket_bytes=bucket_bytes)
    step = theon.function([X, y], D.all_reduce(loss, "mean"), updates=updates)
    batches = list(D.sharded_batches(_dataset(), batch))
    return [float(step(*batches[(start_step + k) % len(batches)])) for k in range(steps)]


def _check_equal_on_every_rank(params):
    for p in params:
        v = p.get_value()
        gathered = theon.function([], D.all_gather(T.shape_padleft(p)))()
        for k in range(D.size()):
            np.testing.assert_array_equal(gathered[k], v, err_msg=f"{p.name} on rank {k}")


def data_parallel(bucket_bytes):
    params, X, y, loss = _mlp()
    init0 = [theon.function([], D.broadcast(p))() for p in params]  # rank 0's values
    losses = _train(params, X, y, loss, steps=6, batch=12, bucket_bytes=int(bucket_bytes))
    _check_equal_on_every_rank(params)
    want_params, want_losses = _reference(init0, 6, 12)
    np.testing.assert_allclose(losses, want_losses, rtol=1e-12)
    for p, w in zip(params, want_params):
        np.testing.assert_allclose(p.get_value(), w, rtol=1e-11, atol=1e-14, err_msg=p.name)


def checkpoint(phase, path):
    params, X, y, loss = _mlp()
    if phase == "save":
        _train(params, X, y, loss, steps=3, batch=12, bucket_bytes=1 << 20)
        D.save_checkpoint({"params": params, "step": 3}, path)
        return
    saved = D.load_checkpoint(path)
    for p, v in zip(params, saved["params"]):
        p.set_value(v.get_value())
    losses = _train(params, X, y, loss, steps=3, batch=12, bucket_bytes=1 << 20,
                    start_step=saved["step"])
    # Against one process from the start: rank 0's initial values, 6 steps.
    fresh, _, _, _ = _mlp()
    D.broadcast_shared(fresh)
    want_params, want_losses = _reference([p.get_value() for p in fresh], 6, 12)
    np.testing.assert_allclose(losses, want_losses[3:], rtol=1e-12)
    for p, w in zip(params, want_params):
        np.testing.assert_allclose(p.get_value(), w, rtol=1e-11, atol=1e-14, err_msg=p.name)


def _fail_on_rank_1(fail, calls_before=1, calls_after=1):
    """An all_reduce called by every rank, with rank 1 calling `fail` in between."""
    x = T.dvector("x")
    f = theon.function([x], D.all_reduce(x))
    for _ in range(calls_before):
        f(np.ones(3))
    if D.rank() == 1:
        fail()
    for _ in range(calls_after):
        f(np.ones(3))


def hang():
    _fail_on_rank_1(lambda: time.sleep(600), calls_before=0)


def die():
    _fail_on_rank_1(lambda: os.kill(os.getpid(), signal.SIGKILL), calls_after=100)


def raises():
    def fail():
        raise ValueError("an error of rank 1's own")

    _fail_on_rank_1(fail)


def with_mpi4py():
    """mpi4py initialized MPI first: Theon joins the same world on its own communicator, and
    the user's mpi4py messages and Theon's collectives do not mix."""
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    assert (D.rank(), D.size()) == (comm.Get_rank(), comm.Get_size())
    x = T.dvector("x")
    f = theon.function([x], D.all_reduce(x))
    total = comm.allreduce(D.rank() + 1)
    np.testing.assert_array_equal(f(np.full(2, D.rank() + 1.0)), [total, total])


SCENARIOS = {"collectives": collectives, "with_mpi4py": with_mpi4py, "mismatch": mismatch,
             "data_parallel": data_parallel, "checkpoint": checkpoint, "hang": hang, "die": die, "raises": raises}

if __name__ == "__main__":
    timeout = float(os.environ.get("THEON_TEST_TIMEOUT", "60"))
    name = sys.argv[1]
    if name == "with_mpi4py":
        from mpi4py import MPI  # noqa: F401  (initializes MPI before Theon)
    rank, size = D.init(timeout=timeout)
    SCENARIOS[name](*sys.argv[2:])
    D.barrier()
    if rank == 0:
        print(f"OK {name} on {size} ranks", flush=True)
