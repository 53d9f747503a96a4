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
pip_install() {
  .venv/bin/pip install $quiet --disable-pip-version-check --progress-bar off "$@" |
    { grep --line-buffered -E '^ *(Collecting|Downloading|Installing collected|Successfully)' || true; }
}
# mpi4py last and on its own: where PyPI has no wheel for this platform it builds from source
# with mpicc (libopenmpi-dev), and without one the rest must still install; the tests that use
# it then skip and say why.
grep -v '^mpi4py' requirements-dev.txt > .venv/requirements-without-mpi4py.txt
pip_install -r .venv/requirements-without-mpi4py.txt
pip_install "$(grep '^mpi4py' requirements-dev.txt)" ||
  echo "== mpi4py did not install (no wheel, and no MPI compiler to build it); its tests skip"
