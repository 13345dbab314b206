#!/usr/bin/env bash
# pool: several named upstreams (issue 5). Two simulators, A on $SIMULATOR_PORT and B on the next
# port, behind one Sluice instance (memory store) configured with SLUICE_UPSTREAMS_A_* and
# SLUICE_UPSTREAMS_B_*; 50 polite clients. Appends one line per scenario to
# docs/benchmarks/results.jsonl.
#
#   storm     A really allows 300 RPM but Sluice is told 600; B allows 600 and Sluice is told 600.
#             30 s. Reports A's 429s and calls_before_retry_after, requests served by A and by B, and
#             goodput against the real capacity: B alone (10/s) and A+B (15/s).
#   failover  A and B each allow 600 RPM (Sluice told 600 each), 60 s. A is killed (SIGKILL, by its
#             PID) at ~15 s and started again on the same port at ~35 s. Reports client-visible errors
#             (non-2xx other than 429) in all, between the kill and the moment A's breaker had opened,
#             and after; the requests A served before the kill and after its restart, and B's.
#             SLUICE_UPSTREAM_BREAKER_DELAY is 2s here (BREAKER_DELAY=5s for Sluice's default).
#
#   src/bench/pool.sh                 # both
#   src/bench/pool.sh storm
#   src/bench/pool.sh failover
#   SLUICE_RETRY_MAX_ATTEMPTS=1 src/bench/pool.sh storm    # any SLUICE_* reaches the instance
#   WARM_UP=0 src/bench/pool.sh storm                     # Sluice learns A's limit during the run
#   BREAKER_DELAY=5s CLIENTS=1 src/bench/pool.sh failover
#
# Sluice logs when a breaker opens (WARN) and closes (INFO); the moment A's breaker opened is read from
# the kernel too, which needs no log level: the TCP counter
# AttemptFails (/proc/net/snmp, connections refused) is sampled every 100 ms. After the kill Sluice's
# connections to A are refused until the breaker opens after 5 consecutive failures; then only one
# probe per breaker delay. The end of that first burst of refusals is when the breaker was open at the
# latest. (The counter is the whole network namespace's: other processes' refusals would show too.)
SIMULATOR_PORT=${SIMULATOR_PORT:-18300}
SLUICE_BASE_PORT=${SLUICE_BASE_PORT:-18400}
source "$(dirname "$0")/lib.sh"

SCENARIO=${1:-all}
case "$SCENARIO" in storm | failover | all) ;; *) log "usage: $0 [storm|failover]"; exit 2 ;; esac
CLIENTS=${CLIENTS:-50}
PORT_A=$SIMULATOR_PORT
PORT_B=${SIMULATOR_PORT_B:-$((SIMULATOR_PORT + 1))}
SIM_A="http://127.0.0.1:$PORT_A"
SIM_B="http://127.0.0.1:$PORT_B"
BREAKER_DELAY=${BREAKER_DELAY:-2s}
KILL_AT=${KILL_AT:-15}
RESTART_AT=${RESTART_AT:-35}
WARM_UP=${WARM_UP:-20} # requests through Sluice before the clock starts (they also teach it A's real limit)
NAMED_UPSTREAMS=1 # start_sluice leaves the SLUICE_UPSTREAM_URL/_API_KEY shorthand out
SIM_OPTIONS=(--rpm-bucket-seconds=1 --latency-ms=100 --jitter-ms=50)
VARIANT_SUFFIX="$([ "$CLIENTS" = 50 ] || echo "-clients-$CLIENTS")$([ "$WARM_UP" = 20 ] || echo "-warm-up-$WARM_UP")"
bench_build

extra=()
for variable in $(compgen -e | grep '^SLUICE_' || true); do extra+=("$variable=${!variable}"); done

