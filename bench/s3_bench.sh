#!/usr/bin/env bash
# Object storage benchmark (issue 18): fake data at one scale written to the local store and to an S3 test
# server (moto on loopback) in rows/s, then cold and warm POST /execute of the four example queries with
# the tables on S3. Cold: a fresh server process, whose file cache is empty, so the query downloads the
# table's files; warm: the same query again, the files cached.
# Usage: bench/s3_bench.sh [BUILD_DIR (default build-bench)] [SCALE (default 100)]
# Needs python3 with moto (`python3 -m moto.server`) and curl.
set -euo pipefail
build=${1:-build-bench}
scale=${2:-100}
bin="$(cd "$build" && pwd)/superstore"
work=$(mktemp -d /tmp/s3-bench-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m moto.server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto=$!
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  kill "$moto" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
curl -s -o /dev/null -X PUT "http://127.0.0.1:$port/bench"  # moto creates the bucket without a signature

common=(APP_ENV=dev FAKE_DATA_SCALE="$scale" USER_EMAIL=bench@example.com USER_PASSWORD=bench-password-1)
s3=(WAREHOUSE_URL=s3://bench/wh S3_ENDPOINT="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=bench
    AWS_SECRET_ACCESS_KEY=bench-secret)

rows_of() {  # total rows of the fake tables in DATA_DIR $1 (with the rest of the arguments as environment)
  local dir=$1; shift
  env "$@" DATA_DIR="$dir" "$bin" sql --format csv "SELECT (SELECT count(*) FROM fake_users) + (SELECT count(*) FROM fake_orders)
    + (SELECT count(*) FROM fake_analytics) + (SELECT count(*) FROM fake_products) AS n" 2>/dev/null |
    tail -1
}

write() {  # name, then environment
  local name=$1; shift
  local dir="$work/$name"
  local start end rows
  start=$(date +%s.%N)
  env "$@" DATA_DIR="$dir" "$bin" fake-data create >/dev/null
  end=$(date +%s.%N)
  rows=$(rows_of "$dir" "$@")
  awk -v n="$name" -v r="$rows" -v s="$start" -v e="$end" \
    'BEGIN { printf "fake data scale-%s to %-6s %10d rows in %6.1f s: %9.0f rows/s\n", '"$scale"', n, r, e - s, r / (e - s) }'
}

echo "== writes (superstore fake-data create, FAKE_DATA_SCALE=$scale)"
write local "${common[@]}"
write s3 "${common[@]}" "${s3[@]}"

echo "== POST /execute on S3, cold (new server process, empty cache) and warm (again)"
queries=(
  "SELECT department, COUNT(*) as count, AVG(salary) as avg_salary FROM fake_users GROUP BY department ORDER BY avg_salary DESC"
  "SELECT status, COUNT(*) as order_count, SUM(total_amount) as total_revenue, AVG(total_amount) as avg_order_value FROM fake_orders GROUP BY status"
  "SELECT device_type, country, COUNT(*) as events, AVG(session_duration) as avg_session_duration, SUM(CASE WHEN conversion THEN 1 ELSE 0 END) as conversions FROM fake_analytics GROUP BY device_type, country ORDER BY events DESC"
  "SELECT category, COUNT(*) as product_count, AVG(price) as avg_price, SUM(stock_quantity) as total_inventory FROM fake_products GROUP BY category"
)
names=("department averages" "order revenue by status" "analytics by device and country" "inventory by category")
for i in "${!queries[@]}"; do
  env "${common[@]}" "${s3[@]}" DATA_DIR="$work/s3" PORT=0 "$bin" serve >"$work/serve.out" 2>"$work/serve.err" &
  server=$!
  for _ in $(seq 300); do grep -q "listening on" "$work/serve.out" && break; sleep 0.1; done
  url=$(grep -o "http://[0-9.:]*" "$work/serve.out" | head -1)
  token=$(curl -s -X POST -d "username=bench%40example.com&password=bench-password-1" "$url/auth/jwt/login" |
          python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  body=$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "${queries[$i]}")
  times=()
  for run in cold warm warm; do
    t=$(curl -s -o /dev/null -w "%{time_total}" -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
        -d "$body" "$url/execute")
    times+=("$(awk -v t="$t" 'BEGIN { printf "%.1f", t * 1000 }')")
  done
  printf "%-34s cold %8s ms, warm %8s ms, %8s ms\n" "${names[$i]}" "${times[0]}" "${times[1]}" "${times[2]}"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
done
