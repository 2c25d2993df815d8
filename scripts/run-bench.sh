#!/usr/bin/env bash
# Runs every benchmark of a Release build folder (default build-bench).
set -euo pipefail
build=${1:-build-bench}
"$build/bench/fakedata_bench"
"$build/bench/fakedata_advance_bench"
"$build/bench/query_bench" "$build/superstore"
# Pruning from the log at scale 1000, on the fake tables and on copies with 2 MiB files (issue 19).
"$build/bench/prune_bench" "$build/superstore" --scale 1000 --runs 11 --copies-mib 2
"$build/bench/data_api_bench" "$build/superstore"
"$build/bench/front_bench" "$build/superstore"
# Tables on S3 (moto on loopback; needs python3 with moto): writes vs the local store, cold and warm queries.
"$(dirname "$0")/../bench/s3_bench.sh" "$build" 100
"$build/bench/upkeep_bench"
"$build/bench/startup_bench" "$build/superstore"
# The web console's start-up in Debian's Chromium (playwright-core from web/node_modules: npm ci in web/).
node "$(dirname "$0")/../bench/console_bench.mjs" "$build/superstore"
