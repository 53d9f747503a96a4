#!/usr/bin/env bash
# Builds the documentation site into docs/_build/html with warnings as errors, and runs every
# example in it (Sphinx's doctest builder) against the theon installed in .venv (scripts/demo.sh
# or scripts/test.sh install it).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pip install -q --disable-pip-version-check -r docs/requirements.txt
echo "== docs: running the examples of every page"
.venv/bin/python -m sphinx -E -q -W --keep-going -b doctest docs docs/_build/doctest
echo "== docs: building the site (docs/_build/html)"
.venv/bin/python -m sphinx -E -q -W --keep-going -b html docs docs/_build/html
echo "== docs: built; open docs/_build/html/index.html"
