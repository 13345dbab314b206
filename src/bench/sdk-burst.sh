#!/usr/bin/env bash
# sdk-burst: REQUESTS (12) chat requests at once through the official OpenAI Node SDK (npm openai,
# MAX_RETRIES 4, its own retries waiting the retry-after-ms it is given), all one caller, against that
# caller's bucket of 5 at 5/s (SLUICE_CALLER_RATE/_BURST) in front of a simulator with no limit in
# reach. Reports how many succeeded after the SDK's retries, calls per request, and the total time
# against the bucket's own floor ((REQUESTS - 5) / 5 s). Issue 18: with one wait told to the whole
# refused burst, they came back together and were refused again. ROUNDS (3) runs.
#
#   src/bench/sdk-burst.sh
#   REQUESTS=15 src/bench/sdk-burst.sh
#   SLUICE_JAR=/tmp/old/target/quarkus-app/quarkus-run.jar VARIANT_NOTE="before" src/bench/sdk-burst.sh
#   MAX_WAIT=2s src/bench/sdk-burst.sh   # Sluice holds a request up to SLUICE_MAX_WAIT instead of refusing it
source "$(dirname "$0")/lib.sh"

REQUESTS=${REQUESTS:-12}
MAX_RETRIES=${MAX_RETRIES:-4}
ROUNDS=${ROUNDS:-3}
SDK_DIR="$BENCH_OUT/sdk-burst"
bench_build
mkdir -p "$SDK_DIR"
cp "$(dirname "$0")/sdk-burst/package.json" "$(dirname "$0")/sdk-burst/burst.mjs" "$SDK_DIR/"
[ -d "$SDK_DIR/node_modules/openai" ] || (cd "$SDK_DIR" && npm install --silent --no-audit --no-fund > /dev/null)

start_simulator
start_sluice 0 SLUICE_CALLER_RATE=5/s SLUICE_CALLER_BURST=5 SLUICE_MAX_WAIT="${MAX_WAIT:-0}"
for round in $(seq 1 "$ROUNDS"); do
  sleep 2 # the bucket refills (5 tokens at 5/s) between rounds
  result=$(node "$SDK_DIR/burst.mjs" "$SLUICE_URL" "$REQUESTS" "$MAX_RETRIES")
  log "sdk-burst round $round: $result"
  record sdk-burst "node-sdk-${REQUESTS}-on-5-at-5s-max-wait-${MAX_WAIT:-0}" "$result"
done
