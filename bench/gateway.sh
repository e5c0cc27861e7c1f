#!/usr/bin/env bash
# Gateway benchmark on the local stack: cache hits over 10,000 cached messages (round robin) beside nginx serving a
# static 344-byte body on the same machine (the physical ceiling), then the 202 (queued) path. Resets the stack and
# leaves it down afterwards.
# Usage: bench/gateway.sh   (BENCH_DURATION=20s BENCH_CONNECTIONS=64 BENCH_THREADS=2 BENCH_RUNS=3 BENCH_WARMUP=45s
#        BENCH_MESSAGES=10000 to change the load; BENCH_PROFILE=/tmp/gateway.jfr records a JFR profile of the
#        gateway during the first cache-hit run)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=${BENCH_DURATION:-20s}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
RUNS=${BENCH_RUNS:-3}
WARMUP=${BENCH_WARMUP:-45s}
MESSAGES=${BENCH_MESSAGES:-10000}
PROFILE=${BENCH_PROFILE:-}
BASE=${BENCH_BASE_URL:-http://127.0.0.1:5000}
SIMULATOR=${BENCH_SIMULATOR_URL:-http://127.0.0.1:5005}
NGINX_URL=http://127.0.0.1:5090 # bench/nginx.conf's listen address
LUA=bench/statuses.lua
PREFIX=bench-cached
HOME_DIR=$(realpath -m "${STACK_HOME:-.stack}")
NGINX_DIR="$HOME_DIR/nginx"

if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian package)"
    apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
if ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]]; then
    echo "installing nginx-light (Debian package)"
    apt-get install -y nginx-light >/dev/null || { apt-get update >/dev/null && apt-get install -y nginx-light >/dev/null; }
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

stop_nginx() {
    [[ -f "$NGINX_DIR/nginx.pid" ]] && kill "$(cat "$NGINX_DIR/nginx.pid")" 2>/dev/null || true
    rm -f "$NGINX_DIR/nginx.pid"
}
cleanup() {
    stop_nginx
    # The 202 leg leaves tens of thousands of queued requests; stopped first, the apps are not restarted by reset.
    echo "== leaving a clean stack, down: ./stack down, ./stack reset, ./stack down" >&2
    ./stack down >/dev/null 2>&1 || true
    ./stack reset >/dev/null 2>&1 || echo "./stack reset failed" >&2
    ./stack down >/dev/null 2>&1 || echo "./stack down failed" >&2
}

