#!/usr/bin/env bash
# concurrency: one key whose plan allows 4 requests in flight (SLUICE_PLANS_FOUR_MAX_CONCURRENT=4),
# sent far more than that through two Sluice instances on one Infinispan node, in front of a simulated
# upstream that takes 500 ms per reply and has no limits in reach. Each instance gets a steady RATE
# (20/s) of that key's requests, without retries. Reports the most requests the upstream had in flight
# at once (the simulator's most_in_flight: all of them are that key's) against the limit of 4, and its
# answers per second (4 slots x 2 replies a second = 8/s at best). KILL_AT seconds in, instance 0 is
# killed with SIGKILL while it holds its share of the slots: the survivor gets only the others until the
# dead instance's leases lapse (10 to 20 s later, ConcurrencyPolicy.LEASE_NANOS); reported: the seconds
# from the kill until the upstream answers 7 a second or more again.
#
#   src/bench/concurrency.sh
#   RATE=40 DURATION=60s KILL_AT=20 src/bench/concurrency.sh
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-45s}
RATE=${RATE:-20}
KILL_AT=${KILL_AT:-15}
bench_build
start_infinispan

key_env=(SLUICE_ACCEPT_ANY_KEY=false SLUICE_PLANS_FOUR_MAX_CONCURRENT=4
  "SLUICE_KEYS_K0_SHA256=$(printf %s bench-caller-0 | sha256sum | cut -d' ' -f1)" SLUICE_KEYS_K0_PLAN=four)

log "concurrency: 2 instances, 1 key of max concurrent 4, $RATE requests/s to each, 500 ms replies, $DURATION, kill at ${KILL_AT}s"
start_simulator --latency-ms=500
start_sluice 0 "${INFINISPAN_ENV[@]}" "${key_env[@]}"
doomed_pid=$SLUICE_PID
targets=("$SLUICE_URL")
start_sluice 1 "${INFINISPAN_ENV[@]}" "${key_env[@]}"
targets+=("$SLUICE_URL")
curl -s -X POST "http://127.0.0.1:$SIMULATOR_PORT/stats/reset" > /dev/null
drivers=()
for i in 0 1; do
  drive --label="concurrency-$i" --targets="${targets[$i]}" --pattern=steady --rate="$RATE" --callers=1 \
    --retries=0 --duration="$DURATION" > "$BENCH_OUT/concurrency-$i.json" 2> "$BENCH_OUT/concurrency-$i.log" &
  drivers+=($!)
done
sleep "$KILL_AT"
kill_ms=$(date +%s%3N)
log "SIGKILL to instance 0"
stop_pid "$doomed_pid" KILL
wait "${drivers[@]}" 2>/dev/null || true
curl -s "http://127.0.0.1:$SIMULATOR_PORT/stats" > "$BENCH_OUT/concurrency-stats.json"
result=$(python3 - "$kill_ms" "$BENCH_OUT/concurrency-stats.json" "$BENCH_OUT/concurrency-0.json" "$BENCH_OUT/concurrency-1.json" <<'PY'
import json, sys
kill_ms, doomed, survivor = int(sys.argv[1]), sys.argv[3], sys.argv[4]
with open(sys.argv[2]) as f:
    stats = json.load(f)
key = next(iter(stats["keys"].values()))
ok = key["ok_per_second"]
kill_second = (kill_ms - stats["since_ms"]) // 1000 - stats["per_second_from"]
before = ok[2:kill_second]  # the first seconds: Sluice's JIT
back = next((s - kill_second for s in range(kill_second + 1, len(ok)) if ok[s] >= 7), None)
def driver(path):
    try:
        with open(path) as f:
            return json.loads(f.read().strip().splitlines()[-1])
    except Exception:
        return None
print(json.dumps({"limit": 4, "most_in_flight": key["most_in_flight"], "upstream_ok": key["ok"],
                  "upstream_429s": key["rate_limited"], "ok_per_second": ok, "kill_second": kill_second,
                  "ok_per_second_before_kill_mean": round(sum(before) / max(1, len(before)), 2),
                  "seconds_until_7_per_s_after_kill": back,
                  "clients": {name: {k: (driver(path) or {}).get(k) for k in ("requests", "ok", "client_429_responses", "other_errors")}
                              for name, path in (("doomed", doomed), ("survivor", survivor))}}))
PY
)
echo "$result"
record concurrency "2-instances-kill-at-$KILL_AT-rate-$RATE" "$result"
