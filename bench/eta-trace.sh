#!/usr/bin/env bash
# After bench/burst.sh, on the stack it left up: each 202'd request's estimatedReadyAt (from its req: marker, kept
# gateway.status-marker-ttl) against when it was signed, in windows from the first request's createdAt, in the
# order of the estimates, with the sign calls its message took; then on-time share and median overshoot split by
# whether the message's first call signed. Shows where the ETA is early or late (docs/BENCHMARKS.md, "Burst").
# Usage: bench/eta-trace.sh [window seconds, default 3]   (uses the stack the environment names, as burst.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
eval "$(./stack env)"
python3 - "${1:-3}" "$STACK_DB" "$STACK_REDIS_DB" "$MYSQL_PORT" "$REDIS_PORT" <<'PY'
import json, statistics, subprocess, sys
from datetime import datetime, timezone
W, db, rdb, mysql_port, redis_port = float(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
def run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
def ts(s):
    if s.endswith("Z") or "T" in s:
        return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
    return datetime.strptime(s, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc).timestamp()
redis = ["redis-cli", "-p", redis_port, "-n", rdb]
markers = {}
for key in run(*redis, "--scan", "--pattern", "req:*").split():
    value = run(*redis, "GET", key).strip()
    if value:
        markers[key[4:]] = json.loads(value)
rows = run("mysql", "-h127.0.0.1", f"-P{mysql_port}", "-uroot", "-N", "-B", db, "-e",
           "SET time_zone = '+00:00'; SELECT r.id, DATE_FORMAT(r.completed_at, '%Y-%m-%d %H:%i:%s.%f'),"
           " (SELECT COUNT(*) FROM sign_attempt a WHERE a.message_hash = r.message_hash)"
           " FROM sign_request r WHERE r.status = 'SIGNED'").splitlines()
data = []
for rid, done, attempts in (r.split("\t") for r in rows):
    if rid in markers:
        m = markers[rid]
        data.append((ts(m["createdAt"]), ts(m["estimatedReadyAt"]), ts(done), int(attempts)))
if not data:
    sys.exit("no 202'd request with a marker and a signature (markers expire after gateway.status-marker-ttl)")
t0 = min(d[0] for d in data)
print("k estimate_windows signed_windows overshoot calls")
for k, (_, est, act, calls) in enumerate(sorted(data, key=lambda d: d[1])):
    print(f"{k} {(est - t0) / W:.2f} {(act - t0) / W:.2f} {(est - act) / W:.2f} {calls}")
for name, part in (("first call signed", [d for d in data if d[3] == 1]),
                   ("first call failed", [d for d in data if d[3] > 1]), ("all", data)):
    if part:
        print(f"{name}: n={len(part)} on_time={sum(a <= e for _, e, a, _ in part) / len(part):.2f} "
              f"overshoot_p50={statistics.median((e - a) / W for _, e, a, _ in part):.2f}")
PY
