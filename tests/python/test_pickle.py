"""Pickling (theon/saving.py): variables, shared variables, graphs and compiled functions round-
trip through pickle; a loaded function runs its saved rewritten graph without rewriting, and in a
fresh process takes its kernels from the kernel cache; theon.save/load refuse damaged files with
a ValueError and rebuild only Theon's and NumPy's objects unless trusted."""

import json
import pickle

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import _core
from cache_util import flags, run_python


def _mlp_step(rng):
    """A one-hidden-layer classifier's SGD step: (function, [shared parameters])."""
    x, y = T.matrix("x"), T.ivector("y")
    W1 = theon.shared(rng.standard_normal((5, 7)) * 0.1, "W1")
    b1 = theon.shared(np.zeros(7), "b1")
    W2 = theon.shared(rng.standard_normal((7, 3)) * 0.1, "W2")
    h = T.tanh(x.dot(W1) + b1)
    p = T.nnet.softmax(h.dot(W2))
    cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    params = [W1, b1, W2]
    grads = theon.grad(cost, params)
    f = theon.function([x, y], cost, updates=[(w, w - 0.5 * g) for w, g in zip(params, grads)],
                       name="train")
    return f, params


def _data(rng):
    return rng.standard_normal((6, 5)), rng.integers(0, 3, 6).astype("int32")


def test_a_compiled_function_and_its_shared_variables_round_trip_together():
    rng = np.random.default_rng(0)
    f, params = _mlp_step(rng)
    xv, yv = _data(rng)
    f2, params2 = pickle.loads(pickle.dumps((f, params)))
    assert [p.name for p in params2] == ["W1", "b1", "W2"]
    for p, q in zip(params, params2):
        np.testing.assert_array_equal(p.get_value(), q.get_value())
    for _ in range(3):
        np.testing.assert_array_equal(f2(xv, yv), f(xv, yv))
    for p, q in zip(params, params2):
        np.testing.assert_array_equal(p.get_value(), q.get_value())  # the updates reach params2
    assert f2.name == "train" and f2.input_names == ["x", "y"]
    # The saved graph is the rewritten one, linked again without a rewrite.
    assert f2.rewrites_applied == [] and f.rewrites_applied != []
    assert f2.debugprint() == f.debugprint()
    with pytest.raises(NotImplementedError, match="loaded from a pickle"):
        f2.copy()


def test_a_loaded_function_keeps_defaults_borrow_single_output_and_errors():
    x, y = T.vector("x"), T.scalar("y")
    f = theon.function([x, theon.In(y, value=2.0, name="scale")], [x * y, x + y],
                       allow_input_downcast=True)
    g = pickle.loads(pickle.dumps(f))
    np.testing.assert_array_equal(g(np.arange(3.0))[0], np.arange(3.0) * 2)
    np.testing.assert_array_equal(g(np.arange(3.0), scale=3.0)[1], np.arange(3.0) + 3)
    h = pickle.loads(pickle.dumps(theon.function([x], x.sum())))
    assert h(np.ones(4)) == 4.0 and np.ndim(h(np.ones(4))) == 0
    with pytest.raises(TypeError, match="expected 1 dimensions, got 2"):
        h(np.ones((2, 2)))


def test_variables_keep_their_identity_names_and_traces_across_one_pickle():
    x = T.matrix("x")
    w = theon.shared(np.arange(3.0), "w")
    y = (x * w).sum(axis=1)
    z = T.exp(y) + x.shape[0]
    x2, w2, y2, z2 = pickle.loads(pickle.dumps((x, w, y, z)))
    assert (x2.name, x2.type, x2.where) == (x.name, x.type, x.where)
    assert w2.name == "w" and w2.type == w.type
    assert y2.owner.where == y.owner.where
    value = np.arange(6.0).reshape(2, 3)
    f = theon.function([x2], [y2, z2])  # x2 is the input of both graphs
    np.testing.assert_array_equal(f(value)[0], (value * np.arange(3.0)).sum(axis=1))
    w2.set_value(np.ones(3))  # w2 is the shared variable both graphs read
    np.testing.assert_array_equal(f(value)[0], value.sum(axis=1))
    c = pickle.loads(pickle.dumps(T.constant(np.array([1.0, -0.0, np.nan]))))
    np.testing.assert_array_equal(np.signbit(c.data), [False, True, False])
    assert np.isnan(c.data[2])


