#!/usr/bin/env bash
# faults: the upstream answers 5 % of calls with 500 or 503. 1,000 chat requests from 20 clients
# through one Sluice instance (no upstream limit). Reports client-visible errors and upstream calls
# per request; appends to docs/benchmarks/results.jsonl. Sluice has no retries yet (issue 5), so
# this is the baseline they will be measured against.
#
#   src/bench/faults.sh
#   REQUESTS=2000 src/bench/faults.sh
source "$(dirname "$0")/lib.sh"

REQUESTS=${REQUESTS:-1000}
bench_build

log "faults: $REQUESTS requests, 5 % upstream 500/503"
start_simulator --error-rate=0.05 --latency-ms=20 --jitter-ms=10 --seed=7
start_sluice 0
target=$SLUICE_URL
result=$(drive --label=faults --targets="$target" --clients=20 --callers=20 --max-requests="$REQUESTS" \
  --duration=120s --retries=0)
echo "$result"
record faults "error-rate-0.05" "$result"
