#!/usr/bin/env bash
# store: what one admission costs in the bucket store itself, without HTTP or an upstream. A bucket
# that never refuses; each case runs C callers back to back on the same K keys (CxK: 1x1 and 16x1 on
# one key, 1x2 for a Sluice request's caller + upstream key) for DURATION after a WARM_UP (plus one
# WARM_UP of 16 callers on another key before the first case, for a fresh server's JIT), and reports
# the latency of tryAcquire (submit to answer) and calls per second (dev.sluice.bench.StoreLatency).
# For Infinispan it then counts the Hot Rod requests the server received per admission: the server's
# Hot Rod access log is switched on over REST for a short run of each case, and its lines counted.
# Appends to docs/benchmarks/results.jsonl, with the 1-minute load average before each store's run.
#
#   src/bench/store.sh                                          # memory and Infinispan node 1 (11222)
#   QUARKUS_INFINISPAN_CLIENT_HOSTS=127.0.0.1:11422 src/bench/store.sh   # node 3
#   STORES=infinispan CASES=16x1 DURATION=30s src/bench/store.sh
source "$(dirname "$0")/lib.sh"

STORES=${STORES:-memory infinispan}
CASES=${CASES:-1x1,16x1,1x2}
WARM_UP=${WARM_UP:-5s}
DURATION=${DURATION:-10s}
COUNT_DURATION=${COUNT_DURATION:-3s}
bench_build

load_average() { cut -d' ' -f1 /proc/loadavg; }

_access_log_on=0
trap '[ "$_access_log_on" = 1 ] && access_log "$hosts" off; _bench_exit' EXIT

for store in $STORES; do
  args=(--store="$store" --cases="$CASES" --warm-up="$WARM_UP" --duration="$DURATION")
  if [ "$store" = infinispan ]; then
    start_infinispan
    hosts=${QUARKUS_INFINISPAN_CLIENT_HOSTS:-127.0.0.1:11222}
    args+=(--hosts="$hosts")
  fi
  load=$(load_average)
  log "store: $store, cases $CASES, $WARM_UP warm-up + $DURATION each (load average $load)"
  store_latency "${args[@]}" | while read -r line; do
    echo "$line"
    variant=$(sed -E 's/.*"store":"([a-z]+)","callers":([0-9]+),"keys":([0-9]+).*/\1-\2x\3/' <<< "$line")
    record store "$variant" "${line%\}},\"load_average_1m\":$load}"
  done

  if [ "$store" = infinispan ]; then
    server_log=${INFINISPAN_HOME:-target/infinispan}/node-$INFINISPAN_NODE/server.log
    access_log "$hosts" on; _access_log_on=1
    for case in ${CASES//,/ }; do
      json=$(round_trips "$hosts" "$case" "$COUNT_DURATION" "$server_log")
      echo "$json"
      record store "infinispan-round-trips-$case" "$json"
    done
    access_log "$hosts" off; _access_log_on=0
  fi
done
