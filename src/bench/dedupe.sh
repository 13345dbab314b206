#!/usr/bin/env bash
# dedupe: what the reply cache and coalescing save (issue 19). 50 clients of one team (one key) send for
# 30 s, closed loop; 30 % of their requests ask one of 20 questions again and again, the other 70 % a
# question never asked before (--repeat-share=0.3). The simulated upstream answers in 300 ± 100 ms with no
# limit in reach. Two runs through one Sluice (memory store):
#   off:  every request goes upstream
#   on:   SLUICE_CALLER_CACHE_TTL=10m and SLUICE_CALLER_COALESCE=true
# Reports requests answered, upstream calls (the simulator's count), the calls saved, and latency by who
# answered (served_by: upstream, cache_hit, coalesced); appends to docs/benchmarks/results.jsonl.
#
#   src/bench/dedupe.sh
#   VARIANTS=on STORE=infinispan src/bench/dedupe.sh      # the cache in Infinispan (node 1)
#   REPEAT_SHARE=0.5 DURATION=60s src/bench/dedupe.sh
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-30s}
REPEAT_SHARE=${REPEAT_SHARE:-0.3}
CLIENTS=${CLIENTS:-50}
bench_build

for variant in ${VARIANTS:-off on}; do
  case "$variant" in
    off) settings=() ;;
    on) settings=(SLUICE_CALLER_CACHE_TTL=10m SLUICE_CALLER_COALESCE=true) ;;
    *) log "unknown variant $variant (off, on)"; exit 2 ;;
  esac
  store_env=()
  if [ "${STORE:-memory}" = infinispan ]; then start_infinispan; store_env=("${INFINISPAN_ENV[@]}"); fi
  log "dedupe: $variant, $CLIENTS clients of one key, ${REPEAT_SHARE} repeated, ${STORE:-memory} store, $DURATION"
  start_simulator --latency-ms=300 --jitter-ms=100
  start_sluice 0 "${settings[@]}" "${store_env[@]}"
  warm_up 20 "$SLUICE_URL"
  result=$(drive --label="dedupe-$variant" --targets="$SLUICE_URL" --clients="$CLIENTS" --callers=1 --duration="$DURATION" \
    --repeat-share="$REPEAT_SHARE" --repeat-pool=20)
  echo "$result"
  record dedupe "$variant${STORE:+-$STORE}" "$result"
  stop_all
done
