#!/usr/bin/env bash
# A real Infinispan server on this machine, without Docker, for local runs, the test suite, CI and
# the bench scenarios. Everything binds to 127.0.0.1.
#
#   deploy/local/infinispan.sh fetch          # server jars from Maven Central into $INFINISPAN_HOME/lib,
#                                             # and Sluice's server task (src/infinispan-task)
#   deploy/local/infinispan.sh start [node]   # node 1 (default): Hot Rod on 11222; node 2: 11322 ...
#   deploy/local/infinispan.sh stop [node]    # one node, or every node when none is given
#   deploy/local/infinispan.sh status
#
# Environment: INFINISPAN_HOME (target/infinispan), INFINISPAN_USER (sluice), INFINISPAN_PASSWORD
# (sluice-local-password: a local, throw-away credential), INFINISPAN_CONFIG (infinispan.xml: one
# node; infinispan-cluster.xml: nodes that form a cluster), INFINISPAN_CLUSTER_NODES (the nodes a
# clustered node looks for: "1 2 3 4"), INFINISPAN_CLEAN=1 (start with no data), INFINISPAN_TASK=0 (without
# Sluice's server task, and INFINISPAN_CONFIG=infinispan-bare.xml without its cache: a misconfigured store).
# Each node lives in $INFINISPAN_HOME/node-N (conf/, lib/, data/, server.log, pid).
set -euo pipefail
cd "$(dirname "$0")/../.."

HOME_DIR=${INFINISPAN_HOME:-target/infinispan}
USER_NAME=${INFINISPAN_USER:-sluice}
PASSWORD=${INFINISPAN_PASSWORD:-sluice-local-password}
CONFIG=${INFINISPAN_CONFIG:-infinispan.xml}
SOURCE=deploy/local/infinispan
READY_SECONDS=${INFINISPAN_READY_SECONDS:-120}

log() { echo "infinispan: $*" >&2; }

node_dir() { echo "$HOME_DIR/node-$1"; }
port_of() { echo $((11222 + ($1 - 1) * 100)); }
# JGroups (infinispan-cluster.xml only): node 1 on 7800, node 2 on 7810 ...; failure detection
# (FD_SOCK2) listens 50000 above that.
jgroups_port_of() { echo $((7800 + ($1 - 1) * 10)); }
initial_hosts() {
  local node hosts=()
  for node in ${INFINISPAN_CLUSTER_NODES:-1 2 3 4}; do hosts+=("127.0.0.1[$(jgroups_port_of "$node")]"); done
  (IFS=,; echo "${hosts[*]}")
}

fetch() {
  if [ -f "$HOME_DIR/lib/.complete" ]; then
    return 0
  fi
  log "fetching the server runtime from Maven Central into $HOME_DIR/lib"
  mkdir -p "$HOME_DIR/lib"
  mvn -B -q -f "$SOURCE/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$(cd "$HOME_DIR/lib" && pwd)"
  touch "$HOME_DIR/lib/.complete"
}

TASK_JAR=target/infinispan-task/sluice-infinispan-task.jar

# Builds Sluice's server task when it is missing or older than the limiter or the task sources.
task_jar() {
  if [ ! -f "$TASK_JAR" ] || [ -n "$(find src/infinispan-task src/main/java/dev/sluice/limit -newer "$TASK_JAR" -type f -print -quit)" ]; then
    log "building Sluice's server task ($TASK_JAR)"
    # clean: the compiler plugin checks only the task's own sources for changes, not the limiter it
    # compiles in through -sourcepath, and would otherwise keep a stale jar
    mvn -B -q -f src/infinispan-task/pom.xml clean package
  fi
}

