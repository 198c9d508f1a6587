#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""dashboard.py — how fast the dashboard's pages render on a large store.

Generates `cxmeter demo-data --seed 1 --tickets N` (once per size, under
BENCH_DIR), imports it (rollups and column segments are built by the
import), adds an account, starts `cxmeter serve`, logs in and requests each
page RUNS times. The server's own time for each request (the access log's
last field: from the request's head to the reply queued) and the client's
(connect to last byte) are recorded; the median and the largest are
printed as a Markdown table (docs/performance.md, "Dashboard"): the first
request of a page (its reports computed) and the median of the others
(the same reports from the server's report cache, the store unchanged).

Usage: bench/dashboard.py [--cxmeter build/cxmeter] [--tickets 1000000]
                          [--runs 5] [--dir bench/out]
"""

import argparse
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse

PAGES = [
    ("overview, last 28 days", "/?period=28d"),
    ("overview, last 365 days", "/?period=365d"),
    ("overview, all data", "/?period=all"),
    ("overview, 90 days, team filter", "/?period=90d&team=billing"),
    ("breakdown by agent (ranking)", "/breakdown?dim=agent&period=90d"),
    ("breakdown by channel", "/breakdown?dim=channel&period=90d"),
    ("agent page", "/agent?period=90d&id=AGENT"),
    ("drill-down, CSAT 1-3", "/drill?metric=csat&score=1-3&period=28d"),
    ("cards as CSV", "/?period=28d&format=csv&table=cards"),
]
PASSWORD = "bench password 1"


def run(*a, **kw):
    return subprocess.run(list(a), check=True, capture_output=True,
                          text=True, **kw)


def serve(cx, db, log_path):
    """Starts `cxmeter serve` on db (its log at log_path), logs in as the
    bench user; returns the process, the open log and req(method, path,
    body=None) -> (status, text, seconds) keeping the session's cookies."""
    log = open(log_path, "w+")
    proc = subprocess.Popen([cx, "serve", "--db", db, "--listen",
                             "127.0.0.1:0"], stdout=subprocess.DEVNULL,
                            stderr=log)
    port = None
    while port is None:
        time.sleep(0.05)
        with open(log.name) as f:
            m = re.search(r"listening on port (\d+)", f.read())
        port = int(m.group(1)) if m else None
    cookies = {}

    def req(method, path, body=None):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        h = {"Cookie": "; ".join("%s=%s" % kv for kv in cookies.items())}
        if body:
            body = urllib.parse.urlencode(body)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        t0 = time.perf_counter()
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        text = r.read().decode("utf-8", "replace")
        dt = time.perf_counter() - t0
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                n, _, rest = v.partition("=")
                cookies[n] = rest.split(";", 1)[0]
        c.close()
        return r.status, text, dt

    try:
        _, page, _ = req("GET", "/login")
        tok = re.search(r'name="csrf" value="([^"]*)"', page).group(1)
        st, _, _ = req("POST", "/login", {"csrf": tok, "username": "bench",
                                          "password": PASSWORD})
        assert st == 303, st
    except BaseException:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait()
        raise
    return proc, log, req


def main():
    ap = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--cxmeter", default=os.path.join(root, "build",
                                                      "cxmeter"))
    ap.add_argument("--tickets", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--dir", default=os.path.join(root, "bench", "out"))
    a = ap.parse_args()
    cx = os.path.abspath(a.cxmeter)
    d = os.path.join(a.dir, "dashboard-%d" % a.tickets)
    data = os.path.join(d, "data")
    db = os.path.join(d, "store.db")
    os.makedirs(d, exist_ok=True)
    if not os.path.exists(os.path.join(data, "tickets.csv")):
        print("generating %d tickets" % a.tickets, file=sys.stderr)
        run(cx, "demo-data", "--seed", "1", "--tickets", str(a.tickets),
            "--out", data)
    if not os.path.exists(db):
        t0 = time.time()
        for kind in ("agents", "customers", "tickets", "responses",
                     "selfservice", "orders", "agent_hours", "reviews",
                     "qa_scores"):
            f = os.path.join(data, kind + ".csv")
            if os.path.exists(f):
                print("importing " + kind, file=sys.stderr)
                run(cx, "import", "--quiet", "--db", db, kind, f)
        print("imported in %.1f s" % (time.time() - t0), file=sys.stderr)
        run(cx, "user", "add", "bench", "--role", "viewer", "--db", db,
            input=PASSWORD + "\n")
    answers = int(re.search(r"\d+", run(
        "sqlite3", db, "SELECT count(*) FROM responses").stdout).group(0)) \
        if os.path.exists("/usr/bin/sqlite3") else -1
    # The first ticket's agent in the table's order (an index on agent_id
    # would otherwise make it the first by name: another agent's page).
    agent = run("sqlite3", db, "SELECT agent_id FROM tickets WHERE agent_id"
                " IS NOT NULL ORDER BY rowid LIMIT 1").stdout.strip() \
        if os.path.exists("/usr/bin/sqlite3") else "A1"
    proc, log, req = serve(cx, db, os.path.join(d, "serve.log"))
    try:
        rows = []
        for name, path in PAGES:
            path = path.replace("AGENT", urllib.parse.quote(agent))
            client, server = [], []
            for _ in range(a.runs):
                with open(log.name) as f:
                    before = len(f.read().splitlines())
                st, _, dt = req("GET", path)
                assert st == 200, (path, st)
                client.append(dt * 1000)
                time.sleep(0.02)
                with open(log.name) as f:
                    lines = f.read().splitlines()[before:]
                ms = [float(m.group(1)) for l in lines
                      for m in [re.search(r" ([0-9.]+)ms$", l)] if m]
                if ms:
                    server.append(ms[-1])
            rows.append((name, path, server[0],
                         statistics.median(server[1:]) if len(server) > 1
                         else float("nan"), client[0],
                         statistics.median(client[1:]) if len(client) > 1
                         else float("nan")))
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait()
    print("Store: %d tickets, %d survey answers (`cxmeter demo-data --seed 1 "
          "--tickets %d`), %d runs a page; load: %s" %
          (a.tickets, answers, a.tickets, a.runs,
           open("/proc/loadavg").read().split()[:3]))
    print()
    print("| page | request | first: server ms | again: server ms "
          "(median) | first: client ms | again: client ms (median) |")
    print("|---|---|---|---|---|---|")
    for name, path, s0, s1, c0, c1 in rows:
        print("| %s | `%s` | %.1f | %.1f | %.1f | %.1f |" %
              (name, path, s0, s1, c0, c1))


if __name__ == "__main__":
    main()
