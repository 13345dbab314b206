#!/usr/bin/env bash
# startup: how fast a fresh Sluice answers its first request, and how much memory it holds then
# (issue 6). RUNS (5) runs of each variant, the median reported:
#   jdk17              the fast-jar (target/quarkus-app) on the default JDK 17
#   jdk25              the same jar on Temurin 25
#   jdk25-aot          a jar built with Temurin 25 and the JDK 25 AOT cache (quarkus.package.jar.aot.*,
#                      phase BUILD: Quarkus trains it by starting the application during the build), run
#                      with -XX:AOTCache=app.aot
#   jdk25-aot-trained  the AOT cache trained by the integration tests (phase INTEGRATION_TESTS: mvn verify
#                      -DskipITs=false runs AotTrainingIT against the jar under -XX:AOTMode=record, so
#                      the request path's classes are in the cache too), run with -XX:AOTCache=app.aot
#   jdk25-aot-trained-small  the same, with the JVM sized for a small function: $SMALL_OPTS
# VARIANTS picks some of them (a space-separated list); TRY_OPTS="..." adds one more run of the trained
# cache with those options, to try a flag without editing this file.
# The variants take turns (one run of each, RUNS times), so a busy moment of the machine does not land
# on one variant only. Time to first response: from the exec of java to the first 200 of POST /v1/chat/completions through
# Sluice to the simulator (polled every ~5 ms with curl), so it includes everything a cold instance does
# before it can serve (Quarkus start, the upstream client, the first admission). RSS: VmRSS of the
# process right after that response. The AOT variants are built from HEAD in temporary git worktrees
# (uncommitted changes are not in them). Appends to docs/benchmarks/results.jsonl.
# REUSE_AOT=1 keeps the AOT builds for the next run and measures them again instead of rebuilding.
#
#   src/bench/startup.sh
#   RUNS=9 src/bench/startup.sh
#   REUSE_AOT=1 VARIANTS="jdk25-aot-trained" TRY_OPTS="-XX:+UseSerialGC -Xmx48m" src/bench/startup.sh
source "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-5}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
PORT=$SLUICE_BASE_PORT
VARIANTS=${VARIANTS:-jdk17 jdk25 jdk25-aot jdk25-aot-trained jdk25-aot-trained-small}
# A serverless instance's JVM: the serial collector, a heap that starts small (the young generation the
# start fills is what RSS holds) and may grow to 128 MB (the token estimator's ranks alone take ~45 MB),
# and C1 only (C2's compiler threads compete with the first requests for a small CPU share).
SMALL_OPTS=${SMALL_OPTS:--XX:+UseSerialGC -Xms16m -Xmx128m -XX:TieredStopAtLevel=1}
AOT_SRC="$BENCH_OUT/startup-aot-src"
TRAINED_SRC="$BENCH_OUT/startup-aot-trained-src"
BODY='{"model":"gpt-sim","messages":[{"role":"user","content":"hi"}]}'

bench_build

# reused DIR: with REUSE_AOT=1, an AOT build already in DIR is measured again instead of rebuilt
reused() {
  [ "${REUSE_AOT:-0}" = 1 ] && [ -f "$1/target/quarkus-app/app.aot" ] && log "reusing $1 (REUSE_AOT=1)"
}

# worktree_at DIR: a fresh detached worktree of HEAD in DIR
worktree_at() {
  git worktree remove --force "$1" 2>/dev/null || rm -rf "$1"
  git worktree add --detach -f "$1" HEAD > /dev/null
}

# mvn_jdk25 DIR LOG ARGS...: Maven with Temurin 25 in DIR; fails unless DIR's quarkus-app has app.aot
mvn_jdk25() {
  local dir=$1 build_log=$2; shift 2
  (cd "$dir" && JAVA_HOME="$JDK25" PATH="$JDK25/bin:$PATH" mvn -B -q "$@" > "$BENCH_ROOT/$BENCH_OUT/$build_log" 2>&1) \
    || { log "the build in $dir failed (see $BENCH_OUT/$build_log)"; exit 1; }
  [ -f "$dir/target/quarkus-app/app.aot" ] || { log "no app.aot was built (see $BENCH_OUT/$build_log)"; exit 1; }
}

build_aot() {
  reused "$AOT_SRC" && return
  log "building the AOT variant with $JDK25, trained by the start only (from HEAD, in $AOT_SRC)"
  worktree_at "$AOT_SRC"
  mvn_jdk25 "$AOT_SRC" startup-aot-build.log -DskipTests package \
    -Dquarkus.package.jar.aot.enabled=true -Dquarkus.package.jar.aot.type=AOT -Dquarkus.package.jar.aot.phase=BUILD
}

# The way a release would build it: the integration tests (only AotTrainingIT; no unit tests) run against
# the jar while the JVM records, and Quarkus writes app.aot when the jar stops.
build_aot_trained() {
  reused "$TRAINED_SRC" && return
  log "building the AOT variant with $JDK25, trained by the integration tests (from HEAD, in $TRAINED_SRC)"
  worktree_at "$TRAINED_SRC"
  mvn_jdk25 "$TRAINED_SRC" startup-aot-trained-build.log verify -DskipITs=false \
    -Dtest=NoUnitTests -Dsurefire.failIfNoSpecifiedTests=false \
    -Dquarkus.package.jar.aot.enabled=true -Dquarkus.package.jar.aot.type=AOT -Dquarkus.package.jar.aot.phase=INTEGRATION_TESTS
}

