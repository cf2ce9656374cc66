#!/usr/bin/env bash
# The `city` command as people install it: packed into one tarball (scripts/pack-cli.mjs), installed
# globally into a temporary prefix with npm, offline, and run from an unrelated directory: version,
# help, completion and a command that loads the crypto dependencies from the installed bundle.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/city-installed-cli.XXXXXX")"
trap 'rm -rf "$work"' EXIT
tarball="$(node "$repo/scripts/pack-cli.mjs" "$work")"
echo "packed $(basename "$tarball") ($(du -h "$tarball" | cut -f1))"
npm install --global --prefix "$work/prefix" --offline --no-audit --no-fund --loglevel=error "$tarball"
mkdir "$work/elsewhere" && cd "$work/elsewhere"
export PATH="$work/prefix/bin:$PATH"
expected="$(node -p "require('$repo/apps/cli/package.json').version")"
[ "$(command -v city)" = "$work/prefix/bin/city" ] || { echo "city is not the installed one" >&2; exit 1; }
actual="$(city --version)"
[ "$actual" = "$expected" ] || { echo "city --version printed $actual, expected $expected" >&2; exit 1; }
city help exit-codes >/dev/null
[ "$(bash --norc --noprofile -c 'source <(city completion bash) && complete -p city')" = "complete -o filenames -F _city city" ]
city keygen --alg ed25519 --out device.key --json >/dev/null
grep -q 'BEGIN PRIVATE KEY' device.key
echo "city $actual installed globally and runs from $PWD"
