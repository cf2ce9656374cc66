#!/usr/bin/env bash
# Builds FerretDB v1.24.2 (MongoDB wire protocol on SQLite) from the Go module proxy into $1.
# `go install` is not enough: the module archive lacks build/version/version.txt, without which
# the binary refuses to start, so the source is copied, the version file written, then built.
set -euo pipefail
out="${1:?usage: install-ferretdb.sh <output-binary>}"
version=v1.24.2
dir=$(go mod download -json "github.com/FerretDB/FerretDB@$version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
[ -n "$dir" ] || { echo "error: could not download github.com/FerretDB/FerretDB@$version" >&2; exit 1; }
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
cp -r "$dir"/. "$src"
chmod -R u+w "$src"
echo "$version" > "$src/build/version/version.txt"
mkdir -p "$(dirname "$out")"
(cd "$src" && GOFLAGS=-buildvcs=false go build -o "$out" ./cmd/ferretdb)
echo "FerretDB $version built at $out" >&2
