#!/usr/bin/env bash
# Micro-benchmarks of the limiter (src/test/java/dev/sluice/jmh): the GCRA math, one operation of
# the in-memory store, a request's token estimate, its usage counters and log line, and a settlement's
# bytes alone and in a batch. JMH runs from the test classes; nothing of it ships in the application.
#
#   src/bench/jmh.sh                          # every benchmark: about 150 s after the build
#   src/bench/jmh.sh 'InMemoryStore'          # only those whose name matches the regex
#   src/bench/jmh.sh -p callers=100000        # any other argument goes to JMH as it is
#   src/bench/jmh.sh oneCaller -wi 1 -i 2     # ... and replaces the default of that option
#   src/bench/jmh.sh -l                       # list the benchmarks and stop
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 src/bench/jmh.sh   # build and run on another JDK
#
# Writes target/bench/jmh.json and prints a Markdown table for docs/benchmarks.md: time per
# operation and bytes allocated per operation (JMH's gc profiler, gc.alloc.rate.norm).
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT=target/bench
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
mkdir -p "$OUT"

echo "building..." >&2
mvn -B -q -Dstyle.color=never -DskipTests test-compile >&2   # the JMH annotation processor writes META-INF/BenchmarkList
mvn -B -q -Dstyle.color=never dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/classpath.txt" >&2
classpath="target/test-classes:target/classes:$(cat "$OUT/classpath.txt")"

# A first argument that is not an option selects benchmarks by regex (JMH would add it to the default).
selection='dev\.sluice\.jmh\..*'
if [ $# -gt 0 ] && [[ "$1" != -* ]]; then
  selection=$1
  shift
fi
for arg in "$@"; do
  if [ "$arg" = -l ] || [ "$arg" = -lp ]; then
    exec "$JAVA" -cp "$classpath" org.openjdk.jmh.Main "$selection" "$@"
  fi
done

# JMH refuses an option given twice, so an argument replaces the default of the same option.
# 16 benchmarks x (3 x 1 s warm-up + 5 x 1 s measured + a fresh JVM): about 150 s.
defaults=(-f 1 -wi 3 -w 1s -i 5 -r 1s -foe true)
options=()
for ((i = 0; i < ${#defaults[@]}; i += 2)); do
  [[ " $* " == *" ${defaults[i]} "* ]] || options+=("${defaults[i]}" "${defaults[i + 1]}")
done
"$JAVA" -cp "$classpath" org.openjdk.jmh.Main "$selection" ${options[@]+"${options[@]}"} "$@" \
  -prof gc -rf json -rff "$OUT/jmh.json" >&2

python3 - "$OUT/jmh.json" <<'PY'
import json
import sys

print("| benchmark | mode | threads | ns/op | B/op |")
print("|---|---|---:|---:|---:|")
for run in json.load(open(sys.argv[1])):
    name = run["benchmark"].replace("dev.sluice.jmh.", "")
    params = ", ".join(f"{k}={v}" for k, v in (run.get("params") or {}).items())
    primary = run["primaryMetric"]
    alloc = next((m for k, m in run.get("secondaryMetrics", {}).items()
                  if k.endswith("gc.alloc.rate.norm")), None)
    alloc_text = f"{alloc['score']:.0f}" if alloc else "n/a"
    unit = "" if primary["scoreUnit"] == "ns/op" else " " + primary["scoreUnit"]
    error = primary["scoreError"]  # "NaN" with fewer than 2 iterations
    error_text = f" ± {error:.1f}" if isinstance(error, (int, float)) else ""
    print(f"| {name}{f' ({params})' if params else ''} | {run['mode']} | {run['threads']} "
          f"| {primary['score']:.1f}{error_text}{unit} | {alloc_text} |")
PY
