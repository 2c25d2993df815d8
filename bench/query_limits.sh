#!/usr/bin/env bash
# The time limit and the memory of POST /execute's JSON answers, measured on a real `superstore serve`
# (issue 15). Prints, for the binary given:
#  - how long a 100,000-column `SELECT 1, 1, ...` takes to be answered under QUERY_TIME_LIMIT=10, and the
#    status it gets;
#  - the server's peak RSS (VmHWM) before and after N concurrent huge answers (ROWS rows of a
#    BYTES-character string each, all on one page), and their statuses.
# Usage: bench/query_limits.sh build/superstore [COLUMNS=100000] [CONCURRENT=4] [ROWS=10000] [BYTES=100000]
# Extra server settings come from the environment (e.g. MAX_RESULT_BYTES, QUERY_MEMORY_LIMIT).
set -euo pipefail
binary=$(realpath "$1")
columns=${2:-100000}
concurrent=${3:-4}
rows=${4:-10000}
bytes=${5:-100000}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

DATA_DIR=$work/data HOST=127.0.0.1 PORT=0 QUERY_TIME_LIMIT=${QUERY_TIME_LIMIT:-10} USER_EMAIL=bench@example.com \
  USER_PASSWORD=bench-password-1 "$binary" serve >"$work/out" 2>&1 &
pid=$!
for _ in $(seq 600); do grep -q "listening on" "$work/out" && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/out" | head -1)
token=$(curl -s "$url/auth/jwt/login" -d username=bench@example.com -d password=bench-password-1 |
  sed 's/.*"access_token":"\([^"]*\)".*/\1/')
hwm() { awk '/VmHWM/ {print $2 / 1024 " MiB"}' "/proc/$pid/status"; }
run() {  # body -> "status seconds bytes"
  curl -s -o /dev/null -w '%{http_code} %{time_total}s %{size_download}B\n' -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' "$url/execute" --data-binary @"$1"
}

python3 -c "import json,sys; print(json.dumps({'query': 'SELECT ' + ', '.join(['1'] * $columns)}))" >"$work/wide.json"
echo "select of $columns columns, QUERY_TIME_LIMIT=${QUERY_TIME_LIMIT:-10}: $(run "$work/wide.json")"

printf '{"query": "SELECT repeat(%s, %d) AS s FROM range(%d)", "per_page": %d}' "'x'" "$bytes" "$rows" "$rows" \
  >"$work/huge.json"
echo "peak RSS before: $(hwm)"
for i in $(seq "$concurrent"); do run "$work/huge.json" >"$work/huge.$i" & done
wait $(jobs -p | grep -v "^$pid\$") 2>/dev/null || true
for i in $(seq "$concurrent"); do echo "huge answer $i ($rows rows of $bytes characters): $(cat "$work/huge.$i")"; done
echo "peak RSS after $concurrent concurrent: $(hwm)"
