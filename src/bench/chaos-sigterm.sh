#!/usr/bin/env bash
# chaos-sigterm: SIGTERM under steady load. 30 clients (half of them streaming: 10 chunks 200 ms apart
# after 300 ms, so about 2.3 s a stream) through one Sluice, a new connection a request
# (dev.sluice.bench.ChaosLoad); after 6 s the driver sends SIGTERM to that Sluice (its PID, started here)
# and keeps sending until 15 s. Every request is classified by phase (done before the signal, in flight
# across it, started after it) and outcome: completed, a clean error (OpenAI JSON, or the connection
# refused before a byte was sent), or unclean (a stream or body cut short, a reset after the request went
# out, a timeout). Goal: 0 unclean. Run with Sluice's default shutdown (QUARKUS_SHUTDOWN_TIMEOUT unset:
# stop at once) and with 30 s (what the Knative manifest sets). Appends one line per variant.
#
#   src/bench/chaos-sigterm.sh                       # both variants, about 1.5 min
#   SHUTDOWN_TIMEOUTS="30s" src/bench/chaos-sigterm.sh
source "$(dirname "$0")/chaos-lib.sh"

SHUTDOWN_TIMEOUTS=${SHUTDOWN_TIMEOUTS:-"default 30s"}
CLIENTS=${CLIENTS:-30}
bench_build

echo "| QUARKUS_SHUTDOWN_TIMEOUT | requests | in flight at SIGTERM: completed / clean error / unclean | started after: completed / clean error / unclean | exit after SIGTERM (ms) |"
echo "|---|---|---|---|---|"
for shutdown in $SHUTDOWN_TIMEOUTS; do
  shutdown_env=()
  [ "$shutdown" = default ] || shutdown_env=(QUARKUS_SHUTDOWN_TIMEOUT="$shutdown")
  log "chaos-sigterm: shutdown timeout $shutdown"
  start_simulator --latency-ms=300 --chunks=10 --chunk-interval-ms=200 --seed=7
  start_sluice 0 "${shutdown_env[@]}"
  sluice_pid=$SLUICE_PID
  warm_up 20 "$SLUICE_URL"
  result=$(chaos_java ChaosLoad --label="sigterm-$shutdown" --port="$SLUICE_BASE_PORT" \
    --simulator="http://127.0.0.1:$SIMULATOR_PORT" --clients="$CLIENTS" --duration=15s --stream-share=0.5 \
    --request-timeout=40s --sigterm-pid="$sluice_pid" --sigterm-after=6s) \
    || result="{\"label\":\"sigterm-$shutdown\",\"driver_failed\":true}"
  # the driver signalled it; whatever it did, it is ours to reap (and to stop, if it did not)
  stop_pid "$sluice_pid" KILL
  [ "$shutdown" = default ] && shutdown=unset
  result=$(with_fields "$result" quarkus_shutdown_timeout="\"$shutdown\"")
  echo "$result" > "$BENCH_OUT/chaos-sigterm-$shutdown.json"
  jq -r --arg s "$shutdown" '
    def split(p): [(p.ok // 0), ((p.sluice_error // 0) + (p.relayed_error // 0) + (p.refused // 0) + (p.stream_error_event // 0)),
      ((p.cut // 0) + (p.truncated // 0) + (p.reset_before_answer // 0) + (p.timeout // 0) + (p.non_json_error // 0))] | map(tostring) | join(" / ");
    "| \($s) | \(.requests) | \(split(.by_phase.in_flight)) | \(split(.by_phase.after)) | \(.exit_ms_after_sigterm) |"' <<< "$result" \
    || echo "$result"
  jq -c '{by_phase, error_codes}' <<< "$result" >&2 || true
  record chaos-sigterm "shutdown-timeout-$shutdown" "$result"
  stop_all
done
