#!/usr/bin/env bash
# The CUDA check of a GPU session (issue 13), in two steps:
#
#   bash scripts/gpu_check.sh pack   # here, before: fills build/gpu_carry with what the GPU
#                                    # machine may lack (CUDA headers, scipy-openblas32, pytest)
#   bash scripts/gpu_check.sh        # on the GPU machine (the run tool, carry ["build/gpu_carry"]):
#                                    # builds Theon, runs the CUDA tests and benchmarks/gpu.py
#
# The GPU machine has no network; its Python has PyTorch, JAX, CuPy, nanobind,
# scikit-build-core, CMake and ninja. Results go to $OUT (or build/gpu_out): tests.txt (the
# tests' output), gpu_bench.json (the figures), env.txt (what was found). The script goes on
# after a failed step so that one run gives every result it can; its status is the first
# failure's.
set -uo pipefail
cd "$(dirname "$0")/.."
CARRY=build/gpu_carry
PY=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}

if [ "${1:-}" = pack ]; then
  set -e
  rm -rf "$CARRY" && mkdir -p "$CARRY/pylib" "$CARRY/cuda-include"
  # The CUDA headers the backend includes, with everything they include.
  printf '#include <cuda.h>\n#include <nvrtc.h>\n#include <cublas_v2.h>\n' |
    g++ -I/usr/local/cuda/include -M -x c++ - | tr ' \\' '\n\n' |
    sed -n 's|^/usr/local/cuda/include/||p' | sort -u |
    (cd /usr/local/cuda/include && xargs cp --parents -t "$OLDPWD/$CARRY/cuda-include")
  site=$($PY -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  for pkg in scipy_openblas32 pytest _pytest pluggy iniconfig packaging pygments py.py; do
    cp -r "$site/$pkg" "$CARRY/pylib/"
  done
  du -sh "$CARRY"
  exit 0
fi

OUT=${OUT:-build/gpu_out}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
status=0
step() {  # step NAME COMMAND...: runs a step, logs it to $OUT/tests.txt, keeps the first failure
  echo "== $1" | tee -a "$OUT/tests.txt"
  shift
  "$@" 2>&1 | tee -a "$OUT/tests.txt" | tail -25
  local rc=${PIPESTATUS[0]}
  echo "== exit $rc" | tee -a "$OUT/tests.txt"
  [ "$status" -ne 0 ] || status=$rc
}

# Python packages the machine lacks come from the carried folder (after its own).
export PYTHONPATH="$PWD/build/gpu_site${PYTHONPATH:+:$PYTHONPATH}:$PWD/$CARRY/pylib"
# NVRTC and cuBLAS: the toolkit's, else the ones PyTorch's or CuPy's wheels ship; the backend
# asks for libnvrtc.so / libcublas.so when its own major version is not there.
libs=$PWD/build/gpu_libs
mkdir -p "$libs"
for lib in nvrtc cublas; do
  found=$( (ls /usr/local/cuda/lib64/lib$lib.so* 2>/dev/null;
            find $($PY -c 'import site; print(" ".join(site.getsitepackages()))') \
              -name "lib$lib.so*" 2>/dev/null) | grep -v -e builtins -e alt | sort -V | tail -1)
  if [ -n "$found" ]; then
    ln -sf "$found" "$libs/lib$lib.so"
    LD_LIBRARY_PATH="$(dirname "$found"):${LD_LIBRARY_PATH:-}"
  fi
done
export LD_LIBRARY_PATH="$libs:${LD_LIBRARY_PATH:-}"
{
  echo "python: $($PY --version) ($PY)"
  nvidia-smi --query-gpu=name,driver_version,compute_cap --format=csv 2>&1
  ls -l "$libs"
  echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
} | tee "$OUT/env.txt"

# The build: C++ tests where GoogleTest is installed.
tests=OFF
[ -f /usr/include/gtest/gtest.h ] && tests=ON
step "build (C++ tests $tests)" env CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
  $PY -m pip install -q --no-build-isolation --no-deps --no-index --upgrade \
  --target build/gpu_site . -C build-dir=build/gpu -C cmake.args=-GNinja \
  -C cmake.define.THEON_BUILD_TESTS=$tests \
  -C "cmake.define.THEON_CUDA_INCLUDE_DIRS=$PWD/$CARRY/cuda-include"
step "cuda0" $PY -c "from theon import _core; print(_core.device_name('cuda0'))"
if [ $tests = ON ]; then
  step "C++ device tests" build/gpu/tests/cpp/theon_tests --gtest_brief=1 \
    --gtest_filter='DeviceCuda*:Device*'
fi
step "Python CUDA tests" $PY -m pytest tests/python/test_device_cuda.py -q -rs -p no:cacheprovider
step "GPU benchmarks" $PY benchmarks/gpu.py --device cuda0 --out "$OUT/gpu_bench.json"
exit $status
