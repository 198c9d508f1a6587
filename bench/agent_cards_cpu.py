#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""agent_cards_cpu.py — the server's CPU time for the agent page's cards
and series, cold (docs/performance.md "Agent page cards at 10M"): each
run starts a fresh server and asks for the page's cards as CSV, which
computes both of its reports (cards and series) but not the comments
table. Usage: agent_cards_cpu.py CXMETER STORE [RUNS] (a store built by
dashboard.py, whose user `bench` it logs in as). Linux (/proc) only.
"""

import os
import statistics
import sys

from dashboard import serve  # the server and its logged-in session

PATH = "/agent?period=90d&id=juha.laine2&format=csv&table=cards"


def one(cx, db):
    p, _, req = serve(cx, db, db + ".cards-serve.log")

    def cpu_ms():
        f = open("/proc/%d/stat" % p.pid).read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")

    try:
        c0 = cpu_ms()
        st, _, dt = req("GET", PATH)
        assert st == 200, (PATH, st)
        return dt * 1000, cpu_ms() - c0
    finally:
        p.terminate()
        p.wait()


def main():
    cx, db = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    res = [one(cx, db) for _ in range(runs)]
    cpu = sorted(r[1] for r in res)
    print("%s first: server CPU median %.0f ms (min %.0f, max %.0f; %d runs),"
          " wall median %.0f ms" % (PATH, statistics.median(cpu), cpu[0],
                                     cpu[-1], runs,
                                     statistics.median(r[0] for r in res)))


if __name__ == "__main__":
    main()
