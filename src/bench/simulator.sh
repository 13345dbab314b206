#!/usr/bin/env bash
# Runs the simulated OpenAI upstream (dev.sluice.sim.OpenAiSimulator, test code) on its own, on
# 127.0.0.1, until killed. Builds the test classes and the test class path first when they are
# missing or older than the sources. Every option is --name=value; --help lists them.
#
#   src/bench/simulator.sh                                  # http://127.0.0.1:9000/v1, key sk-sim-1, no limits
#   src/bench/simulator.sh --port=18301 --rpm=600 --tpm=90000 --keys=sk-sim-1,sk-sim-2
#   src/bench/simulator.sh --latency-ms=200 --jitter-ms=50 --chunks=20 --chunk-interval-ms=25
#   src/bench/simulator.sh --error-rate=0.05 --reset-rate=0.01 --abort-rate=0.02 --seed=7
#   curl -s http://127.0.0.1:9000/stats                     # what was admitted, per key and second
#   curl -s http://127.0.0.1:9000/v1/responses -H 'Authorization: Bearer sk-sim-1' \
#     -d '{"model":"gpt-sim","input":"hi","stream":true}'   # also: /v1/responses/{id}[/cancel|/input_items],
#                                                           # /v1/files[/{id}[/content]], /v1/moderations, /v1/audio/speech
#   curl -s -X POST http://127.0.0.1:9000/stats/reset       # zero the counters, refill the buckets
#
# JAVA_OPTS is passed to java (e.g. JAVA_OPTS=-Xmx256m).
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT=target/bench
CLASSES=target/test-classes
MAIN_CLASS=$CLASSES/dev/sluice/sim/OpenAiSimulator.class
mkdir -p "$OUT"

if [ ! -f "$MAIN_CLASS" ] || [ -n "$(find src/main src/test pom.xml -newer "$MAIN_CLASS" \( -name '*.java' -o -name pom.xml \) -print -quit)" ]; then
  echo "compiling test classes..." >&2
  mvn -B -q -DskipTests test-compile >&2
fi
if [ ! -f "$OUT/classpath.txt" ] || [ pom.xml -nt "$OUT/classpath.txt" ]; then
  echo "resolving the test class path..." >&2
  mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/classpath.txt" >&2
fi

# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
exec java ${JAVA_OPTS:-} -cp "$CLASSES:$(cat "$OUT/classpath.txt")" dev.sluice.sim.OpenAiSimulator "$@"
