#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_report_nodata.py — no data is not zero (issue 12, item 4).

A figure whose input records or columns no import ever supplied is null
(`-` in the table) with a note on stderr naming what is missing, never a
0.0 % that reads as a measurement (SPEC §2 Conventions). A column that was
present but empty still takes its SPEC default. The default metric list
leaves such figures out and says so.
"""
import json
import os
import sqlite3
import sys

import harness
from harness import test, WIDE

HERE = os.path.dirname(os.path.abspath(__file__))
ZENDESK = os.path.join(HERE, "..", "data", "zendesk")


def fig(c, metric, *args):
    """(figure or None, Result) of `metric` alone over WIDE."""
    r = c.run("report", "--db", c.db, "--format", "json", "--metrics",
              metric, *WIDE, *args)
    if not c.expect_rc(r, 0, f"report {metric}"):
        return "ERR", r
    return json.loads(r.out)["rows"][0][metric], r


def null_with_note(c, metric, words, *args):
    f, r = fig(c, metric, *args)
    c.check(f is None, f"{metric}: null, not {f}", r)
    c.check(metric in r.err and all(w in r.err for w in words),
            f"{metric}: a note naming {words}", r)
    t = c.run("report", "--db", c.db, "--metrics", metric, *WIDE, *args)
    line = [ln for ln in t.out.splitlines() if ln.startswith(metric)]
    c.check(line and line[0].split()[1] == "-", f"{metric}: '-' in the "
            "table", t)


def imp(c, kind, text):
    c.write(kind + ".csv", text)
    c.expect_rc(c.import_(kind, kind + ".csv"), 0, "import " + kind)


TICKETS_BARE = ("ticket_id,created_at\n"
                "T1,2026-01-02T00:00:00Z\nT2,2026-01-03T00:00:00Z\n")


@test
def ticket_columns_never_supplied(c):
    imp(c, "tickets", TICKETS_BARE)
    f, r = fig(c, "created")
    c.check(f and f.get("value") == 2, "created counts the tickets", r)
    null_with_note(c, "escalation_rate", ["tickets", "escalated"])
    null_with_note(c, "frt", ["first_response_at"])
    for m in ("resolved", "resolution_rate", "fcr", "backlog", "art"):
        null_with_note(c, m, ["resolved_at"])
    null_with_note(c, "agent_productivity", ["tickets"])


@test
def records_never_supplied(c):
    imp(c, "tickets", "ticket_id,created_at,customer_id,resolved_at,"
        "complaint\nT1,2026-01-02T00:00:00Z,C1,2026-01-02T05:00:00Z,0\n")
    null_with_note(c, "selfservice_rate", ["selfservice"])
    null_with_note(c, "deflection_rate", ["selfservice"])
    null_with_note(c, "conversion_rate", ["orders"])
    null_with_note(c, "post_service_repurchase", ["orders"])
    null_with_note(c, "revenue", ["orders"])
    null_with_note(c, "churn", ["customers"])
    null_with_note(c, "retention", ["customers"])
    null_with_note(c, "complaints_per_1000", ["customers"])
    null_with_note(c, "agent_turnover", ["agents"])
    null_with_note(c, "review_rating", ["reviews"])
    null_with_note(c, "qa_score", ["qa_scores"])
    null_with_note(c, "csat", ["responses"])


@test
def other_columns_never_supplied(c):
    imp(c, "customers", "customer_id,acquired_at\nC1,2025-01-01T00:00:00Z\n")
    imp(c, "agents", "agent_id,team,hired_at\nA1,t,2025-01-01\n")
    imp(c, "selfservice", "session_id,started_at\nS1,2026-01-02T00:00:00Z\n")
    imp(c, "orders", "order_id,customer_id,ordered_at\n"
        "O1,C1,2026-01-02T00:00:00Z\n")
    null_with_note(c, "churn", ["customers", "churned_at"])
    null_with_note(c, "agent_turnover", ["agents", "left_at"])
    null_with_note(c, "deflection_rate", ["selfservice", "resolved"])
    null_with_note(c, "revenue", ["orders", "amount"])
    null_with_note(c, "revenue_at_risk", ["churned_at"])


@test
def present_but_empty_takes_the_default(c):
    imp(c, "tickets", "ticket_id,created_at,escalated,resolved_at\n"
        "T1,2026-01-02T00:00:00Z,,\nT2,2026-01-03T00:00:00Z,,\n")
    f, r = fig(c, "escalation_rate")
    c.check(f and f.get("value") == 0.0 and f.get("n") == 2,
            "escalated present but empty: false, 0 %", r)
    c.check("escalated" not in r.err, "no note", r)
    f, r = fig(c, "backlog")
    c.check(f and f.get("value") == 2, "resolved_at present, empty: open", r)


@test
def default_list_leaves_them_out(c):
    imp(c, "tickets", TICKETS_BARE)
    r = c.run("report", "--db", c.db, "--format", "json", *WIDE)
    if not c.expect_rc(r, 0, "default report"):
        return
    row = json.loads(r.out)["rows"][0]
    for m in ("escalation_rate", "selfservice_rate", "resolution_rate"):
        c.check(m not in row, f"{m} is left out of the default list", r)
    c.check("created" in row, "created is shown", r)
    c.check("escalation_rate" in r.err and "selfservice_rate" in r.err,
            "one note names what was left out", r)


@test
def zendesk_store(c):
    r = c.run("import", "--db", c.db, "zendesk",
              os.path.join(ZENDESK, "export_a.csv"),
              os.path.join(ZENDESK, "export_b.csv"))
    c.check(r.rc in (0, 1), "the zendesk exports import", r)
    r = c.run("report", "--db", c.db, "--format", "json", *WIDE)
    if not c.expect_rc(r, 0, "default report"):
        return
    row = json.loads(r.out)["rows"][0]
    for m in ("escalation_rate", "selfservice_rate",
              "post_service_repurchase", "conversion_rate"):
        c.check(row.get(m) is None, f"{m}: no 0.0 % without its input "
                f"(got {row.get(m)})", r)
    j, r = c.report_json("--metrics", "escalation_rate,conversion_rate",
                         *WIDE)
    if j:
        for m in ("escalation_rate", "conversion_rate"):
            c.check(j["rows"][0][m] is None, f"{m} named: null", r)
        c.check("escalated" in r.err and "orders" in r.err,
                "notes name the escalated column and the orders", r)


MIGRATION_0009 = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "..", "..", "src", "store", "sqlite", "sql",
                              "0009-supplied.sql")


@test
def store_before_the_record_infers_from_data(c):
    """A store made before imports recorded their columns: kinds and
    columns are inferred from the data when it is upgraded."""
    imp(c, "tickets", "ticket_id,created_at,escalated\n"
        "T1,2026-01-02T00:00:00Z,1\nT2,2026-01-03T00:00:00Z,0\n")
    # Back to the store before 0009, then 0009 as an upgrade runs it (the
    # later migrations stay: winding back their schema records would make
    # the next open run them twice).
    db = sqlite3.connect(c.db)
    db.execute("DROP TABLE supplied_columns")
    with open(MIGRATION_0009, encoding="utf-8") as f:
        db.executescript(f.read())
    db.commit()
    db.close()
    f, r = fig(c, "escalation_rate")
    c.check(f and f.get("value") == 50.0, "escalated inferred from data", r)
    null_with_note(c, "frt", ["first_response_at"])


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
