#!/usr/bin/env bash
# outage: the only Infinispan node stops under load, then comes back. One node (deploy/local/infinispan.sh
# node 11, infinispan.xml), 3 Sluice instances, the accuracy load (a simulated upstream of 600 RPM in
# bursts of 10, 100-150 ms a reply; 50 polite clients that, like OpenAI's SDKs, retry a 429 or a 5xx
# twice after the advised wait) for 40 s; at 10 s the node is stopped (SIGTERM,
# waited for), at 20 s started again (waited for until it answers: about 25 s). Once in each failure mode:
#   closed: time from the stop command (the node refuses new work from its start; its graceful stop takes
#           a few seconds) to the first 503, and from its return to the last 503 and to each instance's
#           "store is available again" line (the recovery);
#   open:   the same recovery, and the overshoot: what the upstream accepted while the instances decided
#           alone (SLUICE_STORE_FALLBACK_SHARE=0.33 each), against its 10 requests a second, and its 429s.
# Appends to docs/benchmarks/results.jsonl; charts docs/benchmarks/outage-<mode>.png.
#
#   src/bench/outage.sh                     # MODES="closed open"
#   MODES=open src/bench/outage.sh
#   MODES=open SLUICE_JAR=/tmp/old/quarkus-run.jar VARIANT_NOTE="before handover" src/bench/outage.sh   # A/B
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-40s}
CLIENTS=${CLIENTS:-50}
INSTANCES=${INSTANCES:-3}
SHARE=${SHARE:-0.33}
RPM=600
NODE=11
bench_build

stop_node() { deploy/local/infinispan.sh stop "$NODE" > /dev/null; }
trap 'stop_node; _bench_exit' EXIT
now_ms() { date +%s%3N; }

# log_ms FILE TEXT: the time (epoch ms) of the last line of a Sluice log whose message contains TEXT; 0 if none
log_ms() {
  python3 - "$1" "$2" <<'PY'
import json, sys, datetime
found = 0
for line in open(sys.argv[1]):
    if sys.argv[2] not in line:
        continue
    try:
        stamp = json.loads(line)["timestamp"]
    except (ValueError, KeyError):
        continue
    day, clock = stamp.rstrip("Z").split("T")
    whole, _, fraction = clock.partition(".")
    moment = datetime.datetime.fromisoformat(day + "T" + whole).replace(tzinfo=datetime.timezone.utc)
    found = int(moment.timestamp() * 1000) + int((fraction + "000")[:3])
print(found)
PY
}

for mode in ${MODES:-closed open}; do
  log "outage: $mode mode, 1 node, $INSTANCES Sluice instances, $CLIENTS clients, $DURATION; node stopped at 10 s, started at 20 s"
  stop_node
  INFINISPAN_CLEAN=1 deploy/local/infinispan.sh start "$NODE"
  start_simulator --rpm=$RPM --rpm-bucket-seconds=1 --latency-ms=100 --jitter-ms=50
  start_fleet "$INSTANCES" "$(node_host "$NODE")" SLUICE_UPSTREAM_RPM=$RPM SLUICE_STORE_FAILURE="$mode" \
    SLUICE_STORE_FALLBACK_SHARE="$SHARE"
  warm_up 100 "${TARGET_LIST[@]}"
  sleep 3
  series="$BENCH_OUT/outage-$mode.csv"
  drive --label="outage-$mode" --targets="$TARGETS" --clients="$CLIENTS" --callers="$CLIENTS" \
    --duration="$DURATION" --upstream-rpm=$RPM --retry-server-errors=true --series="$series" > "$BENCH_OUT/outage-$mode.json" &
  driver=$!
  sleep 10
  stopping_ms=$(now_ms)
  stop_node
  gone_ms=$(now_ms)
  log "outage: node $NODE stopped (in $((gone_ms - stopping_ms)) ms)"
  while [ "$(now_ms)" -lt $((stopping_ms + 10000)) ]; do sleep 0.1; done
  deploy/local/infinispan.sh start "$NODE"
  back_ms=$(now_ms)
  log "outage: node $NODE answers again"
  wait "$driver"
  result=$(cat "$BENCH_OUT/outage-$mode.json")
  started_ms=$(sed -E 's/.*"started_ms":([0-9]+).*/\1/' <<< "$result")
  first_error=$(sed -E 's/.*"first_error_at_ms":(-?[0-9]+).*/\1/' <<< "$result")
  last_error=$(sed -E 's/.*"last_error_at_ms":(-?[0-9]+).*/\1/' <<< "$result")
  recovered=0
  for ((i = 0; i < INSTANCES; i++)); do
    at=$(log_ms "$BENCH_OUT/sluice-$i.log" "store is available again")
    if [ "$at" -gt "$recovered" ]; then recovered=$at; fi
  done
  # the upstream's acceptances in the whole seconds the node was away (from the driver's series)
  gone_s=$(( (gone_ms - started_ms + 999) / 1000 )); back_s=$(( (back_ms - started_ms) / 1000 ))
  outage=$(awk -F, -v a="$gone_s" -v b="$back_s" '$2 == "upstream" && $1 >= a && $1 < b { ok += $3; limited += $4; n++ }
    $2 == "upstream" { all += $4; if ($1 >= b) after += $4 }
    END { printf "\"outage_seconds\":%d,\"upstream_ok_per_s_in_outage\":%.2f,\"upstream_429_in_outage\":%d,\"upstream_429_after_return\":%d,\"upstream_429_total\":%d", n, (n ? ok / n : 0), limited, after, all }' "$series")
  timing=$(awk -v s="$started_ms" -v t="$stopping_ms" -v g="$gone_ms" -v b="$back_ms" -v f="$first_error" -v l="$last_error" -v r="$recovered" 'BEGIN {
    printf "\"node_stopping_at_ms\":%d,\"node_gone_at_ms\":%d,\"node_back_at_ms\":%d", t - s, g - s, b - s
    if (f >= 0) printf ",\"first_503_after_stop_ms\":%d,\"last_503_after_return_ms\":%d", s + f - t, s + l - b
    if (r > 0) printf ",\"available_again_after_return_ms\":%d", r - b }')
  result="${result%\}},\"failure_mode\":\"$mode\",$timing,$outage}"
  echo "$result"
  record outage "$mode" "$result"
  chart admitted --series="$series" --limit-per-s=$((RPM / 60)) \
    --title="outage, $mode mode: the only node stopped at 10 s, started again at 20 s" --out="$CHARTS/outage-$mode.png"
  stop_all
done
