#!/usr/bin/env bash
# Proves the README's first command: a fresh clone of HEAD, with PATH reduced to the system's
# directories (so only the system Node and its npm), reaches /health with `npm start` and stops on
# SIGTERM; a second `npm start` skips the installation and serves again.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/city-fresh-clone.XXXXXX")"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
git clone --quiet "$repo" "$work/repo"
cd "$work/repo"
git -c advice.detachedHead=false checkout --quiet "$(git -C "$repo" rev-parse HEAD)"
system_path=/usr/local/bin:/usr/bin:/bin
echo "system node: $(PATH=$system_path command -v node) $(PATH=$system_path node --version)"

# One run of `npm start` in the background; waits for /health, then stops it with SIGTERM.
start_once() {
  local log="$1" port=""
  env -i HOME="$HOME" PATH="$system_path" TMPDIR="${TMPDIR:-/tmp}" PORT=0 LOG_LEVEL=warn \
    npm start >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1800); do
    port="$(sed -n 's#^City Chain Auth API .*listening on http://127\.0\.0\.1:\([0-9]*\)\( .*\)\{0,1\}$#\1#p' "$log" | head -1)"
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "npm start exited before listening" >&2; return 1; }
    sleep 1
  done
  [ -n "$port" ] || { cat "$log"; echo "npm start did not listen within 30 minutes" >&2; return 1; }
  curl -fsS "http://127.0.0.1:$port/health"; echo
  kill -TERM "$pid"
  local status=0
  wait "$pid" || status=$?
  pid=""
  for _ in $(seq 1 20); do
    ! pgrep -f "$work/repo/apps/api/dist/server.js" >/dev/null && break
    sleep 0.5
  done
  if pgrep -f "$work/repo/apps/api/dist/server.js" >/dev/null; then
    echo "the API kept running after npm start was stopped" >&2; return 1
  fi
  echo "stopped (npm exit status $status)"
}

started=$(date +%s)
start_once "$work/start-1.log"
grep -q 'installing dependencies' "$work/start-1.log" || { echo "first start did not install" >&2; exit 1; }
if grep -q 'Ignored build scripts' "$work/start-1.log"; then
  echo "pnpm install printed the ignored build scripts warning" >&2; exit 1
fi
echo "first start: $(($(date +%s) - started))s"
started=$(date +%s)
start_once "$work/start-2.log"
if grep -q 'installing' "$work/start-2.log"; then
  cat "$work/start-2.log"; echo "the second start installed again" >&2; exit 1
fi
echo "second start: $(($(date +%s) - started))s"
