#!/usr/bin/env bash
# Creates the benchmark peers' own virtual environment (default ~/.cache/theon-bench/venv),
# installs Theon from this checkout into it, then each peer of requirements-peers.txt one at a
# time. A peer that fails to install is recorded in <venv>/peers-status.txt with the reason, and
# the runner lists it as "not installed" instead of dropping it.
#
#   bash benchmarks/setup_peers.sh [VENV_DIR]
#   THEON_BENCH_SKIP_THEON=1 ...   keeps the venv's Theon as it is (for reruns after a peer fix)
set -uo pipefail
cd "$(dirname "$0")/.."
VENV="${1:-${THEON_BENCH_VENV:-$HOME/.cache/theon-bench/venv}}"
STATUS="$VENV/peers-status.txt"
LOGDIR="$VENV/install-logs"

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" || { echo "cannot create $VENV" >&2; exit 1; }
fi
mkdir -p "$LOGDIR"
PIP=("$VENV/bin/pip" install --disable-pip-version-check --no-input)

# Theon itself is required: without it there is nothing to compare.
if [ -z "${THEON_BENCH_SKIP_THEON:-}" ]; then
  "${PIP[@]}" -q -r requirements-dev.txt || exit 1
  "${PIP[@]}" --no-build-isolation . -C build-dir=build/bench-peers -C cmake.args=-GNinja \
    >"$LOGDIR/theon.log" 2>&1 || { echo "theon failed to install, see $LOGDIR/theon.log" >&2; exit 1; }
fi

: >"$STATUS"
while IFS= read -r line; do
  req="${line%%#*}"
  req="$(echo "$req" | xargs)"
  [ -z "$req" ] && continue
  name="${req%%[*}"
  echo "installing $req ..."
  if timeout "${THEON_BENCH_PEER_TIMEOUT:-1800}" "${PIP[@]}" "$req" >"$LOGDIR/$name.log" 2>&1; then
    echo "$name	installed" >>"$STATUS"
  else
    reason="$(grep -E 'ERROR|error:' "$LOGDIR/$name.log" | tail -1 | cut -c1-200)"
    echo "$name	failed	${reason:-pip exited non-zero or timed out}" >>"$STATUS"
    echo "  $name: not installed (${reason:-see $LOGDIR/$name.log})"
  fi
done <benchmarks/requirements-peers.txt
cat "$STATUS"
