"""Functions on an OpenCL device (PoCL in CI): the op-table rows of elementwise ops compiled with
config.device='opencl0:0' against their NumPy references (each row runs on the device kernels
where the device has them, else through the host fallback: both must give the reference's
values), fused trees on the device, explicit transfers, errors naming the device, and the MLP of
the demo trained on the device. Every test skips with the reason where no OpenCL device opens."""

import ctypes

import numpy as np
import pytest

import theon
import theon.tensor as T
from op_table import BLAS, ROWS, SHAPE
from op_table_structured import ALLOC, JOIN, NNET, SUBTENSOR
from test_op_table import assert_close, calls, dtype_id, outputs_of, rng_for, symbolic_inputs
from theon import _core
from theon.tensor.nnet import softmax

DEVICE = "opencl0:0"


def _unavailable():
    try:
        _core.device_name(DEVICE)
        return ""
    except RuntimeError as e:
        return str(e)


pytestmark = pytest.mark.skipif(_unavailable() != "", reason=f"no OpenCL device: {_unavailable()}")

# Rows whose ops have device kernels (elementwise ops the prelude implements, src/device/dialect.cpp,
# and the reductions): they must run on the device, with no host fallback.
ON_DEVICE = {"sum", "prod", "max", "min", "mean", "add", "sub", "mul", "true_divide", "neg", "abs", "sqr", "sqrt", "exp", "log",
             "log1p", "expm1", "tanh", "sin", "cos", "maximum", "minimum", "pow", "floor",
             "ceil", "mod", "floor_divide", "arctan2", "sign", "hypot", "sigmoid", "softplus",
             "hard_sigmoid", "relu", "leaky_relu", "less", "less_equal", "greater",
             "greater_equal", "equal", "not_equal", "isnan", "isinf", "switch", "logical_and",
             "logical_or", "logical_not"}


def float_rows():
    return [pytest.param(row, dtype, id=f"{row.id}-{dtype_id(dtype)}")
            for row in ROWS if row.fusable
            for dtype in row.dtypes if dtype in ("float32", "float64")]


def _has_clblast():
    try:
        ctypes.CDLL("libclblast.so.1")
        return True
    except OSError:
        return False


# Rows of ops that run on the device as views (no copy), as reductions or through the device's
# BLAS (CLBlast, where installed); the others among structured_rows() run through the host
# fallback.
VIEWS = {"dimshuffle", "transpose", "expand_dims", "reshape", "subtensor"}
REDUCTIONS = {"sum_to_shape"}
ELEMENTWISE = {"fill"}
JOINS = {"concatenate", "join", "stack"}
ALLOCS = {"alloc"}
NNET_KERNELS = {"softmax", "log_softmax", "crossentropy_softmax_argmax_1hot_with_bias",
                "crossentropy_softmax_1hot_with_bias_dx"}
PRODUCTS = {"dot", "gemm"} if _has_clblast() else set()


def structured_rows():
    return [pytest.param(row, dtype, id=f"{row.id}-{dtype_id(dtype)}")
            for row in BLAS + SHAPE + NNET + ALLOC + JOIN + SUBTENSOR
            for dtype in row.dtypes if dtype in ("float32", "float64")]


def kernels_of(f):
    return [kernel for _, kernel in f.profile.node_kernels]


def run_row_on_device(row, dtype, device=DEVICE):
    """Compiles the row with config.device, checks every call against the reference, and returns
    the kernels that ran."""
    ins = symbolic_inputs(row, dtype)
    with theon.config.change_flags(device=device):
        f = theon.function(ins, outputs_of(row, ins), profile=True, on_unused_input="ignore")
    for label, arrays in calls(row, dtype, rng_for(row.id, dtype, "device")):
        want = row.expected(arrays)
        got = f(*arrays)
        for k, (g, w) in enumerate(zip(got, want)):
            assert_close(g, w, row, f"{row.id} {dtype} on {device}, output {k}, {label}")
    return f.profile.node_kernels


@pytest.mark.parametrize("row,dtype", float_rows())
def test_rows_match_the_reference_on_the_device(row, dtype):
    kernels = [k for _, k in run_row_on_device(row, dtype)]
    if row.name in ON_DEVICE:
        assert any(k.startswith("device ") for k in kernels), kernels
        assert not any(k.startswith("host fallback") for k in kernels), kernels


