# Shared by the scenario scripts in this folder; source it, don't run it.
# Everything listens on 127.0.0.1, every process started here is stopped by its PID on exit, and
# every run is bounded in time and count.
set -euo pipefail

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$BENCH_ROOT"
BENCH_OUT=${BENCH_OUT:-target/bench}
RESULTS=${RESULTS:-docs/benchmarks/results.jsonl}
CHARTS=${CHARTS:-docs/benchmarks}
SIMULATOR_PORT=${SIMULATOR_PORT:-18200}
SLUICE_BASE_PORT=${SLUICE_BASE_PORT:-18210}
SIM_KEY=sk-sim-1
mkdir -p "$BENCH_OUT" "$CHARTS"

_bench_pids=()
_bench_cleanup() { # newest first: Sluice before its upstream
  local i
  for ((i = ${#_bench_pids[@]} - 1; i >= 0; i--)); do kill "${_bench_pids[$i]}" 2>/dev/null || true; done
  for ((i = ${#_bench_pids[@]} - 1; i >= 0; i--)); do wait "${_bench_pids[$i]}" 2>/dev/null || true; done
  _bench_pids=()
}

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# Builds Sluice and the test classes (simulator, driver, charts) once; SKIP_BUILD=1 reuses them.
bench_build() {
  if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f target/quarkus-app/quarkus-run.jar ]; then
    log "building"
    mvn -B -q -DskipTests package
  fi
  if [ ! -s "$BENCH_OUT/classpath.txt" ] || [ pom.xml -nt "$BENCH_OUT/classpath.txt" ]; then
    mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$BENCH_OUT/classpath.txt" >/dev/null
  fi
  BENCH_CP="target/test-classes:target/classes:$(cat "$BENCH_OUT/classpath.txt")"
}

# port_free PORT: fails if something already listens there (a leftover would answer in our place)
port_free() {
  if curl -s -o /dev/null "http://127.0.0.1:$1/"; then
    log "port $1 is already in use; stop what listens there first"; return 1
  fi
}

wait_for() { # url seconds
  local tries=$(( $2 * 10 ))
  while ! curl -s -o /dev/null "$1"; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || { log "nothing answered at $1"; return 1; }
    sleep 0.1
  done
}

# start_simulator [--option=value ...]: the simulated OpenAI upstream on $SIMULATOR_PORT
start_simulator() { : > "$BENCH_OUT/simulator.log"; start_simulator_on "$SIMULATOR_PORT" simulator "$@"; }

# start_simulator_on PORT NAME [--option=value ...]: a simulated upstream on PORT, logging to
# $BENCH_OUT/NAME.log (appended: a restart keeps what came before); sets SIMULATOR_PID to its PID.
start_simulator_on() {
  local port=$1 name=$2; shift 2
  port_free "$port"
  java -cp "$BENCH_CP" dev.sluice.sim.OpenAiSimulator --port="$port" --keys="$SIM_KEY" "$@" \
    >> "$BENCH_OUT/$name.log" 2>&1 &
  _bench_pids+=($!)
  SIMULATOR_PID=$!
  if ! wait_for "http://127.0.0.1:$port/stats" 30 || ! kill -0 "$SIMULATOR_PID" 2>/dev/null; then
    log "the simulator $name did not start (see $BENCH_OUT/$name.log)"; return 1
  fi
}

# stop_pid PID [SIGNAL]: stops one process this script started (SIGTERM unless told), waits for it and
# forgets it, so that the cleanup on exit does not signal a PID that may have been reused.
stop_pid() {
  local pid=$1 signal=${2:-TERM}
  kill "-$signal" "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
}

# forget_pid PID: a process that has ended (waited for) is no longer stopped on exit
forget_pid() {
  local i kept=()
  for i in "${_bench_pids[@]}"; do [ "$i" = "$1" ] || kept+=("$i"); done
  _bench_pids=("${kept[@]}")
}

# wait_quiet: waits (polling every 20 s, up to 10 min) until no Maven or Surefire process runs on the
# box, so that a measured run does not share the two cores with a build; then runs anyway, and says so
# (BOX_BUSY=1).
wait_quiet() {
  local waited=0
  BOX_BUSY=0
  while pgrep -f surefire > /dev/null || pgrep -f org.codehaus.plexus.classworlds > /dev/null; do
    if [ "$waited" -ge 600 ]; then
      log "a Maven or Surefire process still runs after 10 min; measuring anyway"; BOX_BUSY=1; return 0
    fi
    [ "$waited" -gt 0 ] || log "waiting for Maven/Surefire processes to end before measuring"
    sleep 20; waited=$((waited + 20))
  done
  [ "$waited" -eq 0 ] || log "the box is quiet after $waited s"
}

# start_sluice INDEX [VAR=value ...]: Sluice instance INDEX (0, 1, ...) on $SLUICE_BASE_PORT+INDEX
# (SLUICE_JAR: another build's quarkus-run.jar, to compare two builds on one box),
# in front of the simulator with Sluice's own key. Sets SLUICE_URL to its base URL and SLUICE_PID to
# its PID. With NAMED_UPSTREAMS=1 the SLUICE_UPSTREAM_URL/_API_KEY shorthand is left out: the caller
# passes SLUICE_UPSTREAMS_<NAME>_* instead. The load driver's clients send made-up tokens, so any token
# is a caller (SLUICE_ACCEPT_ANY_KEY=true) unless the scenario passes SLUICE_ACCEPT_ANY_KEY=false and
# keys of its own. (Not to be called in $(...): a subshell would keep the PID from the cleanup.)
start_sluice() {
  local index=$1; shift
  local port=$((SLUICE_BASE_PORT + index))
  local upstream=(SLUICE_UPSTREAM_URL="http://127.0.0.1:$SIMULATOR_PORT/v1" SLUICE_UPSTREAM_API_KEY="$SIM_KEY")
  if [ "${NAMED_UPSTREAMS:-0}" = 1 ]; then upstream=(); fi
  port_free "$port"
  env "${upstream[@]}" \
      SLUICE_CALLER_RATE=100000/s SLUICE_CALLER_BURST=100000 SLUICE_ACCEPT_ANY_KEY=true \
      QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$port" \
      QUARKUS_LOG_CATEGORY__DEV_SLUICE_REQUEST__LEVEL="${SLUICE_REQUEST_LOG_LEVEL:-INFO}" \
      "$@" java -jar "${SLUICE_JAR:-target/quarkus-app/quarkus-run.jar}" > "$BENCH_OUT/sluice-$index.log" 2>&1 &
  _bench_pids+=($!)
  SLUICE_PID=$!
  if ! wait_for "http://127.0.0.1:$port/q/health/ready" 60 || ! kill -0 "${_bench_pids[-1]}" 2>/dev/null; then
    log "Sluice $index did not start (see $BENCH_OUT/sluice-$index.log)"; return 1
  fi
  SLUICE_URL="http://127.0.0.1:$port/v1"
}

stop_all() { _bench_cleanup; }

# warm_up COUNT TARGET...: COUNT small chat requests to each target, so that JIT (Sluice's and the
# store server's) and connections are warm before the clock starts; refusals warm the store path too.
warm_up() {
  local count=$1 target; shift
  for target in "$@"; do
    for ((n = 0; n < count; n++)); do
      curl -s -o /dev/null -H "Authorization: Bearer warm-up-$((n % 10))" -H 'Content-Type: application/json' \
        -d '{"model":"gpt-sim","max_tokens":1,"messages":[{"role":"user","content":"hi"}]}' "$target/chat/completions"
    done
  done
}

# warm_up_responses COUNT TARGET...: the same through the Responses API (max_output_tokens 16, OpenAI's least)
warm_up_responses() {
  local count=$1 target; shift
  for target in "$@"; do
    for ((n = 0; n < count; n++)); do
      curl -s -o /dev/null -H "Authorization: Bearer warm-up-$((n % 10))" -H 'Content-Type: application/json' \
        -d '{"model":"gpt-sim","max_output_tokens":16,"input":"hi"}' "$target/responses"
    done
  done
}

# start_infinispan: the local Infinispan server (deploy/local/infinispan.sh) that
# QUARKUS_INFINISPAN_CLIENT_HOSTS names (127.0.0.1:11222, node 1, by default; 127.0.0.1:11422 is node 3),
# stopped on exit only if this run started it. Sets INFINISPAN_NODE and INFINISPAN_ENV: the variables
# that point a Sluice instance at it.
start_infinispan() {
  local hosts=${QUARKUS_INFINISPAN_CLIENT_HOSTS:-127.0.0.1:11222} port
  port=${hosts##*:}
  if [[ "$hosts" != 127.0.0.1:* || "$hosts" == *";"* ]] || (( (port - 11222) % 100 != 0 || port < 11222 )); then
    log "QUARKUS_INFINISPAN_CLIENT_HOSTS=$hosts is not one local node (127.0.0.1:11222, :11322, ...)"; return 1
  fi
  INFINISPAN_NODE=$(( (port - 11222) / 100 + 1 ))
  if ! deploy/local/infinispan.sh status | grep -q "node $INFINISPAN_NODE: running"; then
    INFINISPAN_CLEAN=1 deploy/local/infinispan.sh start "$INFINISPAN_NODE"
    _infinispan_started=1
  fi
  INFINISPAN_ENV=(SLUICE_STORE=infinispan QUARKUS_INFINISPAN_CLIENT_HOSTS="$hosts"
    QUARKUS_INFINISPAN_CLIENT_USERNAME=sluice QUARKUS_INFINISPAN_CLIENT_PASSWORD=sluice-local-password)
}
_infinispan_started=0
_bench_exit() {
  _bench_cleanup
  if [ "$_infinispan_started" = 1 ]; then deploy/local/infinispan.sh stop "$INFINISPAN_NODE"; fi
}
trap _bench_exit EXIT

# node_host NODE: the Hot Rod address of local Infinispan node NODE (deploy/local/infinispan.sh)
node_host() { echo "127.0.0.1:$((11222 + ($1 - 1) * 100))"; }

# start_cluster COUNT NODE...: a fresh cluster (infinispan-cluster.xml) of the first COUNT of the given
# local nodes, all of which may join it later. Sets STORE_HOSTS (host;host, for QUARKUS_INFINISPAN_CLIENT_HOSTS)
# and CLUSTER_ENV (the variables that start one more of those nodes into it).
start_cluster() {
  local count=$1 i hosts=(); shift
  CLUSTER_ENV=(INFINISPAN_CONFIG=infinispan-cluster.xml "INFINISPAN_CLUSTER_NODES=$*")
  for ((i = 1; i <= count; i++)); do
    env "${CLUSTER_ENV[@]}" INFINISPAN_CLEAN=1 deploy/local/infinispan.sh start "${!i}"
    hosts+=("$(node_host "${!i}")")
  done
  STORE_HOSTS=$(IFS=';'; echo "${hosts[*]}")
}

# start_fleet COUNT HOSTS [VAR=value ...]: Sluice instances 0..COUNT-1 on the shared store at HOSTS.
# Sets TARGETS (their base URLs, comma-separated, for the driver's --targets) and TARGET_LIST (an array).
start_fleet() {
  local count=$1 hosts=$2 i; shift 2
  TARGET_LIST=()
  for ((i = 0; i < count; i++)); do
    start_sluice "$i" SLUICE_STORE=infinispan "QUARKUS_INFINISPAN_CLIENT_HOSTS=$hosts" \
      QUARKUS_INFINISPAN_CLIENT_USERNAME=sluice QUARKUS_INFINISPAN_CLIENT_PASSWORD=sluice-local-password "$@"
    TARGET_LIST+=("$SLUICE_URL")
  done
  TARGETS=$(IFS=,; echo "${TARGET_LIST[*]}")
}

# sluice_5xx COUNT: the 5xx answers in the request logs of Sluice instances 0..COUNT-1
sluice_5xx() {
  local total=0 i
  for ((i = 0; i < $1; i++)); do
    total=$((total + $(grep -c '"message":"POST /v1/chat/completions 50' "$BENCH_OUT/sluice-$i.log" || true)))
  done
  echo "$total"
}

# store_latency [--option=value ...]: the store alone (dev.sluice.bench.StoreLatency); one JSON line per case
store_latency() { java -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$BENCH_CP" dev.sluice.bench.StoreLatency "$@"; }

# access_log HOST on|off: a local node's Hot Rod access log (logger org.infinispan.HOTROD_ACCESS_LOG) at
# TRACE into its server.log, or back to the configuration's default: one line per Hot Rod request
access_log() {
  local url="http://$1/rest/v2/logging/loggers/org.infinispan.HOTROD_ACCESS_LOG"
  if [ "$2" = on ]; then
    curl -sf --digest -u sluice:sluice-local-password -X PUT "$url?level=TRACE"
  else
    curl -sf --digest -u sluice:sluice-local-password -X DELETE "$url" || true
  fi
}

# round_trips HOSTS CASE DURATION LOG...: one StoreLatency run of CASE (e.g. 16x1) against HOSTS, and
# the Hot Rod requests and task executions it caused, counted in the given server logs (the caller has
# turned the nodes' Hot Rod access logs on with access_log); prints one JSON line with
# round_trips_per_admission
round_trips() {
  local hosts=$1 case=$2 duration=$3 log line requests=0 tasks=0 admitted; shift 3
  declare -A before=()
  for log in "$@"; do before[$log]=$(wc -l < "$log"); done
  line=$(store_latency --store=infinispan --hosts="$hosts" --cases="$case" --warm-up=0s --duration="$duration")
  sleep 1 # the last lines reach the logs
  for log in "$@"; do
    requests=$((requests + $(tail -n +"$((before[$log] + 1))" "$log" | grep -c 'HOTROD_ACCESS_LOG' || true)))
    tasks=$((tasks + $(tail -n +"$((before[$log] + 1))" "$log" | grep -c 'HOTROD_ACCESS_LOG\] /sluice-buckets/sluice-admit' || true)))
  done
  admitted=$(sed -E 's/.*"admitted":([0-9]+).*/\1/' <<< "$line")
  awk -v r="$requests" -v t="$tasks" -v a="$admitted" -v c="$case" 'BEGIN {
    printf "{\"case\":\"%s\",\"admitted\":%d,\"hotrod_requests\":%d,\"task_executions\":%d,\"round_trips_per_admission\":%.3f}\n", c, a, r, t, (a > 0 ? r / a : 0) }'
}

# drive [--option=value ...]: runs the load driver against the simulator's stats; prints its JSON line
drive() {
  java -cp "$BENCH_CP" dev.sluice.bench.LoadDriver --simulator="http://127.0.0.1:$SIMULATOR_PORT" "$@"
}

chart() { java -Djava.awt.headless=true -cp "$BENCH_CP" dev.sluice.bench.Charts "$@"; }

# record SCENARIO VARIANT JSON: appends one line to the results file, with when, what and where.
# VARIANT_NOTE is added to the variant (e.g. "before issue 14"); with SLUICE_JAR (another build) the
# line says which jar ran, since "commit" is the checkout's, not that build's.
record() {
  local commit json=$3 variant=$2${VARIANT_NOTE:+ $VARIANT_NOTE} build=""
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [ -n "${SLUICE_JAR:-}" ]; then build="\"sluice_jar\":\"$SLUICE_JAR\","; fi
  printf '{"scenario":"%s","variant":"%s","date":"%s","commit":"%s",%s"cores":%s,%s\n' \
    "$1" "$variant" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$commit" "$build" "$(nproc)" "${json#\{}" >> "$RESULTS"
  log "recorded $1/$variant in $RESULTS"
}

# skip SCENARIO WHY: a scenario whose feature does not exist yet says so, records it, and ends well
skip() {
  log "skipped $1: $2"
  record "$1" skipped "{\"skipped\": \"$2\"}"
  exit 0
}

# CPU profiles with async-profiler (its jar on Maven Central carries the native library), attached
# to a running JVM (AttachAgent), so a profile covers only the measured window, not start-up or warm-up.
ASYNC_PROFILER_VERSION=${ASYNC_PROFILER_VERSION:-4.2}
# profiler_library: unpacks libasyncProfiler.so once; sets PROFILER_LIB
profiler_library() {
  local dir="$BENCH_OUT/async-profiler-$ASYNC_PROFILER_VERSION"
  PROFILER_LIB="$BENCH_ROOT/$dir/linux-x64/libasyncProfiler.so"
  [ -f "$PROFILER_LIB" ] && return 0
  mvn -B -q dependency:copy -Dartifact="tools.profiler:async-profiler:$ASYNC_PROFILER_VERSION:jar:linux-x64" \
    -DoutputDirectory="$dir" >/dev/null
  (cd "$dir" && unzip -o -q "async-profiler-$ASYNC_PROFILER_VERSION-linux-x64.jar" 'linux-x64/*')
}
# profile_start PID: CPU samples every 1 ms of CPU, Java and native frames
profile_start() { attach_agent "$1" "start,event=cpu,interval=1ms"; }
attach_agent() { java -cp "$BENCH_CP" dev.sluice.bench.AttachAgent "$1" "$PROFILER_LIB" "$2"; }
# profile_stop PID NAME: writes $BENCH_OUT/NAME.collapsed (one line a stack, for grep and sums) and
# NAME.html (the flame graph)
profile_stop() {
  attach_agent "$1" "dump,collapsed,file=$BENCH_ROOT/$BENCH_OUT/$2.collapsed"
  attach_agent "$1" "stop,flamegraph,title=$2,file=$BENCH_ROOT/$BENCH_OUT/$2.html"
}