# pool_env RPM_A RPM_B: the two named upstreams as Sluice is told about them, in POOL_ENV
pool_env() {
  POOL_ENV=(SLUICE_UPSTREAMS_A_URL="$SIM_A/v1" SLUICE_UPSTREAMS_A_API_KEY="$SIM_KEY" SLUICE_UPSTREAMS_A_RPM="$1"
    SLUICE_UPSTREAMS_B_URL="$SIM_B/v1" SLUICE_UPSTREAMS_B_API_KEY="$SIM_KEY" SLUICE_UPSTREAMS_B_RPM="$2")
}

# requests_via FILE NAME: 2xx answers in Sluice's (JSON) request log whose last attempt went to upstream NAME
requests_via() {
  grep '"loggerName":"dev.sluice.request"' "$1" | jq -r --arg name "$2" \
    'select(.mdc.upstream == $name and (.mdc.status | tonumber) < 300) | 1' | wc -l
}

pool_storm() {
  local real_a=300 real_b=600 told=600 duration=${DURATION:-30s} result series=$BENCH_OUT/pool-storm-series.csv
  log "pool storm: A really allows $real_a RPM, B $real_b; Sluice told $told each; $CLIENTS clients, $duration"
  wait_quiet
  : > "$BENCH_OUT/pool-storm-a.log"; : > "$BENCH_OUT/pool-storm-b.log"
  start_simulator_on "$PORT_A" pool-storm-a --rpm=$real_a "${SIM_OPTIONS[@]}"
  start_simulator_on "$PORT_B" pool-storm-b --rpm=$real_b "${SIM_OPTIONS[@]}"
  pool_env $told $told
  start_sluice 0 "${POOL_ENV[@]}" "${extra[@]}"
  warm_up "$WARM_UP" "$SLUICE_URL"
  sleep 3
  # drive's own --simulator (the lib's one simulator) is replaced by the later one: the last value wins
  result=$(drive --label=pool-storm --targets="$SLUICE_URL" --clients="$CLIENTS" --callers="$CLIENTS" \
    --duration="$duration" --simulator="$SIM_A,$SIM_B" --simulator-rpm=$real_a,$real_b --series="$series")
  result=$(jq -c --argjson busy "$BOX_BUSY" --argjson viaA "$(requests_via "$BENCH_OUT/sluice-0.log" a)" \
    --argjson viaB "$(requests_via "$BENCH_OUT/sluice-0.log" b)" '. + {pool: {
      a_upstream_429s: .per_simulator[0].rate_limited,
      a_calls_before_retry_after: .per_simulator[0].calls_before_retry_after,
      a_ok: .per_simulator[0].ok, b_ok: .per_simulator[1].ok,
      goodput_b: .per_simulator[1].goodput_ratio, goodput_a: .per_simulator[0].goodput_ratio,
      goodput_a_plus_b: .goodput_ratio,
      sluice_log_2xx_via_a_incl_warm_up: $viaA, sluice_log_2xx_via_b_incl_warm_up: $viaB, box_busy: $busy}}' <<< "$result")
  echo "$result"
  jq -r '.pool | "pool storm: A 429s \(.a_upstream_429s), A calls before retry-after \(.a_calls_before_retry_after), " +
    "served A \(.a_ok) B \(.b_ok), goodput B \(.goodput_b), A+B \(.goodput_a_plus_b)"' <<< "$result" >&2
  record pool "storm-real-$real_a-$real_b-configured-$told-$told$VARIANT_SUFFIX${extra[*]:+ ${extra[*]}}" "$result"
  stop_all
}

# attempt_fails: the kernel's count of refused TCP connections (network namespace), for the sampler
attempt_fails() { awk '/^Tcp: [0-9]/ { print $8 }' /proc/net/snmp; }

