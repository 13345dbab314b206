#!/usr/bin/env bash
# moderation: what a plan's moderation pre-check (SLUICE_CALLER_MODERATION, issue 19) costs in latency. 10
# clients, closed loop, 20 s, chat requests of unique questions, through one Sluice (memory store) to a
# simulated upstream that answers every call, moderations included, in 100 ± 20 ms with no limit in reach;
# first without the check, then with it. Reports latency and upstream calls per request; appends to
# docs/benchmarks/results.jsonl.
#
#   src/bench/moderation.sh
#   LATENCY_MS=300 src/bench/moderation.sh
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-20s}
LATENCY_MS=${LATENCY_MS:-100}
bench_build

for variant in ${VARIANTS:-plain moderated}; do
  case "$variant" in
    plain) settings=() ;;
    moderated) settings=(SLUICE_CALLER_MODERATION=true) ;;
    *) log "unknown variant $variant (plain, moderated)"; exit 2 ;;
  esac
  log "moderation: $variant, 10 clients, upstream $LATENCY_MS ± 20 ms, $DURATION"
  start_simulator --latency-ms="$LATENCY_MS" --jitter-ms=20
  start_sluice 0 "${settings[@]}"
  warm_up 20 "$SLUICE_URL"
  result=$(drive --label="moderation-$variant" --targets="$SLUICE_URL" --clients=10 --callers=10 --duration="$DURATION" \
    --repeat-share=0)
  echo "$result"
  record moderation "$variant-${LATENCY_MS}ms" "$result"
  stop_all
done
