#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_report_formats.py — honest output in every format (issue 12,
items 7 and 8).

CSV carries every field JSON has (the comparison, per_hour, agents,
headcount, the positive share, business time, benchmarks, currencies),
its columns derived from the same description; a figure without data is
null in JSON with and without --compare; every interval lies inside the
metric's range; control characters and ANSI escapes in values are escaped
in the table. `report --help` describes the default period as SPEC does
and `report --definitions 99` exits as the help says.
"""
import csv
import io
import json
import math
import sqlite3
import sys

import harness
from harness import test, WIDE

FILES = {
    "tickets": "ticket_id,created_at,customer_id,agent_id,team,channel,"
               "first_response_at,resolved_at,escalated,complaint,topic\n"
               "T1,2026-01-05T00:00:00Z,C1,A1,t1,email,2026-01-05T01:00:00Z,"
               "2026-01-06T00:00:00Z,0,0,x\n"
               "T2,2026-02-05T00:00:00Z,C1,A1,t1,email,2026-02-05T02:00:00Z,"
               "2026-02-05T05:00:00Z,1,1,x\n"
               "T3,2026-02-06T00:00:00Z,C2,A2,t1,chat,2026-02-06T00:10:00Z,"
               "2026-02-07T00:00:00Z,0,0,y\n",
    "responses": "response_id,survey,responded_at,score,ticket_id\n"
                 "R1,csat,2026-01-06T00:00:00Z,5,T1\n"
                 "R2,csat,2026-02-06T00:00:00Z,4,T2\n"
                 "R3,csat,2026-02-07T00:00:00Z,5,T3\n"
                 "R4,nps,2026-02-07T00:00:00Z,10,T3\n"
                 "R5,nps,2026-02-08T00:00:00Z,9,T3\n"
                 "R6,ces,2026-02-07T00:00:00Z,7,T3\n"
                 "R7,ces,2026-02-08T00:00:00Z,6,T3\n",
    "customers": "customer_id,acquired_at,churned_at,segment\n"
                 "C1,2025-01-01T00:00:00Z,,s\n"
                 "C2,2025-01-01T00:00:00Z,2026-02-10T00:00:00Z,s\n",
    "orders": "order_id,customer_id,ordered_at,amount,currency\n"
              "O1,C1,2026-01-07T00:00:00Z,10,EUR\n"
              "O2,C2,2026-02-07T00:00:00Z,20,EUR\n",
    "selfservice": "session_id,started_at,customer_id,resolved,topic\n"
                   "S1,2026-02-01T00:00:00Z,C1,1,x\n",
    "agents": "agent_id,team,hired_at,left_at\nA1,t1,2025-01-01,\n"
              "A2,t1,2025-01-01,2026-02-20\n",
    "agent_hours": "agent_id,date,hours\nA1,2026-02-05,8\n"
                   "A2,2026-02-06,8\n",
    "reviews": "review_id,posted_at,rating\nV1,2026-02-01T00:00:00Z,5\n"
               "V2,2026-02-02T00:00:00Z,5\nV3,2026-02-03T00:00:00Z,4\n",
    "qa_scores": "ticket_id,reviewer,score\nT2,Q1,99\nT3,Q1,100\n",
}


def store(c):
    for kind, text in FILES.items():
        c.write(kind + ".csv", text)
        c.expect_rc(c.import_(kind, kind + ".csv"), 0, "import " + kind)
    db = sqlite3.connect(c.db)
    db.execute("INSERT INTO benchmarks VALUES (1, 'csat', 'industry',"
               " 80.0, 0)")
    db.commit()
    db.close()


def flat(fig):
    """A JSON figure's fields as the CSV names them."""
    out = {}
    for k, v in fig.items():
        if k == "previous":
            out["previous"] = v["value"] if v else None
            out["previous_n"] = v["n"] if v else None
        elif k == "benchmark":
            out.update({"benchmark_label": v["label"], "benchmark":
                        v["value"], "benchmark_gap": v["gap"]} if v else {})
        elif k != "by_currency":
            out[k] = v
    return out


def same(csv_value, json_value):
    if json_value is None:
        return csv_value == ""
    if isinstance(json_value, bool):
        return csv_value == ("true" if json_value else "false")
    if isinstance(json_value, str):
        return csv_value == json_value
    try:
        return math.isclose(float(csv_value), json_value, abs_tol=1e-6)
    except ValueError:
        return False


def csv_matches_json(c, *args):
    by = ["month"]
    jr = c.run("report", "--db", c.db, "--format", "json", "--by", "month",
               *args)
    cr = c.run("report", "--db", c.db, "--format", "csv", "--by", "month",
               *args)
    if not (c.expect_rc(jr, 0, "json") and c.expect_rc(cr, 0, "csv")):
        return
    j = json.loads(jr.out)
    lines = list(csv.DictReader(ln for ln in io.StringIO(cr.out)
                                if not ln.startswith("#")))
    index = {(ln["month"], ln["metric"]): ln for ln in lines}
    checked = 0
    for row in j["rows"]:
        for m, fig in row.items():
            if m in by:
                continue
            ln = index.get((row["month"], m))
            if not c.check(ln is not None, f"CSV has {row['month']} {m}",
                           cr):
                continue
            if fig is None:
                c.check(all(v == "" for k, v in ln.items()
                            if k not in ("month", "metric")),
                        f"{m}: null is empty in CSV", cr)
                continue
            for k, v in flat(fig).items():
                if not c.check(k in ln, f"CSV lacks the column {k} "
                               f"({m})", cr):
                    continue
                if fig.get("by_currency") and k in ("value", "n",
                                                    "currency", "change"):
                    continue  # a line per currency: test_report_currency
                c.check(same(ln[k], v), f"{row['month']} {m}.{k}: CSV "
                        f"{ln[k]!r}, JSON {v!r}", cr)
                checked += 1
    c.check(checked > 100, f"compared {checked} fields", cr)


