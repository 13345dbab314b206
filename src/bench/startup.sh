#!/usr/bin/env bash
# startup: how fast a fresh Sluice answers its first request, and how much memory it holds then
# (issue 6). Three variants, RUNS (5) runs each, the median reported:
#   jdk17      the fast-jar (target/quarkus-app) on the default JDK 17
#   jdk25      the same jar on Temurin 25
#   jdk25-aot  a jar built with Temurin 25 and the JDK 25 AOT cache (quarkus.package.jar.aot.*,
#              phase BUILD: Quarkus trains it during the build), run with -XX:AOTCache=app.aot
# Time to first response: from the exec of java to the first 200 of POST /v1/chat/completions through
# Sluice to the simulator (polled every ~5 ms with curl), so it includes everything a cold instance does
# before it can serve (Quarkus start, the upstream client, the first admission). RSS: VmRSS of the
# process right after that response. The AOT variant is built from HEAD in a temporary git worktree
# (uncommitted changes are not in it). Appends to docs/benchmarks/results.jsonl.
#
#   src/bench/startup.sh
#   RUNS=9 src/bench/startup.sh
source "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-5}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
PORT=$SLUICE_BASE_PORT
AOT_SRC="$BENCH_OUT/startup-aot-src"
BODY='{"model":"gpt-sim","messages":[{"role":"user","content":"hi"}]}'

bench_build

build_aot() {
  log "building the AOT variant with $JDK25 (from HEAD, in $AOT_SRC)"
  git worktree remove --force "$AOT_SRC" 2>/dev/null || rm -rf "$AOT_SRC"
  git worktree add --detach -f "$AOT_SRC" HEAD > /dev/null
  (cd "$AOT_SRC" && JAVA_HOME="$JDK25" PATH="$JDK25/bin:$PATH" mvn -B -q -DskipTests package \
      -Dquarkus.package.jar.aot.enabled=true -Dquarkus.package.jar.aot.type=AOT \
      -Dquarkus.package.jar.aot.phase=BUILD > "$BENCH_ROOT/$BENCH_OUT/startup-aot-build.log" 2>&1)
  [ -f "$AOT_SRC/target/quarkus-app/app.aot" ] || { log "no app.aot was built (see $BENCH_OUT/startup-aot-build.log)"; exit 1; }
}

# one_run JAVA APP_DIR [JVM options...]: sets RUN_MS (exec to first 200) and RUN_RSS_KIB (not to be
# called in $(...): a subshell would keep the PID from the cleanup)
one_run() {
  local java=$1 app=$2; shift 2
  port_free "$PORT"
  local start end rss
  start=$(date +%s%N)
  (cd "$app" && exec env SLUICE_UPSTREAM_URL="http://127.0.0.1:$SIMULATOR_PORT/v1" SLUICE_UPSTREAM_API_KEY="$SIM_KEY" \
      QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$PORT" "$java" "$@" -jar quarkus-run.jar) \
      > "$BENCH_OUT/startup-sluice.log" 2>&1 &
  local pid=$!
  _bench_pids+=("$pid")
  local deadline=$((start + 60000000000))
  until curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer sk-startup' -H 'Content-Type: application/json' \
      -d "$BODY" "http://127.0.0.1:$PORT/v1/chat/completions" 2>/dev/null | grep -q '^200$'; do
    if [ "$(date +%s%N)" -gt "$deadline" ] || ! kill -0 "$pid" 2>/dev/null; then
      log "Sluice did not answer within 60 s (see $BENCH_OUT/startup-sluice.log)"; stop_pid "$pid"; return 1
    fi
    sleep 0.005
  done
  end=$(date +%s%N)
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
  stop_pid "$pid"
  RUN_MS=$(((end - start) / 1000000))
  RUN_RSS_KIB=$rss
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }

measure() { # measure VARIANT JAVA APP_DIR [JVM options...]
  local variant=$1 java=$2 app=$3; shift 3
  local times=() rsses=() i
  one_run "$java" "$app" "$@" # not counted: the page cache now holds the jars, as on a warm node
  for ((i = 1; i <= RUNS; i++)); do
    one_run "$java" "$app" "$@"
    times+=("$RUN_MS"); rsses+=("$RUN_RSS_KIB")
  done
  local time_ms rss_kib
  time_ms=$(printf '%s\n' "${times[@]}" | median)
  rss_kib=$(printf '%s\n' "${rsses[@]}" | median)
  local version
  version=$("$java" -version 2>&1 | head -1)
  log "$variant: first response $time_ms ms (runs: ${times[*]}), RSS $((rss_kib / 1024)) MiB (runs: ${rsses[*]} KiB)"
  local line
  line=$(printf '{"label":"startup","runs":%d,"first_response_ms":%d,"first_response_ms_runs":[%s],"rss_mib":%d,"rss_kib_runs":[%s],"java":"%s"}' \
    "$RUNS" "$time_ms" "$(IFS=,; echo "${times[*]}")" "$((rss_kib / 1024))" "$(IFS=,; echo "${rsses[*]}")" "${version//\"/}")
  echo "$line"
  record startup "$variant" "$line"
}

build_aot
wait_quiet
start_simulator --latency-ms=0
measure jdk17 java target/quarkus-app
measure jdk25 "$JDK25/bin/java" target/quarkus-app
measure jdk25-aot "$JDK25/bin/java" "$AOT_SRC/target/quarkus-app" -XX:AOTCache=app.aot
git worktree remove --force "$AOT_SRC" 2>/dev/null || true
