#!/usr/bin/env bash
# Sets up .venv, installs theon and runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venv.sh
.venv/bin/pip install -q --no-build-isolation . -C build-dir=build/pip-demo -C cmake.args=-GNinja
.venv/bin/python examples/demo.py
