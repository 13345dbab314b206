#!/usr/bin/env bash
# overhead: what Sluice costs per request. The same wrk load (POST /v1/chat/completions, a small chat
# body) against the simulated upstream directly, through a bare JVM proxy (BareProxy: read the body,
# forward it with a pooled Vert.x client, relay status and body; the floor of issue 20), and through
# Sluice (in-memory store, admission on, limits far out of reach); then each with one connection, the
# latency a single caller pays.
# Appends to docs/benchmarks/results.jsonl and draws docs/benchmarks/overhead-latency-<store>-<latency>ms.png.
#
#   src/bench/overhead.sh                          # 64 connections, 20 s a row
#   DURATION=10s CONNECTIONS=32 src/bench/overhead.sh
#   REQUEST_LOG=off src/bench/overhead.sh          # without Sluice's per-request log line
#   UPSTREAM_LATENCY_MS=20 src/bench/overhead.sh   # an upstream that takes 20 ms per reply
#   STORE=infinispan src/bench/overhead.sh         # buckets in the local Infinispan server
#   KEYS=1000 src/bench/overhead.sh                # keys required: 1,000 keys in the environment, wrk's among them
#   REALISTIC=1 STORE=infinispan src/bench/overhead.sh  # keys required (1,000), wrk's on a plan of its own with a
#                                                  # token limit, and token limits on the upstream: the tokenizer,
#                                                  # four buckets a request, usage settled (limits out of reach);
#                                                  # max_tokens 64 for replies of 16, as real callers set a cap their
#                                                  # replies mostly stay under: every request's reservation is settled
#   PROFILE=before src/bench/overhead.sh           # also a CPU flame graph of Sluice's 64-connection row:
#                                                  # docs/benchmarks/flame-<store>-before.html (async-profiler)
# Needs wrk (apt-get install wrk). wrk sends one caller's key, so the caller's and the upstream key's
# buckets are both hot keys: the worst case for a shared store.
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
REQUEST_LOG=${REQUEST_LOG:-on}
UPSTREAM_LATENCY_MS=${UPSTREAM_LATENCY_MS:-0}
STORE=${STORE:-memory}
REALISTIC=${REALISTIC:-0}
KEYS=${KEYS:-0}
[ "$REALISTIC" = 1 ] && [ "$KEYS" = 0 ] && KEYS=1000
WARMUP_SECONDS=${WARMUP_SECONDS:-60}
PROFILE=${PROFILE:-}
command -v wrk >/dev/null || { log "wrk is needed: apt-get install wrk"; exit 1; }
bench_build
[ -n "$PROFILE" ] && profiler_library

start_simulator --latency-ms="$UPSTREAM_LATENCY_MS"
upstream_pid=${_bench_pids[-1]}
[ "$REQUEST_LOG" = off ] && export SLUICE_REQUEST_LOG_LEVEL=WARN
store_env=()
store_pid=
if [ "$STORE" = infinispan ]; then
  start_infinispan; store_env=("${INFINISPAN_ENV[@]}")
  store_pid=$(cat "${INFINISPAN_HOME:-target/infinispan}/node-$INFINISPAN_NODE/pid")
fi
keys_env=()
if [ "$KEYS" -gt 0 ]; then
  keys_env=(SLUICE_ACCEPT_ANY_KEY=false "SLUICE_KEYS_K0_SHA256=$(printf %s "$SIM_KEY" | sha256sum | cut -d' ' -f1)")
  for ((i = 1; i < KEYS; i++)); do keys_env+=("SLUICE_KEYS_K${i}_SHA256=$(printf %s "other-key-$i" | sha256sum | cut -d' ' -f1)"); done
fi
if [ "$REALISTIC" = 1 ]; then
  keys_env+=(SLUICE_KEYS_K0_PLAN=team SLUICE_PLANS_TEAM_RATE=100000/s SLUICE_PLANS_TEAM_BURST=100000
    SLUICE_PLANS_TEAM_TPM=1000000000 SLUICE_UPSTREAM_TPM=1000000000)
fi
bare_port=$((SLUICE_BASE_PORT + 9))
port_free "$bare_port"
java -cp "$BENCH_CP" dev.sluice.bench.BareProxy "$bare_port" "$SIMULATOR_PORT" > "$BENCH_OUT/bare-proxy.log" 2>&1 &
_bench_pids+=($!)
bare_pid=$!
wait_for "http://127.0.0.1:$bare_port/stats" 30 || { log "the bare proxy did not start (see $BENCH_OUT/bare-proxy.log)"; exit 1; }
start_sluice 0 SLUICE_UPSTREAM_RPM=600000000 SLUICE_UPSTREAM_BURST=10000000 "${store_env[@]}" "${keys_env[@]}"
target=$SLUICE_URL
sluice_pid=${_bench_pids[-1]}

# the simulator replies with 16 tokens; a cap above that leaves a reservation to settle
max_tokens=16
[ "$REALISTIC" = 1 ] && max_tokens=64
cat > "$BENCH_OUT/chat.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"model":"gpt-sim","max_tokens":$max_tokens,"messages":[{"role":"user","content":"Say hello"}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $SIM_KEY"
LUA
direct="http://127.0.0.1:$SIMULATOR_PORT/v1/chat/completions"
through="$target/chat/completions"
bare="http://127.0.0.1:$bare_port/v1/chat/completions"

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }

