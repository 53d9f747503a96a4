#!/usr/bin/env bash
# Builds the library, its C++ tests and the Python extension with AddressSanitizer and
# UndefinedBehaviorSanitizer (build/asan), then runs the C++ tests and the Python smoke suite
# under them (every Python test). Any report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venv.sh
# GCC's -Wmaybe-uninitialized misfires on std::variant under the sanitizers' instrumentation
# (the normal build, where it is on, is clean).
echo "== sanitize: configuring build/asan"
cmake -S . -B build/asan -GNinja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTHEON_BUILD_EXAMPLES=OFF -DTHEON_PYTHON_STUBS=OFF -DPython_EXECUTABLE="$PWD/.venv/bin/python" \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -Wno-maybe-uninitialized" \
  >/dev/null
echo "== sanitize: building (the first build takes several minutes)"
cmake --build build/asan
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
# The OpenCL driver's own process-lifetime allocations (see the file) are not Theon's leaks.
export LSAN_OPTIONS=suppressions="$PWD/scripts/lsan_suppressions.txt"
echo "== sanitize: C++ tests"
build/asan/tests/cpp/theon_tests --gtest_brief=1
echo "== sanitize: Python tests"
# The interpreter is not instrumented, so the runtimes are preloaded; leaks are not checked
# there because CPython and NumPy keep allocations alive until exit by design. Output is
# captured at the sys level only, so that a sanitizer's report (written to file descriptor 2
# just before it aborts) reaches the log instead of dying with pytest's capture. An impossible
# allocation (a corrupt pickle's length field) returns null, as the real malloc does, so that
# the interpreter raises MemoryError instead of ASan aborting.
# Absolute, so that tests which start Python in another folder load the same build.
PYTHONPATH="$PWD/build/asan/python" \
  LD_PRELOAD="$(g++ -print-file-name=libasan.so) $(g++ -print-file-name=libubsan.so)" \
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:allocator_may_return_null=1 THEON_EXPECT_SANITIZED=1 \
  .venv/bin/python -m pytest -q -p no:cacheprovider --capture=sys "$@" tests/python
