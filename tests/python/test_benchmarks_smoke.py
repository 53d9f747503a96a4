"""The benchmark runner's smoke mode (tiny sizes) end to end, so the benchmarks never rot: every
workload runs, Theon's results pass the runner's correctness check, and peers that cannot be
imported are listed as not installed. The figures themselves are not looked at."""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
BENCH = os.path.join(ROOT, "benchmarks")


def _load_runner():
    sys.path.insert(0, BENCH)
    spec = importlib.util.spec_from_file_location("bench_run", os.path.join(BENCH, "run.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def smoke_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    # The workers compile Theon's generated kernels into a private cache.
    env = dict(os.environ, THEON_FLAGS=f"compiledir={out / 'compiledir'}")
    proc = subprocess.run([sys.executable, os.path.join(BENCH, "run.py"), "--smoke",
                           "--out", str(out)], capture_output=True, text=True, timeout=900,
                          env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(out / "latest.json") as f:
        report = json.load(f)
    with open(out / "latest.md") as f:
        return report, f.read()


def test_every_workload_runs_and_theon_passes_the_check(smoke_report):
    report, _ = smoke_report
    runner = _load_runner()
    assert list(report["workloads"]) == runner.ORDER
    for name, workload in report["workloads"].items():
        assert workload["rows"], name
        for row in workload["rows"]:
            theon = row["results"]["theon"]
            assert theon["status"] == "ok", (name, row["case"], theon)
            assert theon.get("seconds", theon.get("cost")) is not None


def test_numpy_rows_are_measured_and_ratios_computed(smoke_report):
    report, _ = smoke_report
    for name in ("call", "elemwise", "reduce", "gemm", "logreg", "mlp", "softmax_xent"):
        for row in report["workloads"][name]["rows"]:
            assert row["results"]["numpy"]["status"] == "ok", (name, row)
            assert row["ratio"] > 0
    for row in report["workloads"]["gemm"]["rows"]:
        assert row["results"]["blas"]["status"] == "ok", row


def test_missing_peers_are_listed_not_dropped(smoke_report):
    report, text = smoke_report
    missing = [s for s, info in report["availability"].items() if info["missing"]]
    for s in missing:
        for workload in report["workloads"].values():
            for row in workload["rows"]:
                assert row["results"][s]["status"] == "not installed", (s, row)
    runner = _load_runner()
    for s in report["systems"]:
        assert runner.harness.LABELS[s] in text
    if missing:
        assert "not installed" in text


def test_a_wrong_result_marks_the_row_instead_of_being_timed():
    runner = _load_runner()

    class Wrong:
        @staticmethod
        def setup(case):
            return {"expected": np.arange(3.0), "tol": (1e-7, 0)}

        @staticmethod
        def build(system, case, data):
            return lambda: np.arange(3.0) + 1e-3

    args = runner.parse(["--smoke"])
    record = runner._time_case(Wrong, args, {"id": "wrong"})
    assert record["status"] == "mismatch"
    assert "seconds" not in record
    assert "max abs error" in record["note"]


def test_a_wrong_dtype_marks_the_row():
    runner = _load_runner()

    class Upcast:
        @staticmethod
        def setup(case):
            return {"expected": np.ones(3, np.float32), "dtype_of": "float32"}

        @staticmethod
        def build(system, case, data):
            return lambda: np.ones(3)

    record = runner._time_case(Upcast, runner.parse(["--smoke"]), {"id": "upcast"})
    assert record["status"] == "mismatch"
    assert "float64" in record["note"]


def test_the_gpu_benchmark_runs_small_on_opencl(tmp_path):
    # benchmarks/gpu.py on PoCL at its small sizes: every workload runs and checks its values
    # (the figures are no speed figures there).
    from theon import _core

    try:
        _core.device_name("opencl0:0")
    except RuntimeError as e:
        pytest.skip(f"no OpenCL device: {e}")
    out = tmp_path / "gpu.json"
    proc = subprocess.run([sys.executable, os.path.join(BENCH, "gpu.py"), "--device", "opencl0:0",
                           "--small", "--repeats", "1", "--out", str(out)], capture_output=True,
                          text=True, timeout=600, cwd=BENCH)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["small (not speed figures)"] is True
    workloads = [row["workload"] for row in report["rows"]]
    assert len(workloads) == 7 and workloads[0].startswith("fused") and "MLP" in workloads[5]
    assert all(row.get("ms", 1) > 0 for row in report["rows"]), report
