#!/usr/bin/env bash
# storm: an upstream whose real limit is lower than Sluice was told. The simulator allows 300 requests
# a minute; one Sluice instance is configured with 600 RPM; 50 polite clients for 30 s. Sluice learns
# the truth from the upstream's 429s (a pause for the whole fleet until its retry-after) and its
# x-ratelimit-remaining-requests (the shared bucket lowered to match). Reports the upstream's 429s,
# calls that reached it before a retry-after it had given had passed (calls_before_retry_after), and
# goodput against the real 300 RPM; appends to docs/benchmarks/results.jsonl.
#
#   src/bench/storm.sh
#   SLUICE_RETRY_MAX_ATTEMPTS=1 src/bench/storm.sh   # any SLUICE_* reaches the instance
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-30s}
CLIENTS=${CLIENTS:-50}
REAL_RPM=300
CONFIGURED_RPM=600
bench_build

extra=()
for variable in $(compgen -e | grep '^SLUICE_' || true); do extra+=("$variable=${!variable}"); done

log "storm: upstream really allows $REAL_RPM RPM, Sluice told $CONFIGURED_RPM; $CLIENTS clients, $DURATION"
start_simulator --rpm=$REAL_RPM --rpm-bucket-seconds=1 --latency-ms=100 --jitter-ms=50
start_sluice 0 SLUICE_UPSTREAM_RPM=$CONFIGURED_RPM "${extra[@]}"
warm_up 20 "$SLUICE_URL"
sleep 3
result=$(drive --label="storm" --targets="$SLUICE_URL" --clients="$CLIENTS" --callers="$CLIENTS" \
  --duration="$DURATION" --upstream-rpm=$REAL_RPM)
echo "$result"
record storm "real-$REAL_RPM-configured-$CONFIGURED_RPM${extra[*]:+ ${extra[*]}}" "$result"
