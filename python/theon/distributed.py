"""Data-parallel training across processes on MPI.

Start the same script on every process with ``mpirun -np N python script.py``, call
:func:`init` first, then build graphs as usual: the collective ops (:func:`all_reduce`,
:func:`all_gather`, :func:`broadcast`, :func:`reduce_to_root`, :func:`reduce_scatter`) exchange
data inside compiled functions, and :func:`data_parallel` gives the updates of a training step
whose gradients are all-reduced in buckets. Every rank must build and call the same functions
in the same order; a rank that dies or hangs makes the others fail after ``timeout`` seconds
with an error saying so. Without a launcher the process is a world of one, where every
collective is a copy.
"""

import atexit
import sys

import numpy as np

from theon import _core
from theon.gradient import grad
from theon.saving import load, save
from theon.tensor._build import export_registered

# Gradients are all-reduced in buckets of at most this many bytes. Each call costs a latency and
# an argument check, each bucket a join and a split copy of its bytes; as the step does not
# overlap communication with the backward pass, a larger bucket only saves latencies, and the
# bound caps the copies' extra memory (benchmarks/distributed.py times one bucket against one
# call per gradient).
DEFAULT_BUCKET_BYTES = 4 << 20

_finalize_registered = False


def init(timeout=300.0, check_arguments=True):
    """Join the world that ``mpirun`` or ``srun`` started (a world of one without them).

    Call it on every rank before building graphs with collectives. Calling it again only
    changes the options.

    Parameters
    ----------
    timeout : float
        Seconds one collective call may wait for the other ranks before it raises
        RuntimeError (a rank died, hangs, or runs a different program); the job is then
        aborted when the process exits. A rank that ends on an uncaught exception aborts the
        job at once.
    check_arguments : bool
        Exchange each call's dtype and shape first, so ranks passing different ones get a
        ValueError naming every rank's call instead of garbage or a hang.

    Returns
    -------
    tuple of int
        ``(rank, size)``.

    Examples
    --------
    >>> theon.distributed.init()  # without mpirun: a world of one process
    (0, 1)
    """
    global _finalize_registered
    _core.distributed_init(float(timeout), bool(check_arguments))
    if backend() == "mpi" and not _finalize_registered:
        atexit.register(finalize)
        sys.excepthook = _abort_job_after(sys.excepthook)
        _finalize_registered = True
    return rank(), size()


def _abort_job_after(excepthook):
    """``excepthook``, then the end of every rank: the others would wait for this one, which
    leaves on an uncaught exception, until their timeout."""

    def hook(kind, value, traceback):
        excepthook(kind, value, traceback)
        sys.stderr.flush()
        _core.distributed_abort(1)

    return hook


def rank():
    """This process's rank in the world, from 0.

    Returns
    -------
    int
        The rank.

    Examples
    --------
    >>> theon.distributed.rank()
    0
    """
    return _core.distributed_rank()


def size():
    """The number of processes in the world.

    Returns
    -------
    int
        The world size (1 until :func:`init` joins a launcher's world).

    Examples
    --------
    >>> theon.distributed.size()
    1
    """
    return _core.distributed_size()


def backend():
    """What carries the messages.

    Returns
    -------
    str
        ``'mpi'`` in a world started by an MPI launcher, ``'self'`` in a world of one.

    Examples
    --------
    >>> theon.distributed.backend()
    'self'
    """
    return _core.distributed_backend()


def barrier():
    """Wait until every rank has called barrier (within the timeout of :func:`init`).

    Examples
    --------
    >>> theon.distributed.barrier()
    """
    _core.distributed_barrier()


def finalize():
    """Leave the world (registered to run at exit by :func:`init`).

    After a failed collective the ranks are out of step and cannot shut down together: this
    then aborts the whole job, so no rank waits forever.

    Examples
    --------
    >>> theon.distributed.finalize()
    """
    _core.distributed_finalize()


def broadcast_shared(shared_variables, root=0):
    """Set every rank's shared variables to the root's values.

    Parameters
    ----------
    shared_variables : list of SharedVariable
        The same variables, in the same order, on every rank.
    root : int
        The rank whose values every rank gets.

    Examples
    --------
    >>> w = theon.shared(np.ones(2), name='w')
    >>> theon.distributed.broadcast_shared([w])
    >>> w.get_value()
    array([1., 1.])
    """
    for v in shared_variables:
        v.set_value(_core.distributed_broadcast_array(v.get_value(borrow=True), int(root)),
                    borrow=True)


def all_reduce_gradients(grads, params, op="mean", bucket_bytes=DEFAULT_BUCKET_BYTES):
    """The gradients all-reduced over the ranks in buckets of at most ``bucket_bytes``.

    Parameters
    ----------
    grads : list of Variable
        One gradient per parameter.
    params : list of SharedVariable
        The parameters (their current values give the sizes that fill the buckets).
    op : {'mean', 'sum'}
        'mean': each rank's cost is the mean over its part of the global batch.
    bucket_bytes : int
        The most bytes of one all-reduce call (one tensor larger than that goes alone).

    Returns
    -------
    list of Variable
        The reduced gradients, in the order of ``grads``.

    Examples
    --------
    >>> w = theon.shared(np.ones(3), name='w')
    >>> g, = theon.distributed.all_reduce_gradients([2 * w], [w])
    >>> theon.function([], g)()
    array([2., 2., 2.])
    """
    counts = [int(np.size(p.get_value(borrow=True))) for p in params]
    return _core.all_reduce_buckets(list(grads), counts, op, int(bucket_bytes))


