"""Shared machinery of the benchmark runner: the systems compared, thread pinning, timing, the
correctness check, and the conversion of each system's results to NumPy.

Every (workload, system) pair runs in a worker process of its own (see run.py), so a peer that
crashes, leaks threads or holds memory cannot disturb the others' figures.
"""

import importlib
import os
import statistics
import sys
import time

import numpy as np

# Column order of the tables. "numpy" is both a peer and the reference every result is checked
# against; "blas" is the BLAS library called directly through scipy.linalg.blas.
SYSTEMS = ["theon", "numpy", "numexpr", "blas", "pytensor_c", "pytensor_numba", "jax", "torch",
           "torch_compile"]

LABELS = {
    "theon": "Theon",
    "numpy": "NumPy",
    "numexpr": "numexpr",
    "blas": "BLAS direct",
    "pytensor_c": "PyTensor C",
    "pytensor_numba": "PyTensor Numba",
    "jax": "JAX (CPU, jit)",
    "torch": "PyTorch eager",
    "torch_compile": "torch.compile",
}

# The distribution name setup_peers.sh records for each system.
PACKAGE = {
    "theon": "theon", "numpy": "numpy", "numexpr": "numexpr", "blas": "scipy",
    "pytensor_c": "pytensor", "pytensor_numba": "numba", "jax": "jax", "torch": "torch",
    "torch_compile": "torch",
}


def thread_env(threads):
    """Environment variables that cap every library's thread pool at ``threads``; set before the
    worker imports anything, because OpenBLAS, OpenMP and XLA read them once at load."""
    n = str(threads)
    env = {
        "OMP_NUM_THREADS": n, "OPENBLAS_NUM_THREADS": n, "MKL_NUM_THREADS": n,
        "NUMEXPR_NUM_THREADS": n, "NUMEXPR_MAX_THREADS": n, "NUMBA_NUM_THREADS": n,
        "JAX_PLATFORMS": "cpu",
    }
    # XLA's CPU client has no thread-count flag: one thread is asked for by turning Eigen's pool
    # off; for more, the CPU affinity set by pin_threads is what holds it to the cap.
    if threads == 1:
        env["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    return env


def pin_threads(threads):
    """Pins this process to ``threads`` CPUs: the one cap every library obeys, whatever its own
    knobs do (systems.torch sets Torch's pool as well, since Torch sizes it from the CPU count)."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, cpus[:threads])
    except (AttributeError, OSError):
        pass


def peers_status_file():
    """The install record setup_peers.sh leaves in the venv, if this Python is that venv's."""
    path = os.path.join(sys.prefix, "peers-status.txt")
    return path if os.path.exists(path) else None


def install_failures():
    """{package: reason} of the peers setup_peers.sh could not install."""
    path = peers_status_file()
    failures = {}
    if path:
        with open(path) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 2 and parts[1] == "failed":
                    failures[parts[0]] = parts[2] if len(parts) > 2 else "install failed"
    return failures


def availability(system):
    """None when ``system`` can run here, else why not (shown in the table)."""
    try:
        if system == "theon":
            importlib.import_module("theon")
        elif system == "numpy":
            pass
        elif system == "numexpr":
            importlib.import_module("numexpr")
        elif system == "blas":
            importlib.import_module("scipy.linalg.blas")
        elif system == "pytensor_c":
            pytensor = importlib.import_module("pytensor")
            if not pytensor.config.cxx:
                return "no C++ compiler for PyTensor"
        elif system == "pytensor_numba":
            importlib.import_module("pytensor")
            importlib.import_module("numba")
        elif system == "jax":
            importlib.import_module("jax")
        elif system in ("torch", "torch_compile"):
            importlib.import_module("torch")
    except Exception as e:  # an import that fails for any reason means the peer cannot run
        failure = install_failures().get(PACKAGE[system])
        if failure:
            return f"not installed ({failure})"
        return f"not installed ({type(e).__name__}: {str(e).splitlines()[0][:80]})"
    return None


def to_numpy(value):
    """A system's result as NumPy arrays (tuples and lists element by element)."""
    if isinstance(value, (tuple, list)):
        return [to_numpy(v) for v in value]
    if hasattr(value, "detach"):  # torch
        return value.detach().cpu().numpy()
    return np.asarray(value)


def check(got, expected, rtol, atol):
    """None when ``got`` matches ``expected`` (both possibly lists), else a short description."""
    got = to_numpy(got)
    if not isinstance(expected, (tuple, list)):
        expected = [expected]
        if not isinstance(got, list):
            got = [got]
    if len(got) != len(expected):
        return f"{len(got)} results, expected {len(expected)}"
    for i, (g, e) in enumerate(zip(got, expected)):
        g = np.asarray(g)
        e = np.asarray(e)
        if g.shape != e.shape and g.size == e.size:
            g = g.reshape(e.shape)
        if g.shape != e.shape:
            return f"result {i}: shape {g.shape}, expected {e.shape}"
        if not np.allclose(g, e, rtol=rtol, atol=atol, equal_nan=True):
            err = np.max(np.abs(g.astype(np.float64) - e.astype(np.float64)))
            return f"result {i}: max abs error {err:.3g}"
    return None


def median_time(fn, repeats, min_time, number=None):
    """Median seconds per call of ``fn`` over ``repeats`` repeats. Each repeat runs ``number``
    calls, chosen (when not given) so that one repeat lasts at least ``min_time`` seconds."""
    if number is None:
        number = 1
        while True:
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            elapsed = time.perf_counter() - t0
            if elapsed >= min_time or number >= 10**6:
                break
            number = max(number * 2, int(number * min_time / max(elapsed, 1e-9) * 1.2))
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times), number


def interleaved_median_times(fns, repeats, calls=1):
    """Seconds per call of each of ``fns``: the median over ``repeats`` rounds of ``calls`` calls,
    the functions taking turns within each round (after one warm-up call each), so that load
    on a shared machine falls on all of them alike."""
    samples = [[] for _ in fns]
    for fn in fns:
        fn()
    for _ in range(repeats):
        for s, fn in zip(samples, fns):
            t0 = time.perf_counter()
            for _ in range(calls):
                fn()
            s.append((time.perf_counter() - t0) / calls)
    return [statistics.median(s) for s in samples]


def rss_bytes():
    """Current resident set size of this process."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def reset_peak_rss():
    """Resets the kernel's high-water mark of this process's RSS (Linux clear_refs = 5);
    returns False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")
