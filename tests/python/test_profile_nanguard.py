"""The run-time tools: profiler (profile=True), NanGuardMode and DebugMode."""

import inspect

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.compile import NanGuardMode


def _line():
    return inspect.currentframe().f_back.f_lineno


def test_profile_summary_lists_op_types_and_node_times_sum_to_total(capsys):
    x = T.vector("x", dtype="float64")
    y = T.exp(x) + x * x
    f = theon.function([x], y, profile=True, mode="NONE")
    a = np.arange(200000, dtype="float64") / 1e5
    for _ in range(4):
        np.testing.assert_allclose(f(a), np.exp(a) + a * a)
    p = f.profile
    assert p.calls == 4
    names = [n[0] for n in p.nodes]
    assert sorted(names) == ["Elemwise{add}", "Elemwise{exp}", "Elemwise{mul}"]
    assert all(n[4] == 4 for n in p.nodes)
    node_total = sum(n[3] for n in p.nodes)
    assert node_total == pytest.approx(p.node_time)
    assert 0.5 * p.vm_time < node_total <= p.vm_time
    assert p.compile_time == pytest.approx(p.import_time + p.rewrite_time + p.codegen_time +
                                           p.link_time)
    text = p.summary()
    printed = capsys.readouterr().err
    assert printed.strip() == text.strip()
    for name in names:
        assert name in text
    for word in ("Per op type", "Per node", "rewriting", "linking", "profiler overhead",
                 "per call", "share"):
        assert word in text
    assert "test_profile_nanguard.py" in text  # where each node was built


def test_profile_off_by_default_and_config_flag():
    x = T.vector("x", dtype="float64")
    assert theon.function([x], T.exp(x)).profile is None
    with theon.config.change_flags(profile=True):
        f = theon.function([x], T.exp(x))
    f(np.ones(3))
    assert f.profile is not None and f.profile.calls == 1


def test_nanguard_names_node_and_line():
    x = T.vector("x", dtype="float64")
    line = _line() + 1
    bad = T.log(x)
    y = T.exp(bad + x)
    f = theon.function([x], y, mode="NanGuardMode")
    np.testing.assert_allclose(f(np.array([1.0, 2.0])), np.exp(np.log([1.0, 2.0]) + [1, 2]))
    with pytest.raises(ValueError) as info:
        f(np.array([-1.0, 2.0, 3.0]))
    msg = str(info.value)
    assert "NaN" in msg and "Elemwise{log}" in msg
    assert f"test_profile_nanguard.py:{line}" in msg
    assert "min=-1 max=3 mean=1.33333" in msg and "nan=0, inf=0" in msg
    g = theon.function([x], y)
    assert np.isnan(g(np.array([-1.0]))[0])


def test_nanguard_inf_and_big_values():
    x = T.vector("x", dtype="float32")
    f = theon.function([x], T.exp(x), mode=NanGuardMode())
    with pytest.raises(ValueError, match="Inf"):
        f(np.array([200.0], dtype="float32"))
    f(np.array([30.0], dtype="float32"))
    g = theon.function([x], T.exp(x), mode=NanGuardMode(big_is_error=True, big_value=1e10))
    with pytest.raises(ValueError, match="larger in magnitude"):
        g(np.array([30.0], dtype="float32"))
    g(np.array([3.0], dtype="float32"))


def test_debugmode_passes_ordinary_graph():
    x = T.matrix("x", dtype="float64")
    y = (T.exp(x) + x.T).sum(axis=0)
    f = theon.function([x], y, mode="DebugMode")
    a = np.random.default_rng(0).standard_normal((3, 3))
    np.testing.assert_allclose(f(a), (np.exp(a) + a.T).sum(axis=0))


def test_unknown_mode():
    x = T.vector("x")
    with pytest.raises(ValueError, match="NanGuardMode or DebugMode"):
        theon.function([x], x * 2, mode="NoSuchMode")


def test_profiles_are_printed_at_exit_with_the_flag():
    import subprocess
    import sys

    code = ("import numpy as np, theon, theon.tensor as T\n"
            "x = T.vector('x'); f = theon.function([x], T.exp(x) * 2, name='g')\n"
            "f(np.ones(3))\n")
    env = dict(__import__("os").environ, THEON_FLAGS="profile=True")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    # On stderr, as Theano (config.profiling__destination defaults to stderr there).
    assert "Fused" in r.stderr and "g" in r.stderr  # exp(x) * 2 is one fused loop


def test_profile_reports_the_peak_memory_of_the_storage_plan():
    # x (8 MB) -> a = exp(x) (8 MB) -> b = a * 2 (8 MB, a released after) -> sum: at most x, a
    # and b are alive together (24 MB); never less than x plus one intermediate (16 MB).
    x = T.vector("x")
    f = theon.function([x], T.sum(T.exp(x) * 2), profile=True,
                       mode=theon.Mode("FAST_RUN").excluding("inplace"))
    f(np.ones(1_000_000))
    mib = f.profile.peak_bytes / 2**20
    assert 16 * 1e6 / 2**20 <= mib <= 24 * 1e6 / 2**20 + 0.01, mib
    assert "peak memory of the storage plan" in f.profile.summary()
