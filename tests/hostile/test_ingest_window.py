#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_ingest_window.py — a timestamp typo (year 1026, 9999) must not get
into the store: outside the plausibility window (SPEC Conventions:
1970-01-01 .. ten years after the import, unless the store's settings widen
it) a timestamp is a rejected row whose reason names the window, for every
timestamp column of every kind and of the helpdesk exports. The window is a
stored setting (`cxmeter config`), with a per-import override."""
import sys
import harness
from harness import test, check_diags

# kind, header, a good row, then (bad row, 1-based column, column name)
# for each timestamp column; the bad rows hold 1026 or 9999 typos.
CASES = [
    ("tickets", "ticket_id,created_at,first_response_at,resolved_at",
     "G,2026-01-05T09:00:00Z,2026-01-05T09:10:00Z,2026-01-05T10:00:00Z",
     [("B1,1026-01-05T09:00:00Z,,", 2, "created_at"),
      ("B2,2026-01-05T09:00:00Z,9999-01-05T09:10:00Z,", 3,
       "first_response_at"),
      ("B3,2026-01-05T09:00:00Z,,9999-12-31T23:59:59Z", 4, "resolved_at")]),
    ("responses", "response_id,survey,responded_at,score",
     "G,csat,2026-01-05T09:00:00Z,5",
     [("B1,csat,1026-01-05T09:00:00Z,5", 3, "responded_at")]),
    ("customers", "customer_id,acquired_at,churned_at",
     "G,2026-01-05T09:00:00Z,",
     [("B1,0001-01-01T00:00:00Z,", 2, "acquired_at"),
      ("B2,2026-01-05T09:00:00Z,9999-01-01T00:00:00Z", 3, "churned_at")]),
    ("orders", "order_id,customer_id,ordered_at,amount,currency",
     "G,C1,2026-01-05T09:00:00Z,10,USD",
     [("B1,C1,1969-12-31T23:59:59Z,10,USD", 3, "ordered_at")]),
    ("selfservice", "session_id,started_at",
     "G,2026-01-05T09:00:00Z",
     [("B1,2126-01-05T09:00:00Z", 2, "started_at")]),
    ("agents", "agent_id,hired_at,left_at",
     "G,2025-01-05,",
     [("B1,1026-01-05,", 2, "hired_at"),
      ("B2,2025-01-05,9999-01-05", 3, "left_at")]),
    ("agent_hours", "agent_id,date,hours",
     "G,2026-01-05,8",
     [("B1,1026-01-05,8", 2, "date")]),
    ("reviews", "review_id,posted_at,rating",
     "G,2026-01-05T09:00:00Z,5",
     [("B1,9999-01-05T09:00:00Z,5", 2, "posted_at")]),
    ("qa_scores", "ticket_id,reviewer,score,reviewed_at",
     "G,R1,90,2026-01-05T09:00:00Z",
     [("B1,R1,90,1026-01-05T09:00:00Z", 4, "reviewed_at")]),
]


def window_reasons(c, r, file, n):
    d = harness.diags(r.err, file)
    c.check(len(d) == n, f"{file}: expected {n} diagnostics", r)
    for x in d:
        c.check("window" in x["reason"] and "1970-01-01" in x["reason"],
                f"{file}: the reason names the window (1970-01-01 ..): "
                f"`{x['raw']}`", r)


@test
def every_timestamp_column_of_every_kind(c):
    for kind, header, good, bads in CASES:
        lines = [header, good] + [b for b, _, _ in bads]
        f = c.write(f"{kind}.csv", "\n".join(lines) + "\n")
        r = c.import_(kind, f)
        c.expect_rc(r, 1, f"{kind}: typo years are rejected rows")
        check_diags(c, r, f, [(3 + i, {col}, name, f"{kind} {name}")
                              for i, (_, col, name) in enumerate(bads)])
        window_reasons(c, r, f, len(bads))
        c.expect_summary(r, 1, len(bads), f"{kind} summary")


@test
def typo_year_does_not_stretch_the_period(c):
    c.write("t.csv", "ticket_id,created_at\n"
            "T1,2026-01-01T00:00:00Z\nT2,2026-01-03T00:00:00Z\n"
            "T3,1026-01-02T00:00:00Z\nT4,9999-01-02T00:00:00Z\n")
    r = c.import_("tickets", "t.csv")
    c.expect_rc(r, 1, "import")
    c.expect_summary(r, 2, 2)
    r = c.run("report", "--db", c.db, "--metrics", "created", "--by",
              "day", "--format", "json")
    c.expect_rc(r, 0, "report by day over the default period")
    c.check(r.out.count('"day"') <= 3,
            "the default period is the two good days, not centuries", r)


@test
def helpdesk_exports_too(c):
    c.write("z.csv", "Id,Created at,Solved at,Satisfaction Score\n"
            "1,2026-01-05 09:00,2026-01-05 10:00,Good\n"
            "2,1026-01-05 09:00,,\n"
            "3,2026-01-05 09:00,9999-01-05 10:00,\n"
            "4,2026-01-05 09:00,1900-01-01 00:00,\n")   # "never": no value
    r = c.import_("zendesk", "z.csv")
    c.expect_rc(r, 1, "zendesk import")
    check_diags(c, r, "z.csv", [(3, {2}, "created at", "created 1026"),
                                (4, {3}, "solved at", "solved 9999")])
    window_reasons(c, r, "z.csv", 2)
    c.expect_summary(r, 2, 2)
    c.write("f.csv", "Ticket ID,Created time,Resolved time\n"
            "1,2026-01-05 09:00:00,2026-01-05 10:00:00\n"
            "2,2126-01-05 09:00:00,\n")
    r = c.import_("freshdesk", "f.csv")
    c.expect_rc(r, 1, "freshdesk import")
    check_diags(c, r, "f.csv", [(3, {2}, "created time", "created 2126")])
    window_reasons(c, r, "f.csv", 1)


@test
def config_widens_the_window(c):
    c.write("t.csv", "ticket_id,created_at\nT1,2026-01-01T00:00:00Z\n"
            "T2,1026-01-02T00:00:00Z\nT3,2099-01-02T00:00:00Z\n")
    r = c.run("config", "get", "import.earliest", "--db", c.db)
    c.expect_rc(r, 0, "config get")
    c.check(r.out.strip() == "1970-01-01", "default import.earliest", r)
    r = c.run("config", "get", "import.horizon_years", "--db", c.db)
    c.check(r.out.strip() == "10", "default import.horizon_years", r)
    r = c.run("config", "set", "import.earliest", "1000-01-01", "--db", c.db)
    c.expect_rc(r, 0, "config set import.earliest")
    r = c.import_("tickets", "t.csv")
    c.expect_summary(r, 2, 1, "1026 inside the wider window")
    r = c.run("config", "set", "import.horizon_years", "100", "--db", c.db)
    c.expect_rc(r, 0, "config set import.horizon_years")
    r = c.import_("tickets", "t.csv")
    c.expect_rc(r, 0, "all three inside")
    c.expect_summary(r, 3, 0)
    r = c.run("config", "list", "--db", c.db)
    c.expect_rc(r, 0, "config list")
    c.check("import.earliest" in r.out and "1000-01-01" in r.out
            and "import.horizon_years" in r.out, "list shows both", r)
    r = c.run("config", "unset", "import.earliest", "--db", c.db)
    c.expect_rc(r, 0, "config unset")
    r = c.run("config", "get", "import.earliest", "--db", c.db)
    c.check(r.out.strip() == "1970-01-01", "unset restores the default", r)


@test
def config_usage_and_bad_values(c):
    r = c.run("config", "--help")
    c.expect_rc(r, 0, "config --help")
    c.check("import.earliest" in r.out and "import.horizon_years" in r.out,
            "--help lists the keys", r)
    for argv, rc, what in [
            (["set", "no.such.key", "1"], 2, "unknown key"),
            (["get", "no.such.key"], 2, "unknown key (get)"),
            (["set", "import.earliest"], 2, "missing value"),
            (["frobnicate"], 2, "unknown verb"),
            ([], 2, "no verb"),
            (["set", "import.earliest", "yesterday"], 1, "bad date"),
            (["set", "import.earliest", "2026-02-30"], 1, "no such day"),
            (["set", "import.horizon_years", "--", "-1"], 1, "negative"),
            (["set", "import.horizon_years", "ten"], 1, "not a number"),
            (["set", "import.horizon_years", "99999"], 1, "too many")]:
        r = c.run("config", "--db", c.db, *argv)
        c.expect_rc(r, rc, what)
        c.check(r.err.strip() != "", f"{what}: says why on stderr", r)


@test
def per_import_override(c):
    c.write("t.csv", "ticket_id,created_at\nT1,2026-01-01T00:00:00Z\n"
            "T2,1026-01-02T00:00:00Z\n")
    r = c.run("import", "--db", c.db, "--earliest", "1000-01-01",
              "tickets", "t.csv")
    c.expect_rc(r, 0, "--earliest widens this import")
    r = c.run("import", "--db", c.db, "--earliest", "someday",
              "tickets", "t.csv")
    c.expect_rc(r, 2, "a bad --earliest is a usage error")
    r = c.run("import", "--db", c.db, "--horizon-years", "x",
              "tickets", "t.csv")
    c.expect_rc(r, 2, "a bad --horizon-years is a usage error")
    # The stored setting is unchanged by an override.
    r = c.import_("tickets", "t.csv")
    c.expect_summary(r, 1, 1, "the next import uses the store's window")


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