def test_types_round_trip():
    import theon.sparse as S

    for t in (T.TensorType("float32", (None, 1)), T.TensorType("int8", ()),
              S.csr_matrix("m").type, T.shared_randomstreams.RandomStreams(1).normal(
                  (2,)).owner.inputs[0].type):
        back = pickle.loads(pickle.dumps(t))
        assert back == t and str(back) == str(t)


def test_a_shared_variable_keeps_its_static_shape_and_default_update():
    s = theon.shared(np.zeros((1, 3)), "s", shape=(1, None))
    s.default_update = s + 1
    s2 = pickle.loads(pickle.dumps(s))
    assert s2.static_shape == (1, None)
    f = theon.function([], s2 * 1)
    f()
    np.testing.assert_array_equal(s2.get_value(), np.ones((1, 3)))
    np.testing.assert_array_equal(s.get_value(), np.zeros((1, 3)))  # a copy, not the same cell


def test_random_scan_ifelse_functions_round_trip():
    from theon.ifelse import ifelse
    srng = T.shared_randomstreams.RandomStreams(seed=7)
    u = srng.uniform((3,))
    fr = theon.function([], u)
    fr2 = pickle.loads(pickle.dumps(fr))
    np.testing.assert_array_equal(fr2(), fr())  # the same stream state, both advance
    np.testing.assert_array_equal(fr2(), fr())
    k = T.iscalar("k")
    a = T.vector("a")
    seq, _ = theon.scan(lambda prev: prev * 2, outputs_info=a, n_steps=k)
    fs = theon.function([a, k], [seq[-1], ifelse(T.gt(k, 2), a.sum(), a.prod())])
    fs2 = pickle.loads(pickle.dumps(fs))
    for n in (1, 4):
        for got, want in zip(fs2(np.arange(1.0, 4.0), n), fs(np.arange(1.0, 4.0), n)):
            np.testing.assert_array_equal(got, want)


def test_sparse_functions_and_shared_variables_round_trip():
    import scipy.sparse as sp

    import theon.sparse as S

    m = S.csr_matrix("m")
    ws = theon.shared(sp.csr_matrix(np.array([[0.0, 2.0], [3.0, 0.0]])), "ws")
    f = theon.function([m], S.dense_from_sparse(S.true_dot(m, ws)))
    f2, ws2 = pickle.loads(pickle.dumps((f, ws)))
    value = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 4.0]]))
    np.testing.assert_array_equal(f2(value), f(value))
    ws2.set_value(sp.csr_matrix(np.eye(2)))
    np.testing.assert_array_equal(f2(value), value.toarray())


def test_ops_that_cannot_be_rebuilt_are_refused_when_pickled():
    from theon.compile.builders import OpFromGraph

    x, y = T.dvectors("x", "y")
    ofg = OpFromGraph([x, y], [x * y + 1])

    class Double(theon.Op):
        __props__ = ()

        def make_node(self, v):
            v = T.as_tensor_variable(v)
            return theon.Apply(self, [v], [v.type()])

        def perform(self, node, inputs, out):
            out[0][0] = inputs[0] * 2

    for out, name in ((ofg(x, y), "OpFromGraph"), (Double()(x), "PythonOp")):
        with pytest.raises(NotImplementedError, match=rf"\({name}\) cannot be written"):
            pickle.dumps(theon.function([x, y], out, on_unused_input="ignore"))


