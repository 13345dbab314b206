#!/usr/bin/env bash
# tokens: can the fleet keep an upstream inside its tokens per minute when callers ask for far more
# than the model writes, or set no max_tokens at all?
#
# The simulated upstream counts tokens the way OpenAI documents it: on arrival, the input estimated
# from its characters (one token per four) plus max_tokens × n, never given back when the answer is
# shorter; a bucket of one minute's worth (one request may use the whole TPM); 120,000 TPM, no request
# limit, 100–150 ms per reply, answers of 48 tokens. 50 clients, half with ~8,000-character prompts and
# half with one-line prompts, send for 30 s through 1 Sluice instance (memory store) and 3 instances
# sharing Infinispan, each configured with SLUICE_UPSTREAM_TPM=120000. Two variants:
#   max4x: max_tokens 192, four times the answer
#   unset: no max_tokens; the simulated provider assumes DEFAULT_MAX_TOKENS (1024), as Sluice does
#          by default (SLUICE_DEFAULT_MAX_TOKENS)
# API picks the API the clients call (the upstream charges both the same way):
#   API=chat       (the default) POST /v1/chat/completions: a system and a user message, max_tokens
#   API=responses  POST /v1/responses: the same words as instructions and input (a string for the short
#                  prompt, a message of one input_text part for the long one), max_output_tokens for
#                  max_tokens; the variants' names get a "responses-" prefix, and the result adds the
#                  replies' statuses and the usage the clients were told (a reply counts as answered only
#                  if its Response is completed or incomplete). The upstream's estimate of a Responses
#                  input counts no role for the instructions or a string input, so a request is estimated
#                  6-10 characters (2-3 tokens) below its chat twin. The estimate error printed first is
#                  still the chat corpus's
# First, the estimate's error over a corpus of requests (EstimateErrors). Reports upstream 429s per
# upstream call and token goodput (tokens the upstream accepted ÷ what its TPM allowed over the run);
# appends to docs/benchmarks/results.jsonl.
#
#   src/bench/tokens.sh
#   RUNS="3:infinispan" VARIANTS=unset src/bench/tokens.sh
#   SIM_DEFAULT_MAX_TOKENS=4096 VARIANTS=unset src/bench/tokens.sh     # a provider that assumes more than Sluice
#   SLUICE_UPSTREAM_TOKEN_ACCOUNTING=usage src/bench/tokens.sh         # any SLUICE_* reaches every instance
#   SLUICE_JAR=/tmp/old/target/quarkus-app/quarkus-run.jar src/bench/tokens.sh   # another build of Sluice
#   API=responses VARIANTS=max4x RUNS=1:memory src/bench/tokens.sh    # the Responses API, one instance
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-30s}
CLIENTS=${CLIENTS:-50}
TPM=${TPM:-120000}
ANSWER_TOKENS=${ANSWER_TOKENS:-48}
DEFAULT_MAX_TOKENS=${DEFAULT_MAX_TOKENS:-1024}
SIM_DEFAULT_MAX_TOKENS=${SIM_DEFAULT_MAX_TOKENS:-$DEFAULT_MAX_TOKENS}
SIM_ACCOUNTING=${SIM_ACCOUNTING:-request}
API=${API:-chat}
case "$API" in
  chat) api_prefix="" ;;
  responses) api_prefix="responses-" ;;
  *) echo "unknown API $API (chat, responses)" >&2; exit 2 ;;
esac
bench_build

extra=()
for variable in $(compgen -e | grep '^SLUICE_' | grep -v '^SLUICE_JAR$' || true); do extra+=("$variable=${!variable}"); done
label_extra="${extra[*]:+ ${extra[*]}}${SLUICE_JAR:+ jar=$SLUICE_JAR}"
if [ "$SIM_DEFAULT_MAX_TOKENS" != "$DEFAULT_MAX_TOKENS" ]; then label_extra+=" sim-default-max-tokens=$SIM_DEFAULT_MAX_TOKENS"; fi
if [ "$SIM_ACCOUNTING" != request ]; then label_extra+=" sim-token-accounting=$SIM_ACCOUNTING"; fi

if [ "${ESTIMATE:-1}" = 1 ]; then
  log "tokens: the estimate's error over a corpus of requests"
  result=$(java -cp "$BENCH_CP" dev.sluice.bench.EstimateErrors --default-max-tokens="$DEFAULT_MAX_TOKENS")
  echo "$result"
  record tokens estimate-error "$result"
fi

for variant in ${VARIANTS:-max4x unset}; do
  case "$variant" in
    max4x) max_tokens=$((4 * ANSWER_TOKENS)) ;;
    unset) max_tokens=0 ;;
    *) log "unknown variant $variant (max4x, unset)"; exit 2 ;;
  esac
  for run in ${RUNS:-1:memory 3:infinispan}; do
    instances=${run%%:*} store=${run##*:} name="$api_prefix$variant-$instances-$store"
    log "tokens: $API, $variant, $instances instance(s), $store store, $CLIENTS clients, TPM $TPM, $DURATION"
    store_env=()
    if [ "$store" = infinispan ]; then start_infinispan; store_env=("${INFINISPAN_ENV[@]}"); fi
    start_simulator --tpm="$TPM" --completion-tokens="$ANSWER_TOKENS" --default-max-tokens="$SIM_DEFAULT_MAX_TOKENS" \
      --token-accounting="$SIM_ACCOUNTING" --latency-ms=100 --jitter-ms=50
    targets=()
    for ((i = 0; i < instances; i++)); do
      start_sluice "$i" SLUICE_UPSTREAM_TPM="$TPM" SLUICE_DEFAULT_MAX_TOKENS="$DEFAULT_MAX_TOKENS" "${store_env[@]}" "${extra[@]}"
      targets+=("$SLUICE_URL")
    done
    # warm-up (JIT, tokenizer, store server) with the API of the run; the driver then resets the simulator
    if [ "$API" = responses ]; then warm_up_responses "${WARM_UP:-100}" "${targets[@]}"
    else warm_up "${WARM_UP:-100}" "${targets[@]}"; fi
    sleep 5 # Sluice's buckets refill what the warm-up took (a few tokens a request)
    result=$(drive --label="tokens-$name" --targets="$(IFS=,; echo "${targets[*]}")" \
      --clients="$CLIENTS" --callers="$CLIENTS" --duration="$DURATION" --large-prompt-share=0.5 \
      --max-tokens="$max_tokens" --upstream-tpm="$TPM" --api="$API")
    echo "$result"
    record tokens "$name$label_extra" "$result"
    stop_all
  done
done
