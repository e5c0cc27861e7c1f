#!/usr/bin/env python3
"""Checks that every metric a dashboard panel queries is exposed by one of the apps.

usage: dashboard-metrics.py DASHBOARD.json URL...   (each URL an app's /actuator/prometheus)
       dashboard-metrics.py --names DASHBOARD.json  (only print the metric names the panels query)

Exit 0 when every queried name appears in the union of the scrapes, 1 (naming each missing one) otherwise.
"""
import json
import re
import sys
import urllib.request

# PromQL words that are not metric names: functions, aggregations, keywords.
WORDS = {
    "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group",
    "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "bool",
    "rate", "irate", "increase", "delta", "idelta", "deriv", "histogram_quantile", "abs", "ceil", "floor", "round",
    "clamp", "clamp_min", "clamp_max", "absent", "absent_over_time", "avg_over_time", "max_over_time",
    "min_over_time", "sum_over_time", "count_over_time", "last_over_time", "time", "vector", "scalar", "sort",
    "sort_desc", "label_replace", "label_join", "changes", "resets", "predict_linear", "timestamp", "inf", "nan",
}


def exprs(dashboard):
    def walk(panels):
        for panel in panels:
            for target in panel.get("targets", []):
                if target.get("expr"):
                    yield panel.get("title", "?"), target["expr"]
            yield from walk(panel.get("panels", []))
    return list(walk(dashboard.get("panels", [])))


def names(expr):
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)          # label values
    text = re.sub(r"\{[^}]*}", "", text)                     # label matchers
    text = re.sub(r"\[[^\]]*]", "", text)                    # range selectors
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)  # label lists
    found = set()
    for word in re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", text):
        if word not in WORDS and not re.fullmatch(r"\d.*", word):
            found.add(word)
    return found


def scrape(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        body = response.read().decode("utf-8")
    return {re.split(r"[{\s]", line, 1)[0] for line in body.splitlines() if line and not line.startswith("#")}


def main(argv):
    if len(argv) >= 2 and argv[0] == "--names":
        with open(argv[1]) as f:
            for name in sorted(set().union(*(names(e) for _, e in exprs(json.load(f))))):
                print(name)
        return 0
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0]) as f:
        queried = exprs(json.load(f))
    if not queried:
        print(f"{argv[0]}: no panel queries anything", file=sys.stderr)
        return 1
    exposed = set()
    for url in argv[1:]:
        exposed |= scrape(url)
    missing = sorted({(name, title) for title, expr in queried for name in names(expr) if name not in exposed})
    for name, title in missing:
        print(f"panel '{title}' queries {name}, which no app exposes", file=sys.stderr)
    if missing:
        return 1
    count = len(set().union(*(names(e) for _, e in queried)))
    print(f"every one of the {count} metrics the dashboard's {len(queried)} queries use is exposed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
