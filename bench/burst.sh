#!/usr/bin/env bash
# Burst benchmark, scored against the oracle (docs/BENCHMARKS.md, "Burst"): from a fresh stack (./stack down,
# ./stack reset, ./stack up with the --window window, 3 s by default, and the simulator's defaults), N signing requests with an email go to
# the gateway at once; it waits until every one is SIGNED and prints one line:
#   burst n=… seed=… signed=… drain_windows=… oracle_drain_windows=… ratio=… mean_signed_windows=… calls=…
#     calls_per_signature=… eta_on_time=… eta_overshoot_p50=… violations=…
# Times are in windows from the burst's start.
# - calls: every sign call in /__sim/calls, the gateway's included; calls_per_signature: calls ÷ distinct messages.
# - violations: recounted from that raw log (calls that found `limit` calls admitted in the preceding window).
# - eta_on_time: share of the 202'd requests signed by the estimatedReadyAt of their 202;
#   eta_overshoot_p50: median of (estimate − actual) in windows, positive = pessimistic.
# - the oracle knows every message's plan (GET /__sim/plan): it gets `limit` calls per window + margin, makes each
#   first call as early as that budget allows (first calls before retries), and retries each message exactly when it
#   recovers (or at the first free slot after).
# Usage: bench/burst.sh [--n 60] [--distinct D] [--seed 1] [--window 3s] [--kill]
#   --window W    the rate-limit window (UPSTREAM_RATE_LIMIT_WINDOW): a positive whole number of ms, s or m, e.g.
#                 60s, the real window (about 15 minutes for 60 messages); every time below is in these windows
#   --distinct D  the N requests go over D distinct messages (round robin); default N distinct messages
#   --kill        SIGKILL each app service once during the drain (./stack kill X, then ./stack start X); the
#                 clients retry a failed request with its Idempotency-Key
# Uses the stack the environment names (STACK_HOME, STACK_PORT_BASE, STACK_DB, STACK_REDIS_DB); leaves it up.
# Run it under the machine's test lock: flock /tmp/signapi-test.lock bench/burst.sh --seed 1
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

N=60
DISTINCT=
SEED=1
WINDOW=3s
KILL=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --n) N=$2; shift 2 ;;
        --distinct) DISTINCT=$2; shift 2 ;;
        --seed) SEED=$2; shift 2 ;;
        --window) WINDOW=$2; shift 2 ;;
        --kill) KILL=1; shift ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "--n must be a positive integer" >&2; exit 2; }
[[ "$SEED" =~ ^[0-9]+$ ]] || { echo "--seed must be a non-negative integer" >&2; exit 2; }
DISTINCT=${DISTINCT:-$N}
[[ "$DISTINCT" =~ ^[1-9][0-9]*$ && "$DISTINCT" -le "$N" ]] || { echo "--distinct must be 1..n" >&2; exit 2; }

