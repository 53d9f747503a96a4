"""The CUDA backend. Without a GPU (here and in CI): every kernel Theon generates for a broad set
of device graphs (the op-table rows of test_device_opencl.py, the elementwise ones also fused,
and its structured graphs), collected from the OpenCL runtime that ran them, compiles with NVRTC for
compute capability 9.0; asking for a CUDA device without a driver is a clear error at call time.
With a GPU (marked tests that skip without one): the rows' values on cuda0 against NumPy."""

import functools
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import test_device_opencl as ocl
import theon
import theon.tensor as T
from theon import _core

CUDA = "cuda0"


@functools.cache
def _why_unavailable(device):
    try:
        _core.device_name(device)
        return ""
    except RuntimeError as e:
        return str(e)


@functools.cache
def _why_no_nvrtc():
    try:
        _core._cuda_compile_to_ptx("KERNEL void k(GLOBAL_MEM float* p) { p[0] = 1; }", "k", 90)
        return ""
    except RuntimeError as e:
        return str(e)


needs_gpu = pytest.mark.skipif(_why_unavailable(CUDA) != "",
                               reason=f"no CUDA device: {_why_unavailable(CUDA)}")
needs_no_gpu = pytest.mark.skipif(_why_unavailable(CUDA) == "",
                                  reason="a CUDA device is usable here")

# The graphs of test_device_opencl.py that are not op-table rows: each builds functions on
# opencl0:0, runs them and checks their values (so the kernels collected are ones that worked).
STRUCTURED_GRAPHS = [
    ocl.test_a_fused_tree_is_one_device_kernel,
    ocl.test_a_multi_output_fused_loop_runs_on_the_device,
    ocl.test_explicit_transfers_and_the_host_fallback,
    ocl.test_reductions_of_trees_and_views_on_the_device,
    ocl.test_gradients_summed_to_broadcast_shapes_on_the_device,
    ocl.test_softmax_and_crossentropy_on_the_device,
    ocl.test_basic_indexing_gives_device_views_and_strided_arrays_copy,
    ocl.test_alloc_broadcasts_on_the_device_and_raises_the_hosts_errors,
    ocl.test_special_values_survive_the_device,
]
try:  # the demo's data set comes with scikit-learn
    import sklearn  # noqa: F401
    STRUCTURED_GRAPHS += [functools.partial(ocl.test_the_demo_mlp_trains_on_the_device, fusion)
                          for fusion in (False, True)]
except ImportError:
    pass

# Kernels of every family the device layer generates (src/device/*_kernels.cpp).
KERNEL_FAMILIES = {"theon_elementwise", "theon_reduce", "theon_copy", "theon_softmax",
                   "theon_xent", "theon_xent_dx"}


@pytest.mark.skipif(ocl._unavailable() != "", reason=f"no OpenCL device: {ocl._unavailable()}")
@pytest.mark.skipif(_why_no_nvrtc() != "", reason=f"NVRTC cannot compile here: {_why_no_nvrtc()}")
def test_every_generated_device_kernel_compiles_with_nvrtc():
    for param in ocl.float_rows() + ocl.structured_rows():
        ocl.run_row_on_device(*param.values)
    # Fusion makes other elementwise sources (trees of several ops).
    with theon.config.change_flags(optimizer_excluding=""):
        for param in ocl.float_rows():
            ocl.run_row_on_device(*param.values)
    for graph in STRUCTURED_GRAPHS:
        graph()
    sources = _core._device_compiled_sources(ocl.DEVICE)
    names = {name for _, name in sources}
    assert KERNEL_FAMILIES <= names, names
    failures = []
    for source, name in sources:
        try:
            ptx = _core._cuda_compile_to_ptx(source, name, 90)
            assert f".entry {name}(" in ptx
        except RuntimeError as e:
            failures.append(str(e))
    assert not failures, f"{len(failures)} of {len(sources)} kernels fail:\n" + "\n\n".join(
        failures[:3])


@pytest.mark.skipif(_why_no_nvrtc() != "", reason=f"NVRTC cannot compile here: {_why_no_nvrtc()}")
def test_a_kernel_that_does_not_compile_gives_nvrtcs_log():
    with pytest.raises(RuntimeError, match=r"(?s)compiling CUDA kernel bad for compute_90 failed: "
                                           r"NVRTC_ERROR_COMPILATION\nbuild log:\n.*"
                                           r"identifier \"q\" is undefined.*\nsource:\n"):
        _core._cuda_compile_to_ptx("KERNEL void bad(GLOBAL_MEM float* p) { p[0] = q; }", "bad", 90)


