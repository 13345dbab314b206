#!/usr/bin/env bash
# faults: the upstream answers 5 % of calls with 500 or 503. 1,000 chat requests from 20 clients
# through one Sluice instance (no upstream limit). Reports client-visible errors and upstream calls
# per request; appends to docs/benchmarks/results.jsonl. The clients do not retry themselves
# (--retries=0): what they see is what Sluice's own retries left.
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
