#!/usr/bin/env bash
# cluster: does a healthy Infinispan cluster ever refuse? One Sluice instance in front of 1, 2 and 3
# clustered nodes (deploy/local/infinispan.sh nodes 11, 12, 13 with infinispan-cluster.xml; nodes 1-7
# are the tests' and other scenarios'), 8 clients of ONE caller, so that every request locks the same
# keys (the caller's, the upstream key's, its pause) while the Hot Rod client spreads the calls over
# the nodes. The simulated upstream allows 12,000 requests a minute and takes 20-30 ms a reply: the
# store, not the upstream, is what is measured. Reports Sluice's 5xx answers, client latency and
# throughput for each cluster size; appends to docs/benchmarks/results.jsonl.
#
#   src/bench/cluster.sh                   # SIZES="1 2 3", 20 s each
#   SIZES=2 DURATION=60s src/bench/cluster.sh
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-20s}
CLIENTS=${CLIENTS:-8}
RPM=12000
NODES=(11 12 13)
bench_build

cluster_env=(INFINISPAN_CONFIG=infinispan-cluster.xml "INFINISPAN_CLUSTER_NODES=${NODES[*]}")
stop_nodes() { deploy/local/infinispan.sh stop "${NODES[@]}" > /dev/null; }
trap 'stop_nodes; _bench_exit' EXIT

for size in ${SIZES:-1 2 3}; do
  log "cluster: $size node(s), 1 Sluice, $CLIENTS clients of one caller, $DURATION"
  stop_nodes
  hosts=()
  for ((i = 0; i < size; i++)); do
    env "${cluster_env[@]}" INFINISPAN_CLEAN=1 deploy/local/infinispan.sh start "${NODES[$i]}"
    hosts+=("127.0.0.1:$((11222 + (NODES[i] - 1) * 100))")
  done
  start_simulator --rpm=$RPM --rpm-bucket-seconds=1 --latency-ms=20 --jitter-ms=10
  start_sluice 0 SLUICE_UPSTREAM_RPM=$RPM SLUICE_STORE=infinispan "QUARKUS_INFINISPAN_CLIENT_HOSTS=$(IFS=';'; echo "${hosts[*]}")" \
    QUARKUS_INFINISPAN_CLIENT_USERNAME=sluice QUARKUS_INFINISPAN_CLIENT_PASSWORD=sluice-local-password
  warm_up 100 "$SLUICE_URL"
  result=$(drive --label="cluster-$size" --targets="$SLUICE_URL" --clients="$CLIENTS" --callers=1 --duration="$DURATION" \
    --upstream-rpm=$RPM)
  errors=$(grep -c '"message":"POST /v1/chat/completions 50' "$BENCH_OUT/sluice-0.log" || true)
  lock_timeouts=$(grep -c 'ISPN000299' "$BENCH_OUT/sluice-0.log" || true)
  result="${result%\}},\"sluice_5xx\":$errors,\"lock_timeouts_in_log\":$lock_timeouts}"
  echo "$result"
  record cluster "$size-nodes" "$result"
  stop_all
done
