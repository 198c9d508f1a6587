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
    customers(c, 5, True)
    for metrics in ("churn", "churn,retention,complaints_per_1000,"
                    "repurchase_rate,revenue_at_risk"):
        r = harness.limited(c, "report", "--db", c.db, "--by", "day,segment",
                    "--metrics", metrics, "--compare", "previous",
                    "--format", "json", *SPAN, limit_as=LIMIT_AS)
        if not c.expect_rc(r, 0, f"{metrics} by day,segment under "
                           "100 MB"):
            continue
        rows = json.loads(r.out)["rows"]
        c.check(len(rows) == 5 * 4990, f"a row per day and segment: "
                f"{len(rows)}", r)
        c.check(rows[-1]["churn"]["value"] == 0.0 and
                rows[-1]["churn"]["n"] == 1, "real figures", r)


@test
def open_tickets_by_day_and_agent_fit(c):
    """Five open tickets of distinct agents, channels and customers, and
    their agents: each is open (backlog) or employed in every day of 13
    years, so a breakdown by day and agent holds 5 x 4,990 rows of real
    figures; with --compare previous it must fit in 100 MB (ten take
    about 130 MB: rows grow with entities x buckets)."""
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
        if c.expect_rc(r, 0, f"by {by} under 100 MB"):
            rows = json.loads(r.out)["rows"]
            c.check(len(rows) >= 5 * 4990, f"by {by}: {len(rows)} rows",
                    r)


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
