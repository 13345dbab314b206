#!/usr/bin/env bash
# failover: an Infinispan node dies under load and comes back. A cluster of 2, then 3 nodes
# (deploy/local/infinispan.sh nodes 11.., infinispan-cluster.xml), 3 Sluice instances that know every
# node, the accuracy load (a simulated upstream of 600 RPM in bursts of 10, 100-150 ms a reply; 50
# polite clients) for 50 s; at 10 s the first node is killed with SIGKILL, at 20 s it is started
# again and rejoins under the load (it answers some 15-25 s later on this box). Reports client errors
# (every 5xx is one: these clients do not retry them), latency p99 over the run and per second, upstream
# 429s, goodput (a charge taken twice would show as goodput lost), and the requests Sluice sent
# upstream against those the upstream received (an admission lost would show as more received; each
# upstream 429 retried is one more); appends to docs/benchmarks/results.jsonl.
#
#   src/bench/failover.sh                 # SIZES="2 3"
#   SIZES=3 src/bench/failover.sh
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-50s}
CLIENTS=${CLIENTS:-50}
INSTANCES=${INSTANCES:-3}
RPM=600
ALL_NODES=(11 12 13)
bench_build

stop_nodes() { deploy/local/infinispan.sh stop "${ALL_NODES[@]}" > /dev/null; }
trap 'stop_nodes; _bench_exit' EXIT

for size in ${SIZES:-2 3}; do
  log "failover: $size nodes, $INSTANCES Sluice instances, $CLIENTS clients, $DURATION; node ${ALL_NODES[0]} killed at 10 s"
  stop_nodes
  start_cluster "$size" "${ALL_NODES[@]}"
  start_simulator --rpm=$RPM --rpm-bucket-seconds=1 --latency-ms=100 --jitter-ms=50
  start_fleet "$INSTANCES" "$STORE_HOSTS" SLUICE_UPSTREAM_RPM=$RPM
  warm_up 100 "${TARGET_LIST[@]}"
  sleep 3
  series="$BENCH_OUT/failover-$size.csv"
  drive --label="failover-$size" --targets="$TARGETS" --clients="$CLIENTS" --callers="$CLIENTS" \
    --duration="$DURATION" --upstream-rpm=$RPM --series="$series" > "$BENCH_OUT/failover-$size.json" &
  driver=$!
  sleep 10
  victim=${ALL_NODES[0]}
  kill -9 "$(cat "target/infinispan/node-$victim/pid")"
  kill_ms=$(date +%s%3N)
  log "failover: node $victim killed"
  sleep 10
  restart_ms=$(date +%s%3N)
  env "${CLUSTER_ENV[@]}" deploy/local/infinispan.sh start "$victim"
  back_ms=$(date +%s%3N)
  log "failover: node $victim started again, answers after $(( (back_ms - restart_ms) / 1000 )) s"
  wait "$driver"
  result=$(cat "$BENCH_OUT/failover-$size.json")
  started_ms=$(jq '.started_ms' <<< "$result")
  # Sluice's 5xx answers, and the requests it sent upstream in the run's window (request log), to
  # compare with what the upstream received: an admission lost would show as more upstream calls
  # than requests sent; a charge taken twice as goodput lost.
  errors=$(sluice_5xx "$INSTANCES") sent=0
  for ((i = 0; i < INSTANCES; i++)); do
    sent=$((sent + $(grep '"loggerName":"dev.sluice.request"' "$BENCH_OUT/sluice-$i.log" | jq -r --argjson from "$started_ms" '
      select(.mdc.upstream_status != null and .mdc.upstream_status != "-")
      | select(((.timestamp[0:19] + "Z" | fromdateiso8601) * 1000 + (.timestamp[20:23] | tonumber)) >= $from) | 1' | wc -l)))
  done
  kill_s=$(( (kill_ms - started_ms) / 1000 ))
  result=$(jq -c --argjson errors "$errors" --argjson sent "$sent" --argjson kill "$kill_s" --argjson killMs "$((kill_ms - started_ms))" \
    --argjson restartMs "$((restart_ms - started_ms))" --argjson backMs "$((back_ms - started_ms))" '. + {sluice_5xx: $errors, sluice_sent_upstream: $sent,
      upstream_received: (.upstream.ok + .upstream.rate_limited + .upstream.server_errors + .upstream.faults),
      killed_at_ms: $killMs, restart_begun_at_ms: $restartMs, rejoined_at_ms: $backMs,
      p99_ms_kill_to_5s_after: (.p99_ms_by_second[$kill:$kill + 6] | max)}' <<< "$result")
  echo "$result"
  record failover "$size-nodes-kill-9" "$result"
  chart admitted --series="$series" --limit-per-s=$((RPM / 60)) \
    --title="failover: $size nodes, node $victim killed at 10 s and restarted at 20 s" --out="$CHARTS/failover-$size.png"
  stop_all
done