@test
def csv_has_every_json_field(c):
    store(c)
    csv_matches_json(c, *WIDE)


@test
def csv_compare_has_previous_change_and_p(c):
    store(c)
    csv_matches_json(c, "--compare", "previous", "--from", "2026-01-01",
                     "--to", "2026-03-01")
    r = c.run("report", "--db", c.db, "--format", "csv", "--compare",
              "previous", "--metrics", "csat,agent_productivity,"
              "agent_turnover,review_rating", "--by", "month", "--from",
              "2026-01-01", "--to", "2026-03-01")
    if c.expect_rc(r, 0, "csv --compare"):
        hdr = r.out.splitlines()[0].split(",")
        for col in ("previous", "previous_n", "change", "p_value",
                    "significant", "agents", "per_hour", "hours",
                    "headcount", "positive", "positive_lo", "positive_hi",
                    "benchmark", "benchmark_gap"):
            c.check(col in hdr, f"CSV column {col}", r)
        feb = [ln for ln in csv.DictReader(io.StringIO(r.out))
               if ln["month"] == "2026-02" and ln["metric"] == "csat"]
        c.check(feb and feb[0]["previous"] == "100.0" and
                feb[0]["change"] and feb[0]["p_value"],
                "February csat: previous, change and p-value", r)


@test
def null_is_null_with_and_without_compare(c):
    store(c)
    for extra in ([], ["--compare", "previous"]):
        j, r = c.report_json("--metrics", "nps,frt", "--by", "month",
                             "--from", "2026-01-01", "--to", "2026-03-01",
                             *extra)
        if j:
            jan = harness.rows_by(j, "month")["2026-01"]
            c.check(jan["nps"] is None, f"no NPS in January: null "
                    f"{' '.join(extra)}, got {jan['nps']}", r)


RANGES = {"review_rating": (1, 5), "csat_mean": (1, 5), "ces": (1, 7),
          "nps": (-100, 100), "qa_score": (0, 100),
          "art": (0, math.inf), "frt": (0, math.inf)}


@test
def intervals_inside_the_range(c):
    store(c)
    for by in ([], ["--by", "month"], ["--by", "channel"]):
        j, r = c.report_json(*WIDE, *by)
        for row in (j or {}).get("rows", []):
            for m, f in row.items():
                if not isinstance(f, dict):
                    continue
                lo_r, hi_r = RANGES.get(m, (0, 100))
                for k in ("lo", "hi", "positive_lo", "positive_hi"):
                    v = f.get(k)
                    rng = (0, 100) if k.startswith("positive") else \
                        (lo_r, hi_r)
                    c.check(v is None or rng[0] - 1e-9 <= v <= rng[1] + 1e-9,
                            f"{m}.{k} = {v} outside {rng}", r)
    j, r = c.report_json("--metrics", "review_rating", *WIDE)
    if j:
        f = j["rows"][0]["review_rating"]
        c.check(f["hi"] <= 5.0 and f["lo"] >= 1.0,
                f"review_rating 5, 5, 4: interval inside 1-5, got {f}", r)


@test
def table_escapes_control_characters(c):
    store(c)
    db = sqlite3.connect(c.db)
    db.execute("UPDATE tickets SET channel = ? WHERE ticket_id = 'T3'",
               ("\x1b[2J\x1b[31mred\x07\x9b1m",))
    db.execute("UPDATE benchmarks SET label = ?", ("\x1b]0;pwned\x07",))
    db.commit()
    db.close()
    r = c.run("report", "--db", c.db, "--metrics", "created,csat", "--by",
              "channel", *WIDE)
    if c.expect_rc(r, 0, "table"):
        c.check(not any(ch in r.out for ch in "\x1b\x07\x9b"),
                "no raw control character in the table", r)
        c.check("\\x1b[31mred" in r.out, "ESC shown as \\x1b", r)
    j, r = c.report_json("--metrics", "created", "--by", "channel", *WIDE)
    if j:
        c.check("\x1b[2J\x1b[31mred\x07\x9b1m" in harness.rows_by(j, "channel"),
                "JSON keeps the value, escaped by the JSON writer", r)
    r = c.run("report", "--db", c.db, "--metrics", "created", "--by",
              "channel", "--format", "csv", *WIDE)
    if c.expect_rc(r, 0, "csv"):
        rows = list(csv.reader(io.StringIO(r.out)))
        c.check(any(row and row[0] == "\x1b[2J\x1b[31mred\x07\x9b1m"
                    for row in rows), "CSV keeps the value", r)


@test
def help_and_definitions_version(c):
    r = c.run("report", "--help")
    c.expect_rc(r, 0, "--help")
    text = " ".join(r.out.split())
    c.check("all the data" not in text, "no 'all the data'", r)
    c.check("earliest event" in text and "one second past the latest"
            in text, "the default period as SPEC says", r)
    c.check("at most 6 dimensions" in text, "the --by limit", r)
    store(c)
    r = c.run("report", "--db", c.db, "--definitions", "99")
    c.check("no definitions version 99" in r.err, "names the version", r)
    c.check(r.rc == 1 and "1 no definitions version" in text,
            f"exit 1, as --help says (got {r.rc})", r)


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