echo "== fresh stack for seeding (loopback simulator, limit raised, failure rate 0): ./stack down, reset, up"
./stack down >/dev/null 2>&1 || true
trap cleanup EXIT
./stack reset
# The interlock allows a raised limit only because the upstream is the simulator (its GET / announces it); seeding
# also uses its loopback admin API.
[[ "$SIMULATOR" == http://127.0.0.1:* ]] || { echo "seeding needs the loopback simulator" >&2; exit 1; }
UPSTREAM_RATE_LIMIT_LIMIT=1000000 SIMULATOR_FAILURE_RATE=0 ./stack up
curl -sf -X POST -H 'Content-Type: application/json' -d '{"failureRate": 0}' "$SIMULATOR/__sim/config" >/dev/null

echo "== seeding $MESSAGES cached messages ($PREFIX-1 … $PREFIX-$MESSAGES)"
urls=$(mktemp)
seed() { # prints the status counts of one pass over every message
    curl -s --parallel --parallel-max 32 -K "$urls" -w '%{http_code}\n' 2>/dev/null | sort | uniq -c | tr '\n' ' '
}
for i in $(seq 1 "$MESSAGES"); do
    printf 'url = "%s/crypto/sign?message=%s-%d"\noutput = "/dev/null"\n' "$BASE" "$PREFIX" "$i"
done >"$urls"
# A request the gateway could not sign at once (its Redis bound passed on a loaded machine) was queued, and the
# worker signs it; passes go on until one answers 200 for every message.
for pass in 1 2 3 4; do
    counts=$(seed)
    echo "pass $pass: $counts"
    [[ "$counts" =~ ^\ *$MESSAGES\ 200\ *$ ]] && break
    [[ $pass == 4 ]] && { echo "not every message is cached: $counts" >&2; exit 1; }
    sleep 5
done
rm -f "$urls"

echo "== restart with the normal settings: ./stack down, ./stack up"
./stack down >/dev/null
./stack up

echo "== nginx (bench/nginx.conf) on $NGINX_URL"
mkdir -p "$NGINX_DIR/html" "$NGINX_DIR/tmp"
head -c 258 /dev/zero | base64 -w0 >"$NGINX_DIR/html/signature.txt" # 344 bytes, like a signature
[[ $(stat -c %s "$NGINX_DIR/html/signature.txt") == 344 ]] || { echo "the static body is not 344 bytes" >&2; exit 1; }
stop_nginx
"$NGINX" -p "$NGINX_DIR" -c "$PWD/bench/nginx.conf"
[[ $(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$NGINX_URL/crypto/sign?message=x") == "200 344" ]] \
    || { echo "nginx does not serve the 344-byte body" >&2; exit 1; }

run() { # label url [lua args...]
    local label=$1 url=$2; shift 2
    echo "== $label: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency -s $LUA $url -- $*" >&2
    local out; out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$LUA" "$url" -- "$@")
    echo "$out" >&2 # not tee /dev/stderr: reopening a redirected stderr would truncate its file
    echo "$out"
}
rps()        { awk '/^Requests\/sec:/ {print $2}'; }
percentile() { awk -v p="$1" '$1 == p {print $2}'; }
statuses()   { grep '^status' | sed 's/^status //' | tr '\n' ' '; }

echo "== gateway warm-up: $WARMUP of cache hits" >&2
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$LUA" "$BASE" -- --cycle "$PREFIX" "$MESSAGES" | grep '^status'
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s "$LUA" "$NGINX_URL" -- --cycle "$PREFIX" "$MESSAGES" >/dev/null

rows=""
ratios=()
for r in $(seq 1 "$RUNS"); do
    ceiling=$(run "run $r: nginx" "$NGINX_URL" --cycle "$PREFIX" "$MESSAGES")
    if [[ $r == 1 && -n "$PROFILE" ]]; then
        "${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/jcmd" "$(cat "$HOME_DIR/run/api-gateway.pid")" JFR.start duration="$DURATION" filename="$PROFILE" >&2
    fi
    cache=$(run "run $r: gateway cache hits" "$BASE" --cycle "$PREFIX" "$MESSAGES")
    n_rps=$(rps <<<"$ceiling"); g_rps=$(rps <<<"$cache")
    ratio=$(awk -v a="$g_rps" -v b="$n_rps" 'BEGIN {printf "%.1f", 100 * a / b}')
    ratios+=("$ratio")
    rows+="| $r | nginx | $n_rps | $(percentile 50% <<<"$ceiling") | $(percentile 99% <<<"$ceiling") | $(statuses <<<"$ceiling") | |"$'\n'
    rows+="| $r | gateway cache hit | $g_rps | $(percentile 50% <<<"$cache") | $(percentile 99% <<<"$cache") | $(statuses <<<"$cache") | $ratio % |"$'\n'
done
stop_nginx
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')

queued=$(run "queued (fresh messages, 202)" "$BASE/" "bench-$(date +%s)")

cat <<TABLE

| run | target | req/s | p50 | p99 | statuses | gateway ÷ nginx |
| --- | --- | ---: | ---: | ---: | --- | ---: |
${rows}| | queued (202) | $(rps <<<"$queued") | $(percentile 50% <<<"$queued") | $(percentile 99% <<<"$queued") | $(statuses <<<"$queued") | |

cache hits ÷ nginx, median of $RUNS runs: $median % (ratios: ${ratios[*]} %; $THREADS threads, $CONNECTIONS connections, $DURATION each, $MESSAGES messages round robin)
TABLE
