#!/usr/bin/env bash
# cluster: does a healthy Infinispan cluster ever refuse, and what does each node cost? For 1, 2 and 3
# clustered nodes (deploy/local/infinispan.sh nodes 11, 12, 13 with infinispan-cluster.xml; nodes 1-7
# are the tests' and other scenarios') three parts, each selectable in PARTS:
#   store:    the store alone (dev.sluice.bench.StoreLatency, as store.sh): 1 caller and 16 callers on
#             one key back to back, admission p50/p99; then Hot Rod round trips per admission, counted
#             in every node's Hot Rod access log (switched on over REST for a short run of each case);
#   accuracy: the accuracy scenario's load (3 Sluice instances, 50 polite clients, a simulated upstream
#             of 600 RPM in bursts of 10, 100-150 ms a reply, 30 s): Sluice 5xx, upstream 429s, goodput;
#   caller:   one Sluice, 8 clients of ONE caller, so that every request locks the same keys (the
#             caller's, the upstream key's, its pause) while the Hot Rod client spreads the calls over the
#             nodes; an upstream of 12,000 RPM answering in 20-30 ms (the store, not the upstream, is
#             measured), 20 s: Sluice 5xx, lock time-outs logged, throughput and latency.
# Appends to docs/benchmarks/results.jsonl.
#
#   src/bench/cluster.sh                      # SIZES="1 2 3", PARTS="store accuracy caller"; ~10 min
#   SIZES=2 PARTS=caller DURATION=60s src/bench/cluster.sh
source "$(dirname "$0")/lib.sh"

NODES=(11 12 13)
bench_build

stop_nodes() { deploy/local/infinispan.sh stop "${NODES[@]}" > /dev/null; }
_access_log_on=()
trap 'for h in "${_access_log_on[@]}"; do access_log "$h" off; done; stop_nodes; _bench_exit' EXIT
part_store() {
  local size=$1 case line json node i
  store_latency --store=infinispan --hosts="$STORE_HOSTS" --cases=1x1,16x1 --warm-up=5s --duration=10s | while read -r line; do
    echo "$line"
    record cluster "$size-nodes-store-$(sed -E 's/.*"callers":([0-9]+),"keys":([0-9]+).*/\1x\2/' <<< "$line")" "$line"
  done
  _access_log_on=("${node_hosts[@]}")
  for node in "${node_hosts[@]}"; do access_log "$node" on; done
  local logs=()
  for ((i = 0; i < size; i++)); do logs+=("target/infinispan/node-${NODES[$i]}/server.log"); done
  for case in 1x1 16x1; do
    json=$(round_trips "$STORE_HOSTS" "$case" 3s "${logs[@]}")
    echo "$json"
    record cluster "$size-nodes-round-trips-$case" "$json"
  done
  for node in "${node_hosts[@]}"; do access_log "$node" off; done
  _access_log_on=()
}

part_accuracy() {
  local size=$1 rpm=600 result
  start_simulator --rpm=$rpm --rpm-bucket-seconds=1 --latency-ms=100 --jitter-ms=50
  start_fleet 3 "$STORE_HOSTS" SLUICE_UPSTREAM_RPM=$rpm
  warm_up 100 "${TARGET_LIST[@]}"
  sleep 3
  result=$(drive --label="cluster-accuracy-$size" --targets="$TARGETS" --clients=50 --callers=50 \
    --duration=30s --upstream-rpm=$rpm --series="$BENCH_OUT/cluster-accuracy-$size.csv")
  result="${result%\}},\"sluice_5xx\":$(sluice_5xx 3)}"
  echo "$result"
  record cluster "$size-nodes-accuracy" "$result"
  stop_all
}

part_caller() {
  local size=$1 rpm=12000 result lock_timeouts
  start_simulator --rpm=$rpm --rpm-bucket-seconds=1 --latency-ms=20 --jitter-ms=10
  start_fleet 1 "$STORE_HOSTS" SLUICE_UPSTREAM_RPM=$rpm
  warm_up 100 "$SLUICE_URL"
  result=$(drive --label="cluster-$size" --targets="$SLUICE_URL" --clients=8 --callers=1 --duration="${DURATION:-20s}" \
    --upstream-rpm=$rpm)
  lock_timeouts=$(grep -c 'ISPN000299' "$BENCH_OUT/sluice-0.log" || true)
  result="${result%\}},\"sluice_5xx\":$(sluice_5xx 1),\"lock_timeouts_in_log\":$lock_timeouts}"
  echo "$result"
  record cluster "$size-nodes" "$result"
  stop_all
}

for size in ${SIZES:-1 2 3}; do
  stop_nodes
  start_cluster "$size" "${NODES[@]}"
  IFS=';' read -ra node_hosts <<< "$STORE_HOSTS"
  for part in ${PARTS:-store accuracy caller}; do
    log "cluster: $size node(s), $part"
    "part_$part" "$size"
  done
done
