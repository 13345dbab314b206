#!/usr/bin/env bash
# keys: many caller keys on mixed plans, keys required. 1,000 keys set in the environment
# (SLUICE_KEYS_K<i>_SHA256: the SHA-256 of the load driver's token bench-caller-<i>), key i on plan
# i mod 3: "small" (2/m, burst 1), "medium" (6/m, burst 2) and the default plan (120/m, burst 10). A
# steady RATE of chat requests (150/s) goes to the 1,000 callers in turn (9 a minute each) for DURATION
# through one Sluice instance on the local Infinispan server; the upstream (simulator) allows 60,000
# RPM and Sluice is told so, so that the keys' plans are what refuses. Reports, per plan (caller group
# i mod 3), the most answers one key got, to hold against what its plan allows over the run's elapsed
# time (retries after a 429 wait up to 60 s, so a run lasts longer than DURATION), the upstream's 429s,
# and the same load with any token accepted (every caller then on the default plan); for both, the Hot
# Rod requests Sluice made per request it let through (the node's access log, turned on before Sluice
# connects: the server decides whether to log a connection's requests when it opens).
#
#   src/bench/keys.sh
#   RATE=300 DURATION=60s src/bench/keys.sh
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-30s}
RATE=${RATE:-150}
KEYS=${KEYS:-1000}
RPM=60000
bench_build

hash_of() { printf %s "$1" | sha256sum | cut -d' ' -f1; }

start_infinispan
node_host=127.0.0.1:$((11222 + (INFINISPAN_NODE - 1) * 100))
node_log="target/infinispan/node-$INFINISPAN_NODE/server.log"
trap 'access_log "$node_host" off; _bench_exit' EXIT
admin_token=bench-admin-token-0123456789abcdefghijklmnop
keys_env=(SLUICE_ACCEPT_ANY_KEY=false SLUICE_ADMIN_TOKEN=$admin_token SLUICE_USAGE_FLUSH_INTERVAL=1s
  SLUICE_PLANS_SMALL_RATE=2/m SLUICE_PLANS_SMALL_BURST=1
  SLUICE_PLANS_MEDIUM_RATE=6/m SLUICE_PLANS_MEDIUM_BURST=2)
plans=(small medium default)
for ((i = 0; i < KEYS; i++)); do
  keys_env+=("SLUICE_KEYS_K$i""_SHA256=$(hash_of "bench-caller-$i")" "SLUICE_KEYS_K$i""_PLAN=${plans[$((i % 3))]}")
done

for variant in keys any-token; do
  log "keys: $variant, $KEYS callers, $RATE requests/s, $DURATION"
  start_simulator --rpm=$RPM --latency-ms=50 --jitter-ms=20
  env_set=("${INFINISPAN_ENV[@]}" SLUICE_UPSTREAM_RPM=$RPM SLUICE_CALLER_RATE=120/m SLUICE_CALLER_BURST=10)
  if [ "$variant" = keys ]; then env_set+=("${keys_env[@]}"); fi
  access_log "$node_host" on
  start_sluice 0 "${env_set[@]}"
  sleep 3
  before=$(wc -l < "$node_log")
  result=$(drive --label="keys-$variant" --targets="$SLUICE_URL" --pattern=steady --rate="$RATE" --callers="$KEYS" \
    --caller-groups=3 --duration="$DURATION" --upstream-rpm=$RPM)
  sleep 2 # the last lines reach the log
  hotrod=$(tail -n +"$((before + 1))" "$node_log" | grep -c 'HOTROD_ACCESS_LOG' || true)
  access_log "$node_host" off
  admitted=$(sed -E 's/.*"upstream":\{"ok":([0-9]+).*/\1/' <<< "$result")
  elapsed=$(sed -E 's/.*"elapsed_s":([0-9.]+).*/\1/' <<< "$result")
  result="${result%\}},$(awk -v h="$hotrod" -v a="$admitted" -v e="$elapsed" 'BEGIN {
    printf "\"hotrod_requests\":%d,\"hotrod_requests_per_admitted\":%.3f,\"hotrod_requests_per_s\":%.1f}", h, (a > 0 ? h / a : 0), h / e }')"
  if [ "$variant" = keys ]; then
    # The usage ledger against what the upstream counted: the same requests and tokens, exactly.
    sleep 2 # a flush (every second here) after the last answer
    curl -s -H "Authorization: Bearer $admin_token" "${SLUICE_URL%/v1}/admin/v1/usage" > "$BENCH_OUT/keys-ledger.json"
    curl -s "http://127.0.0.1:$SIMULATOR_PORT/stats" > "$BENCH_OUT/keys-upstream.json"
    exact=$(python3 -c '
import json, sys
ledger, stats = (json.load(open(path)) for path in sys.argv[1:3])
key = next(iter(stats["keys"].values()))
upstream = {"requests": key["ok"] + key["rate_limited"] + key["server_errors"] + key["faults"],
            "prompt_tokens": key["prompt_tokens"], "completion_tokens": key["completion_tokens"]}
totals = ledger["totals"]
print(json.dumps({"ledger": totals, "upstream": upstream, "rows": len(ledger["data"]),
                  "exact": all(totals[field] == upstream[field] for field in upstream)}))' \
      "$BENCH_OUT/keys-ledger.json" "$BENCH_OUT/keys-upstream.json")
    log "usage ledger against the upstream: $exact"
    result="${result%\}},\"usage_ledger\":$exact}"
  fi
  echo "$result"
  record keys "$variant-$KEYS-keys-rate-$RATE" "$result"
  stop_all
  start_infinispan
done
echo
echo "allowed per key over a run's elapsed_s: small 1 + 2/m, medium 2 + 6/m, default 10 + 120/m (each key is offered $RATE / $KEYS a second for $DURATION)"
