#!/usr/bin/env bash
# scaleout: 3 Sluice instances that have never served a request (cold JIT, no connection yet to the
# upstream or the store) take a load of 50 polite clients at once, as a scale-out on Lambda or Knative
# does. The simulated upstream allows 600 requests a minute over one second (bursts of 10) and takes
# 100–150 ms per reply; the instances share one Infinispan node and the upstream's 600 RPM. Reports
# upstream 429s (and which seconds they fell in) and goodput over 15 s; appends to
# docs/benchmarks/results.jsonl.
#
#   src/bench/scaleout.sh                  # RUNS=3
#   RUNS=5 DURATION=20s src/bench/scaleout.sh
#   SLUICE_JAR=<another build>/target/quarkus-app/quarkus-run.jar src/bench/scaleout.sh
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-15s}
CLIENTS=${CLIENTS:-50}
INSTANCES=${INSTANCES:-3}
RPM=600
bench_build
start_infinispan

for ((run = 1; run <= ${RUNS:-3}; run++)); do
  log "scaleout: run $run, $INSTANCES cold instances, $CLIENTS clients, $DURATION"
  start_simulator --rpm=$RPM --rpm-bucket-seconds=1 --latency-ms=100 --jitter-ms=50
  targets=()
  for ((i = 0; i < INSTANCES; i++)); do
    start_sluice "$i" SLUICE_UPSTREAM_RPM=$RPM "${INFINISPAN_ENV[@]}"
    targets+=("$SLUICE_URL")
  done
  # no warm-up: the first requests are the load's
  result=$(drive --label="scaleout-$run" --targets="$(IFS=,; echo "${targets[*]}")" --clients="$CLIENTS" \
    --callers="$CLIENTS" --duration="$DURATION" --upstream-rpm=$RPM)
  limited=$(curl -s "http://127.0.0.1:$SIMULATOR_PORT/stats" | python3 -c \
    'import json,sys; print(json.dumps([k["rate_limited_per_second"] for k in json.load(sys.stdin)["keys"].values()][0]))')
  result="${result%\}},\"upstream_429s_per_second\":$limited}"
  echo "$result"
  record scaleout "$INSTANCES-cold${SLUICE_JAR:+ jar=$SLUICE_JAR}" "$result"
  stop_all
done
