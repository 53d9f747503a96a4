"""theon.distributed across processes: `mpirun -np 2` (and 3) on loopback, each rank running a
scenario of distributed_worker.py that checks its results itself. Skips when mpirun is missing
or Theon was built without MPI."""

import os
import shutil
import subprocess
import sys
import time

import pytest

from theon import _core

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "distributed_worker.py")
ROOT = os.path.dirname(os.path.dirname(HERE))


def _mpi_available():
    if shutil.which("mpirun") is None:
        return "mpirun is not installed (Debian: openmpi-bin, libopenmpi-dev)"
    env = dict(os.environ, OMPI_COMM_WORLD_SIZE="2")
    probe = subprocess.run([sys.executable, "-c", "import theon; theon.distributed.init()"],
                           env=env, capture_output=True, text=True, timeout=60)
    if "built without MPI" in probe.stderr:
        return "Theon was built without MPI"
    return None


_SKIP = _mpi_available()
pytestmark = pytest.mark.skipif(_SKIP is not None, reason=_SKIP or "")


def mpirun(np_, *args, timeout=60, rank_timeout=30):
    """Runs the worker on np_ ranks; returns (returncode, output, seconds)."""
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_btl="self,vader,tcp", OMPI_MCA_btl_tcp_if_include="lo",
               OMPI_MCA_oob_tcp_if_include="lo", OMPI_MCA_rmaps_base_oversubscribe="1",
               THEON_TEST_TIMEOUT=str(rank_timeout), OPENBLAS_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join(filter(None, [HERE, os.environ.get("PYTHONPATH")])))
    cmd = ["mpirun", "--oversubscribe", "-np", str(np_), sys.executable, WORKER, *args]
    t0 = time.monotonic()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    return p.returncode, p.stdout + p.stderr, time.monotonic() - t0


def _ok(np_, *args):
    rc, out, _ = mpirun(np_, *args)
    assert rc == 0 and f"OK {args[0]} on {np_} ranks" in out, out


@pytest.mark.parametrize("np_", [2, 3])
def test_collectives_and_their_gradients_match_numpy(np_):
    _ok(np_, "collectives")


def test_theon_shares_the_world_with_mpi4py():
    pytest.importorskip("mpi4py.MPI",
                        reason="mpi4py (requirements-dev.txt) is missing or finds no MPI library")
    _ok(2, "with_mpi4py")


def test_ranks_passing_different_shapes_or_dtypes_get_an_error_naming_each_call():
    _ok(2, "mismatch")


@pytest.mark.parametrize("np_,bucket_bytes", [(2, 1 << 20), (3, 64)])
def test_data_parallel_training_equals_one_process_on_the_global_batch(np_, bucket_bytes):
    _ok(np_, "data_parallel", str(bucket_bytes))


def test_training_resumes_from_a_checkpoint(tmp_path):
    path = str(tmp_path / "ckpt.theon")
    _ok(2, "checkpoint", "save", path)
    _ok(2, "checkpoint", "resume", path)


def test_a_rank_that_hangs_makes_the_others_fail_within_the_timeout():
    rc, out, seconds = mpirun(2, "hang", rank_timeout=2, timeout=60)
    assert rc != 0, out
    assert "distributed all_reduce on rank 0 of 2: not every rank joined within 2 s" in out, out
    assert seconds < 30, (seconds, out)


def test_a_rank_that_dies_ends_the_job_with_an_error():
    rc, out, seconds = mpirun(2, "die", rank_timeout=5, timeout=60)
    assert rc != 0, out
    # mpirun notices the dead rank and ends the job; failing that, the other rank's timeout.
    assert ("exited on signal 9" in out or "not every rank joined" in out), out
    assert seconds < 30, (seconds, out)


def test_a_rank_that_raises_ends_the_job_at_once_with_its_error():
    rc, out, seconds = mpirun(2, "raises", rank_timeout=120, timeout=60)
    assert rc != 0, out
    assert "ValueError: an error of rank 1's own" in out, out
    assert "not every rank joined" not in out, out  # not ended by the other rank's timeout
    assert seconds < 30, (seconds, out)


def test_the_mlp_example_reaches_the_one_process_loss_with_the_doubled_batch():
    example = os.path.join(ROOT, "examples", "mpi_mlp.py")
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OPENBLAS_NUM_THREADS="1")
    one = subprocess.run([sys.executable, example, "--batch", "64", "--epochs", "2"], env=env,
                         capture_output=True, text=True, timeout=120)
    two = subprocess.run(["mpirun", "--oversubscribe", "-np", "2", sys.executable, example,
                          "--batch", "32", "--epochs", "2"], env=env, capture_output=True,
                         text=True, timeout=120)
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr

    def final_loss(out):
        lines = [ln for ln in out.splitlines() if ln.startswith("final loss")]
        assert len(lines) == 1, out
        return float(lines[0].split()[2])

    assert "on 2 process(es)" in two.stdout, two.stdout
    assert abs(final_loss(one.stdout) - final_loss(two.stdout)) < 1e-9, (one.stdout, two.stdout)


def test_the_benchmark_runs_on_one_and_two_processes():
    """benchmarks/distributed.py at tiny sizes, so it never rots (its figures are not looked
    at here)."""
    pytest.importorskip("mpi4py.MPI", reason="the benchmark's peer is mpi4py")
    p = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "distributed.py"),
                        "--repeats", "1", "--batch", "8"], capture_output=True, text=True,
                       timeout=120, cwd=ROOT,
                       env=dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1",
                                OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1"))
    assert p.returncode == 0, p.stdout + p.stderr
    for row in ("| 1 |", "| 2 |", "| 8 B |", "| 8 |", "| 64 |"):
        assert any(line.startswith(row) for line in p.stdout.splitlines()), (row, p.stdout)
