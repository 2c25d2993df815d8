#!/usr/bin/env bash
# Runs every benchmark of a Release build folder (default build-bench). Extra arguments go to each.
set -euo pipefail
build=${1:-build-bench}
shift || true
"$build/bench/fakedata_bench" "$@"
