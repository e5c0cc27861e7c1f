#!/usr/bin/env bash
# Smoke test of the local stack, run by ./stack test after the build: up, status, one request answered, topics,
# a second stack beside the first (own ports, home and data: reset and down touch only it), stop and start, down.
# Killing and starting each app and second instances of every app are the system tests' (system-tests, scenarios 2
# and 7), under load. Whatever happens, it leaves nothing of either stack running.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK="$ROOT/stack"
# shellcheck source=../stack
source "$STACK"     # functions only
stack_config        # the first stack: the caller's environment (by default .stack, today's ports, signapi, db 0)

T0=$SECONDS
CHECKS=0
TIMINGS=()
NONCE=$(date +%s%N)
FIRST_HOME=$STATE
# The second stack: another home, another port base, its own database and Redis db.
SECOND_HOME="$STATE/smoke2"
SECOND_DB=signapi_smoke2
SECOND_REDIS_DB=9
SECOND_ENV=(STACK_HOME="$SECOND_HOME" STACK_PORT_BASE=7000 STACK_DB="$SECOND_DB" STACK_REDIS_DB="$SECOND_REDIS_DB")
stack2() { env "${SECOND_ENV[@]}" "$STACK" "$@"; }

step() { say ""; say "== smoke: $*"; }
pass() { CHECKS=$((CHECKS + 1)); say "ok: $*"; }
fail() {
    warn "smoke test FAILED: $*"
    exit 1
}
timed() { # label command...: runs the command, records how long it took under the label
    local label=$1 t; shift
    t=$(now)
    "$@" || return
    TIMINGS+=("$label: $(since "$t") s")
}

stack_ports() { # ./stack env output on stdin: every port of that stack, with worker instance 2's
    local line worker="" step=100
    while IFS= read -r line; do
        case "$line" in
            STACK_WORKER_PORT=*) worker=${line#*=}; echo "$worker" ;;
            STACK_INSTANCE_PORT_STEP=*) step=${line#*=} ;;
            STACK_*_PORT=*) echo "${line#*=}" ;;
        esac
    done
    echo $((worker + step))
}

processes_of() { # home: pids of every process started by that home's ./stack, from their command lines
    local f pid
    for f in /proc/[0-9]*/cmdline; do
        pid=${f#/proc/}; pid=${pid%/cmdline}
        tr '\0' '\n' 2>/dev/null < "$f" | grep -xF -- "-Dsignapi.stack.home=$1" >/dev/null && echo "$pid"
    done
    return 0
}

redis0() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n "$REDIS_DB" "$@"; }
redis2() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n "$SECOND_REDIS_DB" "$@"; }
db_exists() { [[ -n $(mysql_client -N -e "SHOW DATABASES LIKE '$1'") ]]; }

