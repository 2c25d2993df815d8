#!/usr/bin/env bash
# `make fuzz`: runs each libFuzzer target of a SUPERSTORE_FUZZ build for a while, one after another.
#   scripts/run-fuzz.sh BUILD_DIR SECONDS [TARGET...]      (TARGET: token, paths, ...; default all)
# Each target starts from its seeds (fuzz/corpus/<target>/) and from what earlier runs found
# (BUILD_DIR/fuzz/corpus/<target>/, kept between runs). A crash, sanitizer report or hang stops that target
# and leaves the input in BUILD_DIR/fuzz/findings/<target>/; replay it with `BUILD_DIR/fuzz/fuzz_<target> FILE`.
# Exits non-zero when any target found something.
set -uo pipefail

build=${1:?usage: run-fuzz.sh BUILD_DIR SECONDS [TARGET...]}
seconds=${2:?usage: run-fuzz.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
source_dir=$(cd "$(dirname "$0")/.." && pwd)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=()
  for dir in "$source_dir"/fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
fi

failed=()
for target in "${targets[@]}"; do
  binary="$build/fuzz/fuzz_$target"
  [ -x "$binary" ] || { echo "run-fuzz: no $binary (build the fuzz_targets target first)" >&2; exit 2; }
  corpus="$build/fuzz/corpus/$target"
  findings="$build/fuzz/findings/$target"
  mkdir -p "$corpus" "$findings"
  dict=()
  [ -f "$source_dir/fuzz/dict/$target.dict" ] && dict=("-dict=$source_dir/fuzz/dict/$target.dict")
  # libFuzzer checks for leaks after every input that allocates more than it frees. DuckDB (a prebuilt
  # library) keeps engines, caches and pooled sessions between inputs, which that check reports as leaks
  # of the first inputs; the targets that run DuckDB are checked for leaks by build-asan's ctest instead.
  leaks=()
  case "$target" in routes | insert_file) leaks=("-detect_leaks=0") ;; esac
  echo "run-fuzz: $target for ${seconds}s" >&2
  # -timeout: an input running this long is a hang. -rss_limit_mb: DuckDB's engines need more than
  # libFuzzer's 2 GB default allows under ASan's shadow memory.
  if ! "$binary" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=6144 -max_len=4096 \
        -print_final_stats=1 -artifact_prefix="$findings/" "${dict[@]}" "${leaks[@]}" \
        "$corpus" "$source_dir/fuzz/corpus/$target" 2>"$build/fuzz/$target.log"; then
    failed+=("$target")
    tail -n 40 "$build/fuzz/$target.log" >&2
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|cov: " "$build/fuzz/$target.log" | tail -n 3 >&2
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "run-fuzz: findings in ${failed[*]}: see $build/fuzz/findings/" >&2
  exit 1
fi
echo "run-fuzz: no findings in ${targets[*]}" >&2
