#!/usr/bin/env bash
# Creates .venv (if missing) with the build and test dependencies, all from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
quiet=-q
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv and installing requirements-dev.txt from PyPI"
  python3 -m venv .venv
  quiet=
fi
.venv/bin/pip install $quiet --disable-pip-version-check --progress-bar off -r requirements-dev.txt |
  { grep --line-buffered -E '^ *(Collecting|Downloading|Installing collected|Successfully)' || true; }