@needs_no_gpu
def test_config_device_cuda_without_a_driver_fails_at_call_time():
    x = T.dvector("x")
    with theon.config.change_flags(device=CUDA):
        f = theon.function([x], T.exp(x) * 2)  # graphs compile on any machine
    with pytest.raises(RuntimeError, match=r"device cuda0 is unavailable: the CUDA driver "
                                           r"\(libcuda\.so\.1\) was not found"):
        f(np.ones(3))
    with pytest.raises(RuntimeError, match=r"device cuda0 is unavailable"):
        _core.device_name(CUDA)


@needs_no_gpu
def test_theon_flags_device_cuda_without_a_driver_is_the_same_error():
    script = ("import numpy as np, theon, theon.tensor as T\n"
              "x = T.dvector('x')\n"
              "f = theon.function([x], T.exp(x))\n"
              "print(theon.config.device)\n"
              "f(np.ones(2))\n")
    env = dict(os.environ, THEON_FLAGS="device=cuda")
    r = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout.strip() == "cuda", r.stdout
    # The error of the node that moves x to the device, with the user's line.
    assert "RuntimeError: Transfer{target=cuda0}" in r.stderr, r.stderr
    assert "device cuda0 is unavailable: the CUDA driver (libcuda.so.1) was not found" in r.stderr
    assert "Node built at: <string>:3" in r.stderr, r.stderr


STUB = "/usr/local/cuda/lib64/stubs/libcuda.so"


@needs_no_gpu
@pytest.mark.skipif(not os.path.exists(STUB), reason=f"no CUDA toolkit stub library at {STUB}")
def test_the_toolkits_stub_driver_loads_and_is_refused(tmp_path):
    # The stub exports every driver function: loading it checks that each versioned symbol the
    # backend binds (cuMemAlloc_v2, ...) exists; its cuInit then says it is no driver.
    (tmp_path / "libcuda.so.1").symlink_to(STUB)
    env = dict(os.environ, LD_LIBRARY_PATH=str(tmp_path))
    r = subprocess.run([sys.executable, "-c", "from theon import _core\n_core.device_name('cuda0')"],
                       env=env, capture_output=True, text=True, timeout=120)
    assert "RuntimeError: device cuda0 is unavailable: the libcuda.so.1 found is the CUDA " \
           "toolkit's stub library, not a driver" in r.stderr, r.stderr


FAKE_DRIVER = os.path.join(os.path.dirname(__file__), "fake_cuda", "fake_libcuda.cpp")
CUDA_INCLUDE = os.path.join(os.environ.get("CUDA_HOME", "/usr/local/cuda"), "include")

# Runs on the fake driver: what the backend does with a device, without the kernels' effects.
FAKE_SESSION = """
import json, numpy as np, theon, theon.tensor as T
from theon import _core
theon.config.cxx = ''
out = {'name': _core.device_name('cuda0')}
try:
    _core.device_name('cuda1')
except RuntimeError as e:
    out['cuda1'] = str(e)
w = theon.shared(np.arange(5.0), 'w', target='cuda0')
out['round trip'] = w.get_value().tolist()
w.set_value(np.array([1.5, -0.0, np.inf, 2.0, 3.0]))
out['set'] = [repr(v) for v in w.get_value()]
x = T.dvector('x')
f = theon.function([x], [T.exp(x) * 2 + T.sum(w), T.sum(x.transfer('cuda0'))], profile=True)
f(np.zeros(300000))
out['kernels'] = [k for _, k in f.profile.node_kernels]
A = T.dmatrix('A')
with theon.config.change_flags(device='cuda0'):
    g = theon.function([A], T.dot(A, A.T), profile=True)
a = np.arange(6.0).reshape(2, 3)
out['dot'] = (g(a) == a @ a.T).all().item()
out['dot kernels'] = [k for _, k in g.profile.node_kernels]
try:
    theon.shared(np.zeros(7500000), 'big', target='cuda0')
except MemoryError as e:
    out['oom'] = str(e)
print(json.dumps(out))
"""