@pytest.mark.parametrize("row,dtype", structured_rows())
def test_structured_rows_match_the_reference_on_the_device(row, dtype):
    node_kernels = run_row_on_device(row, dtype)
    kernels = {k for _, k in node_kernels}
    for names, kernel in ((ELEMENTWISE, "device elementwise"), (VIEWS, "device view"),
                          (JOINS, "device join"), (ALLOCS, "device alloc"),
                          (PRODUCTS, "device blas"),
                          (REDUCTIONS, "device reduction"), (NNET_KERNELS, "device nnet")):
        if row.name in names:
            assert kernel in kernels, node_kernels


@pytest.mark.skipif(not _has_clblast(), reason="CLBlast (libclblast.so.1) is not installed")
def test_products_of_views_empty_and_biased_operands():
    A, B, z = T.dmatrix("A"), T.dmatrix("B"), T.dvector("z")
    outs = [T.dot(A[:, ::2], B[1:, ::2].T), T.dot(A.T, A), 2.0 * T.dot(A, B.T) + z, T.dot(A, B.T) - 3]
    with theon.config.change_flags(device=DEVICE):
        f = theon.function([A, B, z], outs, profile=True)
    rng = np.random.default_rng(5)
    for m, k in ((3, 4), (3, 0), (0, 4), (1, 1)):
        a, b, zv = rng.standard_normal((m, k)), rng.standard_normal((5, k)), rng.standard_normal(5)
        want = [a[:, ::2] @ b[1:, ::2].T, a.T @ a,
                2.0 * a @ b.T + zv, a @ b.T - 3]
        for g, w in zip(f(a, b, zv), want):
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)
    assert "device blas" in kernels_of(f), f.profile.node_kernels


def test_a_fused_tree_is_one_device_kernel():
    x, y = T.fmatrix("x"), T.fvector("y")
    out = T.tanh(x * y + 1) - T.exp(-x) / (y + 3)
    with theon.config.change_flags(device=DEVICE, optimizer_excluding=""):
        f = theon.function([x, y], out, profile=True)
    rng = np.random.default_rng(0)
    xv = rng.standard_normal((5, 7)).astype(np.float32)
    yv = rng.uniform(0, 1, 7).astype(np.float32)
    want = np.tanh(xv * yv + 1) - np.exp(-xv) / (yv + 3)
    np.testing.assert_allclose(f(xv, yv), want, rtol=1e-5, atol=1e-6)
    ops = [op for op, _ in f.profile.node_kernels]
    assert sum(op.startswith("Fused") for op in ops) == 1, ops
    assert kernels_of(f).count("device elementwise") == 1, f.profile.node_kernels


def test_a_multi_output_fused_loop_runs_on_the_device():
    # exp(x) is read by the tree and returned: fusion makes it a second output of one loop.
    x = T.dmatrix("x")
    e = T.exp(x)
    with theon.config.change_flags(device=DEVICE, optimizer_excluding=""):
        f = theon.function([x], [T.sin(e) + e * 2, e], profile=True)
    xv = np.random.default_rng(1).standard_normal((40, 30))
    xv[0, :4] = [np.nan, np.inf, -np.inf, -0.0]
    with np.errstate(all="ignore"):
        want = [np.sin(np.exp(xv)) + np.exp(xv) * 2, np.exp(xv)]
    for got, w in zip(f(xv), want):
        np.testing.assert_allclose(got, w, rtol=1e-12, equal_nan=True)
    fused = [(op, k) for op, k in f.profile.node_kernels if op.startswith("Fused")]
    assert len(fused) == 1 and "out=v5,v2" in fused[0][0], f.profile.node_kernels
    assert fused[0][1] == "device elementwise", f.profile.node_kernels


def test_explicit_transfers_and_the_host_fallback():
    x = T.dmatrix("x")
    on_device = x.transfer(DEVICE)
    assert on_device.type.device == DEVICE
    # cumsum has no device kernel: it runs on the host between two copies.
    out = T.sum(T.cumsum(T.exp(on_device), axis=1), axis=0).transfer("cpu")
    f = theon.function([x], out, profile=True)
    xv = np.arange(6.0).reshape(2, 3) / 4
    np.testing.assert_allclose(f(xv), np.exp(xv).cumsum(axis=1).sum(axis=0), rtol=1e-12)
    kernels = kernels_of(f)
    assert {"device elementwise", "device reduction", "transfer"} <= set(kernels), kernels
    assert any(k == f"host fallback (no {DEVICE} kernel)" for k in kernels), kernels
    assert f"[host fallback (no {DEVICE} kernel)]" in f.profile.summary()


