"""Generated kernels: scalar ops fused into random trees compute what their precompiled
kernels compute (each op alone: the op table, test_op_table.py); fused reductions; inplace
fused loops; the on-disk cache (a second process loads without compiling, concurrent compiles,
a killed compile, a truncated library); running without a compiler."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import theon
import theon.tensor as T

RNG = np.random.default_rng(1234)


def reference(inputs, outputs):
    """The same rewrites without fusion, so only the kernels differ (FAST_COMPILE would also
    differ where stabilization changes values, e.g. log(1 + y) -> log1p(y))."""
    return theon.function(inputs, outputs, mode=theon.Mode("FAST_RUN").excluding("fusion"))


def fused_nodes(f):
    return [n for n in f.debugprint(print_type=False).splitlines() if "Fused{" in n]


def sample(dtype, shape):
    """Values that exercise each dtype: for floats some zeros, negatives, infinities and NaN."""
    if dtype == "bool":
        return RNG.random(shape) < 0.5
    if dtype.startswith("uint"):
        return RNG.integers(0, 9, shape).astype(dtype)
    if dtype.startswith("int"):
        return RNG.integers(-6, 7, shape).astype(dtype)
    a = RNG.uniform(-3, 3, shape).astype(dtype)
    flat = a.reshape(-1)
    if flat.size >= 6:
        flat[:6] = [0.0, -0.0, np.inf, -np.inf, np.nan, 0.5]
    return a


def assert_same(got, want, dtype):
    assert got.dtype == want.dtype and got.shape == want.shape
    if np.dtype(dtype).kind == "f":
        tol = 1e-5 if np.dtype(dtype) == np.float32 else 1e-12
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, want)


UNARY = ["exp", "tanh", "sin", "cos", "sqrt", "log1p", "abs", "sigmoid", "softplus", "sqr", "neg",
         "floor", "expm1", "arctan", "erf"]
BINARY = ["add", "sub", "mul", "true_divide", "maximum", "minimum", "pow", "mod", "arctan2"]


def random_tree(leaves, depth):
    if depth == 0 or RNG.random() < 0.2:
        return leaves[RNG.integers(len(leaves))]
    if RNG.random() < 0.45:
        op = UNARY[RNG.integers(len(UNARY))]
        x = random_tree(leaves, depth - 1)
        if op in ("sqrt", "log1p"):
            x = abs(x)
        return T.build(op, x)
    op = BINARY[RNG.integers(len(BINARY))]
    return T.build(op, random_tree(leaves, depth - 1), random_tree(leaves, depth - 1))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_random_fused_trees_match_the_unfused_graph(codegen, dtype):
    x = T.tensor(dtype, shape=(None, None), name="x")
    y = T.tensor(dtype, shape=(None,), name="y")
    z = T.tensor(dtype, shape=(None, 1), name="z")
    c = np.asarray(1.5, dtype=dtype)
    trees = [random_tree([x, y, z, T.constant(c)], 5) for _ in range(24)]
    trees = [t * 1 + x for t in trees]  # every tree has the full shape and some work
    f = theon.function([x, y, z], trees)
    assert f.kernels["state"] == "installed", f.kernels["error"]
    assert fused_nodes(f)
    g = reference([x, y, z], trees)
    xs = sample(dtype, (64, 33))
    for args in [(xs, sample(dtype, (33,)), sample(dtype, (64, 1))),
                 (xs[::2, ::3], sample(dtype, (11,)), sample(dtype, (32, 1))),  # strided
                 (np.zeros((0, 33), dtype), sample(dtype, (33,)), sample(dtype, (0, 1)))]:
        with np.errstate(all="ignore"):
            want = g(*args)
            got = f(*args)
        for a, b in zip(got, want):
            assert_same(a, b, dtype)


@pytest.mark.parametrize("axis", [None, 0, 1, 2, (0, 2), (1, 2)])
@pytest.mark.parametrize("kind", ["sum", "max", "min", "prod"])
def test_fused_reductions_match_numpy(codegen, axis, kind):
    x = T.tensor3("x")
    y = T.tensor3("y")
    expr = T.exp((x - y) * 0.1) if kind == "prod" else T.exp(x - y)
    out = getattr(T, kind)(expr, axis=axis)
    f = theon.function([x, y], out)
    assert f.kernels["state"] == "installed"
    assert any("sum" in n or "max" in n or "min" in n or "prod" in n for n in fused_nodes(f))
    a = RNG.standard_normal((6, 7, 9))
    b = RNG.standard_normal((6, 7, 9))
    for args in [(a, b), (a.transpose(2, 0, 1).copy().transpose(1, 2, 0), b[:, :, ::-1])]:
        want = getattr(np, kind)(np.exp((args[0] - args[1]) * (0.1 if kind == "prod" else 1)),
                                 axis=axis)
        np.testing.assert_allclose(f(*args), want, rtol=1e-12)


def test_fused_float32_sum_accumulates_in_float64_as_the_reduce_op(codegen):
    # A float32 running sum of 10^5 terms drifts in the fourth digit; the fused kernel sums in
    # float64 lanes as the unfused Reduce does, so the mean is log(2) to float32 rounding.
    x = T.vector("x", dtype="float32")
    f = theon.function([x], T.mean(T.nnet.softplus(x) - x * 0.5))
    assert any("sum" in n for n in fused_nodes(f))
    with theon.config.change_flags(num_threads=1):
        got = f(np.zeros(100_000, np.float32))
    assert got.dtype == np.float32
    assert got == np.float32(np.log(2.0))


def test_plain_reduction_is_fused_and_keepdims_works(codegen):
    x = T.matrix("x")
    f = theon.function([x], [T.sum(x, axis=1, keepdims=True), T.max(x, axis=0)])
    assert len(fused_nodes(f)) == 2
    a = RNG.standard_normal((300, 200))
    s, m = f(a)
    np.testing.assert_allclose(s, a.sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_array_equal(m, a.max(axis=0))


def test_empty_max_raises_like_the_unfused_op(codegen):
    x = T.matrix("x")
    f = theon.function([x], T.max(T.exp(x), axis=0))
    with pytest.raises(ValueError, match="zero-size"):
        f(np.zeros((0, 3)))


def test_reduction_propagates_nan(codegen):
    x = T.vector("x")
    f = theon.function([x], T.max(x * 2))
    a = np.arange(100.0)
    a[37] = np.nan
    assert np.isnan(f(a))


def test_large_kernels_split_across_threads_and_agree(codegen):
    x = T.matrix("x")
    f = theon.function([x], [T.tanh(x) * 2 + 1, T.sum(T.exp(x), axis=1)])
    a = RNG.standard_normal((1000, 300))
    with theon.config.change_flags(num_threads=1):
        one = f(a)
    with theon.config.change_flags(num_threads=0):
        many = f(a)
    np.testing.assert_array_equal(one[0], many[0])
    np.testing.assert_array_equal(one[1], many[1])
    np.testing.assert_allclose(many[0], np.tanh(a) * 2 + 1, rtol=1e-12, atol=1e-15)


def test_fused_loop_runs_in_place_of_a_dead_intermediate(codegen):
    x = T.matrix("x")
    y = T.matrix("y")
    out = T.exp(T.dot(x, y) * 2) + 1  # the dot's result is dead after the fused loop
    f = theon.function([x, y], out)
    text = f.debugprint(print_type=False)
    assert "inplace=v0" in text
    a, b = RNG.standard_normal((6, 5)), RNG.standard_normal((5, 4))
    a0, b0 = a.copy(), b.copy()
    for _ in range(2):
        np.testing.assert_allclose(f(a, b), np.exp(np.dot(a, b) * 2) + 1, rtol=1e-12)
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(b, b0)


@pytest.mark.parametrize("n", [1, 15, 16, 17, 1000])
def test_many_operand_loops_in_place_and_with_several_outputs(codegen, n):
    # Loops of many operands are vectorized without run-time overlap checks (THEON_IVDEP): an
    # output shares memory only with the input it replaces element for element. Lengths
    # around a vector's width exercise the remainders.
    m, v = T.tensor("float64", shape=(n, 3), name="m"), T.vector("v")
    xs = [T.tensor("float64", shape=(n,), name=f"x{i}") for i in range(4)]
    y = T.dot(m, v)  # dead after the loop, which writes its result there
    a = T.tanh(y * 2 + xs[0]) * T.nnet.sigmoid(xs[1])
    b = a * xs[2] - T.exp(xs[3] * 0.1)
    in_place = theon.function([m, v] + xs, b)
    assert "inplace=v0" in in_place.debugprint(print_type=False)
    two_outputs = theon.function([m, v] + xs, [b, a])
    mv, vv = RNG.standard_normal((n, 3)), RNG.standard_normal(3)
    vals = [RNG.standard_normal(n) for _ in range(4)]
    av = np.tanh(mv @ vv * 2 + vals[0]) / (1 + np.exp(-vals[1]))
    bv = av * vals[2] - np.exp(vals[3] * 0.1)
    np.testing.assert_allclose(in_place(mv, vv, *vals), bv, rtol=1e-12, atol=1e-15)
    got_b, got_a = two_outputs(mv, vv, *vals)
    np.testing.assert_allclose(got_a, av, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(got_b, bv, rtol=1e-12, atol=1e-15)


def test_shared_input_is_never_written_by_a_fused_loop(codegen):
    w = theon.shared(np.ones(10), name="w")
    x = T.vector("x")
    f = theon.function([x], T.exp(w) * x)
    f(np.ones(10))
    np.testing.assert_array_equal(w.get_value(), np.ones(10))


def test_the_same_graph_again_loads_from_the_cache(codegen):
    x = T.vector("x")
    out = T.sin(x) * 3 + T.cos(x)
    f = theon.function([x], out)
    assert f.kernels["state"] == "installed" and not f.kernels["from_cache"]
    g = theon.function([x], out)
    assert g.kernels["state"] == "installed" and g.kernels["from_cache"]
    from theon import compiledir
    entries = compiledir.entries()
    assert len(entries) == 1 and entries[0]["valid"]


def run_python(code, env_extra, timeout=120):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), **env_extra)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=env, timeout=timeout)


CHILD = """
import numpy as np, theon, theon.tensor as T, json
x = T.vector('x')
f = theon.function([x], T.exp(x) * 2 + T.sin(x) * 7)
k = f.kernels
r = f(np.arange(5.0))
ok = bool(np.allclose(r, np.exp(np.arange(5.0)) * 2 + np.sin(np.arange(5.0)) * 7))
print(json.dumps({"state": k["state"], "from_cache": k["from_cache"], "ok": ok}))
"""


def child_flags(cache, cxx=None):
    return {"THEON_FLAGS": f"compiledir={cache},compile_wait=True,cxx={cxx or os.environ.get('CXX') or 'g++'}"}


def test_a_second_process_loads_without_compiling(tmp_path):
    import json
    cache = tmp_path / "cache"
    first = run_python(CHILD, child_flags(cache))
    assert first.returncode == 0, first.stderr
    second = run_python(CHILD, child_flags(cache))
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert a == {"state": "installed", "from_cache": False, "ok": True}
    assert b == {"state": "installed", "from_cache": True, "ok": True}


def test_two_processes_compiling_at_once_share_one_entry(tmp_path):
    import json
    cache = tmp_path / "cache"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), **child_flags(cache))
    procs = [subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for _ in range(3)]
    results = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0, err
        r = json.loads(out)
        assert r["state"] == "installed" and r["ok"]
    # The lock made one process compile; the others waited and loaded its entry.
    assert sum(not json.loads(out)["from_cache"] for out, _ in results) >= 1
    dirs = [d for d in cache.iterdir() if d.is_dir()]
    assert len(dirs) == 1, dirs


def test_a_killed_compile_leaves_no_broken_entry(tmp_path):
    import json
    import time
    cache = tmp_path / "cache"
    slow = tmp_path / "slowcxx.sh"
    cxx = os.environ.get("CXX") or "g++"
    slow.write_text(f'#!/bin/sh\n[ "$1" = --version ] || sleep 30\nexec {cxx} "$@"\n')
    slow.chmod(0o755)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), **child_flags(cache, str(slow)))
    p = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env, start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline and not any(d.name.startswith("tmp-") for d in
                                              (cache.iterdir() if cache.exists() else [])):
        time.sleep(0.05)
    os.killpg(p.pid, 9)
    p.wait()
    assert [d.name for d in cache.iterdir() if d.is_dir() and not d.name.startswith("tmp-")] == []
    ok = run_python(CHILD, child_flags(cache))
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == {"state": "installed", "from_cache": False, "ok": True}


def test_a_truncated_library_is_rebuilt(tmp_path):
    import json
    cache = tmp_path / "cache"
    assert run_python(CHILD, child_flags(cache)).returncode == 0
    (entry,) = [d for d in cache.iterdir() if d.is_dir()]
    lib = entry / "module.so"
    lib.write_bytes(lib.read_bytes()[: lib.stat().st_size // 2])
    r = run_python(CHILD, child_flags(cache))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"state": "installed", "from_cache": False, "ok": True}
    assert run_python("from theon import compiledir; assert all(e['valid'] for e in "
                      "compiledir.entries())", child_flags(cache)).returncode == 0


def test_without_a_compiler_everything_runs_on_precompiled_kernels(tmp_path):
    import json
    cache = tmp_path / "cache"
    r = run_python(CHILD, {"THEON_FLAGS": f"compiledir={cache},cxx=/nonexistent/c++"})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"state": "failed", "from_cache": False, "ok": True}
    assert "does not run" in r.stderr and r.stderr.count("theon:") == 1


def test_a_failing_compile_is_reported_and_the_function_still_runs(codegen):
    with theon.config.change_flags(cxxflags="-O2 --no-such-flag"):
        x = T.vector("x")
        f = theon.function([x], T.exp(x) + 1)
        assert f.kernels["state"] == "failed"
        assert "no-such-flag" in f.kernels["error"]
        np.testing.assert_allclose(f(np.ones(3)), np.e + 1)


def test_background_compile_switches_to_the_fused_kernel(codegen):
    with theon.config.change_flags(compile_wait=False):
        x = T.vector("x")
        f = theon.function([x], T.cosh(x) * 5 - 1)
        r0 = f(np.ones(4))  # may run before the kernel is ready
        assert f.wait_for_kernels()
        assert f.kernels["state"] == "installed"
        np.testing.assert_allclose(f(np.ones(4)), r0, rtol=1e-15)


def test_compiledir_command_lists_and_clears(codegen):
    x = T.vector("x")
    theon.function([x], T.exp(x) * 4)
    env = {"THEON_FLAGS": f"compiledir={theon.config.compiledir}"}
    r = run_python("from theon.compiledir import main; main(['list'])", env)
    assert "1 cached modules" in r.stdout
    r = run_python("from theon.compiledir import main; main(['clear'])", env)
    assert "removed 1" in r.stdout
    assert os.stat(theon.config.compiledir).st_mode & 0o777 == 0o700


def test_debug_mode_checks_generated_kernels_against_the_reference(codegen):
    with theon.config.change_flags(compile_wait=False):
        x = T.matrix("x")
        f = theon.function([x], T.sum(T.tanh(x) * 2 + 1, axis=0), mode="DebugMode")
        assert f.kernels["state"] == "installed"  # DebugMode waits, so the check is real
        a = RNG.standard_normal((30, 20))
        np.testing.assert_allclose(f(a), (np.tanh(a) * 2 + 1).sum(axis=0), rtol=1e-12)


def test_training_graph_bias_becomes_gemm_and_activation_fuses(codegen):
    # The gradient sums over the shape of dot(X, W) + b without reading it (SumToDims), so the
    # forward sum has one reader: it becomes the accumulator of a gemm, tanh fuses after it.
    X = T.matrix("X")
    W = theon.shared(RNG.standard_normal((6, 4)), name="W")
    b = theon.shared(np.zeros(4), name="b")
    h = T.tanh(T.dot(X, W) + b)
    cost = T.sum(h ** 2)
    gW, gb = theon.grad(cost, [W, b])
    f = theon.function([X], cost, updates=[(W, W - 0.1 * gW), (b, b - 0.1 * gb)])
    text = f.debugprint(print_type=False)
    assert "SumToDims" in text  # SumToShape stays only where the model is a shared variable
    assert text.count("Gemm") >= 2  # the forward bias and the update of W
    g = theon.function([X], cost, updates=[(W, W - 0.1 * gW), (b, b - 0.1 * gb)],
                       mode="FAST_COMPILE")
    a = RNG.standard_normal((5, 6))
    W0, b0 = W.get_value(), b.get_value()
    c1 = f(a)
    W1, b1 = W.get_value(), b.get_value()
    W.set_value(W0)
    b.set_value(b0)
    c2 = g(a)
    np.testing.assert_allclose(c1, c2, rtol=1e-12)
    np.testing.assert_allclose(W1, W.get_value(), rtol=1e-12)
    np.testing.assert_allclose(b1, b.get_value(), rtol=1e-12)


def test_profile_splits_out_code_generation(codegen):
    x = T.vector("x")
    f = theon.function([x], T.exp(x) * 9 + 1, profile=True)
    f(np.ones(3))
    p = f.profile
    assert p.codegen_time > 0
    assert p.kernels.startswith("compiled in")  # compile_wait: the compiler ran at function()
    assert "code generation" in p.summary(file="str")
    g = theon.function([x], T.exp(x) * 9 + 1, profile=True)
    assert g.profile.kernels == "loaded from the cache"
