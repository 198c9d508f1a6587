#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_helpdesk_fresh.py — a helpdesk export ends its import as a CSV
import does (one end of import: commit, derived forms refreshed): after a
Zendesk import the column segment file beside the store (<store>-cols)
names the store's current col_generation token, and `report --by month`
gives the same figures from every read path (--read auto|columns|rows),
also after a second Zendesk import that changes answers.
"""
import os
import sqlite3
import struct
import sys

import harness
from harness import test, WIDE

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                    "data", "zendesk")
METRICS = "csat,created,resolved,art,frt,fcr"


def store_token(db):
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT token FROM col_generation").fetchone()[0]
    finally:
        con.close()


def file_token(db):
    """The token the column file names (colfile.h), or None."""
    try:
        with open(db + "-cols", "rb") as f:
            head = f.read(16)
    except OSError:
        return None
    if len(head) < 16:
        return None
    return struct.unpack("<q", head[8:16])[0]


def by_path(c, what):
    """{read path: rows} of the monthly report."""
    out = {}
    for path in ("auto", "columns", "rows"):
        j, _ = c.report_json("--metrics", METRICS, "--by", "month", *WIDE,
                             "--read", path, what=f"{what}, --read {path}")
        out[path] = j["rows"] if j else None
    return out


def fresh(c, what):
    c.check(file_token(c.db) == store_token(c.db),
            f"{what}: the column file is not the store's current one "
            f"(file {file_token(c.db)}, store {store_token(c.db)})")
    rows = by_path(c, what)
    for path in ("auto", "columns"):
        c.check(rows[path] is not None and rows[path] == rows["rows"],
                f"{what}: --read {path} differs from --read rows:\n"
                f"  {path}: {rows[path]}\n  rows: {rows['rows']}")
    return rows["rows"]


def csat(rows):
    return [(r.get("month"), (r.get("csat") or {}).get("n"),
             (r.get("csat") or {}).get("value")) for r in rows or []]


@test
def zendesk_then_report_by_month(c):
    # answers from a plain CSV first: the column file exists and is fresh
    c.write("r.csv", "response_id,survey,responded_at,score\n"
            "R1,csat,2024-02-10T10:00:00Z,5\n"
            "R2,csat,2024-03-05T10:00:00Z,2\n")
    c.expect_rc(c.import_("responses", "r.csv"), 0, "responses")
    fresh(c, "after the CSV import")
    # the exports hold rows rejected on purpose: exit 1, the rest stored
    c.expect_rc(c.import_("zendesk", os.path.join(DATA, "export_a.csv")),
                1, "zendesk export_a")
    first = fresh(c, "after the first Zendesk import")
    # the same tickets again, every rating turned round: answers change
    src = open(os.path.join(DATA, "export_a.csv"), encoding="utf-8").read()
    swapped = (src.replace(",Good,", ",@@,").replace(",Bad,", ",Good,")
               .replace(",@@,", ",Bad,").replace(",good,", ",bad,"))
    c.check(swapped != src, "export_a.csv has Good and Bad ratings")
    c.write("z2.csv", swapped)
    c.expect_rc(c.import_("zendesk", "z2.csv"), 1, "zendesk, answers changed")
    second = fresh(c, "after the second Zendesk import")
    c.check(csat(first) != csat(second),
            f"the second import changed no csat figure: {csat(second)}")
    c.expect_rc(c.import_("zendesk", os.path.join(DATA, "export_b.csv")),
                1, "zendesk export_b")
    fresh(c, "after a Zendesk import of other tickets")


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