pool_failover() {
  local rpm=600 duration=${DURATION:-60s} series=$BENCH_OUT/pool-failover-series.csv
  local out=$BENCH_OUT/pool-failover-result.json fails=$BENCH_OUT/pool-failover-attempt-fails.txt
  local pid_a driver sampler launched kill_ms restart_ms ready_ms a_before a_after result
  log "pool failover: A and B allow $rpm RPM each (Sluice told $rpm); $CLIENTS clients, $duration;" \
    "A killed at ~${KILL_AT}s, restarted at ~${RESTART_AT}s; breaker delay $BREAKER_DELAY"
  wait_quiet
  : > "$BENCH_OUT/pool-failover-a.log"; : > "$BENCH_OUT/pool-failover-b.log"
  start_simulator_on "$PORT_A" pool-failover-a --rpm=$rpm "${SIM_OPTIONS[@]}"
  pid_a=$SIMULATOR_PID
  start_simulator_on "$PORT_B" pool-failover-b --rpm=$rpm "${SIM_OPTIONS[@]}"
  pool_env $rpm $rpm
  start_sluice 0 "${POOL_ENV[@]}" SLUICE_UPSTREAM_BREAKER_DELAY="$BREAKER_DELAY" "${extra[@]}"
  warm_up "$WARM_UP" "$SLUICE_URL"
  sleep 3
  (while :; do echo "$(date +%s%3N) $(attempt_fails)"; sleep 0.1; done) > "$fails" &
  sampler=$!
  _bench_pids+=("$sampler")
  launched=$(date +%s%3N)
  drive --label=pool-failover --targets="$SLUICE_URL" --clients="$CLIENTS" --callers="$CLIENTS" \
    --duration="$duration" --simulator="$SIM_A,$SIM_B" --simulator-rpm=$rpm,$rpm --series="$series" > "$out" &
  driver=$!
  _bench_pids+=("$driver")
  sleep "$(awk -v at="$KILL_AT" -v since="$launched" -v now="$(date +%s%3N)" 'BEGIN { w = at - (now - since) / 1000; print (w > 0 ? w : 0) }')"
  a_before=$(curl -s "$SIM_A/stats" | jq '[.keys[].ok] | add')
  kill_ms=$(date +%s%3N)
  stop_pid "$pid_a" KILL
  log "killed simulator A (PID $pid_a); it had served $a_before since the run's start"
  sleep "$(awk -v at="$RESTART_AT" -v since="$launched" -v now="$(date +%s%3N)" 'BEGIN { w = at - (now - since) / 1000; print (w > 0 ? w : 0) }')"
  restart_ms=$(date +%s%3N)
  start_simulator_on "$PORT_A" pool-failover-a --rpm=$rpm "${SIM_OPTIONS[@]}"
  ready_ms=$(date +%s%3N)
  log "simulator A answers again (PID $SIMULATOR_PID, $((ready_ms - restart_ms)) ms to start)"
  wait "$driver" || { log "the load driver failed"; return 1; }
  forget_pid "$driver"
  stop_pid "$sampler"
  a_after=$(curl -s "$SIM_A/stats" | jq '[.keys[].ok] | add')
  result=$(cat "$out")
  local started kill_s open_ms open_s
  started=$(jq '.started_ms' <<< "$result")
  # refusals after the kill: "ms_after_kill count" for each sample where the counter rose
  awk -v kill="$kill_ms" 'NR > 1 && $1 >= kill && $2 > last { print $1 - kill, $2 - last } { last = $2 }' "$fails" \
    > "$fails.after-kill"
  # the first burst: refusals until a gap of a second or more; the breaker was open by its last one
  open_ms=$(awk -v restart="$((restart_ms - kill_ms))" 'BEGIN { open = 0 }
    $1 < restart { if (NR > 1 && $1 - prev >= 1000) exit; open = $1; prev = $1 } END { print open }' "$fails.after-kill")
  log "refused connections after the kill (ms after it, count): $(head -c 600 "$fails.after-kill" | tr '\n' ' ')"
  kill_s=$(awk -v k="$kill_ms" -v s="$started" 'BEGIN { printf "%.3f", (k - s) / 1000 }')
  open_s=$(awk -v k="$kill_ms" -v o="$open_ms" -v s="$started" 'BEGIN { printf "%.3f", (k + o - s) / 1000 }')
  # client-visible errors: the driver's count in all, and Sluice's request log (to the millisecond, with
  # why) split at the kill, the moment A's breaker was open by, and the moment A answered again
  local errors
  grep '"loggerName":"dev.sluice.request"' "$BENCH_OUT/sluice-0.log" | jq -r '(.mdc.status | tonumber) as $status
    | select($status >= 500 or ($status >= 400 and $status != 429))
    | "\((.timestamp[0:19] + "Z" | fromdateiso8601) * 1000 + (.timestamp[20:23] | tonumber)) \(.message)"' \
    > "$BENCH_OUT/pool-failover-errors.txt"
  errors=$(awk -v kill="$kill_ms" -v open="$((kill_ms + open_ms))" -v back="$ready_ms" \
      -v total="$(jq '.other_errors' <<< "$result")" '
      { if ($1 < kill) before++; else if ($1 <= open) window++; else if ($1 < back) outage++; else after_back++ }
      END { printf "{\"total\": %d, \"in_sluice_log\": %d, \"before_kill\": %d, \"kill_to_breaker_open\": %d, " \
            "\"after_breaker_open\": %d, \"after_breaker_open_while_a_down\": %d, \"after_a_back\": %d}",
            total, NR, before, window, outage + after_back, outage, after_back }' "$BENCH_OUT/pool-failover-errors.txt")
  log "client-visible errors in Sluice's log, by kind: $(cut -d' ' -f2- "$BENCH_OUT/pool-failover-errors.txt" \
    | sed -E 's/ [0-9]+ ms caller=[0-9a-f]+//' | sort | uniq -c | sort -rn | head -5 | tr -s ' ' | tr '\n' ';')"
  result=$(jq -c --argjson busy "$BOX_BUSY" --argjson killS "$kill_s" --argjson openS "$open_s" \
    --argjson restartS "$(awk -v r="$restart_ms" -v s="$started" 'BEGIN { printf "%.3f", (r - s) / 1000 }')" \
    --argjson readyS "$(awk -v r="$ready_ms" -v s="$started" 'BEGIN { printf "%.3f", (r - s) / 1000 }')" \
    --argjson errors "$errors" --argjson aBefore "${a_before:-0}" --argjson aAfter "${a_after:-0}" \
    --argjson refused "$(awk '{ n += $2 } END { print n + 0 }' "$fails.after-kill")" \
    --arg delay "$BREAKER_DELAY" '. + {pool: {
      breaker_delay: $delay, kill_s: $killS, breaker_open_by_s: $openS, restart_s: $restartS, a_ready_s: $readyS,
      client_errors: $errors, a_ok_before_kill: $aBefore, a_ok_after_restart: $aAfter,
      b_ok: .per_simulator[1].ok, refused_connections_after_kill: $refused, box_busy: $busy}}' <<< "$result")
  echo "$result"
  jq -r '.pool | "pool failover: errors \(.client_errors.total) (kill→open \(.client_errors.kill_to_breaker_open), " +
    "after open \(.client_errors.after_breaker_open), after A was back \(.client_errors.after_a_back)); A served \(.a_ok_before_kill) before the kill, " +
    "\(.a_ok_after_restart) after its restart; B \(.b_ok); kill at \(.kill_s) s, breaker open by \(.breaker_open_by_s) s"' \
    <<< "$result" >&2
  record pool "failover-$rpm-$rpm-breaker-$BREAKER_DELAY$VARIANT_SUFFIX${extra[*]:+ ${extra[*]}}" "$result"
  stop_all
}

if [ "$SCENARIO" = storm ] || [ "$SCENARIO" = all ]; then pool_storm; fi
if [ "$SCENARIO" = failover ] || [ "$SCENARIO" = all ]; then pool_failover; fi
