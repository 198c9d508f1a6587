#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""dashboard_cpu.py — the server's CPU time for the first request of the
pages that are slow cold (docs/performance.md "QA score by period"): on a
loaded machine a page's wall time is mostly waiting for a core, its CPU
time is not. Usage: dashboard_cpu.py CXMETER STORE (a store built by
dashboard.py, whose user `bench` it logs in as). Linux (/proc) only.
"""

import http.client
import os
import re
import subprocess
import sys
import time
import urllib.parse

PAGES = [("team filter", "/?period=90d&team=billing"),
         ("ranking", "/breakdown?dim=agent&period=90d"),
         ("channel", "/breakdown?dim=channel&period=90d"),
         ("agent page", "/agent?period=90d&id=juha.laine2")]


def main():
    cx, db = sys.argv[1], sys.argv[2]
    log = open(db + ".cpu-serve.log", "w+")
    p = subprocess.Popen([cx, "serve", "--db", db, "--listen",
                          "127.0.0.1:0"], stdout=subprocess.DEVNULL,
                         stderr=log)
    port = None
    while port is None:
        time.sleep(0.05)
        m = re.search(r"listening on port (\d+)", open(log.name).read())
        port = int(m.group(1)) if m else None
    ck = {}

    def req(method, path, body=None):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        h = {"Cookie": "; ".join("%s=%s" % kv for kv in ck.items())}
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
                ck[n] = rest.split(";", 1)[0]
        return r.status, text, dt

    def cpu_ms():
        f = open("/proc/%d/stat" % p.pid).read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")

    try:
        _, page, _ = req("GET", "/login")
        tok = re.search(r'name="csrf" value="([^"]*)"', page).group(1)
        req("POST", "/login", {"csrf": tok, "username": "bench",
                               "password": "bench password 1"})
        for name, path in PAGES:
            c0 = cpu_ms()
            st, _, dt = req("GET", path)
            assert st == 200, (path, st)
            print("%-12s %s first: wall %.0f ms, server CPU %.0f ms"
                  % (name, path, dt * 1000, cpu_ms() - c0))
    finally:
        p.terminate()
        p.wait()


if __name__ == "__main__":
    main()