running() { # node
  local pid_file
  pid_file="$(node_dir "$1")/pid"
  [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

start() { # node
  local node=${1:-1} dir port
  dir=$(node_dir "$node")
  port=$(port_of "$node")
  if running "$node"; then
    task_jar
    if cmp -s "$TASK_JAR" "$dir/lib/$(basename "$TASK_JAR")" && cmp -s "$SOURCE/$CONFIG" "$dir/conf/infinispan.xml"; then
      log "node $node already runs (pid $(cat "$dir/pid")), Hot Rod on 127.0.0.1:$port"
      return 0
    fi
    # A server reads its tasks and its caches once, at start: one running an older task would answer
    # in an older wire format, one with an older configuration may lack a cache.
    log "node $node runs an older Sluice task or configuration; restarting it"
    stop "$node"
  fi
  fetch
  [ "${INFINISPAN_CLEAN:-0}" = 1 ] && rm -rf "$dir/data"
  mkdir -p "$dir/conf" "$dir/lib" "$dir/data"
  cp "$SOURCE/$CONFIG" "$dir/conf/infinispan.xml"
  cp "$SOURCE/log4j2.xml" "$dir/conf/log4j2.xml"
  # Sluice's admission task goes into the node's lib/ (read when the server starts); INFINISPAN_TASK=0
  # starts a node without it (a test of a misconfigured store).
  task_jar
  rm -f "$dir/lib/$(basename "$TASK_JAR")"
  [ "${INFINISPAN_TASK:-1}" = 0 ] || cp "$TASK_JAR" "$dir/lib/"
  if ! grep -q "^$USER_NAME=" "$dir/conf/users.properties" 2>/dev/null; then
    java -cp "$HOME_DIR/lib/*" org.infinispan.cli.commands.CLI user create "$USER_NAME" -p "$PASSWORD" -g admin \
      --server-root="$dir" > "$dir/cli.log" 2>&1 || { cat "$dir/cli.log" >&2; return 1; }
  fi
  log "starting node $node (Hot Rod on 127.0.0.1:$port)"
  # The readiness check below reads server.log: a restarted node's old log must not answer for it
  # (the redirection below truncates it only once the background job runs, which can be too late).
  rm -f "$dir/server.log"
  # The same failure-detection port offset on every node: a killed node is then noticed in about a
  # second instead of ~44 s (FD_SOCK2 in infinispan-cluster.xml).
  # The JGroups settings matter only with infinispan-cluster.xml; infinispan.xml has no transport.
  nohup java ${INFINISPAN_JAVA_OPTS:--Xmx512m} -Djgroups.fd.port-offset=50000 \
    -Djgroups.bind.address=127.0.0.1 -Djgroups.bind.port="$(jgroups_port_of "$node")" \
    -Djgroups.tcpping.initial_hosts="$(initial_hosts)" -cp "$HOME_DIR/lib/*" \
    org.infinispan.server.Bootstrap -s "$dir" -b 127.0.0.1 -o $(( (node - 1) * 100 )) -n "node-$node" \
    > "$dir/server.log" 2>&1 &
  echo $! > "$dir/pid"
  local waited=0
  until grep -q ISPN080001 "$dir/server.log" 2>/dev/null; do
    if ! running "$node" || grep -q 'Exception in thread "main"' "$dir/server.log" 2>/dev/null; then
      log "node $node failed to start; see $dir/server.log"; grep -m3 -E 'Exception|ERROR' "$dir/server.log" >&2
      stop "$node"; return 1
    fi
    if [ "$waited" -ge $((READY_SECONDS * 10)) ]; then
      log "node $node not ready after ${READY_SECONDS}s; see $dir/server.log"; return 1
    fi
    sleep 0.1; waited=$((waited + 1))
  done
  log "node $node ready after $((waited / 10)).$((waited % 10))s"
}

stop() { # [node]
  local nodes=("$@") node dir pid
  if [ ${#nodes[@]} -eq 0 ]; then
    for dir in "$HOME_DIR"/node-*; do [ -d "$dir" ] && nodes+=("${dir##*-}"); done
  fi
  for node in "${nodes[@]}"; do
    dir=$(node_dir "$node")
    if running "$node"; then
      pid=$(cat "$dir/pid")
      kill "$pid"
      for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
      log "node $node stopped"
    fi
    rm -f "$dir/pid"
  done
}

status() {
  local dir node found=0
  for dir in "$HOME_DIR"/node-*; do
    [ -d "$dir" ] || continue
    node=${dir##*-}; found=1
    if running "$node"; then
      echo "node $node: running (pid $(cat "$dir/pid")), Hot Rod on 127.0.0.1:$(port_of "$node")"
    else
      echo "node $node: stopped"
    fi
  done
  [ "$found" = 1 ] || echo "no node has been started in $HOME_DIR"
}

case "${1:-}" in
  fetch) fetch; task_jar ;;
  start) start "${2:-1}" ;;
  stop) shift; stop "$@" ;;
  status) status ;;
  *) sed -n '2,15p' "$0" >&2; exit 2 ;;
esac
