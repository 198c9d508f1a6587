#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""small_import.py — the time of an import of one new answer into a big store.

The cost a survey answer pays when it arrives on its own (an import of one
row, later `serve`'s ingest): its transaction brings the rollups and the
column segments of its month up to date before it commits. Each run
imports one answer with a new id into the store (so every run adds an
answer, none replaces one), as a whole `cxmeter import` process; with two
binaries (A and B, each with its own copy of the store) the runs alternate
A, B, A, B … so that both see the same machine.

Usage:
  small_import.py --store DB [--runs 5] CXMETER
  small_import.py --store DB_A --store DB_B [--runs 5] CXMETER_A CXMETER_B

Prints the median and every run (after one warm-up run per binary, not
counted). Python 3 standard library only.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HEADER = ("response_id,survey,responded_at,question,score,scale,comment,"
          "ticket_id,customer_id,agent_id,team,channel,language\n")


def one_answer(path, n):
    with open(path, "w") as f:
        f.write(HEADER)
        f.write(f"SMALL{os.getpid()}-{n},csat,2025-03-05 10:00:00,,"
                f"{1 + n % 5},,,,,small.import,,email,en\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", action="append", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("cxmeter", nargs="+")
    a = ap.parse_args()
    if len(a.store) != len(a.cxmeter):
        ap.error("one --store per cxmeter binary")
    times = {i: [] for i in range(len(a.cxmeter))}
    n = 0
    with tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, "one.csv")
        for run in range(a.runs + 1):
            for i, (cx, db) in enumerate(zip(a.cxmeter, a.store)):
                n += 1
                one_answer(csv, n)
                t0 = time.perf_counter()
                p = subprocess.run([cx, "import", "--quiet", "--db", db,
                                    "responses", csv],
                                   capture_output=True, text=True)
                t = time.perf_counter() - t0
                if p.returncode != 0:
                    sys.exit(f"{cx} import: exit {p.returncode}\n{p.stderr}")
                if run > 0:
                    times[i].append(t)
    for i, cx in enumerate(a.cxmeter):
        ts = times[i]
        print(f"{cx} --db {a.store[i]}: median {statistics.median(ts):.3f} s"
              f" ({', '.join(f'{t:.3f}' for t in ts)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
