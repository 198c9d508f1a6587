#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_redteam_formats.py — the same figure in every format, at the
extremes (issue 12, item 7), on cases test_report_formats.py does not
list.

With --compare previous the table shows a p-value exactly where JSON and
CSV have one: never a `p=1.000` for a duration whose previous period had
one ticket (no Welch test applies there, JSON says null). A change
between two sides without any spread (one promoter against one detractor,
QA scores 100, 100 against 0, 0) has no variance to test with: no
p-value, never a p of 0 from two answers.
"""
import csv
import io
import json
import re
import sqlite3
import sys

import harness
from harness import test

SPAN = ["--by", "month", "--from", "2026-01-01", "--to", "2026-03-01",
        "--compare", "previous"]
FILES = {
    "tickets": "ticket_id,created_at,first_response_at,resolved_at\n"
               "T1,2026-01-05T00:00:00Z,2026-01-05T01:00:00Z,"
               "2026-01-06T00:00:00Z\n"
               "T2,2026-02-05T00:00:00Z,2026-02-05T02:00:00Z,"
               "2026-02-05T05:00:00Z\n"
               "T3,2026-02-06T00:00:00Z,2026-02-06T00:10:00Z,"
               "2026-02-07T00:00:00Z\n",
    "responses": "response_id,survey,responded_at,score\n"
                 "R1,nps,2026-01-06T00:00:00Z,10\n"
                 "R2,nps,2026-02-06T00:00:00Z,0\n"
                 "R3,csat,2026-01-06T00:00:00Z,5\n"
                 "R4,csat,2026-01-07T00:00:00Z,5\n"
                 "R5,csat,2026-02-06T00:00:00Z,1\n"
                 "R6,csat,2026-02-07T00:00:00Z,1\n",
    "qa_scores": "ticket_id,reviewer,score,reviewed_at\n"
                 "T1,Q1,100,2026-01-10T00:00:00Z\n"
                 "T1,Q2,100,2026-01-11T00:00:00Z\n"
                 "T2,Q1,0,2026-02-10T00:00:00Z\n"
                 "T3,Q1,0,2026-02-11T00:00:00Z\n",
}
METRICS = "art,frt,nps,csat,csat_mean,qa_score,created,resolution_rate"


def store(c):
    for kind, text in FILES.items():
        c.write(kind + ".csv", text)
        c.expect_rc(c.import_(kind, kind + ".csv"), 0, "import " + kind)


def outputs(c):
    out = {}
    for fmt in ("json", "csv", "table"):
        r = c.run("report", "--db", c.db, "--metrics", METRICS,
                  "--format", fmt, *SPAN)
        if not c.expect_rc(r, 0, fmt):
            return None
        out[fmt] = r
    return out


def table_lines(text):
    """{(month, metric): line} of a --by month table."""
    lines, month = {}, None
    for ln in text.splitlines():
        parts = ln.split()
        if len(parts) >= 2 and re.fullmatch(r"\d{4}-\d\d", parts[0]):
            month, parts = parts[0], parts[1:]
        elif not ln.startswith(" ") or not parts:
            continue
        lines[(month, parts[0])] = ln
    return lines


@test
def p_value_shown_exactly_where_json_has_one(c):
    store(c)
    out = outputs(c)
    if not out:
        return
    j = json.loads(out["json"].out)
    rows = list(csv.DictReader(io.StringIO(out["csv"].out)))
    by_csv = {(ln["month"], ln["metric"]): ln for ln in rows}
    table = table_lines(out["table"].out)
    checked = 0
    for row in j["rows"]:
        for m, f in row.items():
            if m == "month" or f is None:
                continue
            key = (row["month"], m)
            p = f.get("p_value")
            ln = table.get(key, "")
            shown = re.search(r"\(p=([0-9.]+)\)", ln)
            c.check(bool(shown) == (p is not None),
                    f"{key}: table p {shown and shown.group(1)}, JSON "
                    f"p_value {p}", out["table"])
            if shown and p is not None:
                c.check(abs(float(shown.group(1)) - p) <= 0.0005 + 1e-9,
                        f"{key}: same p ({shown.group(1)}, {p})",
                        out["table"])
            c.check(by_csv[key]["p_value"] == ("" if p is None else
                                               by_csv[key]["p_value"]),
                    f"{key}: CSV p_value empty when JSON has none",
                    out["csv"])
            checked += 1
    c.check(checked >= 10, f"compared {checked} figures", out["json"])


@test
def no_p_value_without_spread(c):
    store(c)
    j, r = c.report_json("--metrics", "nps,qa_score,csat,art", *SPAN)
    if not j:
        return
    feb = harness.rows_by(j, "month")["2026-02"]
    for m in ("nps", "qa_score"):
        f = feb[m]
        c.check(f["previous"] is not None and f["change"] is not None,
                f"{m}: previous and change shown", r)
        c.check(f["p_value"] is None and f["significant"] is False,
                f"{m}: one side against the other without spread: no "
                f"p-value, got {f['p_value']}", r)
    # A proportion pools both sides: its test still applies.
    c.check(feb["csat"]["p_value"] is not None and
            0 < feb["csat"]["p_value"] < 1, "csat 2/2 against 0/2: a "
            f"pooled p, got {feb['csat']['p_value']}", r)
    # One ticket the month before: no Welch test for art.
    c.check(feb["art"]["p_value"] is None, "art: n=1 before, no p", r)


@test
def stored_ids_are_escaped_on_stderr(c):
    """A store older than the import's refusal of control characters may
    hold an id with an ANSI escape: the notes naming outlying rows, and
    the refusal of too many buckets, escape it as the table does."""
    c.write("t.csv", "ticket_id,created_at\nT1,2026-01-02T00:00:00Z\n"
            "T2,2026-01-03T00:00:00Z\nT3,2026-01-04T00:00:00Z\n"
            "T4,2026-01-05T00:00:00Z\n")
    c.expect_rc(c.import_("tickets", "t.csv"), 0, "tickets")
    db = sqlite3.connect(c.db)
    db.execute("UPDATE tickets SET ticket_id = ?, created_at = ? WHERE "
               "ticket_id = 'T4'", ("\x1b[2J\x1b[31mEVIL\x07\u009b",
                                    -29789769600000))
    db.commit()
    db.close()
    for args, rc in (([], 0), (["--by", "day"], 2)):
        r = c.run("report", "--db", c.db, *args)
        c.expect_rc(r, rc, f"report {args}")
        c.check(not any(ch in r.err for ch in "\x1b\x07\x9b"),
                f"{args}: no raw control character on stderr", r)
        c.check("\\x1b[31mEVIL\\x07\\u009b" in r.err,
                f"{args}: the id shown escaped", r)


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
