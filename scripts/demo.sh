#!/usr/bin/env bash
# Sets up .venv, builds and installs theon (scripts/build.sh), and runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venv.sh
bash scripts/build.sh
.venv/bin/python examples/demo.py