# one_run JAVA APP_DIR [JVM options...]: sets RUN_MS (exec to first 200) and RUN_RSS_KIB (not to be
# called in $(...): a subshell would keep the PID from the cleanup)
one_run() {
  local java=$1 app=$2; shift 2
  port_free "$PORT"
  local start end rss
  start=$(date +%s%N)
  (cd "$app" && exec env SLUICE_ACCEPT_ANY_KEY=true SLUICE_UPSTREAM_URL="http://127.0.0.1:$SIMULATOR_PORT/v1" SLUICE_UPSTREAM_API_KEY="$SIM_KEY" \
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
  RUN_STARTED_MS=$(grep -o 'started in [0-9.]*s' "$BENCH_OUT/startup-sluice.log" | head -1 | tr -dc '0-9')
  RUN_STARTED_MS=$((10#${RUN_STARTED_MS:-0})) # "0.960s" gives 0960: a JSON number has no leading zero
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }

# add VARIANT JAVA APP_DIR [JVM options...]: one more variant to measure
names=(); declare -A javas apps opts times rsses starts
add() {
  local variant=$1
  names+=("$variant"); javas[$variant]=$2; apps[$variant]=$3; shift 3; opts[$variant]="$*"
}

# measure: one unmeasured run of each variant (the page cache then holds its jars, as on a warm node),
# then RUNS rounds of one run of each, so that whatever else the machine does spreads over all variants
measure() {
  local variant round
  for variant in "${names[@]}"; do
    # shellcheck disable=SC2086 # the options are a list
    one_run "${javas[$variant]}" "${apps[$variant]}" ${opts[$variant]}
  done
  for ((round = 1; round <= RUNS; round++)); do
    for variant in "${names[@]}"; do
      # shellcheck disable=SC2086
      one_run "${javas[$variant]}" "${apps[$variant]}" ${opts[$variant]}
      times[$variant]+="$RUN_MS "; rsses[$variant]+="$RUN_RSS_KIB "; starts[$variant]+="${RUN_STARTED_MS:-0} "
    done
  done
  for variant in "${names[@]}"; do report "$variant"; done
}

report() { # report VARIANT: the medians, logged and recorded
  local variant=$1 time_ms rss_kib version line
  local -a t r q
  read -ra t <<< "${times[$variant]}"; read -ra r <<< "${rsses[$variant]}"; read -ra q <<< "${starts[$variant]}"
  time_ms=$(printf '%s\n' "${t[@]}" | median)
  rss_kib=$(printf '%s\n' "${r[@]}" | median)
  version=$("${javas[$variant]}" -version 2>&1 | head -1)
  log "$variant: first response $time_ms ms (runs: ${t[*]}), RSS $((rss_kib / 1024)) MiB (runs: ${r[*]} KiB), Quarkus started in (ms): ${q[*]}"
  line=$(printf '{"label":"startup","runs":%d,"first_response_ms":%d,"first_response_ms_runs":[%s],"rss_mib":%d,"rss_kib_runs":[%s],"quarkus_started_ms_runs":[%s],"jvm_options":"%s","java":"%s"}' \
    "$RUNS" "$time_ms" "$(IFS=,; echo "${t[*]}")" "$((rss_kib / 1024))" "$(IFS=,; echo "${r[*]}")" \
    "$(IFS=,; echo "${q[*]}")" "${opts[$variant]}" "${version//\"/}")
  echo "$line"
  record startup "$variant" "$line"
}

wanted() { [[ " $VARIANTS " == *" $1 "* ]]; }

if wanted jdk25-aot; then build_aot; fi
if wanted jdk25-aot-trained || wanted jdk25-aot-trained-small || [ -n "${TRY_OPTS:-}" ]; then build_aot_trained; fi
if wanted jdk17; then add jdk17 java target/quarkus-app; fi
if wanted jdk25; then add jdk25 "$JDK25/bin/java" target/quarkus-app; fi
if wanted jdk25-aot; then add jdk25-aot "$JDK25/bin/java" "$AOT_SRC/target/quarkus-app" -XX:AOTCache=app.aot; fi
if wanted jdk25-aot-trained; then add jdk25-aot-trained "$JDK25/bin/java" "$TRAINED_SRC/target/quarkus-app" -XX:AOTCache=app.aot; fi
if wanted jdk25-aot-trained-small; then
  add jdk25-aot-trained-small "$JDK25/bin/java" "$TRAINED_SRC/target/quarkus-app" -XX:AOTCache=app.aot $SMALL_OPTS
fi
if [ -n "${TRY_OPTS:-}" ]; then
  add "jdk25-aot-trained $TRY_OPTS" "$JDK25/bin/java" "$TRAINED_SRC/target/quarkus-app" -XX:AOTCache=app.aot $TRY_OPTS
fi
wait_quiet
start_simulator --latency-ms=0
measure
if [ "${REUSE_AOT:-0}" != 1 ]; then
  git worktree remove --force "$AOT_SRC" 2>/dev/null || true
  git worktree remove --force "$TRAINED_SRC" 2>/dev/null || true
fi
