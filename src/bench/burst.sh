#!/usr/bin/env bash
# burst: 50 requests at once every 5 s, an average exactly at the upstream's 600 RPM, through one
# Sluice instance; first refusing at once (SLUICE_MAX_WAIT=0), then holding requests up to 5 s
# (SLUICE_MAX_WAIT=5s). Reports goodput and client 429s; appends to docs/benchmarks/results.jsonl
# and draws docs/benchmarks/burst-<variant>.png.
#
#   src/bench/burst.sh
#   DURATION=60s src/bench/burst.sh
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-30s}
RPM=600
bench_build

for max_wait in 0 5s; do
  variant="max-wait-$max_wait"
  log "burst: 50 every 5 s for $DURATION, SLUICE_MAX_WAIT=$max_wait"
  start_simulator --rpm=$RPM --rpm-bucket-seconds=1 --latency-ms=100 --jitter-ms=50
  start_sluice 0 SLUICE_UPSTREAM_RPM=$RPM SLUICE_MAX_WAIT="$max_wait"
  target=$SLUICE_URL
  series="$BENCH_OUT/burst-$variant.csv"
  result=$(drive --label="burst-$variant" --targets="$target" --pattern=burst --burst-size=50 \
    --burst-interval=5s --callers=50 --duration="$DURATION" --upstream-rpm=$RPM --series="$series")
  echo "$result"
  record burst "$variant" "$result"
  chart admitted --series="$series" --limit-per-s=$((RPM / 60)) \
    --title="burst: 50 every 5 s, SLUICE_MAX_WAIT=$max_wait" --out="$CHARTS/burst-$variant.png"
  stop_all
done
