#!/usr/bin/env bash
# Sets up .venv, builds and installs theon (pip install . through scikit-build-core) with the
# C++ tests and examples in the same CMake build, then runs every C++ and Python test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venv.sh
.venv/bin/pip install --no-build-isolation . \
  -C build-dir=build/pip \
  -C cmake.define.THEON_BUILD_TESTS=ON \
  -C cmake.define.THEON_BUILD_EXAMPLES=ON \
  -C cmake.args=-GNinja
ctest --test-dir build/pip --output-on-failure -j2
.venv/bin/python -m pytest tests/python -q
