#!/usr/bin/env bash
# Installs the system packages the tests need (scripts/system_packages.sh), sets up .venv, builds
# and installs theon with its C++ tests and examples (scripts/build.sh; the same build folder as
# the demo's), then runs every C++ and Python test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system_packages.sh
bash scripts/setup_venv.sh
bash scripts/build.sh -C cmake.define.THEON_BUILD_TESTS=ON -C cmake.define.THEON_BUILD_EXAMPLES=ON
echo "== C++ tests"
ctest --test-dir build/pip --output-on-failure -j2
echo "== Python tests"
.venv/bin/python -m pytest tests/python -q
