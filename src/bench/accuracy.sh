#!/usr/bin/env bash
# accuracy: can a fleet of Sluice instances keep an upstream at its limit without overshooting it?
# The simulated upstream allows 600 requests a minute (bursts of one second's worth) and takes
# 100–150 ms per reply; 50 polite clients (they honour Retry-After) send chat requests for 30 s
# through 1, then through 3 Sluice instances that each know the upstream's 600 RPM. Reports upstream
# 429s, goodput (upstream 200s per second ÷ 10/s allowed), client 429s and latency; appends to
# docs/benchmarks/results.jsonl and draws docs/benchmarks/accuracy-<n>.png.
#
#   src/bench/accuracy.sh              # 1 and 3 instances
#   INSTANCES="1" src/bench/accuracy.sh
#   DURATION=60s CLIENTS=100 src/bench/accuracy.sh
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-30s}
CLIENTS=${CLIENTS:-50}
RPM=600
bench_build

for instances in ${INSTANCES:-1 3}; do
  log "accuracy: $instances instance(s), $CLIENTS clients, $DURATION"
  start_simulator --rpm=$RPM --bucket-seconds=1 --latency-ms=100 --jitter-ms=50
  targets=()
  for ((i = 0; i < instances; i++)); do
    start_sluice "$i" SLUICE_UPSTREAM_RPM=$RPM
    targets+=("$SLUICE_URL")
  done
  series="$BENCH_OUT/accuracy-$instances.csv"
  result=$(drive --label="accuracy-$instances" --targets="$(IFS=,; echo "${targets[*]}")" \
    --clients="$CLIENTS" --callers="$CLIENTS" --duration="$DURATION" --upstream-rpm=$RPM --series="$series")
  echo "$result"
  echo "$result" > "$BENCH_OUT/accuracy-$instances.json"
  record accuracy "$instances-instances" "$result"
  chart admitted --series="$series" --limit-per-s=$((RPM / 60)) \
    --title="accuracy: $instances Sluice instance(s), upstream limit $RPM RPM" --out="$CHARTS/accuracy-$instances.png"
  chart latency --result="$BENCH_OUT/accuracy-$instances.json" \
    --title="accuracy: latency per Sluice instance ($instances)" --out="$CHARTS/accuracy-$instances-latency.png"
  stop_all
done
