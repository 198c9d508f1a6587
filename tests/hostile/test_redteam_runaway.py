#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_redteam_runaway.py — a few rows of state records must not run a
report away (issue 12, item 1 and Done means), on cases
test_report_runaway.py does not list.

A customer (or agent) is active in every bucket its life spans, so a few
customers with distinct segments, broken down by day over the 5,000-bucket
limit, make a row per day and segment. No figure of the report may need
them for the rows to be built: metrics whose input was never supplied are
not built at all (the default list used to fill 55,000 rows of nulls, 4 s
and 280 MB, from 12 input rows). With the input supplied, the rows are
real figures and must fit in 100 MB (RLIMIT_AS) with --compare previous.
"""
import json
import sys

import harness
from harness import test

LIMIT_AS = 100 << 20
SPAN = ["--from", "2013-01-02", "--to", "2026-09-01"]


def customers(c, n, churned_col):
    head = "customer_id,acquired_at,segment" + (",churned_at" if churned_col
                                                 else "")
    rows = [f"C{i},2013-01-01T00:00:00Z,s{i}" + ("," if churned_col else "")
            for i in range(n)]
    c.write("c.csv", "\n".join([head] + rows) + "\n")
    c.expect_rc(c.import_("customers", "c.csv"), 0, "customers")


@test
def unsupplied_state_builds_no_rows(c):
    customers(c, 10, False)
    c.write("t.csv", "ticket_id,created_at\nT1,2013-01-02T00:00:00Z\n"
            "T2,2026-09-01T00:00:00Z\n")
    c.expect_rc(c.import_("tickets", "t.csv"), 0, "tickets")
    for args in ([], ["--compare", "previous"]):
        r = harness.limited(c, "report", "--db", c.db, "--by", "day,segment",
                    "--format", "json", *args, limit_as=LIMIT_AS)
        if not c.expect_rc(r, 0, f"default list by day,segment {args}"):
            continue
        rows = json.loads(r.out)["rows"]
        c.check(len(rows) == 2, f"two rows (the tickets), not a row of "
                f"nulls per day and segment: {len(rows)}", r)
        c.check("churn, retention (no customers file had the churned_at "
                "column)" in r.err, "the note names churn and retention "
                "once, with their reason", r)
    r = harness.limited(c, "report", "--db", c.db, "--by", "day,segment",
                "--metrics", "churn,retention", "--format", "json", *SPAN,
                            limit_as=LIMIT_AS)
    if c.expect_rc(r, 0, "churn named"):
        rows = json.loads(r.out)["rows"]
        c.check(all(row["churn"] is None for row in rows),
                "churn null in every row", r)
        c.check("churn has no data" in r.err, "a note", r)


@test
def supplied_state_fits(c):
    """5 customers x 4,990 days, twice with --compare: more rows than 5
    records may make (max(20,000, 4 x records)): refused, with why; by
    month they are made, real figures."""
    customers(c, 5, True)
    for metrics in ("churn", "churn,retention,complaints_per_1000,"
                    "repurchase_rate,revenue_at_risk"):
        r = harness.limited(c, "report", "--db", c.db, "--by", "day,segment",
                    "--metrics", metrics, "--compare", "previous",
                    "--format", "json", *SPAN, limit_as=LIMIT_AS)
        refused(c, r, f"{metrics} by day,segment")
        r = harness.limited(c, "report", "--db", c.db, "--by",
                            "month,segment", "--metrics", metrics,
                            "--compare", "previous", "--format", "json",
                            *SPAN, limit_as=LIMIT_AS)
        if not c.expect_rc(r, 0, f"{metrics} by month,segment"):
            continue
        rows = json.loads(r.out)["rows"]
        c.check(len(rows) == 5 * 164, f"a row per month and segment: "
                f"{len(rows)}", r)
        c.check(rows[-1]["churn"]["value"] == 0.0 and
                rows[-1]["churn"]["n"] == 1, "real figures", r)


@test
def open_tickets_by_day_and_agent_fit(c):
    """Five open tickets of distinct agents, channels and customers, and
    their agents: each is open (backlog) or employed in every day of 13
    years, so a breakdown by day and agent holds 5 x 4,990 rows a period:
    with --compare previous more than 10 records may make (refused, with
    why); over two years they are made."""
    c.write("t.csv", "ticket_id,created_at,agent_id,channel,customer_id,"
            "resolved_at\n" +
            "".join(f"T{i},2013-01-02T00:00:00Z,A{i},c{i},C{i},\n"
                    for i in range(5)))
    c.write("a.csv", "agent_id,team,hired_at,left_at\n" +
            "".join(f"A{i},t{i},2013-01-01,\n" for i in range(5)))
    c.expect_rc(c.import_("tickets", "t.csv"), 0, "tickets")
    c.expect_rc(c.import_("agents", "a.csv"), 0, "agents")
    for by in ("day,agent", "day,channel", "day,team"):
        r = harness.limited(c, "report", "--db", c.db, "--by", by,
                            "--compare", "previous", "--format", "json",
                            *SPAN, limit_as=LIMIT_AS)
        refused(c, r, f"by {by} --compare")
        r = harness.limited(c, "report", "--db", c.db, "--by", by,
                            "--format", "json", "--from", "2024-01-01",
                            "--to", "2026-01-01", limit_as=LIMIT_AS)
        if c.expect_rc(r, 0, f"by {by} over two years"):
            rows = json.loads(r.out)["rows"]
            c.check(len(rows) >= 5 * 731, f"by {by}: {len(rows)} rows", r)


def refused(c, r, what):
    """r was refused for its rows (exit 2), saying how many and why."""
    if c.expect_rc(r, 2, f"{what}: refused for its rows"):
        c.check("rows" in r.err and "stored records" in r.err and
                "--from/--to" in r.err and "coarser" in r.err,
                f"{what}: names the rows, the records, --from/--to and "
                "a coarser dimension", r)


def report_fits(c, by, args, what):
    """A report of a few records under 100 MB: made, or refused (exit 2)
    for its rows; never run away."""
    r = harness.limited(c, "report", "--db", c.db, "--by", by,
                        "--format", "json", *args, limit_as=LIMIT_AS,
                        timeout=120)
    if r.rc == 2:
        refused(c, r, f"{what} by {by} {args}")
    else:
        c.expect_rc(r, 0, f"{what} by {by} {args}: made or refused")
    return r


def few_records(c, kind, head, rows):
    c.write(f"{kind}.csv", head + "\n" + "".join(x + "\n" for x in rows))
    c.expect_rc(c.import_(kind, f"{kind}.csv"), 0, kind)


@test
def crossed_breakdowns_are_bounded_by_the_data(c):
    """Ten open tickets of distinct agents (2013, and one in 2026), ten
    customers of distinct segments and ten agents of distinct teams
    (from 1950, a widened window): by day or week crossed with agent,
    segment or team each made a row per bucket and entity (about 47,000
    a period, 130 MB). Refused past max(20,000, 4 x records) rows, both
    periods of --compare together."""
    r = c.run("config", "set", "import.earliest", "1900-01-01", "--db", c.db)
    c.expect_rc(r, 0, "config set import.earliest")
    few_records(c, "tickets", "ticket_id,created_at,agent_id,resolved_at",
                [f"T{i},2013-01-01T00:00:00Z,A{i}," for i in range(10)] +
                ["T99,2026-06-01T00:00:00Z,A0,2026-06-02T00:00:00Z"])
    few_records(c, "customers",
                "customer_id,acquired_at,segment,churned_at",
                [f"C{i},1950-01-01T00:00:00Z,s{i}," for i in range(10)])
    few_records(c, "agents", "agent_id,team,hired_at,left_at",
                [f"A{i},t{i},1950-01-01," for i in range(10)])
    cases = [("agent", "backlog"), ("segment", "churn,retention"),
             ("team", "agent_turnover"), ("agent", None), ("team", None)]
    for dim, metrics in cases:
        m = ["--metrics", metrics] if metrics else []
        for time in ("day", "week"):
            for cmp in ([], ["--compare", "previous"]):
                report_fits(c, f"{time},{dim}", m + cmp,
                            metrics or "default")
    # the red team's case: the default period, day x agent, --compare
    r = report_fits(c, "day,agent", ["--compare", "previous"], "default")
    c.check(r.rc == 2, "ten open tickets by day,agent --compare: refused",
            r)
    r = report_fits(c, "week,segment", ["--metrics", "churn", "--from",
                                         "1950-01-01"], "1950 on")
    c.check(r.rc == 2, "ten customers by week,segment since 1950: "
            "refused", r)
    r = report_fits(c, "month,agent", ["--metrics", "backlog"], "month")
    c.check(r.rc == 0, "by month,agent: made", r)


@test
def agent_turnover_names_the_missing_records(c):
    c.write("t.csv", "ticket_id,created_at\nT1,2026-01-02T00:00:00Z\n")
    c.expect_rc(c.import_("tickets", "t.csv"), 0, "tickets")
    r = c.run("report", "--db", c.db, "--metrics", "agent_turnover",
              *harness.WIDE)
    c.check("no agents records were imported" in r.err,
            "no agents at all is named as such, not as a missing "
            "left_at column", r)


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
