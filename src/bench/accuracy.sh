#!/usr/bin/env bash
# accuracy: can a fleet of Sluice instances keep an upstream at its limit without overshooting it?
# The simulated upstream allows 600 requests a minute (bursts of one second's worth) and takes
# 100–150 ms per reply; 50 polite clients (they honour Retry-After) send chat requests for 30 s
# through 1 Sluice instance, 3 instances with their own in-memory buckets, and 3 instances sharing
# one Infinispan server, each configured with the upstream's 600 RPM. Reports upstream 429s, goodput
# (upstream 200s per second ÷ 10/s allowed), client 429s and latency; appends to
# docs/benchmarks/results.jsonl and draws docs/benchmarks/accuracy-<n>-<store>.png.
#
#   src/bench/accuracy.sh                         # 1:memory 3:memory 3:infinispan
#   RUNS="3:infinispan" src/bench/accuracy.sh
#   DURATION=60s CLIENTS=100 src/bench/accuracy.sh
#   SLUICE_UPSTREAM_BURST=9 src/bench/accuracy.sh  # any SLUICE_* setting reaches every instance
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-30s}
CLIENTS=${CLIENTS:-50}
RPM=600
bench_build

extra=()
for variable in $(compgen -e | grep '^SLUICE_' || true); do extra+=("$variable=${!variable}"); done

for run in ${RUNS:-1:memory 3:memory 3:infinispan}; do
  instances=${run%%:*} store=${run##*:} name="$instances-$store"
  log "accuracy: $instances instance(s), $store store, $CLIENTS clients, $DURATION"
  store_env=()
  if [ "$store" = infinispan ]; then start_infinispan; store_env=("${INFINISPAN_ENV[@]}"); fi
  start_simulator --rpm=$RPM --rpm-bucket-seconds=1 --latency-ms=100 --jitter-ms=50
  targets=()
  for ((i = 0; i < instances; i++)); do
    start_sluice "$i" SLUICE_UPSTREAM_RPM=$RPM "${store_env[@]}" "${extra[@]}"
    targets+=("$SLUICE_URL")
  done
  # Warm each instance (and the store server) up before the clock starts: the figure is about the
  # steady state. The driver then resets the simulator; the pause lets Sluice's buckets refill.
  warm_up "${WARM_UP:-100}" "${targets[@]}"
  sleep 3
  series="$BENCH_OUT/accuracy-$name.csv"
  result=$(drive --label="accuracy-$name" --targets="$(IFS=,; echo "${targets[*]}")" \
    --clients="$CLIENTS" --callers="$CLIENTS" --duration="$DURATION" --upstream-rpm=$RPM --series="$series")
  echo "$result"
  echo "$result" > "$BENCH_OUT/accuracy-$name.json"
  record accuracy "$name${extra[*]:+ ${extra[*]}}" "$result"
  chart admitted --series="$series" --limit-per-s=$((RPM / 60)) \
    --title="accuracy: $instances Sluice instance(s), $store store, upstream limit $RPM RPM" \
    --out="$CHARTS/accuracy-$name.png"
  chart latency --result="$BENCH_OUT/accuracy-$name.json" \
    --title="accuracy: latency per Sluice instance ($instances, $store)" --out="$CHARTS/accuracy-$name-latency.png"
  stop_all
done
