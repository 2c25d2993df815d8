#!/usr/bin/env bash
# Puts DuckDB's official prebuilt libduckdb.so and the matching duckdb.h into third_party/duckdb/.
# Both come from npm (the only registry besides Debian's that our machines reach) and are checked against
# pinned SHA-256 sums. A copy is kept in ~/.cache/superstore so a fresh clone does not download again.
set -euo pipefail

VERSION=1.4.4
LIB_PKG="@duckdb/node-bindings-linux-x64@${VERSION}-r.4"
HDR_PKG="duckdb@${VERSION}"
LIB_SHA=1ef33048e12235115ac0d277a0aaccbb560e33248144f488b5ac005cd9ba81b5
HDR_SHA=cbe6a827284375c5a646b8f27dbd3a00808ce8738b5bbb49c190cb1e08540281

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/third_party/duckdb"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/superstore/duckdb-$VERSION"

ok() { [ -f "$1/libduckdb.so" ] && [ -f "$1/duckdb.h" ] &&
  echo "$LIB_SHA  $1/libduckdb.so" | sha256sum --quiet -c - 2>/dev/null &&
  echo "$HDR_SHA  $1/duckdb.h" | sha256sum --quiet -c - 2>/dev/null; }

if ok "$dest"; then exit 0; fi

if ! ok "$cache"; then
  command -v npm >/dev/null || { echo "fetch-duckdb: npm is needed (apt-get install npm)" >&2; exit 1; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "fetch-duckdb: downloading DuckDB $VERSION from npm" >&2
  (cd "$work" && npm pack --silent "$LIB_PKG" >/dev/null && npm pack --silent "$HDR_PKG" >/dev/null)
  tar -xzf "$work"/duckdb-node-bindings-linux-x64-*.tgz -C "$work" package/libduckdb.so
  tar -xzf "$work"/duckdb-"$VERSION".tgz -C "$work" package/src/duckdb/src/include/duckdb.h
  mkdir -p "$cache"
  cp "$work/package/libduckdb.so" "$work/package/src/duckdb/src/include/duckdb.h" "$cache/"
  ok "$cache" || { echo "fetch-duckdb: checksum mismatch; refusing to use the download" >&2; rm -rf "$cache"; exit 1; }
fi

mkdir -p "$dest"
cp "$cache/libduckdb.so" "$cache/duckdb.h" "$dest/"
echo "fetch-duckdb: DuckDB $VERSION ready in third_party/duckdb" >&2
