#!/usr/bin/env bash
# Builds theon and installs it into .venv (pip install . through scikit-build-core) in
# build/pip, the one build folder that the demo and the tests share, so whichever runs second
# reuses the first one's work. Arguments are extra -C options for the build. Prints the build's
# progress; the whole log is in build/pip-install.log.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${CMAKE_CXX_COMPILER_LAUNCHER:-}" ] && command -v ccache >/dev/null; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache
fi
mkdir -p build
log=build/pip-install.log
echo "== building theon in build/pip${CMAKE_CXX_COMPILER_LAUNCHER:+ (with $CMAKE_CXX_COMPILER_LAUNCHER)}; full log: $log"
start=$SECONDS
# Ninja's "[k/n] Building ..." lines are the progress; everything else goes to the log only.
if ! .venv/bin/pip install -v --disable-pip-version-check --no-build-isolation . \
    -C build-dir=build/pip -C cmake.args=-GNinja "$@" 2>&1 | tee "$log" |
    { grep --line-buffered -E '^ *\[[0-9]+/[0-9]+\] ' || true; } |
    sed -u -E 's/^ *(\[[0-9]+\/[0-9]+\]) .* ([^ ]+)$/   \1 \2/'; then
  echo "== build failed; the end of $log:" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
echo "== theon installed into .venv in $((SECONDS - start)) s"