[[ "$WINDOW" =~ ^0*[1-9][0-9]*(ms|s|m)$ ]] || { echo "--window must be a positive whole number of ms, s or m, e.g. 60s" >&2; exit 2; }
case "$WINDOW" in
    *ms) WINDOW_MS=$((10#${WINDOW%ms})) ;;
    *s) WINDOW_MS=$((10#${WINDOW%s} * 1000)) ;;
    *m) WINDOW_MS=$((10#${WINDOW%m} * 60000)) ;;
esac
eval "$(./stack env)"
GATEWAY=http://127.0.0.1:$STACK_GATEWAY_PORT
SIMULATOR=http://127.0.0.1:$STACK_SIMULATOR_PORT

echo "== fresh stack: ./stack down, ./stack reset, UPSTREAM_RATE_LIMIT_WINDOW=$WINDOW SIMULATOR_SEED=$SEED ./stack up" >&2
./stack down >/dev/null 2>&1 || true
./stack reset >&2
UPSTREAM_RATE_LIMIT_WINDOW=$WINDOW SIMULATOR_SEED=$SEED ./stack up >&2

echo "== burst: $N requests over $DISTINCT messages (seed $SEED, window $WINDOW, kill $KILL)" >&2
python3 - "$N" "$DISTINCT" "$SEED" "$KILL" "$GATEWAY" "$SIMULATOR" "$STACK_DB" "${MYSQL_PORT:-3306}" "$WINDOW_MS" <<'PY'
import json, statistics, subprocess, sys, threading, time, urllib.error, urllib.parse, urllib.request, uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

n, distinct, seed, kill = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
gateway, simulator, db, mysql_port = sys.argv[5], sys.argv[6], sys.argv[7], sys.argv[8]
window_millis = int(sys.argv[9])

def log(*a):
    print(*a, file=sys.stderr, flush=True)

def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())

config = get_json(simulator + "/__sim/config")
if config["windowMillis"] != window_millis:
    sys.exit(f"the simulator runs a {config['windowMillis']} ms window, not the {window_millis} ms asked for")
W = config["windowMillis"] / 1000.0
LIMIT = config["limit"]
MARGIN = max(W / 60, 0.25)  # upstream.rate-limit.margin's default
messages = [f"burst seed {seed} message {i}" for i in range(distinct)]
plans = {m: get_json(simulator + "/__sim/plan?" + urllib.parse.urlencode({"message": m})) for m in messages}

def send(i):
    """One client: a request with an Idempotency-Key, retried with the same key until it is answered 200 or 202."""
    message = messages[i % distinct]
    key = f"burst-{seed}-{i}-{uuid.uuid4()}"
    query = urllib.parse.urlencode({"message": message, "email": f"client{i}@example.com"})
    while True:
        request = urllib.request.Request(gateway + "/crypto/sign?" + query,
                                         headers={"Idempotency-Key": key, "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=5) as r:
                body = json.loads(r.read())
                return dict(i=i, message=message, status=r.status, at=time.time(), body=body)
        except urllib.error.HTTPError as e:
            if e.code != 503:
                raise
            time.sleep(float(e.headers.get("Retry-After", "1")))
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)  # the gateway is restarting: the same key again

def mysql(sql):
    out = subprocess.run(["mysql", "-h127.0.0.1", f"-P{mysql_port}", "-uroot", "-N", "-B", db, "-e",
                          "SET time_zone = '+00:00'; " + sql], capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]

def killer(t0):
    # One SIGKILL per app service during the drain, one after the other, each started again at once.
    for service, at in (("sign-worker", 1.0), ("api-gateway", 3.0), ("notifier", 5.0)):
        time.sleep(max(0, t0 + at * W - time.time()))
        log(f"== ./stack kill {service}; ./stack start {service}")
        subprocess.run(["./stack", "kill", service], check=True, stdout=sys.stderr)
        subprocess.run(["./stack", "start", service], check=True, stdout=sys.stderr)

t0 = time.time()
kills = threading.Thread(target=killer, args=(t0,), daemon=True) if kill else None
if kills:
    kills.start()
with ThreadPoolExecutor(max_workers=min(n, 64)) as pool:
    answers = list(pool.map(send, range(n)))
log(f"answered in {time.time() - t0:.2f} s: {sum(a['status'] == 200 for a in answers)} x 200, "
    f"{sum(a['status'] == 202 for a in answers)} x 202")

accepted = {a["body"]["requestId"]: a for a in answers if a["status"] == 202}
deadline = t0 + 200 * W
while True:
    rows = mysql("SELECT id, status, DATE_FORMAT(completed_at, '%Y-%m-%d %H:%i:%s.%f') FROM sign_request")
    done = {r[0]: r for r in rows if r[0] in accepted and r[1] == "SIGNED"}
    failed = [r for r in rows if r[0] in accepted and r[1] == "FAILED"]
    if len(done) + len(failed) == len(accepted) or time.time() > deadline:
        break
    time.sleep(1)
if kills:
    kills.join()

def parse(ts):
    return datetime.strptime(ts, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc).timestamp()

signed_at = {}
for a in answers:
    if a["status"] == 200:
        signed_at[a["i"]] = a["at"]
for rid, a in accepted.items():
    if rid in done:
        signed_at[a["i"]] = parse(done[rid][2])
signed = len(signed_at)
windows = {i: (t - t0) / W for i, t in signed_at.items()}
drain = max(windows.values()) if windows else float("nan")
mean_signed = statistics.mean(windows.values()) if windows else float("nan")

on_time, overshoot = [], []
for rid, a in accepted.items():
    estimate = datetime.fromisoformat(a["body"]["estimatedReadyAt"].replace("Z", "+00:00")).timestamp()
    actual = signed_at.get(a["i"])
    on_time.append(actual is not None and actual <= estimate)
    if actual is not None:
        overshoot.append((estimate - actual) / W)

calls_log = get_json(simulator + "/__sim/calls")
sign_calls = [c for c in calls_log if c["path"] == "/crypto/sign" and c["at"] >= t0 * 1000 - 1000]
calls = len(sign_calls)
# Violations, recounted: a counted call (sign or verify, past the key and message checks) that found `limit`
# admitted calls in the window before it.
counted = sorted((c for c in calls_log if c["path"] in ("/crypto/sign", "/crypto/verify")
                  and c["status"] not in (400, 401)), key=lambda c: c["at"])
admitted, violations = [], 0
for c in counted:
    recent = [a for a in admitted if a > c["at"] - config["windowMillis"]]
    if len(recent) >= LIMIT:
        violations += 1
    else:
        admitted.append(c["at"])
stats = get_json(simulator + "/__sim/stats")
if stats["rateLimited"] != violations:
    log(f"note: the simulator counted {stats['rateLimited']} violations, the raw log {violations}")

def oracle():
    """The oracle's drain (windows from the burst's start): the system's budget, first calls as early as it allows,
    each retry when its message recovers; first calls before retries when both want a slot."""
    span, order, seen = W + MARGIN, [], set()
    for i in range(n):
        m = messages[i % distinct]
        if m not in seen:
            seen.add(m)
            order.append(m)
    log_ = []
    def free_at(t):
        recent = sorted(x for x in log_ if x > t - span)
        return t if len(recent) < LIMIT else recent[len(recent) - LIMIT] + span + 1e-6
    t, first, retries, last, spent = 0.0, list(order), {}, 0.0, 0
    while first or retries:
        t = free_at(t)
        ready = [m for m, at in retries.items() if at <= t]
        if first:
            m = first.pop(0)
            plan = plans[m]
            if plan["failsFirst"]:
                retries[m] = t + plan["degradedMillis"] / 1000.0
            else:
                last = max(last, t)
        elif ready:
            m = min(ready, key=lambda x: retries[x])
            del retries[m]
            last = max(last, t)
        else:
            t = min(retries.values())
            continue
        log_.append(t)
        spent += 1
    return last / W, spent

oracle_drain, oracle_calls = oracle()
fmt = lambda x: "nan" if x != x else f"{x:.2f}"
fields = [f"n={n}"]
if distinct != n:
    fields.append(f"distinct={distinct}")
fields += [f"seed={seed}", f"signed={signed}", f"drain_windows={fmt(drain)}",
           f"oracle_drain_windows={fmt(oracle_drain)}", f"ratio={fmt(drain / oracle_drain)}",
           f"mean_signed_windows={fmt(mean_signed)}", f"calls={calls}",
           f"calls_per_signature={fmt(calls / distinct)}",
           f"eta_on_time={fmt(sum(on_time) / len(on_time)) if on_time else 'nan'}",
           f"eta_overshoot_p50={fmt(statistics.median(overshoot)) if overshoot else 'nan'}",
           f"violations={violations}"]
if kill:
    fields.append("kills=3")
log(f"oracle: {oracle_calls} calls ({oracle_calls / distinct:.2f} per signature)")
print("burst " + " ".join(fields))
PY
