#!/usr/bin/env bash
# Puts Node >= 24.7 and pnpm on PATH without touching the system Node.
# Usage: `. scripts/setup-toolchain.sh` (source it, so PATH stays set in your shell).
# When the Node on PATH is older, Node 24 and pnpm are installed from the npm registry
# into ./.tools (git-ignored) and ./.tools/node_modules/.bin is put first on PATH.
city_setup_toolchain() {
  local repo_root tools
  repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  tools="$repo_root/.tools"
  city_node_ok() {
    command -v node >/dev/null 2>&1 &&
      node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>24||(a===24&&b>=7)?0:1)'
  }
  if [ -x "$tools/node_modules/.bin/node" ]; then
    export PATH="$tools/node_modules/.bin:$PATH"
  fi
  if ! city_node_ok || ! command -v pnpm >/dev/null 2>&1; then
    echo "Installing Node 24 and pnpm into $tools (the system Node is left alone)..." >&2
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-audit --no-fund --loglevel=error node@24 pnpm@10.34.9 >&2 || return 1
    export PATH="$tools/node_modules/.bin:$PATH"
  fi
  if ! city_node_ok; then
    echo "error: Node >= 24.7 is required and could not be installed into $tools" >&2
    return 1
  fi
  echo "Using node $(node --version) and pnpm $(pnpm --version)" >&2
}
city_setup_toolchain