# measure LABEL URL CONNECTIONS DURATION PID [PROFILE_NAME]: one wrk run (profiled when named); prints "label rps p50
# p90 p99 non2xx cpu_us store_cpu_us", the last the Infinispan server's CPU a request in the same run (- without one)
measure() {
  local threads=$THREADS before after store_before=0 store_after=0
  [ "$3" -lt "$threads" ] && threads=$3
  [ -n "$store_pid" ] && store_before=$(cpu_ticks "$store_pid")
  before=$(cpu_ticks "$5")
  [ -n "${6:-}" ] && profile_start "$5"
  wrk -t"$threads" -c"$3" -d"$4" --latency -s "$BENCH_OUT/chat.lua" "$2" > "$BENCH_OUT/overhead-$1.txt"
  after=$(cpu_ticks "$5")
  [ -n "$store_pid" ] && store_after=$(cpu_ticks "$store_pid")
  if [ -n "${6:-}" ]; then profile_stop "$5" "$6"; cp "$BENCH_OUT/$6.html" "$CHARTS/$6.html"; fi
  awk -v label="$1" -v ticks=$((after - before)) -v store_ticks=$((store_after - store_before)) -v store="$store_pid" \
      -v hz="$(getconf CLK_TCK)" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }  /requests in/ { n = $1 }  /Non-2xx/ { errors = $NF }
    $1 == "50%" { p50 = ms($2) }  $1 == "90%" { p90 = ms($2) }  $1 == "99%" { p99 = ms($2) }
    END { printf "%s %.0f %.3f %.3f %.3f %d %.0f %s\n", label, rps, p50, p90, p99, errors, ticks / hz * 1e6 / n,
          store == "" ? "-" : sprintf("%.0f", store_ticks / hz * 1e6 / n) }
  ' "$BENCH_OUT/overhead-$1.txt"
}

# On 2 cores the JIT keeps compiling for about a minute under this load; measure after it settles.
log "warming up for ${WARMUP_SECONDS}s"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP_SECONDS}s" -s "$BENCH_OUT/chat.lua" "$through" > /dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s "$BENCH_OUT/chat.lua" "$direct" > /dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d20s -s "$BENCH_OUT/chat.lua" "$bare" > /dev/null

log "measuring"
rows=(
  "$(measure direct "$direct" "$CONNECTIONS" "$DURATION" "$upstream_pid")"
  "$(measure bare-proxy "$bare" "$CONNECTIONS" "$DURATION" "$bare_pid" ${PROFILE:+"flame-bare-proxy-$PROFILE"})"
  "$(measure "sluice-$STORE" "$through" "$CONNECTIONS" "$DURATION" "$sluice_pid" ${PROFILE:+"flame-$STORE-$PROFILE"})"
  "$(measure direct-1 "$direct" 1 10s "$upstream_pid")"
  "$(measure bare-proxy-1 "$bare" 1 10s "$bare_pid")"
  "$(measure "sluice-$STORE-1" "$through" 1 10s "$sluice_pid")"
)

read -r _ direct_rps _ <<< "${rows[0]}"
echo "| target | connections | req/s | ratio to direct | p50 ms | p90 ms | p99 ms | non-2xx | CPU µs/request |"
echo "|---|---|---|---|---|---|---|---|---|"
echo "name,p50,p90,p99" > "$BENCH_OUT/overhead-latency.csv"
for row in "${rows[@]}"; do
  read -r label rps p50 p90 p99 errors cpu store_cpu <<< "$row"
  [[ $label == sluice-* && $store_cpu != - ]] && store_cpu_line+="$label: the Infinispan server used $store_cpu µs of CPU a request; "
  connections=$CONNECTIONS; [[ $label == *-1 ]] && connections=1
  ratio=$(awk -v a="$rps" -v b="$direct_rps" 'BEGIN { printf "%.2f", a / b }')
  [[ $label == *-1 ]] && ratio=-
  echo "| ${label%-1} | $connections | $rps | $ratio | $p50 | $p90 | $p99 | $errors | $cpu |"
  echo "${label%-1} ($connections conn),$p50,$p90,$p99" >> "$BENCH_OUT/overhead-latency.csv"
  record overhead "${label%-1}-c$connections-log-$REQUEST_LOG-latency-${UPSTREAM_LATENCY_MS}ms$([ "$KEYS" -gt 0 ] && echo "-keys-$KEYS")$([ "$REALISTIC" = 1 ] && echo "-realistic")" \
    "{\"connections\":$connections,\"req_per_s\":$rps,\"ratio_to_direct\":\"$ratio\",\"latency_ms\":{\"p50\":$p50,\"p90\":$p90,\"p99\":$p99},\"non_2xx\":$errors,\"cpu_us_per_request\":$cpu$([[ $label == sluice-* && $store_cpu != - ]] && echo ",\"store_cpu_us_per_request\":$store_cpu")}"
done
echo
[ -n "${store_cpu_line:-}" ] && echo "${store_cpu_line%; }"
echo "store $STORE; $([ "$REALISTIC" = 1 ] && echo "realistic (keys, a plan, token limits); ")upstream latency ${UPSTREAM_LATENCY_MS} ms; request log $REQUEST_LOG; wrk -t$THREADS; $DURATION a row (10s with 1 connection); $(nproc) cores; $(java -version 2>&1 | head -1)"
chart latency --csv="$BENCH_OUT/overhead-latency.csv" \
  --title="overhead: latency direct vs through Sluice (upstream ${UPSTREAM_LATENCY_MS} ms)" \
  --out="$CHARTS/overhead-latency-$STORE-${UPSTREAM_LATENCY_MS}ms.png"