cleanup() {
    local status=$?
    if ((status != 0)); then
        "$STACK" status || true
        stack2 status || true
        local f
        for f in "$LOGS"/*.log "$SECOND_HOME"/logs/*.log; do
            [[ -f "$f" && "$f" -nt "$SINCE" ]] && { say "--- last lines of $(rel "$f")"; tail -n 15 "$f"; }
        done
    fi
    "$STACK" down >/dev/null 2>&1 || true
    stack2 down >/dev/null 2>&1 || true
    local pid
    for pid in $(processes_of "$FIRST_HOME") $(processes_of "$SECOND_HOME"); do
        warn "still running after down: pid $pid; SIGKILL"; kill -9 "$pid" 2>/dev/null || true
    done
    # The second stack's data goes with it: its own reset drops its database and its keys.
    stack2 reset >/dev/null 2>&1 || true
    redis0 DEL "sig:stack-smoke-$NONCE" >/dev/null 2>&1 || true
    redis2 DEL "stack-smoke-other:$NONCE" >/dev/null 2>&1 || true
    rm -f "$SINCE"
    exit "$status"
}

# --- may it run here? -----------------------------------------------------------

mapfile -t FIRST_PORTS < <("$STACK" env | stack_ports)
mapfile -t SECOND_PORTS < <(stack2 env | stack_ports)
foreign=()
for p in "${FIRST_PORTS[@]}" "${SECOND_PORTS[@]}"; do
    port_open "$p" || continue
    holder=$(port_holder "$p")
    [[ "$holder" == *"stack of $FIRST_HOME" || "$holder" == *"stack of $SECOND_HOME" ]] || foreign+=("$p ($holder)")
done
if ((${#foreign[@]})); then
    say "smoke test of ./stack SKIPPED: ports already taken by processes that are not this checkout's stacks: ${foreign[*]}"
    exit 0
fi
command -v redis-cli >/dev/null || fail "redis-cli is needed to check that each stack keeps its own keys (apt install redis-tools)"
if [[ -n $(processes_of "$FIRST_HOME") ]]; then
    say "smoke test: stopping this checkout's running stack first ('./stack up' starts it again)"
    "$STACK" down
fi
[[ -z $(processes_of "$SECOND_HOME") ]] || stack2 down
SINCE=$(mktemp)     # logs newer than this file are this run's
trap cleanup EXIT
find_jdk

# --- up and status ----------------------------------------------------------------

step "./stack up"
timed up "$STACK" up || fail "./stack up exited non-zero"
pass "./stack up: ${TIMINGS[-1]}"

step "./stack status"
out=$("$STACK" status) || { say "$out"; fail "./stack status exited non-zero"; }
say "$out"
for s in "${ALL_SERVICES[@]}"; do
    grep -qE "^$s +[0-9]+ +[0-9]+ +UP " <<<"$out" || fail "status shows $s not ready"
done
pass "every service ready"

# --- one request answered ------------------------------------------------------------

step "a request"
message="stack smoke test $NONCE"
encoded=$(printf '%s' "$message" | sed 's/ /%20/g')
code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GATEWAY_PORT/crypto/sign?message=$encoded" || true)
[[ "$code" == 200 || "$code" == 202 ]] || fail "the gateway answered GET /crypto/sign with $code"
pass "the gateway answered GET /crypto/sign with $code"

# --- the dashboard's metrics ------------------------------------------------------------------

step "every metric the Grafana dashboard queries is exposed by an app"
scrapes=()
for port in "$GATEWAY_PORT" "$WORKER_PORT" "$NOTIFIER_PORT"; do
    scrapes+=("http://127.0.0.1:$port/actuator/prometheus")
done
# The Kafka and budget gauges are read in the background after the first scrape: give them one more.
for url in "${scrapes[@]}"; do curl -s -m 10 -o /dev/null "$url" || true; done
out=""
for _ in 1 2 3 4 5; do
    out=$(python3 "$ROOT/scripts/dashboard-metrics.py" "$ROOT/ops/grafana/dashboards/sign-api.json" "${scrapes[@]}" 2>&1) && break
    out="FAILED: $out"
    sleep 2
done
[[ "$out" != FAILED:* ]] || fail "the dashboard queries metrics no app exposes: ${out#FAILED: }"
pass "$out"

# --- topics ------------------------------------------------------------------------------

valid_json_lines() { # stdin: ./stack topic output; fails unless every line is {"partition","offset","key","value"}
    python3 -c '
import json, sys
n = 0
for line in sys.stdin:
    r = json.loads(line)
    assert set(r) == {"partition", "offset", "key", "value"}, line
    assert isinstance(r["partition"], int) and isinstance(r["offset"], int), line
    n += 1
print(n)'
}

count_records() { # $1: ./stack topic output
    [[ -n "$1" ]] || { echo 0; return; }
    printf '%s\n' "$1" | valid_json_lines
}

step "./stack topics, ./stack topic sign.requests"
topics=$("$STACK" topics) || fail "./stack topics exited non-zero"
for t in sign.requests sign.signatures; do
    grep -qxF "$t" <<<"$topics" || fail "the gateway did not create $t at start-up (topics: $(paste -sd' ' <<<"$topics"))"
done
pass "the gateway created sign.requests and sign.signatures"
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
FIRST_RECORDS=$lines

missing="no-such-topic-$NONCE"
status=0
out=$("$STACK" topic "$missing" 2>&1) || status=$?
((status == 3)) && grep -qF "no topic $missing" <<<"$out" || fail "./stack topic of a missing topic: exit $status, '$out'"
pass "./stack topic of a topic nobody created says so (exit 3)"

# --- a second stack beside the first ------------------------------------------------------------

step "a second stack: ${SECOND_ENV[*]}"
FIRST_PIDS=$(processes_of "$FIRST_HOME" | sort)
redis0 SET "sig:stack-smoke-$NONCE" first EX 600 >/dev/null
rm -f "$SECOND_HOME/identity"     # its first up, as on a fresh clone: the home has saved no ports or data yet
timed up-second stack2 up || fail "the second stack's ./stack up exited non-zero"
pass "the second stack is up beside the first: ${TIMINGS[-1]}"
out=$(stack2 start kafka 2>&1) || fail "the second stack's ./stack start kafka exited non-zero: $out"
[[ "$out" != *"settings differ"* ]] || fail "./stack start after a first up with unchanged settings warned: $out"
pass "./stack start after a first up keeps the settings quietly: $out"
second_gateway=$(stack2 env | sed -n 's/^STACK_GATEWAY_PORT=//p')
code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$second_gateway/crypto/sign?message=second%20$NONCE" || true)
[[ "$code" == 200 || "$code" == 202 ]] || fail "the second gateway answered GET /crypto/sign with $code"
for p in "${SECOND_PORTS[@]}"; do
    [[ "$p" == "${SECOND_PORTS[-1]}" ]] && continue   # no second worker instance in the second stack
    port_open "$p" && [[ $(port_holder "$p") == *"stack of $SECOND_HOME" ]] || fail "port $p is not the second stack's: $(port_holder "$p")"
done
pass "the second gateway answered $code; every port of the second stack is its own"

redis2 SET "sig:stack-smoke-$NONCE" second >/dev/null
redis2 SET "stack-smoke-other:$NONCE" not-ours >/dev/null
mysql_client -e "CREATE TABLE IF NOT EXISTS \`$SECOND_DB\`.stack_smoke_marker (id INT)" || fail "could not mark the second database"
stack2 reset || fail "the second stack's ./stack reset exited non-zero"
[[ $(redis2 EXISTS "sig:stack-smoke-$NONCE") == 0 ]] || fail "the second stack's reset left its sig: key"
[[ $(redis2 GET "stack-smoke-other:$NONCE") == not-ours ]] || fail "the second stack's reset deleted a key without a project prefix"
[[ -z $(mysql_client -N -e "SHOW TABLES FROM \`$SECOND_DB\` LIKE 'stack_smoke_marker'") ]] || fail "the second stack's reset did not drop $SECOND_DB"
pass "the second stack's reset dropped its database and its project keys, and left other keys alone"
stack2 status >/dev/null || fail "the second stack is not ready after its reset"

timed down-second stack2 down || fail "the second stack's ./stack down exited non-zero"
[[ -z $(processes_of "$SECOND_HOME") ]] || fail "processes of the second stack still run after its down: $(processes_of "$SECOND_HOME")"
for p in "${SECOND_PORTS[@]}"; do port_open "$p" && fail "port $p still open after the second stack's down"; done
pass "the second stack's down left nothing of it: ${TIMINGS[-1]}"

[[ $(processes_of "$FIRST_HOME" | sort) == "$FIRST_PIDS" ]] || fail "the first stack's processes changed while the second ran"
[[ $(redis0 GET "sig:stack-smoke-$NONCE") == first ]] || fail "the first stack's Redis key is gone"
db_exists "$DB_NAME" || fail "the first stack's database $DB_NAME is gone"
records=$("$STACK" topic sign.requests) || fail "./stack topic sign.requests exited non-zero"
(($(count_records "$records") >= FIRST_RECORDS)) || fail "the first stack's sign.requests lost records"
"$STACK" status >/dev/null || fail "the first stack is not ready after the second stack's reset and down"
pass "the first stack's processes, database $DB_NAME, Redis db $REDIS_DB keys and topics are untouched"

# --- stop and start; a notifier is ready while SMTP is down ------------------------------------

step "./stack stop mail, ./stack stop notifier, ./stack start notifier, ./stack start mail"
out=$("$STACK" stop mail) && say "$out" || fail "./stack stop mail exited non-zero"
out=$("$STACK" stop notifier) || fail "./stack stop notifier exited non-zero"
say "$out"
grep -qE '^stopped notifier \(pid [0-9]+, SIGTERM\) in [0-9.]+ s$' <<<"$out" || fail "./stack stop did not report how long it took: $out"
TIMINGS+=("stop notifier: $(grep -oE '[0-9.]+ s$' <<<"$out")")
if "$STACK" status >/dev/null; then fail "./stack status exited 0 with the notifier stopped"; fi
timed start-notifier "$STACK" start notifier || fail "./stack start notifier exited non-zero with SMTP down"
"$STACK" status notifier >/dev/null || fail "the notifier is not ready while SMTP is down"
pass "the notifier stopped gracefully and started ready with SMTP down (${TIMINGS[-1]})"
"$STACK" start mail >/dev/null || fail "./stack start mail exited non-zero"
"$STACK" status >/dev/null || fail "./stack status is not ready after mail and the notifier started again"
pass "mail is back; the whole stack is ready"

# --- down -------------------------------------------------------------------------------------

step "./stack down"
timed down "$STACK" down || fail "./stack down exited non-zero"
for home in "$FIRST_HOME" "$SECOND_HOME"; do
    left=$(processes_of "$home")
    [[ -z "$left" ]] || fail "processes of $(rel "$home") still running after down: $left"
done
open=()
for p in "${FIRST_PORTS[@]}" "${SECOND_PORTS[@]}"; do port_open "$p" && open+=("$p"); done
((${#open[@]} == 0)) || fail "ports still open after down: ${open[*]}"
pass "no process and no port of either stack left: ${TIMINGS[-1]}"

trap - EXIT
stack2 reset >/dev/null 2>&1 || true
redis0 DEL "sig:stack-smoke-$NONCE" >/dev/null
redis2 DEL "stack-smoke-other:$NONCE" >/dev/null
rm -f "$SINCE"
say ""
say "timings: $(printf '%s; ' "${TIMINGS[@]}")"
say "smoke test of ./stack passed: $CHECKS checks in $((SECONDS - T0)) s"