def data_parallel(cost, params, updates, bucket_bytes=DEFAULT_BUCKET_BYTES):
    """The updates of a data-parallel training step.

    The parameters are set to rank 0's values (so every rank starts equal), the gradients of
    ``cost`` are averaged over the ranks inside the compiled function (in buckets), and
    ``updates`` turns them into update pairs; every rank then applies the same updates and the
    parameters stay equal. With ``cost`` the mean over this rank's equal part of a global
    batch, the step is the single-process step on the global batch (up to the order of float
    additions).

    Parameters
    ----------
    cost : Variable
        This rank's scalar cost.
    params : list of SharedVariable
        The trained parameters.
    updates : callable
        ``updates(params, grads)`` -> list of (shared variable, new value) pairs.
    bucket_bytes : int
        The most bytes of one all-reduce call.

    Returns
    -------
    list of tuple
        The update pairs, for ``theon.function(..., updates=...)``.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> w = theon.shared(np.zeros(2), name='w')
    >>> sgd = lambda ps, gs: [(p, p - 0.5 * g) for p, g in zip(ps, gs)]
    >>> step = theon.function([x], [], updates=theon.distributed.data_parallel(
    ...     ((w - x) ** 2).sum(), [w], sgd))
    >>> _ = step([1., 2.])
    >>> w.get_value()
    array([1., 2.])
    """
    params = list(params)
    broadcast_shared(params)
    grads = grad(cost, params)
    return list(updates(params, all_reduce_gradients(grads, params, "mean", bucket_bytes)))


def shard(n, of_rank=None, world_size=None):
    """The contiguous part of ``n`` items that belongs to a rank.

    The parts of ranks 0, 1, ... follow one another and differ in length by at most one.

    Parameters
    ----------
    n : int
        The number of items.
    of_rank, world_size : int, optional
        The rank and world size (default: this process's).

    Returns
    -------
    slice
        The rank's items.

    Examples
    --------
    >>> theon.distributed.shard(10, 1, 3)
    slice(4, 7, None)
    """
    r = rank() if of_rank is None else int(of_rank)
    s = size() if world_size is None else int(world_size)
    if not 0 <= r < s:
        raise ValueError(f"distributed.shard: rank {r} is not a rank of a world of {s}")
    base, extra = divmod(int(n), s)
    start = r * base + min(r, extra)
    return slice(start, start + base + (1 if r < extra else 0))


def sharded_batches(arrays, global_batch_size, seed=None, epoch=0):
    """This rank's part of each global batch of ``arrays``.

    Every rank walks the same global batches (shuffled alike when ``seed`` is given); rank r
    gets the r-th of their equal parts, so the mean of the ranks' mean costs is the mean cost
    of the global batch. A last batch shorter than ``global_batch_size`` is dropped.

    Parameters
    ----------
    arrays : list of array_like
        Arrays with the same length (axis 0).
    global_batch_size : int
        Items per step over all ranks; a multiple of the world size.
    seed : int, optional
        Shuffle the items with this seed (the same on every rank).
    epoch : int
        Mixed into the seed, so every epoch has its own order.

    Yields
    ------
    list of ndarray
        This rank's rows of each array for one step.

    Examples
    --------
    >>> xs = np.arange(8.0)
    >>> [b[0].tolist() for b in theon.distributed.sharded_batches([xs], 4)]
    [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]]
    """
    arrays = [np.asarray(a) for a in arrays]
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise ValueError("distributed.sharded_batches: the arrays differ in length: "
                         f"{[len(a) for a in arrays]}")
    s = size()
    if global_batch_size <= 0 or global_batch_size % s:
        raise ValueError(f"distributed.sharded_batches: global_batch_size must be a positive "
                         f"multiple of the world size {s}, got {global_batch_size}")
    order = np.arange(n)
    if seed is not None:
        order = np.random.default_rng([int(seed), int(epoch)]).permutation(n)
    mine = shard(global_batch_size)
    for start in range(0, n - global_batch_size + 1, global_batch_size):
        rows = order[start:start + global_batch_size][mine]
        yield [a[rows] for a in arrays]


def save_checkpoint(obj, path):
    """Write ``obj`` with :func:`theon.save` on rank 0, then wait for every rank.

    Parameters
    ----------
    obj : object
        What :func:`theon.save` takes (shared variables, functions, arrays, ...).
    path : str or os.PathLike
        The file, on a file system every rank reads.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), 'ckpt.theon')
    >>> theon.distributed.save_checkpoint({'step': 3}, path)
    >>> theon.distributed.load_checkpoint(path)
    {'step': 3}
    """
    if rank() == 0:
        save(obj, path)
    barrier()


def load_checkpoint(path):
    """What :func:`save_checkpoint` wrote, read on every rank.

    Parameters
    ----------
    path : str or os.PathLike
        The file.

    Returns
    -------
    object
        The saved object.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), 'ckpt.theon')
    >>> theon.distributed.save_checkpoint([1, 2], path)
    >>> theon.distributed.load_checkpoint(path)
    [1, 2]
    """
    return load(path)


__all__ = ["init", "rank", "size", "backend", "barrier", "finalize", "broadcast_shared",
           "all_reduce_gradients", "data_parallel", "shard", "sharded_batches",
           "save_checkpoint", "load_checkpoint", "DEFAULT_BUCKET_BYTES"]
__all__ += export_registered(globals(), "distributed")
