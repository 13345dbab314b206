#!/usr/bin/env bash
# chaos-upstream: the upstream misbehaves, one fault at a time, each against a fresh simulator and Sluice:
# connection resets, hangs past Sluice's timeout, streams aborted mid-body, 5xx bursts, streams that
# trickle (within the timeout, and past it). 20 clients that do not retry, a new connection a request
# (dev.sluice.bench.ChaosLoad), each request classified strictly: whole, a clean JSON error (Sluice's own
# or relayed), or unclean (cut, truncated, reset, no JSON). Reports client-visible errors and upstream
# calls per request; appends one line per fault to docs/benchmarks/results.jsonl. About 3 min.
#
#   src/bench/chaos-upstream.sh                    # every fault
#   src/bench/chaos-upstream.sh resets bursts      # some of them
#   DURATION=40s CLIENTS=40 src/bench/chaos-upstream.sh
# SLUICE_UPSTREAM_TIMEOUT is 2s here (30s by default), so that a hang costs 2 s, not 30.
source "$(dirname "$0")/chaos-lib.sh"

DURATION=${DURATION:-20s}
CLIENTS=${CLIENTS:-20}
TIMEOUT=${SLUICE_UPSTREAM_TIMEOUT:-2s}
FAULTS=("$@")
[ ${#FAULTS[@]} -gt 0 ] || FAULTS=(resets hangs aborts bursts trickle trickle-past-timeout)
bench_build

# fault NAME: the simulator's options and the share of streamed requests for that fault
fault() {
  case $1 in
    resets) SIM_ARGS=(--reset-rate=0.05); STREAMS=0.5 ;;
    hangs) SIM_ARGS=(--hang-rate=0.05); STREAMS=0.5 ;;
    aborts) SIM_ARGS=(--abort-rate=0.2 --chunks=8 --chunk-interval-ms=50); STREAMS=1 ;;
    bursts) SIM_ARGS=(--error-burst-ms=1000 --error-burst-every-ms=10000); STREAMS=0.5 ;;
    trickle) SIM_ARGS=(--chunks=10 --chunk-interval-ms=500); STREAMS=1 ;;
    trickle-past-timeout) SIM_ARGS=(--chunks=3 --chunk-interval-ms=3000); STREAMS=1 ;;
    *) log "unknown fault $1 (resets hangs aborts bursts trickle trickle-past-timeout)"; return 1 ;;
  esac
}

echo "| fault | requests | ok | Sluice's JSON errors | relayed JSON errors | unclean (cut, truncated, reset, timeout, non-JSON) | upstream calls per request | seconds without a success | ok p50 / p99 ms |"
echo "|---|---|---|---|---|---|---|---|---|"
for name in "${FAULTS[@]}"; do
  fault "$name"
  log "chaos-upstream: $name (${SIM_ARGS[*]}; streams $STREAMS; Sluice timeout $TIMEOUT)"
  start_simulator --latency-ms=20 --jitter-ms=10 --seed=7 "${SIM_ARGS[@]}"
  start_sluice 0 SLUICE_UPSTREAM_TIMEOUT="$TIMEOUT"
  warm_up 20 "$SLUICE_URL" # Sluice's first requests load classes and encodings: not the fault's doing
  result=$(chaos_java ChaosLoad --label="$name" --port="$SLUICE_BASE_PORT" --simulator="http://127.0.0.1:$SIMULATOR_PORT" \
    --clients="$CLIENTS" --duration="$DURATION" --stream-share="$STREAMS" --request-timeout=30s) \
    || result="{\"label\":\"$name\",\"driver_failed\":true}"
  result=$(with_fields "$result" simulator_args="\"${SIM_ARGS[*]}\"" sluice_upstream_timeout="\"$TIMEOUT\"" \
    sluice_alive_after="$(alive "$SLUICE_PID")")
  echo "$result" > "$BENCH_OUT/chaos-upstream-$name.json"
  jq -r --arg name "$name" '"| \($name) | \(.requests) | \(.outcomes.ok // 0) | \(.outcomes.sluice_error // 0) | \(.outcomes.relayed_error // 0) | \(.unclean) (\([.outcomes | to_entries[] | select(.key | test("cut|truncated|reset|timeout|non_json|stream_error")) | "\(.key) \(.value)"] | join(", "))) | \(.upstream_calls_per_request) | \(.seconds_without_ok) of \(.ok_by_second | length) | \(.ok_latency_ms.p50) / \(.ok_latency_ms.p99) |"' <<< "$result" || echo "$result"
  record chaos-upstream "$name" "$result"
  stop_all
done
