#!/usr/bin/env bash
# tokens: a concurrent burst of large requests against an upstream bound by tokens per minute. The
# simulated upstream allows 120,000 TPM (a bucket of one minute's worth, no request limit) and charges
# each request its prompt (counted with the model's tokenizer) + max_tokens; 50 clients start at once
# with ~1,600-token prompts and max_tokens=200 and keep sending for 30 s, through 1 Sluice instance
# (memory store) and 3 instances sharing Infinispan, each configured with SLUICE_UPSTREAM_TPM=120000.
# Sluice reserves its own estimate before each call and settles with the reported usage.
# Reports the token overshoot (tokens sent beyond what the upstream's bucket allows, % of the TPM),
# upstream 429s and token goodput; appends to docs/benchmarks/results.jsonl.
#
#   src/bench/tokens.sh
#   RUNS="3:infinispan" TPM=60000 src/bench/tokens.sh
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-30s}
CLIENTS=${CLIENTS:-50}
TPM=${TPM:-120000}
MAX_TOKENS=200
bench_build

for run in ${RUNS:-1:memory 3:infinispan}; do
  instances=${run%%:*} store=${run##*:} name="$instances-$store"
  log "tokens: $instances instance(s), $store store, $CLIENTS clients, TPM $TPM, $DURATION"
  store_env=()
  if [ "$store" = infinispan ]; then start_infinispan; store_env=("${INFINISPAN_ENV[@]}"); fi
  start_simulator --tpm="$TPM" --bucket-seconds=60 --completion-tokens=$MAX_TOKENS --latency-ms=100 --jitter-ms=50
  targets=()
  for ((i = 0; i < instances; i++)); do
    start_sluice "$i" SLUICE_UPSTREAM_TPM="$TPM" "${store_env[@]}"
    targets+=("$SLUICE_URL")
  done
  # warm-up (JIT, tokenizer, store server); the driver then resets the simulator's stats and buckets
  warm_up "${WARM_UP:-100}" "${targets[@]}"
  sleep 5 # Sluice's buckets refill what the warm-up took (~15 tokens a request)
  result=$(drive --label="tokens-$name" --targets="$(IFS=,; echo "${targets[*]}")" \
    --clients="$CLIENTS" --callers="$CLIENTS" --duration="$DURATION" --large-prompt-share=1 \
    --max-tokens=$MAX_TOKENS --upstream-tpm="$TPM")
  echo "$result"
  record tokens "$name" "$result"
  stop_all
done
