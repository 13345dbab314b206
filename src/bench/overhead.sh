#!/usr/bin/env bash
# Gateway overhead: the same wrk load against a fast upstream directly, and through Sluice
# (in-memory store, admission on, limits far out of reach). Everything runs on 127.0.0.1; every
# process this script starts is stopped by its PID when it ends.
#
#   src/bench/overhead.sh                      # 20 s per measurement, 64 connections
#   DURATION=10s CONNECTIONS=32 src/bench/overhead.sh
#   REQUEST_LOG=off src/bench/overhead.sh      # without Sluice's per-request log line
#   UPSTREAM_LATENCY_MS=20 src/bench/overhead.sh  # an upstream that takes 20 ms per reply
#
# Prints a Markdown table for docs/benchmarks.md. Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
REQUEST_LOG=${REQUEST_LOG:-on}
UPSTREAM_LATENCY_MS=${UPSTREAM_LATENCY_MS:-0}
UPSTREAM_PORT=${UPSTREAM_PORT:-18101}
SLUICE_PORT=${SLUICE_PORT:-18102}
OUT=target/bench
mkdir -p "$OUT"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

pids=()
cleanup() { # Sluice first, so that it does not see its upstream vanish
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

echo "building..." >&2
mvn -B -q -DskipTests package
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/classpath.txt" >/dev/null

wait_for() { # url, seconds
  for _ in $(seq 1 $(( $2 * 10 ))); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "nothing answered at $1" >&2; exit 1
}

java -cp "target/test-classes:$(cat "$OUT/classpath.txt")" dev.sluice.upstream.TestUpstream "$UPSTREAM_PORT" "$UPSTREAM_LATENCY_MS" \
  > "$OUT/upstream.log" 2>&1 &
pids+=($!); upstream_pid=$!

log_level=INFO; [ "$REQUEST_LOG" = off ] && log_level=WARN
env SLUICE_UPSTREAM_URL="http://127.0.0.1:$UPSTREAM_PORT/v1" \
    SLUICE_UPSTREAM_RPM=600000000 SLUICE_UPSTREAM_BURST=10000000 \
    SLUICE_CALLER_RATE=10000000/s SLUICE_CALLER_BURST=10000000 \
    QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$SLUICE_PORT" \
    QUARKUS_LOG_CATEGORY__DEV_SLUICE_REQUEST__LEVEL="$log_level" \
  java -jar target/quarkus-app/quarkus-run.jar > "$OUT/sluice.log" 2>&1 &
pids+=($!); sluice_pid=$!

wait_for "http://127.0.0.1:$UPSTREAM_PORT/" 30
wait_for "http://127.0.0.1:$SLUICE_PORT/q/health/ready" 60

cat > "$OUT/chat.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"model":"gpt-test","messages":[{"role":"user","content":"Say hello"}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-bench-caller"
LUA

direct="http://127.0.0.1:$UPSTREAM_PORT/v1/chat/completions"
through="http://127.0.0.1:$SLUICE_PORT/v1/chat/completions"

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }

# run <label> <url> <connections> <duration> <pid whose CPU to count>
run() {
  local before after
  before=$(cpu_ticks "$5")
  local threads=$THREADS; [ "$3" -lt "$threads" ] && threads=$3
  wrk -t"$threads" -c"$3" -d"$4" --latency -s "$OUT/chat.lua" "$2" > "$OUT/$1.txt"
  after=$(cpu_ticks "$5")
  local rps p50 p99 errors requests
  rps=$(awk '/Requests\/sec/ {print $2}' "$OUT/$1.txt")
  p50=$(awk '$1=="50%" {print $2}' "$OUT/$1.txt")
  p99=$(awk '$1=="99%" {print $2}' "$OUT/$1.txt")
  requests=$(awk '/requests in/ {print $1}' "$OUT/$1.txt")
  errors=$(awk '/Non-2xx/ {print $NF}' "$OUT/$1.txt"); errors=${errors:-0}
  local cpu_us
  cpu_us=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}')
  echo "$1 $rps $p50 $p99 $errors $cpu_us"
}

# On 2 cores the JIT keeps compiling for about a minute under this load; measure after it settles.
echo "warming up (JIT), ${WARMUP_SECONDS:-60} s..." >&2
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP_SECONDS:-60}s" -s "$OUT/chat.lua" "$through" > /dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s "$OUT/chat.lua" "$direct" > /dev/null

echo "measuring..." >&2
results=(
  "$(run direct "$direct" "$CONNECTIONS" "$DURATION" "$upstream_pid")"
  "$(run sluice "$through" "$CONNECTIONS" "$DURATION" "$sluice_pid")"
  "$(run direct-c1 "$direct" 1 10s "$upstream_pid")"
  "$(run sluice-c1 "$through" 1 10s "$sluice_pid")"
)

direct_rps=$(echo "${results[0]}" | awk '{print $2}')
echo
echo "| target | connections | req/s | ratio to direct | p50 | p99 | non-2xx | CPU µs/request (that process) |"
echo "|---|---|---|---|---|---|---|---|"
for row in "${results[@]}"; do
  read -r label rps p50 p99 errors cpu <<< "$row"
  conns=$CONNECTIONS; [[ $label == *-c1 ]] && conns=1
  ratio=$(awk -v a="$rps" -v b="$direct_rps" 'BEGIN {printf "%.2f", a / b}')
  [[ $label == *-c1 ]] && ratio="-"
  echo "| ${label%-c1} | $conns | $rps | $ratio | $p50 | $p99 | $errors | $cpu |"
done
echo
echo "upstream latency: ${UPSTREAM_LATENCY_MS} ms; request log: $REQUEST_LOG; wrk -t$THREADS, $DURATION per row (10s for 1 connection); $(nproc) cores; $(java -version 2>&1 | head -1)"