def test_damaged_graph_bytes_of_random_and_sparse_graphs_raise_value_error():
    import theon.sparse as S

    srng = T.shared_randomstreams.RandomStreams(seed=3)
    m = S.csr_matrix("m")
    outs = [srng.normal((2, 3)), srng.permutation(n=4), S.sp_sum(m, axis=0),
            S.dense_from_sparse(S.sin(m)), S.dense_from_sparse(S.true_dot(m, S.transpose(m)))]
    data = theon.graph_bytes(outs)
    for i in range(len(data)):
        for mask in (0x01, 0x80, 0xFF):
            bad = bytearray(data)
            bad[i] ^= mask
            try:
                theon.graph_from_bytes(bytes(bad))
            except ValueError:
                pass


def test_debugmode_functions_cannot_be_pickled():
    x = T.vector("x")
    f = theon.function([x], x * 2, mode="DebugMode")
    with pytest.raises(NotImplementedError, match="DebugMode"):
        pickle.dumps(f)


def test_saved_function_bytes_that_are_damaged_raise_value_error():
    rng = np.random.default_rng(1)
    f, _ = _mlp_step(rng)
    data, leaves, single = _core.save_function(f)
    assert data.startswith(b"THEONFN\n")
    for cut in range(0, len(data), max(1, len(data) // 97)):
        with pytest.raises(ValueError):
            _core.load_function(data[:cut], leaves, single)
    flipped_ok = 0
    for i in range(0, len(data), 5):
        bad = bytearray(data)
        bad[i] ^= 0xFF
        try:
            g = _core.load_function(bytes(bad), leaves, single)[0]
        except (ValueError, TypeError):
            continue
        flipped_ok += 1  # a name or a value changed: still a function that runs
        g(*_data(rng))
    assert flipped_ok < len(data) // 5
    with pytest.raises(ValueError, match="leaf 0 of 0 given"):
        _core.load_function(data, [], single)
    newer = bytearray(data)
    newer[8] = 2
    with pytest.raises(ValueError, match="format version 2; this build of Theon reads version 1"):
        _core.load_function(bytes(newer), leaves, single)


def test_theon_save_and_load_check_the_file(tmp_path):
    x = T.vector("x")
    w = theon.shared(np.arange(3.0), "w")
    f = theon.function([x], x * w, updates=[(w, w + 1)])
    path = tmp_path / "f.theon"
    theon.save({"f": f, "w": w, "note": "mlp", "arr": np.arange(2)}, path)
    back = theon.load(path)
    np.testing.assert_array_equal(back["f"](np.ones(3)), np.arange(3.0))
    np.testing.assert_array_equal(back["w"].get_value(), np.arange(3.0) + 1)
    assert back["note"] == "mlp" and back["arr"].tolist() == [0, 1]
    data = path.read_bytes()
    bad = tmp_path / "bad"
    for cut in (0, 3, 20, len(data) // 2, len(data) - 1):
        bad.write_bytes(data[:cut])
        with pytest.raises(ValueError, match="truncated|bad magic"):
            theon.load(bad)
    for i in range(0, len(data), 3):
        changed = bytearray(data)
        changed[i] ^= 0x41
        bad.write_bytes(bytes(changed))
        with pytest.raises(ValueError, match="bad magic|version|truncated|trailing|checksum"):
            theon.load(bad)
    other = bytearray(data)
    other[8] = 9
    bad.write_bytes(bytes(other))
    with pytest.raises(ValueError, match="format version 9; this Theon reads version 1"):
        theon.load(bad)


def test_pickles_changed_past_the_checksum_raise_python_errors_never_crash():
    # What theon.load unpickles when someone rewrote the file and its checksum: every error is
    # an exception (from pickle, NumPy or Theon's readers), never a crash.
    import io

    from theon import saving

    s, x = T.scalar("s"), T.vector("x")
    w = theon.shared(np.arange(3.0), "w")
    srng = T.shared_randomstreams.RandomStreams(seed=3)
    f = theon.function([x, theon.In(s, value=2.0)], [x * w + srng.normal((3,)), T.exp(x).sum() * s],
                       updates=[(w, w + 1)])
    payload = pickle.dumps(f, protocol=pickle.HIGHEST_PROTOCOL)
    loaded = 0
    for i in range(0, len(payload), 3):
        changed = bytearray(payload)
        changed[i] ^= 0xFF
        try:
            saving._TheonUnpickler(io.BytesIO(bytes(changed))).load()
            loaded += 1
        except Exception:
            pass
    assert 0 < loaded < len(payload) // 3, loaded


class _Custom:
    def __init__(self, v):
        self.v = v


def test_load_rebuilds_only_theon_and_numpy_objects_unless_trusted(tmp_path):
    path = tmp_path / "c.theon"
    theon.save([_Custom(3)], path)
    with pytest.raises(pickle.UnpicklingError, match=r"test_pickle\._Custom.*trusted=True"):
        theon.load(path)
    assert theon.load(path, trusted=True)[0].v == 3


def test_theano_pkl_utils_writes_a_zip_with_the_arrays_beside_the_pickle(tmp_path):
    import zipfile

    import theon.theano_alias

    theon.theano_alias.enable()
    import theano
    from theano.misc import pkl_utils

    x = theano.tensor.matrix("x")
    W = theano.shared(np.arange(6.0).reshape(2, 3), "W")
    f = theano.function([x], x.dot(W))
    path = tmp_path / "model.zip"
    with open(path, "wb") as fh:
        pkl_utils.dump((f, W), fh)
    names = zipfile.ZipFile(path).namelist()
    assert "pkl" in names and any(n.endswith(".npy") for n in names)
    with open(path, "rb") as fh:
        f2, W2 = pkl_utils.load(fh)
    np.testing.assert_array_equal(W2.get_value(), np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(f2(np.eye(2)), np.arange(6.0).reshape(2, 3))
    W2.set_value(np.ones((2, 3)))
    np.testing.assert_array_equal(f2(np.eye(2)), np.ones((2, 3)))


SAVE = """
import sys, numpy as np, theon, theon.tensor as T
sys.path.insert(0, {tests!r})
from test_pickle import _mlp_step, _data
rng = np.random.default_rng(3)
f, params = _mlp_step(rng)
assert f.wait_for_kernels(), f.kernels["error"]
theon.save((f, params), {path!r})
xv, yv = _data(rng)
np.savez({expected!r}, x=xv, y=yv, out=np.array([f(xv, yv) for _ in range(3)]))
"""

LOAD = """
import json, numpy as np, theon
f, params = theon.load({path!r})
f.wait_for_kernels()
e = np.load({expected!r})
got = np.array([f(e["x"], e["y"]) for _ in range(3)])
print(json.dumps({{"same": bool(np.array_equal(got, e["out"])),
                  "rewrites": len(f.rewrites_applied), "kernels": f.kernels["state"],
                  "from_cache": f.kernels["from_cache"],
                  "same_key": f.kernels["key"] == f.saved_kernel_key != ""}}))
"""


def test_a_saved_function_loads_in_a_fresh_process_with_kernels_from_the_cache(tmp_path):
    import os

    cache, path, expected = tmp_path / "cache", tmp_path / "f.theon", tmp_path / "expected.npz"
    args = dict(tests=os.path.dirname(__file__), path=str(path), expected=str(expected))
    env = flags(cache)
    r = run_python(SAVE.format(**args), env)
    assert r.returncode == 0, r.stderr
    r = run_python(LOAD.format(**args), env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"same": True, "rewrites": 0, "kernels": "installed",
                                    "from_cache": True, "same_key": True}
    # With an empty cache the kernels are compiled again (the same module: the same key).
    r = run_python(LOAD.format(**args), flags(tmp_path / "empty"))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"same": True, "rewrites": 0, "kernels": "installed",
                                    "from_cache": False, "same_key": True}
