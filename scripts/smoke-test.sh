#!/usr/bin/env bash
# Smoke test of the local stack, run by ./stack test after the build: up, status, one request answered,
# topic as JSON lines, kill and start a service, down. Whatever happens, it leaves nothing of ours running.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK="$ROOT/stack"
# shellcheck source=../stack
source "$STACK"     # helpers only: find_jdk, kafka_tool, port_open, port_holder, svc_ports, ...

T0=$SECONDS
CHECKS=0
SMOKE_PORTS=()
for s in "${ALL_SERVICES[@]}"; do SMOKE_PORTS+=($(svc_ports "$s")); done

step() { say ""; say "== smoke: $*"; }
pass() { CHECKS=$((CHECKS + 1)); say "ok: $*"; }
fail() {
    warn "smoke test FAILED: $*"
    exit 1
}

our_processes() { # pids of every process started by this checkout's ./stack, from their command lines
    local f pid
    for f in /proc/[0-9]*/cmdline; do
        pid=${f#/proc/}; pid=${pid%/cmdline}
        tr '\0' '\n' 2>/dev/null < "$f" | grep -xF -- "-Dsignapi.stack.home=$STATE" >/dev/null && echo "$pid"
    done
    return 0
}

cleanup() {
    local status=$?
    if ((status != 0)); then
        "$STACK" status || true
        local s
        for s in "${ALL_SERVICES[@]}"; do
            [[ "$LOGS/$s.log" -nt "$SINCE" ]] && { say "--- last lines of $(rel "$LOGS/$s.log")"; tail -n 15 "$LOGS/$s.log"; }
        done
    fi
    "$STACK" down >/dev/null 2>&1 || true
    local pid
    for pid in $(our_processes); do warn "still running after down: pid $pid; SIGKILL"; kill -9 "$pid" 2>/dev/null || true; done
    rm -f "$SINCE"
    exit "$status"
}

# --- may it run here? -----------------------------------------------------------

foreign=()
for p in "${SMOKE_PORTS[@]}"; do
    port_open "$p" || continue
    holder=$(port_holder "$p")
    [[ "$holder" == *"a Sign API stack of $ROOT" ]] || foreign+=("$p ($holder)")
done
if ((${#foreign[@]})); then
    say "smoke test of ./stack SKIPPED: ports already taken by processes that are not this checkout's stack: ${foreign[*]}"
    exit 0
fi
if [[ -n $(our_processes) ]]; then
    say "smoke test: stopping this checkout's running stack first ('./stack up' starts it again)"
    "$STACK" down
fi
SINCE=$(mktemp)     # logs newer than this file are this run's
trap cleanup EXIT
find_jdk

# --- up and status ----------------------------------------------------------------

step "./stack up"
t=$SECONDS
"$STACK" up || fail "./stack up exited non-zero"
pass "./stack up in $((SECONDS - t)) s"

step "./stack status"
out=$("$STACK" status) || { say "$out"; fail "./stack status exited non-zero"; }
say "$out"
grep -qE '^(api-gateway|sign-worker|notifier) .* UP ' <<<"$out" || fail "status shows no healthy app"
pass "every service healthy"

# --- one request answered ------------------------------------------------------------

step "a request"
message="stack smoke test $(date +%s%N)"
encoded=$(printf '%s' "$message" | sed 's/ /%20/g')
code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:5000/crypto/sign?message=$encoded" || true)
if [[ "$code" == 200 || "$code" == 202 ]]; then
    pass "the gateway answered GET /crypto/sign with $code"
else
    say "the gateway answered GET /crypto/sign with $code; asking the simulator directly"
    key=${UPSTREAM_API_KEY:-local-dev-key}
    code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: $key" "http://127.0.0.1:5005/crypto/sign?message=$encoded" || true)
    if [[ "$code" == 200 || "$code" == 502 ]]; then
        pass "the simulator answered GET /crypto/sign with $code"
    elif [[ $(simulator_health) == UP ]]; then
        pass "the simulator answers its health check (it has no /crypto/sign yet: $code)"
    else
        fail "neither the gateway nor the simulator answered (simulator: $code)"
    fi
fi

# --- topic ------------------------------------------------------------------------------

valid_json_lines() { # stdin: ./stack topic output; fails unless every line is {"partition","offset","key","value"}
    if command -v python3 >/dev/null; then
        python3 -c '
import json, sys
n = 0
for line in sys.stdin:
    r = json.loads(line)
    assert set(r) == {"partition", "offset", "key", "value"}, line
    assert isinstance(r["partition"], int) and isinstance(r["offset"], int), line
    n += 1
print(n)'
    else
        local n=0 line
        while IFS= read -r line; do
            [[ "$line" =~ ^\{\"partition\":[0-9]+,\"offset\":[0-9]+,\"key\":.*,\"value\":.*\}$ ]] || return 1
            n=$((n + 1))
        done
        echo "$n"
    fi
}

count_records() { # $1: ./stack topic output
    [[ -n "$1" ]] || { echo 0; return; }
    printf '%s\n' "$1" | valid_json_lines
}

step "./stack topic sign.requests"
t=$SECONDS
records=$("$STACK" topic sign.requests) || fail "./stack topic sign.requests exited non-zero"
lines=$(count_records "$records") || fail "./stack topic printed something that is not one JSON object per line: $records"
if ((lines == 0)); then
    say "sign.requests is empty (the gateway answered without queueing): producing one SignRequested"
    hash=$(printf '%s' "$message" | sha256sum | cut -d' ' -f1)
    event=$(printf '{"type":"SignRequested","version":1,"requestId":"%s","message":"%s","acceptedAt":"%s"}' \
        "$(cat /proc/sys/kernel/random/uuid)" "$message" "$(date -u +%Y-%m-%dT%H:%M:%SZ)")
    kafka_tool produce "$BOOTSTRAP" sign.requests "$hash" "$event" || fail "could not produce to sign.requests"
    records=$("$STACK" topic sign.requests) || fail "./stack topic sign.requests exited non-zero"
    lines=$(count_records "$records") || fail "./stack topic printed something that is not one JSON object per line: $records"
    grep -qF "\"key\":\"$hash\",\"value\":{\"type\":\"SignRequested\"" <<<"$records" || fail "the produced record is not in ./stack topic's output: $records"
fi
((lines > 0)) || fail "./stack topic sign.requests printed no record"
say "$(head -n 3 <<<"$records")"
pass "./stack topic sign.requests printed $lines JSON line(s) in $((SECONDS - t)) s"

# --- kill and start -------------------------------------------------------------------------

step "./stack kill notifier, ./stack start notifier"
"$STACK" kill notifier || fail "./stack kill notifier exited non-zero"
if "$STACK" status >/dev/null; then fail "./stack status exited 0 with the notifier killed"; fi
t=$SECONDS
"$STACK" start notifier || fail "./stack start notifier exited non-zero"
"$STACK" status >/dev/null || fail "./stack status is not healthy after the notifier started again"
pass "the notifier was killed and came back healthy in $((SECONDS - t)) s"

# --- down -------------------------------------------------------------------------------------

step "./stack down"
"$STACK" down || fail "./stack down exited non-zero"
left=$(our_processes)
[[ -z "$left" ]] || fail "processes of ours still running after down: $left"
open=()
for p in "${SMOKE_PORTS[@]}"; do port_open "$p" && open+=("$p"); done
((${#open[@]} == 0)) || fail "ports still open after down: ${open[*]}"
pass "no process and no port of ours left"

trap - EXIT
say ""
say "smoke test of ./stack passed: $CHECKS checks in $((SECONDS - T0)) s"