@pytest.mark.skipif("no CUDA backend" in _why_unavailable(CUDA), reason="no CUDA backend built")
@pytest.mark.skipif(not os.path.exists(os.path.join(CUDA_INCLUDE, "cuda.h")),
                    reason=f"no cuda.h in {CUDA_INCLUDE}")
@pytest.mark.skipif(_why_no_nvrtc() != "", reason=f"NVRTC cannot compile here: {_why_no_nvrtc()}")
def test_the_driver_path_on_a_fake_driver(tmp_path):
    # tests/python/fake_cuda/fake_libcuda.cpp stands in for libcuda.so.1 over host memory: the
    # backend's device setup, copies, pool, NVRTC device code, launches and out-of-memory
    # errors run for real; the kernels themselves do not run (their outputs are not checked;
    # values computed on the host between copies are).
    cxx = os.environ.get("CXX") or "g++"
    subprocess.run([cxx, "-std=c++17", "-shared", "-fPIC", "-O1", f"-I{CUDA_INCLUDE}", "-o",
                    str(tmp_path / "libcuda.so.1"), FAKE_DRIVER], check=True, timeout=120)
    log = tmp_path / "driver.log"
    env = dict(os.environ, LD_LIBRARY_PATH=str(tmp_path), FAKE_CUDA_LOG=str(log),
               FAKE_CUDA_MEMORY=str(50_000_000))
    r = subprocess.run([sys.executable, "-c", FAKE_SESSION], env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.splitlines()[-1])
    assert out["name"] == "CUDA / Fake GPU (compute capability 9.0)"
    assert out["cuda1"] == "device cuda1 is unavailable: the CUDA driver finds 1 device(s)"
    assert out["round trip"] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert out["set"] == ["np.float64(1.5)", "np.float64(-0.0)", "np.float64(inf)",
                          "np.float64(2.0)", "np.float64(3.0)"]
    assert {"device elementwise", "device reduction"} <= set(out["kernels"]), out["kernels"]
    # cuBLAS cannot start on the fake driver: products run on the host, between copies.
    assert out["dot"] is True
    assert "host fallback (no cuda0 kernel)" in out["dot kernels"], out["dot kernels"]
    assert out["oom"].startswith("allocating 60000000 bytes on cuda0 failed: "
                                 "CUDA_ERROR_OUT_OF_MEMORY (2) (the pool holds "), out["oom"]
    lines = log.read_text().splitlines()
    # Device code (the fake refuses PTX) for compute capability 9.0, one module per kernel
    # launched; 300000 work items in blocks of 256.
    launched = {line.split()[1] for line in lines if line.startswith("launch ")}
    assert {"theon_elementwise", "theon_reduce"} <= launched, lines
    assert sum(line.startswith("load ELF ") for line in lines) == len(launched), lines
    assert "launch theon_elementwise grid 1172x1x1 block 256x1x1 shared 0" in lines, lines


@needs_gpu
@pytest.mark.parametrize("row,dtype", ocl.float_rows())
def test_rows_match_the_reference_on_cuda(row, dtype):
    kernels = [k for _, k in ocl.run_row_on_device(row, dtype, CUDA)]
    if row.name in ocl.ON_DEVICE:
        assert any(k.startswith("device ") for k in kernels), kernels
        assert not any(k.startswith("host fallback") for k in kernels), kernels


@needs_gpu
@pytest.mark.parametrize("row,dtype", ocl.structured_rows())
def test_structured_rows_match_the_reference_on_cuda(row, dtype):
    ocl.run_row_on_device(row, dtype, CUDA)


@needs_gpu
def test_special_values_and_products_on_cuda():
    x, A = T.dvector("x"), T.fmatrix("A")
    outs = [T.maximum(x, 0.0), -x, T.sign(x), x * 0.0, T.sum(x), T.max(x)]
    with theon.config.change_flags(device=CUDA):
        f = theon.function([x], outs)
        g = theon.function([A], [T.dot(A, A.T), T.dot(A[:, ::2].T, A[:, ::2])], profile=True)
    host = theon.function([x], outs)
    xv = np.array([np.nan, -0.0, np.inf, -np.inf, 2.5])
    for got, want in zip(f(xv), host(xv)):
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
    av = np.random.default_rng(0).standard_normal((33, 17)).astype(np.float32)
    for got, want in zip(g(av), [av @ av.T, av[:, ::2].T @ av[:, ::2]]):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
