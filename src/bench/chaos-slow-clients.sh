#!/usr/bin/env bash
# chaos-slow-clients: 300 slow connections to one Sluice, a third of each kind, each moving one byte a
# second for 75 s: a request head that never ends (slowloris), a body that comes a byte at a time
# (Content-Length 100,000), a reader of a long stream (2,000 events, about 450 KB) through a 4 KiB receive window
# (dev.sluice.bench.SlowClients). A probe sends normal requests before (10 s), during and after (10 s).
# Reports how many slow connections Sluice still held at the end and when it closed the others, whether
# the probes were served and how fast, and Sluice's threads and open files at the attack's peak.
# Appends one line to docs/benchmarks/results.jsonl. About 2 min.
#
# What bounds a slow client, as configured (Sluice sets none of these; Quarkus's defaults apply):
#   quarkus.http.idle-timeout  30M  a connection with no byte either way for 30 min is closed
#   quarkus.http.read-timeout  60s  a worker thread's blocking read of a body waits this long for data
#   quarkus.http.limits.max-header-size 20K, max-initial-line-length 4096: a head's size, not its time
#   quarkus.http.limits.max-connections unset: no cap on connections
#
#   src/bench/chaos-slow-clients.sh
#   CONNECTIONS=600 ATTACK=30s src/bench/chaos-slow-clients.sh
#   QUARKUS_HTTP_IDLE_TIMEOUT=20s src/bench/chaos-slow-clients.sh   # any QUARKUS_*/SLUICE_* reaches Sluice
source "$(dirname "$0")/chaos-lib.sh"

CONNECTIONS=${CONNECTIONS:-300}
ATTACK=${ATTACK:-75s}
INTERVAL=${INTERVAL:-1s}
bench_build

start_simulator --completion-tokens=4000 --chunks=2000 --latency-ms=20
start_sluice 0
sluice_pid=$SLUICE_PID
warm_up 100 "$SLUICE_URL"
log "chaos-slow-clients: $CONNECTIONS connections, a byte every $INTERVAL for $ATTACK"

# Sluice's threads and open files, sampled every 2 s while the driver runs
: > "$BENCH_OUT/chaos-slow-clients-samples.txt"
(
  while kill -0 "$sluice_pid" 2>/dev/null; do
    echo "$(ls "/proc/$sluice_pid/task" 2>/dev/null | wc -l) $(ls "/proc/$sluice_pid/fd" 2>/dev/null | wc -l)" \
      >> "$BENCH_OUT/chaos-slow-clients-samples.txt"
    sleep 2
  done
) &
sampler=$!
_bench_pids+=("$sampler")

result=$(chaos_java SlowClients --port="$SLUICE_BASE_PORT" --connections="$CONNECTIONS" --interval="$INTERVAL" \
  --attack="$ATTACK" --reader-max-tokens=4000) || result='{"driver_failed":true}'
stop_pid "$sampler"
read -r threads_before fds_before < <(head -1 "$BENCH_OUT/chaos-slow-clients-samples.txt")
max_threads=$(awk 'm < $1 { m = $1 } END { print m + 0 }' "$BENCH_OUT/chaos-slow-clients-samples.txt")
max_fds=$(awk 'm < $2 { m = $2 } END { print m + 0 }' "$BENCH_OUT/chaos-slow-clients-samples.txt")
result=$(with_fields "$result" sluice_alive_after="$(alive "$sluice_pid")" sluice_threads_before="${threads_before:-0}" \
  sluice_threads_max="$max_threads" sluice_open_files_before="${fds_before:-0}" sluice_open_files_max="$max_fds")
echo "$result"
jq -r '"probe ok / requests, p50 / p99 ms: before \(.probe_before.outcomes.ok // 0)/\(.probe_before.requests) \(.probe_before.ok_p50_ms)/\(.probe_before.ok_p99_ms); during \(.probe_during.outcomes.ok // 0)/\(.probe_during.requests) \(.probe_during.ok_p50_ms)/\(.probe_during.ok_p99_ms); after \(.probe_after.outcomes.ok // 0)/\(.probe_after.requests) \(.probe_after.ok_p50_ms)/\(.probe_after.ok_p99_ms)",
  (.by_kind | to_entries[] | "\(.key): held \(.value.held_at_end) of \(.value.opened) at the end, closed by Sluice \(.value.closed_by_sluice) (first at \(.value.first_closed_s) s, median \(.value.median_closed_s) s) \(.value.answers)")' \
  <<< "$result" >&2 || true
record chaos-slow-clients "c$CONNECTIONS-interval-$INTERVAL-attack-$ATTACK" "$result"
