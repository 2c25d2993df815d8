#!/usr/bin/env bash
# Runs every benchmark of a Release build folder (default build-bench).
set -euo pipefail
build=${1:-build-bench}
"$build/bench/fakedata_bench"
"$build/bench/query_bench" "$build/superstore"
"$build/bench/data_api_bench" "$build/superstore"
"$build/bench/front_bench" "$build/superstore"
