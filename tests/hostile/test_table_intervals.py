#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_table_intervals.py — art and frt carry the t interval of their
mean in every format (SPEC §2: "for means a t interval").

JSON and CSV give lo and hi; the table shows them in the same units as
the mean, "1d 03h  (1d 01h - 1d 05h)  median …", and flags low n as it
does for every other mean. One duration has no interval, and the table
shows none.
"""
import csv
import io
import sys

import harness
from harness import test, WIDE

# Resolution times 2h, 4h, 6h, 8h (mean 5h); first responses 10, 20, 30,
# 40 minutes (mean 25m).
TICKETS = ("ticket_id,created_at,first_response_at,resolved_at\n"
           "T1,2026-01-05T00:00:00Z,2026-01-05T00:10:00Z,"
           "2026-01-05T02:00:00Z\n"
           "T2,2026-01-06T00:00:00Z,2026-01-06T00:20:00Z,"
           "2026-01-06T04:00:00Z\n"
           "T3,2026-01-07T00:00:00Z,2026-01-07T00:30:00Z,"
           "2026-01-07T06:00:00Z\n"
           "T4,2026-01-08T00:00:00Z,2026-01-08T00:40:00Z,"
           "2026-01-08T08:00:00Z\n")


def hm(s):
    """A duration in seconds as the table writes it (under a day)."""
    s = int(round(s))
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s // 3600}h {s % 3600 // 60:02d}m"


@test
def table_shows_the_interval_of_art_and_frt(c):
    c.write("t.csv", TICKETS)
    c.expect_rc(c.import_("tickets", "t.csv"), 0, "import")
    j, r = c.report_json("--metrics", "art,frt", *WIDE)
    if j is None or not j.get("rows"):
        return
    r = c.run("report", "--db", c.db, "--metrics", "art,frt", *WIDE)
    if not c.expect_rc(r, 0, "table"):
        return
    rows = list(csv.DictReader(io.StringIO(c.run(
        "report", "--db", c.db, "--metrics", "art,frt", "--format", "csv",
        *WIDE).out)))
    for m in ("art", "frt"):
        fig = j["rows"][0][m]
        c.check("lo" in fig and "hi" in fig and fig["lo"] < fig["value"]
                < fig["hi"], f"JSON {m} has lo < value < hi: {fig}", r)
        c.check(any(row.get("metric") == m and row.get("lo") and
                    row.get("hi") for row in rows), f"CSV {m} has lo, hi",
                r)
        want = f"({hm(fig['lo'])} - {hm(fig['hi'])})  median"
        line = next((ln for ln in r.out.splitlines()
                     if ln.split()[:1] == [m]), "")
        c.check(want in line, f"table {m}: expected {want!r} in {line!r}",
                r)
        c.check("low n" in line, f"table {m}: n=4 is flagged low n", r)


@test
def one_duration_has_no_interval(c):
    c.write("t.csv", TICKETS.splitlines()[0] + "\n" +
            TICKETS.splitlines()[1] + "\n")
    c.expect_rc(c.import_("tickets", "t.csv"), 0, "import")
    r = c.run("report", "--db", c.db, "--metrics", "art", *WIDE)
    if c.expect_rc(r, 0, "table"):
        line = next((ln for ln in r.out.splitlines()
                     if ln.split()[:1] == ["art"]), "")
        c.check("(" not in line and "median 2h 00m" in line,
                f"one duration: median, no interval: {line!r}", r)


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
