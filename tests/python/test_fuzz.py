"""The differential fuzzer (tests/python/fuzz/) in CI: a few hundred seeded random graphs and
gradients checked against NumPy under FAST_RUN and FAST_COMPILE, a batch of them through
generated kernels, and every saved regression case replayed. Locally,
`python -m tests.python.fuzz --n 10000 --seed S` checks more."""

import os

import numpy as np
import pytest

import theon
from fuzz.__main__ import main
from fuzz.check import check_gradient, check_specs, compare, settings
from fuzz.generate import random_spec
from fuzz.graph import evaluate_numpy
from fuzz.minimize import load_regressions, minimize, save_regression
from fuzz.run import fuzz


def _fuzz(n, seed, **kw):
    lines = []
    counts = fuzz(n, seed, save=None, log=lines.append, **kw)
    assert counts["mismatches"] == 0 and counts["crashes"] == 0, "\n".join(lines)
    return counts


@pytest.mark.parametrize("seed", range(4))
def test_fuzzed_graphs_match_numpy(seed):
    counts = _fuzz(100, seed, cxx="")
    assert counts["graphs"] == 80 and counts["gradients"] == 20


def test_fuzzed_graphs_match_numpy_through_generated_kernels(tmp_path):
    with theon.config.change_flags(compiledir=str(tmp_path)):
        _fuzz(50, 1000, batch=25, cxx=os.environ.get("CXX") or "g++")


@pytest.mark.parametrize("cxx", ["", os.environ.get("CXX") or "g++"])
def test_saved_regression_cases_pass(cxx, tmp_path):
    # Forward cases in one batch (one generated module), on precompiled and generated kernels.
    cases = load_regressions()
    with theon.config.change_flags(compiledir=str(tmp_path)), settings(cxx):
        forward = [(n, c["spec"]) for n, c in cases if c["kind"] == "forward"]
        problems = dict(zip([n for n, _ in forward], check_specs([s for _, s in forward])))
        problems.update((n, check_gradient(c["spec"])) for n, c in cases if c["kind"] == "grad")
    assert cases and not any(problems.values()), {n: p for n, p in problems.items() if p}


def test_compare_names_each_kind_of_difference():
    a = np.array([1.0, np.nan, np.inf, -0.0])
    assert compare(a.copy(), a) is None
    assert "NaN" in compare(np.array([1.0, 2.0, np.inf, -0.0]), a)
    assert "infinities" in compare(np.array([1.0, np.nan, -np.inf, -0.0]), a)
    assert "zero signs" in compare(np.array([1.0, np.nan, np.inf, 0.0]), a)
    assert compare(np.array([1.0, 2.0, -np.inf, 0.0]), a, strict=False) is None
    assert compare(np.array([1.0, np.nan, np.inf, 0.0]), a, zero_signs=False) is None
    assert "values differ" in compare(np.array([1.1, np.nan, np.inf, -0.0]), a)
    assert "dtype" in compare(a.astype("float32"), a)
    assert "values differ" in compare(np.array([1, 2]), np.array([1, 3]))


def test_minimizer_keeps_the_failure_and_drops_the_rest(tmp_path):
    rng = np.random.default_rng(5)
    spec = next(s for s in (random_spec(rng) for _ in range(500))
                if s and len(s["nodes"]) >= 4 and any(n["op"] == "self_sub" for n in s["nodes"]))

    def fails(s):
        return any(n["op"] == "self_sub" for n in s["nodes"])

    small = minimize(spec, fails)
    assert fails(small) and len(small["nodes"]) == 1 and len(small["outputs"]) == 1
    assert all(d <= 1 for inp in small["inputs"] for d in inp["shape"])
    evaluate_numpy(small)
    path = save_regression(small, "forward", [("mismatch", "example")], str(tmp_path))
    (name, case), = load_regressions(str(tmp_path))
    assert os.path.basename(path) == name and case["spec"] == small


def test_command_line_reports_counts(capsys):
    assert main(["--n", "30", "--seed", "9", "--cxx", "", "--save", ""]) == 0
    assert "24 graphs, 6 gradients, 0 mismatches, 0 crashes" in capsys.readouterr().out
