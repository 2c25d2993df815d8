#!/usr/bin/env bash
# Installs the Debian packages the build, tests and benchmarks need, but only those that are missing,
# then fetches DuckDB. Safe to run again: with everything present it does nothing and needs no network.
set -euo pipefail

packages=(build-essential cmake ninja-build pkg-config libsqlite3-dev nlohmann-json3-dev libcpp-httplib-dev
          libsodium-dev libyaml-cpp-dev libssl-dev zlib1g-dev libbrotli-dev
          libcurl4-openssl-dev  # the S3 blob store (src/blob/s3_http.cpp)
          libflatbuffers-dev flatbuffers-compiler  # the Arrow IPC writer (src/query/arrow_ipc.fbs)
          libgtest-dev libgmock-dev libbenchmark-dev sqlite3 wrk
          chromium   # chromium: the web console's browser tests (web/tests/)
          clang-format clang-tidy   # `make test` checks the formatting; `make lint`
          clang libclang-rt-14-dev)  # `make fuzz`: clang++ and its libFuzzer runtime
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm may come with Node.js rather than Debian's package; either serves.
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
"$(dirname "$0")/fetch-duckdb.sh"
