#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""dashboard_cpu.py — the server's CPU time for the first request of the
pages that are slow cold (docs/performance.md "QA score by period"): on a
loaded machine a page's wall time is mostly waiting for a core, its CPU
time is not. Usage: dashboard_cpu.py CXMETER STORE (a store built by
dashboard.py, whose user `bench` it logs in as). Linux (/proc) only.
"""

import os
import sys

from dashboard import serve  # the server and its logged-in session

PAGES = [("team filter", "/?period=90d&team=billing"),
         ("ranking", "/breakdown?dim=agent&period=90d"),
         ("channel", "/breakdown?dim=channel&period=90d"),
         ("agent page", "/agent?period=90d&id=juha.laine2")]


def main():
    cx, db = sys.argv[1], sys.argv[2]
    p, _, req = serve(cx, db, db + ".cpu-serve.log")

    def cpu_ms():
        f = open("/proc/%d/stat" % p.pid).read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")

    try:
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
