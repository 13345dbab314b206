#!/usr/bin/env bash
# chaos-input: hostile input. About 1,100 generated requests (fixed seed) over the body, headers, paths,
# methods, sizes and raw HTTP framing (smuggling, bad chunk sizes, lying Content-Length), written as raw
# bytes to one Sluice instance in front of the simulator (dev.sluice.bench.HostileInput). Goals: no 5xx
# from Sluice itself, no error that is not OpenAI's JSON, no answer cut short, the process alive and
# serving after, and its heap after a full GC back to what it was before. Appends one line to
# docs/benchmarks/results.jsonl; every failing case's reproducer goes to target/bench/chaos-input-failures.txt.
#
#   src/bench/chaos-input.sh                 # seed 17, about 1 min
#   SEED=18 src/bench/chaos-input.sh         # another set of cases
#   SLUICE_MAX_BODY=64K src/bench/chaos-input.sh   # any SLUICE_* reaches the instance
source "$(dirname "$0")/chaos-lib.sh"

SEED=${SEED:-17}
MAX_BODY_BYTES=$(numfmt --from=iec "${SLUICE_MAX_BODY:-4M}")
bench_build

start_simulator --seed="$SEED"
start_sluice 0
sluice_pid=$SLUICE_PID
warm_up 200 "$SLUICE_URL"
heap_before=$(heap_kb "$sluice_pid")
rss_before=$(rss_kb "$sluice_pid")
jcmd "$sluice_pid" GC.class_histogram > "$BENCH_OUT/chaos-input-histogram-before.txt" 2>&1 || true
metrics_url="http://127.0.0.1:$SLUICE_BASE_PORT/q/metrics" # what a caller's input can add to every scrape
metrics_before=$(curl -s -m 60 "$metrics_url" | wc -c || true)
log "chaos-input: seed $SEED; Sluice heap after GC ${heap_before} KiB, RSS ${rss_before} KiB"

failures="$BENCH_OUT/chaos-input-failures.txt"
result=$(chaos_java HostileInput --port="$((SLUICE_BASE_PORT))" --seed="$SEED" --max-body="$MAX_BODY_BYTES" \
  --reproducers="$failures") || result='{"driver_failed":true}'

# after the storm: alive, serving, and memory back
alive_after=$(alive "$sluice_pid")
served=0 heap_after=-1 rss_after=-1 metrics_after=-1
if [ "$alive_after" = true ]; then
  served=$(serves 50 "$SLUICE_URL")
  warm_up 200 "$SLUICE_URL" # the same load as before the baseline, so that both are measured alike
  heap_after=$(heap_kb "$sluice_pid")
  rss_after=$(rss_kb "$sluice_pid")
  jcmd "$sluice_pid" GC.class_histogram > "$BENCH_OUT/chaos-input-histogram-after.txt" 2>&1 || true
  metrics_after=$(curl -s -m 60 "$metrics_url" | wc -c || true)
  # what the heap kept: the classes that grew most between the two histograms (both taken after a full GC)
  log "classes that grew most (KiB, instances):"
  awk 'FNR == NR && $1 ~ /^[0-9]+:$/ { before[$4] = $3; count[$4] = $2; next }
       $1 ~ /^[0-9]+:$/ { d = $3 - before[$4]; if (d > 0) printf "%d %d %s\n", d / 1024, $2 - count[$4], $4 }' \
    "$BENCH_OUT/chaos-input-histogram-before.txt" "$BENCH_OUT/chaos-input-histogram-after.txt" | sort -rn \
    | head -8 >&2 || true # head leaves early: sort's SIGPIPE is no failure
fi
error_lines=$(grep -c '"level":"ERROR"' "$BENCH_OUT/sluice-0.log" || true)
result=$(with_fields "$result" alive_after="$alive_after" served_after_of_50="$served" heap_kb_before="$heap_before" \
  heap_kb_after="$heap_after" rss_kb_before="$rss_before" rss_kb_after="$rss_after" \
  metrics_bytes_before="$metrics_before" metrics_bytes_after="$metrics_after" sluice_error_log_lines="$error_lines")
echo "$result"
log "heap after GC ${heap_before} -> ${heap_after} KiB, RSS ${rss_before} -> ${rss_after} KiB, /q/metrics ${metrics_before} -> ${metrics_after} bytes; reproducers in $failures"
record chaos-input "seed-$SEED" "$result"
