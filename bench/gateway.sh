#!/usr/bin/env bash
# Gateway benchmark on the local stack: cache-hit throughput and latency beside the gateway's own
# liveness endpoint (this machine's framework ceiling), and the 202 (queued) path's throughput.
# Usage: bench/gateway.sh   (BENCH_DURATION=20s BENCH_CONNECTIONS=64 BENCH_THREADS=2 to change the load)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=${BENCH_DURATION:-20s}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
BASE=${BENCH_BASE_URL:-http://127.0.0.1:5000}
LUA=bench/statuses.lua

if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian package)"
    apt-get install -y wrk >/dev/null
fi

echo "== fresh stack: ./stack down, ./stack reset, ./stack up"
./stack down >/dev/null 2>&1 || true
./stack reset
./stack up

# A message the upstream signs at once: a 502 leaves that message degraded for minutes, so try a few.
cached=""
for i in $(seq 1 40); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/crypto/sign?message=bench-cached-$i")
    if [[ "$code" == 200 ]]; then cached="bench-cached-$i"; break; fi
done
[[ -n "$cached" ]] || { echo "no message could be signed directly; is the upstream reachable?" >&2; exit 1; }
[[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/crypto/sign?message=$cached") == 200 ]] \
    || { echo "the signed message is not served from the cache" >&2; exit 1; }

run() { # label url [lua args...]
    local label=$1 url=$2; shift 2
    echo "== $label: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency -s $LUA $url $*" >&2
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$LUA" "$url" -- "$@" | tee /dev/stderr
}

rps()        { awk '/^Requests\/sec:/ {print $2}'; }
percentile() { awk -v p="$1" '$1 == p {print $2}'; }

echo "== cached message: $cached; JIT warm-up (15 s each)" >&2
wrk -t"$THREADS" -c"$CONNECTIONS" -d15s "$BASE/crypto/sign?message=$cached" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d15s "$BASE/actuator/health/liveness" >/dev/null

ceiling=$(run "framework ceiling (liveness)" "$BASE/actuator/health/liveness")
cache=$(run "cache hits" "$BASE/crypto/sign?message=$cached")
queued=$(run "queued (fresh messages, 202)" "$BASE/" "bench-$(date +%s)")

c_rps=$(rps <<<"$ceiling"); h_rps=$(rps <<<"$cache"); q_rps=$(rps <<<"$queued")
ratio=$(awk -v a="$h_rps" -v b="$c_rps" 'BEGIN {printf "%.0f %%", 100 * a / b}')

cat <<TABLE

| path | req/s | p50 | p99 | statuses |
| --- | ---: | ---: | ---: | --- |
| liveness (ceiling) | $c_rps | $(percentile 50% <<<"$ceiling") | $(percentile 99% <<<"$ceiling") | $(grep '^status' <<<"$ceiling" | tr '\n' ' ') |
| cache hit | $h_rps | $(percentile 50% <<<"$cache") | $(percentile 99% <<<"$cache") | $(grep '^status' <<<"$cache" | tr '\n' ' ') |
| queued (202) | $q_rps | $(percentile 50% <<<"$queued") | $(percentile 99% <<<"$queued") | $(grep '^status' <<<"$queued" | tr '\n' ' ') |

cache hits / ceiling: $ratio ($THREADS threads, $CONNECTIONS connections, $DURATION each)
TABLE
