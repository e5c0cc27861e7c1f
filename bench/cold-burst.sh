#!/usr/bin/env bash
# Cold-start burst on the local stack: ./stack down, ./stack up (which returns once every service is ready), the
# simulator set to hang every call, and at once a burst of fresh messages (every request a cache miss that ends
# in a 202 or a 503); then the same burst twice more. Done once per connection count (200, then 64). Prints, per
# burst, the answers by status, p50/p99/max latency and req/s, and whether the targets hold (max < 2 s; only
# 200/202/503; at least 90 % 202). Resets the stack and leaves it down afterwards.
# Usage: bench/cold-burst.sh   (BENCH_CONNECTION_COUNTS="200 64" BENCH_BURSTS=3 BENCH_DURATION=15s BENCH_THREADS=2
#        BENCH_WINDOW=3s; BENCH_WARM_UP_REQUESTS=0 starts the gateway without its warm-up, for comparison; any STACK_* or
#        setting in the environment is passed on to ./stack as usual)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

COUNTS=${BENCH_CONNECTION_COUNTS:-200 64}
BURSTS=${BENCH_BURSTS:-3}
DURATION=${BENCH_DURATION:-15s}
THREADS=${BENCH_THREADS:-2}
WINDOW=${BENCH_WINDOW:-3s}
LUA=bench/statuses.lua

if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian package)"
    apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi

cleanup() {
    # Every burst leaves thousands of queued requests; stopped first, the apps are not restarted by reset.
    echo "== leaving a clean stack, down: ./stack down, ./stack reset, ./stack down" >&2
    ./stack down >/dev/null 2>&1 || true
    ./stack reset >/dev/null 2>&1 || echo "./stack reset failed" >&2
    ./stack down >/dev/null 2>&1 || echo "./stack down failed" >&2
}
trap cleanup EXIT

export UPSTREAM_RATE_LIMIT_WINDOW=$WINDOW
if [[ -n "${BENCH_WARM_UP_REQUESTS:-}" ]]; then export GATEWAY_WARM_UP_REQUESTS=$BENCH_WARM_UP_REQUESTS; fi

seconds() { # a wrk duration (850.12us, 12.3ms, 1.20s, 2.00m) in seconds
    awk -v d="$1" 'BEGIN {
        if (d ~ /us$/) { sub(/us$/, "", d); printf "%.6f", d / 1e6 }
        else if (d ~ /ms$/) { sub(/ms$/, "", d); printf "%.6f", d / 1e3 }
        else if (d ~ /m$/) { sub(/m$/, "", d); printf "%.6f", d * 60 }
        else { sub(/s$/, "", d); printf "%.6f", d } }'
}

rows=""
verdicts=()
for c in $COUNTS; do
    echo "== cold start for $c connections: ./stack down, ./stack reset, ./stack up (window $WINDOW)" >&2
    ./stack down >/dev/null 2>&1 || true
    ./stack reset >/dev/null
    started=$SECONDS
    ./stack up >&2
    ready=$((SECONDS - started))
    eval "$(./stack env | grep -E '^STACK_(GATEWAY|SIMULATOR)_PORT=')"
    base=http://127.0.0.1:$STACK_GATEWAY_PORT
    curl -sf -X POST -H 'Content-Type: application/json' -d '{"outage": "hang"}' \
        "http://127.0.0.1:$STACK_SIMULATOR_PORT/__sim/config" >/dev/null
    for b in $(seq 1 "$BURSTS"); do
        prefix="cold-$c-$b-$(date +%s)"
        echo "== burst $b at $c connections: wrk -t$THREADS -c$c -d$DURATION --timeout 10s --latency -s $LUA $base/ -- $prefix" >&2
        out=$(wrk -t"$THREADS" -c"$c" -d"$DURATION" --timeout 10s --latency -s "$LUA" "$base/" -- "$prefix")
        echo "$out" >&2
        # The gateway's own view: shed requests so far and the longest queueing before it (last minute).
        curl -s "$base/actuator/prometheus" | grep -E '^gateway_requests_shed_total|^gateway_request_queueing_seconds_(max|count)' >&2 || true
        rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
        p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
        p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
        max=$(awk '$1 == "Latency" {print $4; exit}' <<<"$out")
        statuses=$({ grep '^status' <<<"$out" || true; } | sed 's/^status //' | sort -n | tr '\n' ' ' | sed 's/ $//')
        errors=$(grep -o 'Socket errors:.*' <<<"$out" || true)
        total=$({ grep '^status' <<<"$out" || true; } | awk '{n += $3} END {print n + 0}')
        accepted=$({ grep '^status 202:' <<<"$out" || true; } | awk '{print $3}'); accepted=${accepted:-0}
        other=$({ grep '^status' <<<"$out" || true; } | { grep -vE '^status (200|202|503):' || true; } | awk '{n += $3} END {print n + 0}')
        share=$(awk -v a="$accepted" -v t="$total" 'BEGIN {printf "%.1f", t ? 100 * a / t : 0}')
        verdict=met
        awk -v m="$(seconds "$max")" 'BEGIN {exit !(m < 2)}' || verdict="not met (max)"
        [[ "$other" == 0 && -z "$errors" ]] || verdict="not met (other answers or socket errors)"
        awk -v s="$share" 'BEGIN {exit !(s >= 90)}' || verdict="not met (202 share)"
        verdicts+=("$verdict")
        rows+="| $c | $b | ${ready} s | $statuses${errors:+; $errors} | $share % | $p50 | $p99 | $max | $rps | $verdict |"$'\n'
    done
done

cat <<TABLE

| connections | burst | ./stack up took | answers by status | 202 share | p50 | p99 | max | req/s | targets |
| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |
${rows}
(wrk -t$THREADS -d$DURATION --timeout 10s, a fresh message per request, upstream window $WINDOW, simulator outage hang; burst 1 starts as soon as ./stack up has returned; gateway warm-up requests: ${GATEWAY_WARM_UP_REQUESTS:-default})
TABLE
for v in "${verdicts[@]}"; do [[ "$v" == met ]] || exit 1; done
