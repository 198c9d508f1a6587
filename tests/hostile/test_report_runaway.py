#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_report_runaway.py — one far timestamp must not run a report away.

A typo (1026 or 9999 for 2026) stretches the default period (SPEC §2: from
the earliest to one second past the latest event). A report then refuses
to build more time buckets than its limit (exit 2, a message naming
--from/--to and the count) before allocating them, and says on stderr
which rows stretch the default period. Every command here runs under a
200 MB address-space limit and a 20 s timeout: no input of a few rows may
take more (issue 12, item 1).

The far timestamps are written straight into the store with sqlite3, so
the tests do not depend on what the importer accepts.
"""
import json
import sqlite3
import sys

import harness
from harness import test


LIMIT_AS = 200 << 20
TIMEOUT = 20

Y1026 = -29789769600000     # 1026-01-01T00:00:00Z
Y0000 = -62167219200000     # 0000-01-01T00:00:00Z
Y9999 = 253402214400000     # 9999-12-31T00:00:00Z


def limited(c, *argv):
    """Runs cxmeter under LIMIT_AS and TIMEOUT; a Result."""
    return harness.limited(c, *argv, limit_as=LIMIT_AS, timeout=TIMEOUT)


def report(c, *args):
    return limited(c, "report", "--db", c.db, *args)


def store(c):
    """Two tickets, an answer, a customer, an agent, a session, an order
    and a review in January 2026: every kind a report scans or keeps
    state of."""
    files = {
        "tickets": "ticket_id,created_at,resolved_at,agent_id,customer_id\n"
                   "T1,2026-01-02T00:00:00Z,2026-01-03T00:00:00Z,A1,C1\n"
                   "T2,2026-01-05T00:00:00Z,,A1,C1\n",
        "responses": "response_id,survey,responded_at,score\n"
                     "R1,csat,2026-01-02T10:00:00Z,5\n"
                     "R2,csat,2026-01-04T10:00:00Z,4\n",
        "customers": "customer_id,acquired_at,churned_at\n"
                     "C1,2026-01-01T00:00:00Z,\n",
        "agents": "agent_id,team,hired_at,left_at\nA1,t,2026-01-01,\n",
        "selfservice": "session_id,started_at,resolved\n"
                       "S1,2026-01-03T00:00:00Z,1\n",
        "orders": "order_id,customer_id,ordered_at,amount,currency\n"
                  "O1,C1,2026-01-04T00:00:00Z,10,EUR\n",
        "reviews": "review_id,posted_at,rating\nV1,2026-01-06T00:00:00Z,4\n",
    }
    for kind, text in files.items():
        c.write(kind + ".csv", text)
        c.expect_rc(c.import_(kind, kind + ".csv"), 0, "import " + kind)


def set_time(c, table, col, key, value, ms):
    db = sqlite3.connect(c.db)
    db.execute(f"UPDATE {table} SET {col} = ? WHERE {key} = ?", (ms, value))
    db.commit()
    db.close()


def refused(c, r, what):
    """Exit 2, before building: the message names --from/--to and a
    count of buckets."""
    c.expect_rc(r, 2, what)
    c.check("--from" in r.err and "--to" in r.err,
            f"{what}: the message names --from/--to", r)
    c.check("buckets" in r.err and any(ch.isdigit() for ch in r.err),
            f"{what}: the message counts the buckets", r)


@test
def far_ticket_by_day_is_refused(c):
    store(c)
    set_time(c, "tickets", "created_at", "ticket_id", "T2", Y1026)
    refused(c, report(c, "--by", "day"), "--by day over 1026..2026")
    refused(c, report(c, "--by", "week", "--format", "json"),
            "--by week over 1026..2026")
    refused(c, report(c, "--by", "day", "--compare", "previous"),
            "--by day --compare previous")
    # A coarse breakdown and no breakdown still answer, bounded.
    r = report(c, "--by", "year", "--metrics", "created,backlog")
    c.expect_rc(r, 0, "--by year")
    r = report(c, "--format", "json")
    c.expect_rc(r, 0, "no breakdown")


@test
def outlier_is_named(c):
    store(c)
    set_time(c, "tickets", "created_at", "ticket_id", "T2", Y1026)
    r = report(c, "--metrics", "created")
    c.expect_rc(r, 0, "default period")
    c.check("T2" in r.err and "1026-01-01" in r.err and "ticket" in r.err,
            "the warning names the ticket, its id and timestamp", r)
    c.check("T1" not in r.err, "only the outlier is named", r)
    # Given the period, nothing is said.
    r = report(c, "--metrics", "created", "--from", "2026-01-01", "--to",
               "2026-02-01")
    c.expect_rc(r, 0, "given period")
    c.check("T2" not in r.err, "no warning with --from/--to", r)


@test
def outliers_of_every_kind_are_named(c):
    cases = [("responses", "responded_at", "response_id", "R1", "response"),
             ("selfservice", "started_at", "session_id", "S1", "session"),
             ("orders", "ordered_at", "order_id", "O1", "order"),
             ("reviews", "posted_at", "review_id", "V1", "review")]
    store(c)
    for table, col, key, ident, word in cases:
        set_time(c, table, col, key, ident, Y9999)
        r = report(c, "--metrics", "created")
        c.expect_rc(r, 0, f"{table} in 9999")
        c.check(ident in r.err and word in r.err and "9999-12-31" in r.err,
                f"the warning names the {word} {ident} and its timestamp", r)
        set_time(c, table, col, key, ident, 1767657600000)  # 2026-01-06


@test
def both_ends_far(c):
    store(c)
    set_time(c, "responses", "responded_at", "response_id", "R1", Y0000)
    set_time(c, "tickets", "created_at", "ticket_id", "T2", Y9999)
    for by in ("day", "week", "month", "year"):
        refused(c, report(c, "--by", by), f"--by {by} over 0000..9999")
    r = report(c, "--format", "json")
    c.expect_rc(r, 0, "no breakdown over 0000..9999")
    c.check("R1" in r.err and "T2" in r.err,
            "both outliers are named", r)
    refused(c, report(c, "--by", "quarter,channel", "--format", "csv"),
            "crossed breakdown")


@test
def wide_explicit_period_is_refused(c):
    """The same limit guards a period given by hand: state figures
    (backlog, churn, headcount) cut it into one segment per bucket."""
    store(c)
    refused(c, report(c, "--by", "day", "--from", "1900-01-01", "--to",
                      "2100-01-01"), "two centuries by day")
    refused(c, report(c, "--by", "week,team", "--metrics",
                      "agent_turnover", "--from", "1900-01-01", "--to",
                      "2100-01-01"), "two centuries by week and team")
    # At the limit: still answered within the time and memory bounds.
    r = report(c, "--by", "month", "--from", "1700-01-01", "--to",
               "2100-01-01", "--compare", "previous", "--format", "json")
    if c.expect_rc(r, 0, "four centuries by month"):
        j = json.loads(r.out)
        c.check(len(j["rows"]) == 4800, "4,800 months", r)


@test
def int64_extremes(c):
    """Instants no timestamp can write (a store edited by hand) read as
    the edge of 0000..9999: nothing overflows, every read path answers."""
    store(c)
    for ms in (2**63 - 1, -2**63):
        set_time(c, "tickets", "created_at", "ticket_id", "T2", ms)
        set_time(c, "tickets", "resolved_at", "ticket_id", "T1", -ms - 1)
        set_time(c, "customers", "churned_at", "customer_id", "C1", ms)
        set_time(c, "responses", "responded_at", "response_id", "R2", ms)
        for read in ("auto", "columns", "rows"):
            r = report(c, "--format", "json", "--read", read)
            c.expect_rc(r, 0, f"created_at {ms}, --read {read}")
        refused(c, report(c, "--by", "month"), f"{ms} by month")
        r = report(c, "--by", "year", "--compare", "previous", "--from",
                   "2000-01-01", "--to", "2030-01-01")
        c.expect_rc(r, 0, "a given period")


@test
def refusal_keeps_the_store(c):
    store(c)
    set_time(c, "tickets", "created_at", "ticket_id", "T2", Y1026)
    refused(c, report(c, "--by", "day"), "by day")
    r = report(c, "--metrics", "created", "--from", "2026-01-01",
               "--to", "2026-02-01", "--format", "json")
    if c.expect_rc(r, 0, "afterwards"):
        c.check(json.loads(r.out)["rows"][0]["created"]["value"] == 1,
                "one ticket in January 2026", r)


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
