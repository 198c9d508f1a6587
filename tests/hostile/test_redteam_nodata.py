#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_redteam_nodata.py — no data is not zero, on cases the first
suite (test_report_nodata.py) does not list (issue 12, item 4).

An import that stores no row supplies nothing: a header alone, or a file
whose every row is rejected, must not turn a null figure into 0.0 %, for
the generic kinds and for helpdesk exports alike. agent_productivity with
hours worked but no resolved ticket has a per_hour of 0, but no tickets
per agent (0 / 0 agents): that value is null, not 0.0.
"""
import sys

import harness
from harness import test, WIDE

TICKETS = ("ticket_id,created_at,customer_id\n"
           "T1,2026-01-02T00:00:00Z,C1\n")


def imp(c, kind, name, text, rc):
    c.write(name, text)
    c.expect_rc(c.import_(kind, name), rc, f"import {kind} {name}")


def figures(c, metrics, *args):
    j, r = c.report_json("--metrics", ",".join(metrics), *WIDE, *args)
    return (j["rows"][0] if j else {}), r


def all_null(c, metrics, what, *args):
    row, r = figures(c, metrics, *args)
    for m in metrics:
        c.check(m in row and row[m] is None,
                f"{what}: {m} null, got {row.get(m)}", r)
    t = c.run("report", "--db", c.db, "--metrics", ",".join(metrics),
              *WIDE, *args)
    for ln in t.out.splitlines():
        parts = ln.split()
        if parts and parts[0] in metrics:
            c.check(parts[1] == "-", f"{what}: {parts[0]} '-' in the "
                    "table", t)


@test
def rejected_rows_supply_nothing(c):
    imp(c, "tickets", "t.csv", TICKETS, 0)
    metrics = ["conversion_rate", "selfservice_rate", "revenue",
               "post_service_repurchase", "churn", "agent_turnover",
               "review_rating", "qa_score", "csat", "deflection_rate",
               "complaints_per_1000", "escalation_rate"]
    all_null(c, metrics, "before")
    # Every row of each file is rejected: nothing is stored, so nothing
    # was supplied.
    imp(c, "orders", "o.csv", "order_id,customer_id,ordered_at,amount\n"
        "O1,C1,notadate,10\n", 1)
    imp(c, "selfservice", "s.csv", "session_id,started_at,resolved\n"
        "S1,1026-01-01T00:00:00Z,1\n", 1)
    imp(c, "customers", "c.csv", "customer_id,acquired_at,churned_at\n"
        "C1,2025-01-01T00:00:00Z,yesterday\n", 1)
    imp(c, "agents", "a.csv", "agent_id,hired_at,left_at\nA1,x,\n", 1)
    imp(c, "reviews", "v.csv", "review_id,posted_at,rating\n"
        "V1,2026-01-02T00:00:00Z,9\n", 1)
    imp(c, "qa_scores", "q.csv", "ticket_id,reviewer,score\nT1,Q,101\n", 1)
    imp(c, "responses", "r.csv", "response_id,survey,responded_at,score\n"
        "R1,csat,2026-01-02T00:00:00Z,6\n", 1)
    imp(c, "tickets", "t2.csv", "ticket_id,created_at,escalated,complaint\n"
        "T9,2026-01-02T00:00:00Z,maybe,0\n", 1)
    all_null(c, metrics, "after files of rejected rows")


@test
def header_only_files_supply_nothing(c):
    imp(c, "tickets", "t.csv", TICKETS, 0)
    imp(c, "selfservice", "s.csv", "session_id,started_at,resolved\n", 0)
    imp(c, "orders", "o.csv", "order_id,customer_id,ordered_at,amount\n", 0)
    imp(c, "tickets", "t2.csv", "ticket_id,created_at,escalated,"
        "resolved_at\n", 0)
    all_null(c, ["selfservice_rate", "conversion_rate", "escalation_rate",
                 "resolved", "resolution_rate", "backlog"],
             "after header-only files")


@test
def helpdesk_rejected_rows_supply_nothing(c):
    imp(c, "tickets", "t.csv", TICKETS, 0)
    # Solved before created, and a rating that is no rating: both rows
    # rejected, so no resolved_at and no response was supplied.
    imp(c, "zendesk", "z.csv", "Id,Created at,Solved at,Satisfaction Score\n"
        "5,2026-01-03 10:00,2026-01-03 09:00,Good\n"
        "6,2026-01-03 10:00,2026-01-03 11:00,Maybe\n", 1)
    imp(c, "freshdesk", "f.csv", "Ticket ID,Created time,Resolved time,"
        "Satisfaction survey\n"
        "7,2026-01-03 10:00,2026-01-03 09:00,Neutral\n", 1)
    all_null(c, ["resolved", "resolution_rate", "backlog", "art", "csat"],
             "after helpdesk rows all rejected")
    # A stored row still supplies what it filled.
    imp(c, "zendesk", "z2.csv", "Id,Created at,Solved at\n"
        "8,2026-01-03 10:00,2026-01-03 11:00\n", 0)
    row, r = figures(c, ["resolved", "backlog"])
    c.check(row.get("resolved") == {"value": 1}, f"resolved: 1, got "
            f"{row.get('resolved')}", r)
    c.check(row.get("backlog") == {"value": 1}, "T1 is open", r)


@test
def productivity_without_resolved_tickets(c):
    imp(c, "tickets", "t.csv", "ticket_id,created_at,agent_id,resolved_at\n"
        "T1,2026-01-05T09:00:00Z,A1,2026-01-05T10:00:00Z\n", 0)
    imp(c, "agent_hours", "h.csv", "agent_id,date,hours\n"
        "A1,2026-01-05,4\nA2,2026-01-07,8\n", 0)
    for by in ("agent", "day"):
        j, r = c.report_json("--metrics", "agent_productivity", "--by", by,
                             *WIDE)
        rows = harness.rows_by(j, by) if j else {}
        key = "A2" if by == "agent" else "2026-01-07"
        f = (rows.get(key) or {}).get("agent_productivity")
        c.check(isinstance(f, dict) and f.get("value") is None
                and f.get("per_hour") == 0.0 and f.get("hours") == 8.0
                and f.get("agents") == 0,
                f"by {by}: 8 hours, no ticket: value null (0 / 0 agents), "
                f"per_hour 0.0; got {f}", r)
        other = "A1" if by == "agent" else "2026-01-05"
        f = (rows.get(other) or {}).get("agent_productivity")
        c.check(isinstance(f, dict) and f.get("value") == 1.0,
                f"by {by}: one ticket, one agent: 1.0; got {f}", r)
        t = c.run("report", "--db", c.db, "--metrics", "agent_productivity",
                  "--by", by, *WIDE)
        line = [ln for ln in t.out.splitlines() if ln.startswith(key)]
        c.check(line and line[0].split()[2] == "-",
                f"by {by}: '-' in the table", t)
        t = c.run("report", "--db", c.db, "--metrics", "agent_productivity",
                  "--by", by, "--format", "csv", *WIDE)
        line = [ln for ln in t.out.splitlines() if ln.startswith(key)]
        c.check(line and line[0].split(",")[2] == "",
                f"by {by}: empty value in CSV", t)


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
