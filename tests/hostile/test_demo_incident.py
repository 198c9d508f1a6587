#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_demo_incident.py — the incident planted in the demo data (issue 16,
item 6): one team short of staff for three weeks, its CSAT falling and its
backlog growing. On two years of demo data, for three seeds, the drop rule
`make demo` adds (DEMO_RULE below, as in the Makefile) fires on that team
in those weeks and on nothing else.
"""
import json
import os
import re
import sys

import harness
from harness import test

SEEDS = (1, 2, 42)
TICKETS = 100000
KINDS = ("agents", "customers", "tickets", "responses", "orders",
         "selfservice", "agent_hours", "reviews", "qa_scores")
# The Makefile's DEMO_RULE.
DEMO_RULE = ("--metric", "csat", "--by", "team", "--drop", "--window",
             "week", "--alpha", "0.0001")


def demo_store(c, seed):
    """Generates and imports the demo data of `seed`; the incident's team,
    start and end as the generator names them."""
    out = c.path(f"d{seed}")
    r = c.run("demo-data", "--seed", seed, "--tickets", TICKETS, "--out",
              out)
    c.expect_rc(r, 0, "demo-data")
    m = re.search(r"planted incident: team (\S+) short of staff from (\S+) "
                  r"to (\S+) ", r.out)
    if not c.check(m, "demo-data does not name the incident", r):
        return None
    db = c.path(f"s{seed}.db")
    for k in KINDS:
        c.expect_rc(c.import_(k, os.path.join(out, f"{k}.csv"), db=db), 0,
                    f"import {k}")
    return db, m.group(1), m.group(2), m.group(3)


@test
def drop_alert_fires_on_the_incident_alone(c):
    for seed in SEEDS:
        got = demo_store(c, seed)
        if not got:
            return
        db, team, start, end = got
        c.expect_rc(c.run("alert", "add", "--db", db, *DEMO_RULE), 0,
                    "alert add")
        r = c.run("alert", "check", "--db", db, "--from", "2024-11-01",
                  "--at", "2026-11-01", "--format", "json")
        c.expect_rc(r, 0, "alert check")
        fired = [json.loads(x) for x in r.out.splitlines()]
        c.check(fired, f"seed {seed}: the drop alert did not fire", r)
        for f in fired:
            c.check(f["group"] == team and start <= f["from"] < end,
                    f"seed {seed}: fired outside the incident ({team}, "
                    f"{start} .. {end}): {f['text']}", r)
        # the incident: its team's CSAT falls and its backlog grows
        j, r = c.report_json("--metrics", "csat,backlog", "--by",
                             "week,team", "--from", start, "--to", end,
                             db=db)
        rows = [x for x in (j or {}).get("rows", []) if x["team"] == team]
        before, _ = c.report_json("--metrics", "csat,backlog", "--by",
                                  "team", "--from", "2026-01-01", "--to",
                                  start, db=db)
        base = [x for x in (before or {}).get("rows", [])
                if x["team"] == team]
        if not c.check(len(rows) == 3 and base, f"seed {seed}: rows", r):
            continue
        c.check(all(x["csat"]["value"] < base[0]["csat"]["value"] - 15
                    for x in rows),
                f"seed {seed}: CSAT does not fall: {rows} vs {base}", r)
        c.check(rows[2]["backlog"]["value"] >
                base[0]["backlog"]["value"] + 100,
                f"seed {seed}: backlog does not grow", r)


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
