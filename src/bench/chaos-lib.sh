# Shared by the chaos-*.sh scenarios (issue 17) on top of lib.sh; source it, don't run it.
# Their own ports by default, so that a chaos run and another scenario's can share the box.
: "${SIMULATOR_PORT:=18400}"
: "${SLUICE_BASE_PORT:=18410}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# chaos_java CLASS [--option=value ...]: one of the chaos drivers in dev.sluice.bench
chaos_java() { local class=$1; shift; java -cp "$BENCH_CP" "dev.sluice.bench.$class" "$@"; }

# heap_kb PID: the Java heap in use right after a full GC (jcmd GC.run, then GC.heap_info), in KiB
heap_kb() {
  jcmd "$1" GC.run > /dev/null 2>&1 || { echo -1; return; }
  sleep 1
  jcmd "$1" GC.heap_info 2>/dev/null | awk '/ used / { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); print v; exit } }' \
    | grep . || echo -1
}

# rss_kb PID: the process's resident set, in KiB
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo -1; }

# serves COUNT URL: how many of COUNT plain chat requests to URL (a Sluice base URL) answer 200, one at a time
serves() {
  local ok=0 n
  for ((n = 0; n < $1; n++)); do
    [ "$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer after-check' -H 'Content-Type: application/json' \
      -d '{"model":"gpt-sim","max_tokens":4,"messages":[{"role":"user","content":"hi"}]}' "$2/chat/completions")" = 200 ] \
      && ok=$((ok + 1))
  done
  echo "$ok"
}

# with_fields JSON NAME=VALUE...: the JSON object with more fields (VALUE is JSON: a number, or a quoted string)
with_fields() {
  local json=$1 field; shift
  for field in "$@"; do json="${json%\}},\"${field%%=*}\":${field#*=}}"; done
  echo "$json"
}

# alive PID: true or false, as JSON
alive() { if kill -0 "$1" 2>/dev/null; then echo true; else echo false; fi; }
