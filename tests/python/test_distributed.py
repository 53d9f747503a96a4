"""theon.distributed in one process (a world of one, no launcher): the world, the collective
ops' graphs, errors and the data helpers. Across processes: test_distributed_mpi.py."""

import os
import subprocess
import sys

import numpy as np
import pytest

from error_match import raises_matching

import theon
import theon.distributed as D
import theon.tensor as T


def test_without_a_launcher_the_world_is_one_process():
    assert D.init() == (0, 1)
    assert (D.rank(), D.size(), D.backend()) == (0, 1, "self")
    D.barrier()


def test_init_rejects_a_timeout_that_is_not_positive():
    raises_matching(ValueError, lambda: D.init(timeout=0), "timeout must be a positive number")


def test_collectives_in_a_world_of_one_return_their_input():
    x = T.dmatrix("x")
    outs = [D.all_reduce(x, op) for op in ("sum", "mean", "max", "min")]
    outs += [D.all_gather(x), D.broadcast(x), D.reduce_to_root(x), D.reduce_scatter(x)]
    v = np.arange(6.0).reshape(2, 3)[:, ::-1]  # not contiguous
    for got in theon.function([x], outs)(v):
        np.testing.assert_array_equal(got, v)


def test_static_shapes_follow_the_world_size():
    x = T.TensorType("float32", (4, None))("x")
    assert D.all_gather(x).type.shape == (4, None)
    assert D.reduce_scatter(x).type.shape == (4, None)
    assert D.all_reduce(x, "max").dtype == "float32"


def test_collectives_are_not_folded_at_compile_time():
    f = theon.function([], D.all_reduce(T.constant(np.ones(3)), "sum"))
    ops = {type_name for type_name in theon.printing.debugprint(f, file="str").split()}
    assert any("AllReduce" in o for o in ops), theon.printing.debugprint(f, file="str")
    np.testing.assert_array_equal(f(), np.ones(3))


def test_gradients_are_collectives_of_the_output_gradients():
    x = T.dvector("x")
    names = {
        D.all_reduce(x, "sum"): "AllReduce{op=sum}",
        D.all_reduce(x, "mean"): "AllReduce{op=mean}",
        D.all_gather(x): "ReduceScatter{op=sum",
        D.reduce_scatter(x): "AllGather",
        D.broadcast(x, root=0): "Reduce{op=sum,root=0}",
        D.reduce_to_root(x, "sum", root=0): "Broadcast{root=0}",
    }
    for y, want in names.items():
        g = theon.grad((y * y).sum(), x)
        text = theon.printing.debugprint(g, file="str")
        assert want in text, text


def test_bad_arguments_name_the_op_and_the_users_line():
    x, i = T.dvector("x"), T.lvector("i")
    raises_matching(TypeError, lambda: D.all_reduce(i, "mean"),
                    r"AllReduce\{op=mean\}: op='mean' needs a float input, got "
                    r"TensorType\(int64", "test_distributed.py")
    raises_matching(ValueError, lambda: D.all_reduce(x, "prod"),
                    "all_reduce: op must be 'sum', 'mean', 'max' or 'min', got 'prod'")
    raises_matching(TypeError, lambda: D.all_gather(T.dscalar("s")),
                    "AllGather.*expected an input of at least 1 dimension")
    raises_matching(ValueError, lambda: D.broadcast(x, root=-1),
                    "broadcast: root must be a rank")
    f = theon.function([x], D.broadcast(x, root=1))
    raises_matching(ValueError, lambda: f(np.ones(2)),
                    r"Broadcast\{root=1\}: root 1 is not a rank of this world of 1",
                    "test_distributed.py")


def test_bucketed_all_reduce_returns_each_tensor_in_its_shape():
    ws = [theon.shared(np.arange(k * 3.0).reshape(k, 3), name=f"w{k}") for k in (1, 2, 4)]
    b = theon.shared(np.float32([1.5, -2.0]), name="b")
    params = ws + [b]
    grads = [2 * w for w in ws] + [b * np.float32(3)]
    for bucket_bytes in (1, 48, 1 << 20):
        reduced = D.all_reduce_gradients(grads, params, "mean", bucket_bytes)
        got = theon.function([], reduced)()
        for g, p in zip(got, params):
            want = p.get_value() * (3 if p is b else 2)
            assert g.dtype == want.dtype and g.shape == want.shape
            np.testing.assert_array_equal(g, want)
    buckets = theon.printing.debugprint(
        theon.function([], D.all_reduce_gradients(grads, params, "mean", 1 << 20)), file="str")
    assert buckets.count("AllReduce") == 2, buckets  # one float64 bucket, one float32


def test_bucketing_checks_its_arguments():
    w = theon.shared(np.ones(2), name="w")
    raises_matching(ValueError, lambda: D.all_reduce_gradients([w], [w], "mean", 0),
                    "bucket_bytes must be positive")
    raises_matching(ValueError, lambda: D.all_reduce_gradients([w, w], [w], "mean", 8),
                    "expected one element count per tensor")


def test_data_parallel_in_one_process_is_plain_sgd():
    x = T.dvector("x")
    w = theon.shared(np.zeros(2), name="w")
    sgd = lambda ps, gs: [(p, p - 0.25 * g) for p, g in zip(ps, gs)]  # noqa: E731
    step = theon.function([x], [], updates=D.data_parallel(((w - x) ** 2).sum(), [w], sgd))
    step([2.0, 4.0])
    np.testing.assert_array_equal(w.get_value(), [1.0, 2.0])


def test_shards_cover_the_items_once_in_order():
    for n in (0, 1, 7, 12):
        for size in (1, 2, 3, 5):
            parts = [D.shard(n, r, size) for r in range(size)]
            assert [i for p in parts for i in range(n)[p]] == list(range(n))
            assert max(len(range(n)[p]) for p in parts) - min(len(range(n)[p]) for p in parts) <= 1
    raises_matching(ValueError, lambda: D.shard(4, 3, 3), "rank 3 is not a rank of a world of 3")


def test_sharded_batches_walk_the_global_batches_alike_on_every_seed():
    xs, ys = np.arange(10.0), np.arange(10) * 2
    batches = list(D.sharded_batches([xs, ys], 4, seed=5, epoch=1))
    assert len(batches) == 2  # the last 2 items do not fill a batch
    order = np.random.default_rng([5, 1]).permutation(10)
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), order[:8])
    np.testing.assert_array_equal(batches[0][1], 2 * batches[0][0].astype(int))
    raises_matching(ValueError, lambda: next(D.sharded_batches([xs, ys[:3]], 2)),
                    "the arrays differ in length")
    raises_matching(ValueError, lambda: next(D.sharded_batches([xs], 0)),
                    "positive multiple of the world size 1, got 0")


def test_a_launched_process_without_mpi_support_or_with_it_gets_a_clear_world():
    # A launcher's environment with one process is still a world of one.
    env = dict(os.environ, OMPI_COMM_WORLD_SIZE="1")
    out = subprocess.run([sys.executable, "-c", "import theon; print(theon.distributed.init())"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "(0, 1)", out.stderr


@pytest.mark.parametrize("op", ["sum", "max"])
def test_numeric_gradient_through_collectives(op):
    theon.gradient.verify_grad(lambda a: (D.all_reduce(a, op) ** 2).sum(),
                               [np.random.default_rng(0).standard_normal((2, 3))])