def test_reductions_of_trees_and_views_on_the_device():
    x = T.dtensor3("x")
    outs = [T.max(T.exp(x) - x, axis=(0, 2)), T.sum(x.dimshuffle(2, 0, 1)[:, 1:], axis=1),
            T.min(x, axis=1, keepdims=True), T.prod(x * 0.5)]
    with theon.config.change_flags(device=DEVICE):
        f = theon.function([x], outs, profile=True)
    xv = np.random.default_rng(3).standard_normal((3, 4, 5))
    xv[1, 2, 3] = np.nan
    want = [np.max(np.exp(xv) - xv, axis=(0, 2)), np.sum(xv.transpose(2, 0, 1)[:, 1:], axis=1),
            np.min(xv, axis=1, keepdims=True), np.prod(xv * 0.5)]
    for g, w in zip(f(xv), want):
        np.testing.assert_allclose(g, w, rtol=1e-12)
    assert "device reduction" in kernels_of(f), f.profile.node_kernels
    with pytest.raises(ValueError, match=r"zero-size array .* on opencl0:0"):
        f(np.zeros((0, 4, 5)))


def test_gradients_summed_to_broadcast_shapes_on_the_device():
    x, b, c = T.dmatrix("x"), T.dvector("b"), T.dmatrix("c")
    cost = T.sum((x + b) ** 2 * c)
    grads = theon.grad(cost, [b, c])
    with theon.config.change_flags(device=DEVICE):
        f = theon.function([x, b, c], grads, profile=True)
    rng = np.random.default_rng(2)
    xv, bv, cv = rng.standard_normal((4, 3)), rng.standard_normal(3), rng.standard_normal((1, 3))
    gb, gc = f(xv, bv, cv)
    np.testing.assert_allclose(gb, (2 * (xv + bv) * cv).sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(gc, ((xv + bv) ** 2).sum(axis=0, keepdims=True), rtol=1e-12)
    assert "device reduction" in kernels_of(f), f.profile.node_kernels
    # A bad shape raises the host's error, with the device named by the node's line.
    host = theon.function([x, b, c], grads)
    bad = (xv, bv, rng.standard_normal((2, 3)))
    with pytest.raises(ValueError) as on_host:
        host(*bad)
    with pytest.raises(ValueError) as on_device:
        f(*bad)
    assert str(on_device.value).splitlines()[0] == str(on_host.value).splitlines()[0]
    assert "test_device_opencl.py" in str(on_device.value)


def test_softmax_and_crossentropy_on_the_device():
    from theon.tensor import nnet

    x, b, y = T.dmatrix("x"), T.dvector("b"), T.lvector("y")
    nll, sm, am = nnet.crossentropy_softmax_argmax_1hot_with_bias(x, b, y)
    dx = theon.grad(T.sum(nll), x)
    outs = [nnet.softmax(x.T), nnet.log_softmax(x), nll, sm, am, dx]
    with theon.config.change_flags(device=DEVICE):
        f = theon.function([x, b, y], outs, profile=True)
    host = theon.function([x, b, y], outs)
    rng = np.random.default_rng(4)
    xv, bv, yv = rng.standard_normal((4, 3)), rng.standard_normal(3), np.array([0, 2, -1, 1])
    xv[1, 1] = np.nan
    for g, h in zip(f(xv, bv, yv), host(xv, bv, yv)):
        np.testing.assert_allclose(g, h, rtol=1e-12, atol=1e-15)
    assert "device nnet" in kernels_of(f), f.profile.node_kernels
    with pytest.raises(IndexError, match="label 3 of row 0 is out of range for 3 classes"):
        f(xv, bv, np.array([3, 0, 0, 0]))


def test_basic_indexing_gives_device_views_and_strided_arrays_copy():
    x, i = T.dmatrix("x"), T.lscalar("i")
    outs = [x[::-2, 1:], x[i], x[1:, i] * 2, x.T[::2, -1], x[:, 1:].T.reshape((2, -1)),
            T.concatenate([x[:, ::2], x.T[1:].T], axis=1)]
    with theon.config.change_flags(device=DEVICE):
        f = theon.function([x, i], outs, profile=True)
    host = theon.function([x, i], outs)
    xv = np.arange(20.0).reshape(4, 5)
    for g, h in zip(f(xv, -1), host(xv, -1)):
        np.testing.assert_array_equal(g, h)
    assert {"device view", "device join"} <= set(kernels_of(f)), f.profile.node_kernels
    with pytest.raises(IndexError) as on_device:
        f(xv, 4)
    with pytest.raises(IndexError) as on_host:
        host(xv, 4)
    assert str(on_device.value).splitlines()[0] == str(on_host.value).splitlines()[0]


def test_alloc_broadcasts_on_the_device_and_raises_the_hosts_errors():
    v, n = T.dvector("v"), T.lscalar("n")
    out = T.alloc(v, n, v.shape[0]) * 1.5
    with theon.config.change_flags(device=DEVICE):
        f = theon.function([v, n], out, profile=True)
    host = theon.function([v, n], out)
    vv = np.array([1.0, -0.0, np.nan])
    np.testing.assert_array_equal(f(vv, 2), host(vv, 2))
    assert "device alloc" in kernels_of(f), f.profile.node_kernels
    with pytest.raises(ValueError) as on_device:
        f(vv, -1)
    with pytest.raises(ValueError) as on_host:
        host(vv, -1)
    assert str(on_device.value).splitlines()[0] == str(on_host.value).splitlines()[0]


def test_outputs_left_on_the_device_come_back_as_numpy_arrays():
    x = T.fvector("x")
    f = theon.function([x], T.transfer(x, DEVICE) * 2)
    got = f(np.array([1, 2, 3], np.float32))
    assert isinstance(got, np.ndarray) and got.dtype == np.float32
    np.testing.assert_array_equal(got, [2, 4, 6])


def test_special_values_survive_the_device():
    # Values as NumPy's; signs of zeros as the host kernels' (maximum(-0.0, 0.0) keeps its first
    # argument on the host, as it does on the device).
    x = T.dvector("x")
    outs = [T.maximum(x, 0.0), -x, T.sign(x), x * 0.0]
    with theon.config.change_flags(device=DEVICE):
        f = theon.function([x], outs)
    host = theon.function([x], outs)
    xv = np.array([np.nan, -0.0, np.inf, -np.inf, 2.5])
    got = f(xv)
    with np.errstate(invalid="ignore"):
        want = [np.maximum(xv, 0.0), -xv, np.sign(xv), xv * 0.0]
    for g, w, h in zip(got, want, host(xv)):
        np.testing.assert_array_equal(g, w)
        np.testing.assert_array_equal(np.signbit(g), np.signbit(h))


def test_a_missing_device_is_a_clear_error():
    with pytest.raises(RuntimeError, match=r"opencl9:0 is unavailable: OpenCL platform 9 does not"):
        _core.device_name("opencl9:0")
    # A function for it compiles (graphs compile on any machine); running it says why not.
    x = T.dvector("x")
    f = theon.function([x], (T.transfer(x, "opencl9:0") + 1).transfer("cpu"))
    with pytest.raises(RuntimeError, match=r"opencl9:0 is unavailable: OpenCL platform 9 does not"):
        f(np.ones(2))
    with pytest.raises(ValueError):
        theon.config.device = "opencl"


def test_shared_variables_live_and_update_on_the_device():
    w = theon.shared(np.arange(3.0), "w", target=DEVICE)
    assert w.type.device == DEVICE
    x = T.dvector("x")
    # Nodes built on w run on its device, with or without config.device.
    plain = theon.function([x], T.sum(w * x))
    assert float(plain(np.ones(3))) == 3.0
    with theon.config.change_flags(device=DEVICE):
        step = theon.function([x], T.sum(w * x), updates=[(w, w * 2 + x)], profile=True)
    assert float(step(np.ones(3))) == 3.0
    np.testing.assert_array_equal(w.get_value(), [1.0, 3.0, 5.0])
    # The update stays on the device: x (and the constant) go there, nothing comes back but
    # the loss, which Python receives as a NumPy array.
    transfers = {op for op, _ in step.profile.node_kernels if op.startswith("Transfer")}
    assert transfers == {f"Transfer{{target={DEVICE}}}"}, step.profile.node_kernels
    w.set_value(np.zeros(3))
    np.testing.assert_array_equal(w.get_value(), [0.0, 0.0, 0.0])
    with pytest.raises(TypeError, match=r"shared variable 'w' on opencl0:0: expected 1 dim"):
        w.set_value(np.zeros((3, 1)))
    with theon.config.change_flags(device=DEVICE):
        assert theon.shared(np.zeros(2, np.float32)).type.device == DEVICE
        assert theon.shared(np.zeros(2, np.int64)).type.device == "cpu"


def test_shapes_of_device_values_are_read_without_copying_them():
    # w.shape, w.shape[1] and w.size of a shared variable living on the device are read from
    # the device array's shape: nothing is copied to the host in the graph (the sum, a value of
    # the user's graph on the device, comes back as a NumPy array at the call's end).
    wv = np.random.default_rng(3).standard_normal((4, 3)).astype(np.float32)
    with theon.config.change_flags(device=DEVICE):
        w = theon.shared(wv, "w")
        f = theon.function([], [w.shape, w.shape[1] + w.size, T.sum(w)], profile=True)
    shape, count, total = f()
    np.testing.assert_array_equal(shape, [4, 3])
    assert count == 3 + 12
    np.testing.assert_allclose(total, wv.sum(), rtol=1e-5)
    kernels = f.profile.node_kernels
    assert sum(k == "device shape" for _, k in kernels) >= 2, kernels
    to_host = [n for n, k in kernels if k == "transfer" and "target=cpu" in n]
    assert not to_host and not any(k.startswith("host fallback") for _, k in kernels), kernels


@pytest.mark.parametrize("fusion", [False, True])
def test_relu_and_its_gradient_mask_run_on_the_device(fusion):
    # The gradient of relu is g * (x > 0): the comparison's bool mask is computed on the device
    # (one byte per element, as on the host) and read there, with no host fallback; NaN gives
    # NaN forward and a zero gradient, as on the host.
    x = T.fmatrix("x")
    w = T.fmatrix("w")
    h = T.nnet.relu(T.dot(x, w)) if PRODUCTS else T.nnet.relu(x * w)
    outputs = [h, theon.grad(T.sum(h * h), w)]
    rng = np.random.default_rng(7)
    xv = rng.standard_normal((6, 5)).astype(np.float32)
    wv = rng.standard_normal((5, 5)).astype(np.float32)
    xv[0, 0] = np.nan
    got = {}
    for device in ("cpu", DEVICE):
        with theon.config.change_flags(device=device,
                                       optimizer_excluding="" if fusion else "fusion"):
            f = theon.function([x, w], outputs, profile=True)
        got[device] = f(xv, wv)
    # Every node runs a device kernel (the mask included), transfers aside.
    assert all(k.startswith("device ") or k == "transfer" for k in kernels_of(f)), \
        f.profile.node_kernels
    for d, c in zip(got[DEVICE], got["cpu"]):
        np.testing.assert_allclose(d, c, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fusion", [False, True])
def test_the_demo_mlp_trains_on_the_device(fusion):
    # With fusion, a host node (the cast of the batch size for the mean) read by a device
    # node must stay out of the device's fused kernel.
    from sklearn.datasets import load_digits

    digits = load_digits()
    Xv = (digits.data[:256] / 16.0).astype(np.float32)
    yv = digits.target[:256].astype(np.int64)

    def train(device):
        rng = np.random.default_rng(1)
        with theon.config.change_flags(device=device):
            # Under config.device, float shared variables live on the device.
            W1 = theon.shared((rng.standard_normal((64, 32)) / 8).astype(np.float32), "W1")
            b1 = theon.shared(np.zeros(32, np.float32), "b1")
            W2 = theon.shared((rng.standard_normal((32, 10)) / 6).astype(np.float32), "W2")
            b2 = theon.shared(np.zeros(10, np.float32), "b2")
        X, y = T.fmatrix("X"), T.lvector("y")
        p = softmax(T.tanh(X.dot(W1) + b1).dot(W2) + b2)
        loss = -T.mean(T.log(p[T.arange(y.shape[0]), y]))
        params = [W1, b1, W2, b2]
        grads = theon.grad(loss, params)
        with theon.config.change_flags(device=device,
                                       optimizer_excluding="" if fusion else "fusion"):
            step = theon.function([X, y], loss, profile=True,
                                  updates=[(q, q - np.float32(0.3) * g)
                                           for q, g in zip(params, grads)])
        losses = [float(step(Xv, yv)) for _ in range(30)]
        return losses, kernels_of(step), [q.get_value() for q in params], W1.type.device

    device_losses, kernels, device_params, where = train(DEVICE)
    cpu_losses, _, cpu_params, _ = train("cpu")
    assert where == DEVICE
    assert {"device elementwise", "device blas"} <= set(kernels), kernels
    assert device_losses[-1] < 0.5 * device_losses[0], device_losses
    np.testing.assert_allclose(device_losses, cpu_losses, rtol=1e-3)
    for d, c in zip(device_params, cpu_params):
        np.testing.assert_allclose(d, c, rtol=1e-3, atol=1e-4)
