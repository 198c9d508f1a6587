#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""run.py — rollups and column segments give the same figures as the rows.

A report reads survey answers from rollups (src/store/sqlite/sql/0004-rollups.sql) when
it can, else from the column segments (0005-columns.sql), else row by row;
`--read rows` forces the rows. This test
imports generated data in the worst order (answers before the tickets and
agents they take agent, team, channel and topic from), then changes it the
ways a team does (tickets re-imported with another agent or channel, an
agent moved to another team, answers re-imported with another score or
day), and after every step checks, over many breakdowns and periods, that:

  * the JSON of the rollup path equals the JSON of the row path, byte for
    byte;
  * the path expected was taken (`--explain`): rollups for UTC breakdowns
    they keep, columns for other zones, dimensions and period edges inside
    a day, rows for a segment breakdown and for definitions the stored
    statistics cannot follow (exclusions, ticket-assignee attribution).

Python 3 standard library only. Usage: run.py --cxmeter PATH --workdir DIR
"""

import argparse
import csv
import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import sys

SURVEY = "csat,csat_mean,nps,ces,ces_agree"

# (breakdown, from, to, extra args, the path expected as --explain names
# it). The data spans 2024-11-01 .. 2026-10-31: the year 2025 is whole.
R_ALL, R_MONTHS, R_DAYS = ("rollups (all time)", "rollups (months)",
                           "rollups (days)")
R_YEARS, R_YM = "rollups (years)", "rollups (years and months)"
CASES = [
    ("", None, None, [], R_ALL),
    ("month", None, None, [], R_MONTHS),
    ("month,channel", None, None, [], R_MONTHS),
    ("agent", None, None, [], R_ALL),
    ("team", None, None, [], R_ALL),
    ("week,team,channel", "2025-01-01", "2025-04-01", [], R_DAYS),
    ("quarter", "2025-01-01", "2025-07-01", ["--compare", "previous"],
     R_MONTHS),
    ("agent,team", None, None, [], R_ALL),
    ("agent,team,channel", None, None, [], "columns"),
    ("language,topic", None, None, [], "columns"),
    ("survey,day", "2025-02-01", "2025-02-15", [], R_DAYS),
    ("year,agent", None, None, [], R_YM),
    ("year,agent,language", None, None, [], "columns"),
    ("agent", "2025-02-01", "2025-05-01", [], R_MONTHS),
    # Years inside the period, months at its ends; a whole year alone;
    # a period that ends on a year's end but misses earlier answers.
    ("agent", "2024-12-01", "2026-03-01", [], R_YM),
    ("team,channel", "2025-01-01", "2026-01-01", [], R_YEARS),
    ("year,survey", "2025-01-01", "2026-01-01", ["--compare", "previous"],
     R_YEARS),
    ("agent", "2024-12-01", "2026-03-01", ["--compare", "previous"],
     "rollups (mixed)"),
    ("channel", "2025-03-01", "2027-01-01", [], R_YM),
    ("channel", "2025-03-01", "2026-11-01", [], R_MONTHS),
    ("day,channel", "2025-03-01", "2025-03-20", [], R_DAYS),
    ("month,team", "2025-01-01", "2025-03-01", ["--compare", "previous"],
     R_MONTHS),
    ("week,agent", None, None, [], "columns"),
    ("month,topic", "2025-01-01", "2025-07-01", ["--compare", "previous"],
     "columns"),
    ("week,survey,language", "2025-01-01T06:30:00Z",
     "2025-02-17T13:00:00.5Z", [], "columns"),
    ("month", None, None, ["--tz", "Asia/Jakarta"], "columns"),
    ("day,channel", "2025-03-01", "2025-04-10", ["--tz", "Europe/Helsinki"],
     "columns"),
    ("segment", None, None, [], "rows"),
    ("month", "2025-01-01T12:00:00Z", "2025-03-01", [], "columns"),
    ("agent", "2025-01-01T12:00:00Z", None, [], "columns"),
    # Day cells over all two years: 1,700 without a dimension are cheaper
    # than the column scan, 3,700 by team × channel are not (report_scan.c,
    # cells_cheaper(): a cell costs 200 answers, the scan 500,000 to start).
    ("day", None, None, [], R_DAYS),
    ("week,team,channel", None, None, [], "columns"),
]


class Failure(Exception):
    pass


def run(cx, *args, check=True):
    p = subprocess.run([cx, *args], capture_output=True, text=True)
    if check and p.returncode != 0:
        raise Failure(f"{' '.join(args)}: exit {p.returncode}\n{p.stderr}")
    return p


def report(cx, db, by, frm, to, extra, *flags):
    args = ["report", "--db", db, "--metrics", SURVEY, "--format", "json",
            *extra, *flags]
    if by:
        args += ["--by", by]
    if frm:
        args += ["--from", frm]
    if to:
        args += ["--to", to]
    return run(cx, *args)


def check_all(cx, db, step):
    failures = []
    for by, frm, to, extra, want in CASES:
        fast = report(cx, db, by, frm, to, extra, "--explain")
        slow = report(cx, db, by, frm, to, extra, "--read", "rows")
        name = f"{step}: --by {by or '-'} {frm or ''}..{to or ''} {extra}"
        if fast.stdout != slow.stdout:
            failures.append(f"{name}: rollups and rows differ")
        # The --explain line (a warning may come before it).
        lines = [ln for ln in fast.stderr.splitlines()
                 if "answers read from" in ln]
        used = lines[-1].rsplit(": ", 1)[-1] if lines else fast.stderr
        if used != want:
            failures.append(f"{name}: answers read from {used}, "
                            f"expected {want}")
        if '"n": ' not in fast.stdout:
            failures.append(f"{name}: no figure with data")
    if failures:
        raise Failure("\n".join(failures))
    print(f"ok  {step}: {len(CASES)} reports, rollups = rows")


def rewrite(src, dst, change):
    with open(src, newline="") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0].keys())
    changed = 0
    for i, row in enumerate(rows):
        changed += bool(change(i, row))
    with open(dst, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    if not changed:
        raise Failure(f"{dst}: nothing changed")


def days_marked(db, table, step):
    """The days step() marks in the dirty table `table` (ticket_dirty,
    qa_dirty, ...): a probe trigger records each row inserted, as the
    triggers insert them, before the recount empties the table."""
    con = sqlite3.connect(db)
    con.executescript(
        "CREATE TABLE IF NOT EXISTS probe_days (tab TEXT, day INTEGER);"
        f"CREATE TRIGGER probe_{table} AFTER INSERT ON {table} BEGIN"
        f" INSERT INTO probe_days VALUES ('{table}', new.day); END;")
    con.close()
    try:
        step()
    finally:
        con = sqlite3.connect(db)
        days = {r[0] for r in con.execute(
            "SELECT day FROM probe_days WHERE tab = ?", (table,))}
        con.executescript(f"DROP TRIGGER probe_{table};"
                          "DROP TABLE probe_days;")
        con.close()
    return days


def check_agent_moves(cx, db, table, agents_csv, moved_csv, days):
    """Imports agents_csv again: no day of the dirty table `table` may be
    marked. Then moves one agent to another team (moved_csv): exactly
    the days `days` lists for that agent ((agent_id, day) pairs of their
    tickets without a team) may be."""
    marked = days_marked(db, table, lambda: run(
        cx, "import", "--db", db, "agents", agents_csv))
    if marked:
        raise Failure(f"agents imported as they are: {len(marked)} days "
                      f"of {table} marked")
    who = next(a for a, _ in days if a)
    want = {day for a, day in days if a == who and day is not None}
    rewrite(agents_csv, moved_csv, lambda i, row: row["agent_id"] == who
            and row.update(team="moved-alone") is None)
    marked = days_marked(db, table, lambda: run(
        cx, "import", "--db", db, "agents", moved_csv))
    if marked != want:
        raise Failure(f"{who} moved: {len(marked)} days of {table} "
                      f"marked, not the {len(want)} of their tickets "
                      f"without a team ({sorted(marked ^ want)[:5]})")


def utc_day(ts):
    """Days since 1970-01-01 (UTC) of an ISO 8601 time, or None if empty."""
    if not ts:
        return None
    utc = datetime.timezone.utc
    t = datetime.datetime.fromisoformat(ts.replace("Z", "+00:00"))
    if t.tzinfo is None:  # no offset: UTC (SPEC §1)
        t = t.replace(tzinfo=utc)
    return (t - datetime.datetime(1970, 1, 1, tzinfo=utc)).days


def split(src, dst_a, dst_b):
    """Two of every three rows of src to dst_a, the others to dst_b; the
    answers of 2025-01-01 all to dst_a (CASES has periods that start
    inside that day, which need answers before their start)."""
    with open(src, newline="") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0].keys())
    later = [i % 3 == 2 and not r["responded_at"].startswith("2025-01-01")
             for i, r in enumerate(rows)]
    for dst, keep in ((dst_a, lambda i: not later[i]),
                      (dst_b, lambda i: later[i])):
        with open(dst, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=fields)
            w.writeheader()
            w.writerows(r for i, r in enumerate(rows) if keep(i))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cxmeter", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    cx = os.path.abspath(a.cxmeter)
    wd = a.workdir
    shutil.rmtree(wd, ignore_errors=True)
    os.makedirs(wd)
    data = os.path.join(wd, "data")
    db = os.path.join(wd, "r.db")
    try:
        run(cx, "demo-data", "--seed", "11", "--tickets", "4000",
            "--out", data)
        d = lambda k: os.path.join(data, k)  # noqa: E731

        # Answers first: agent, team, channel and topic come later. Two
        # of every three answers now, the rest once tickets and agents are
        # in: a transaction that only adds answers adds their counts to
        # the stored cells and segments instead of recounting their months
        # (store_sqlite_rollup.c, append mode).
        split(d("responses.csv"), d("responses_a.csv"), d("responses_b.csv"))
        run(cx, "import", "--db", db, "responses", d("responses_a.csv"))
        check_all(cx, db, "answers only")
        run(cx, "import", "--db", db, "tickets", d("tickets.csv"))
        check_all(cx, db, "+ tickets")
        run(cx, "import", "--db", db, "agents", d("agents.csv"))
        run(cx, "import", "--db", db, "customers", d("customers.csv"))
        check_all(cx, db, "+ agents, customers")
        run(cx, "import", "--db", db, "responses", d("responses_b.csv"))
        check_all(cx, db, "answers added to counted months")
        # New answers with values no cell or dictionary holds yet: an
        # agent, team, channel, language and scale of their own, in
        # months already counted and in a month before the data.
        with open(d("responses_new.csv"), "w", newline="") as f:
            f.write("response_id,survey,responded_at,score,scale,agent_id,"
                    "team,channel,language\n"
                    "NEW1,csat,2025-03-10T08:00:00Z,9,1-10,newbie,"
                    "night-shift,fax,fi\n"
                    "NEW2,csat,2025-03-11T08:00:00Z,2,1-10,newbie,"
                    "night-shift,fax,fi\n"
                    "NEW3,nps,2025-06-01T23:59:59Z,10,,newbie,,,vi\n"
                    "NEW4,ces,2024-10-15T12:00:00Z,6,,,,email,en\n"
                    "NEW5,csat,2025-03-12T08:00:00Z,,,newbie,,,\n")
        run(cx, "import", "--db", db, "responses", d("responses_new.csv"))
        check_all(cx, db, "answers with new values added")

        # Tickets handed to another agent and channel; the answers without
        # their own agent or channel follow them.
        agents = []
        with open(d("agents.csv"), newline="") as f:
            agents = [r["agent_id"] for r in csv.DictReader(f)]

        def move_ticket(i, row):
            if i % 5:
                return False
            row["agent_id"] = agents[i % len(agents)]
            row["channel"] = "phone" if row["channel"] != "phone" else "web"
            row["team"] = ""
            return True
        rewrite(d("tickets.csv"), d("tickets2.csv"), move_ticket)
        run(cx, "import", "--db", db, "tickets", d("tickets2.csv"))
        check_all(cx, db, "tickets moved")

        # Agents moved to another team: answers that take their team from
        # the agent follow.
        def move_agent(i, row):
            if i % 2:
                return False
            row["team"] = "team-" + str(i)
            return True
        rewrite(d("agents.csv"), d("agents2.csv"), move_agent)
        run(cx, "import", "--db", db, "agents", d("agents2.csv"))
        check_all(cx, db, "agents moved")

        # Answers re-imported on another day with another score.
        def change_answer(i, row):
            if i % 7 or not row["score"]:
                return False
            day = int(row["responded_at"][8:10])
            row["responded_at"] = (row["responded_at"][:8] +
                                   f"{max(1, day - 1):02d}" +
                                   row["responded_at"][10:])
            lo, hi = (row["scale"] or "1-5").split("-") if row["scale"] \
                else {"csat": ("1", "5"), "nps": ("0", "10"),
                      "ces": ("1", "7")}.get(row["survey"], ("1", "5"))
            row["score"] = lo if row["score"] != lo else hi
            return True
        rewrite(d("responses.csv"), d("responses2.csv"), change_answer)
        run(cx, "import", "--db", db, "responses", d("responses2.csv"))
        check_all(cx, db, "answers changed")

        # A small change (two answers of one month): the recount reads that
        # month's index range instead of the whole table.
        with open(d("responses2.csv"), newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["score"]]
        few = [r for r in rows if r["responded_at"].startswith("2025-03")][:2]
        if len(few) != 2:
            raise Failure("no answers in 2025-03 to change")
        for r in few:
            r["score"] = "1" if r["score"] != "1" else "2"
            r["responded_at"] = r["responded_at"][:8] + "15T12:00:00Z"
        with open(d("responses3.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(few[0].keys()))
            w.writeheader()
            w.writerows(few)
        run(cx, "import", "--db", db, "responses", d("responses3.csv"))
        check_all(cx, db, "two answers of a month changed")

        # The column segment file (<store>-cols, a cache of col_answers):
        # an import leaves it current; a file from before a change, a
        # truncated, a garbled or a missing file is never read as current.
        cols = db + "-cols"
        if not os.path.exists(cols):
            raise Failure(f"{cols}: no segment file after an import")
        old = cols + ".old"
        shutil.copyfile(cols, old)
        run(cx, "import", "--db", db, "responses", d("responses2.csv"))
        shutil.copyfile(old, cols)  # the file from before the change
        check_all(cx, db, "segment file from before a change")
        with open(cols, "rb") as f:
            good = f.read()
        for name, bad in (("truncated", good[:len(good) // 2]),
                          ("garbled header", good[:8] + b"\xff" * 24 +
                           good[32:]),
                          ("empty", b""),
                          ("not a segment file", b"x" * 4096)):
            with open(cols, "wb") as f:
                f.write(bad)
            check_all(cx, db, f"segment file {name}")
        os.remove(cols)
        check_all(cx, db, "segment file missing")
        with open(cols, "rb") as f:
            if f.read() != good:
                raise Failure(f"{cols}: rebuilt unlike the current file")
        print("ok  segment file: stale, damaged, missing files rebuilt")
        run(cx, "import", "--db", db, "responses", d("responses3.csv"))

        # Definitions: satisfied and agree points apply to the histograms
        # (rollups still serve, and agree with the rows); exclusions and
        # ticket-assignee attribution need the rows.
        run(cx, "definitions", "--db", db, "set", "csat.satisfied", "5",
            "ces.agree", "6,7", "--by", "test")
        check_all(cx, db, "csat.satisfied 5, ces.agree 6,7")
        run(cx, "definitions", "--db", db, "set", "rating.agent",
            "ticket_assignee", "--by", "test")
        p = report(cx, db, "agent", None, None, [], "--explain")
        if not p.stderr.strip().endswith(": rows"):
            raise Failure("rating.agent ticket_assignee: not the rows")
        run(cx, "definitions", "--db", db, "set", "rating.agent", "response",
            "exclude.status", "spam", "--by", "test")
        p = report(cx, db, "month", None, None, [], "--explain")
        if not p.stderr.strip().endswith(": rows"):
            raise Failure("exclude.status: not the rows")
        run(cx, "definitions", "--db", db, "set", "exclude.status", "",
            "csat.satisfied", "top2", "ces.agree", "above_mid", "--by", "test")
        print("ok  definitions: points on rollups, exclusions on rows")

        # A damaged rollup cell or segment never carries its damage on into
        # a sum, nor fails an import over a cache the user cannot mend: the
        # recount finds it (a cell's checksum, a segment's view) and counts
        # every rollup and segment again from the rows. A recount: the
        # year and all-time cells are summed from the month cells (0007),
        # so a recount of December 2024 (an answer of it replaced) reads
        # November's. An append: a new answer's counts are added to its
        # year's cells, and to its month's segment.
        with open(d("responses2.csv"), newline="") as f:
            dec = next(r for r in csv.DictReader(f)
                       if r["responded_at"].startswith("2024-12")
                       and r["score"])
        cell = "UPDATE rollup_answers SET hist = x'00' WHERE "
        for case, damage, row in (
                ("recount", cell + "grain = 1 AND cube = 2 AND t ="
                 " (SELECT min(t) FROM rollup_answers WHERE grain = 1)",
                 f"{dec['response_id']},{dec['survey']},"
                 f"{dec['responded_at']},{dec['score']}"),
                ("append", cell + "grain = 2 AND t = (SELECT min(t)"
                 " FROM rollup_answers WHERE grain = 2)",
                 "ZZ1,csat,2024-12-15T10:00:00Z,5"),
                ("append, count", "UPDATE rollup_answers SET n = n + 1"
                 " WHERE grain = 2 AND t = (SELECT min(t)"
                 " FROM rollup_answers WHERE grain = 2)",
                 "ZZ1,csat,2024-12-15T10:00:00Z,5"),
                # The month's column segment, which an append extends.
                ("append, segment", "UPDATE col_answers SET data ="
                 " substr(data, 1, 20) WHERE t = (SELECT max(t) FROM"
                 " col_answers WHERE t < 20089)",
                 "ZZ1,csat,2024-12-15T10:00:00Z,5")):
            db3 = os.path.join(wd, f"r3-{case.replace(', ', '-')}.db")
            shutil.copy(db, db3)
            con = sqlite3.connect(db3)
            if con.execute(damage).rowcount < 1:
                raise Failure(f"{case}: nothing damaged")
            con.commit()
            con.close()
            one = os.path.join(wd, "one.csv")
            with open(one, "w") as f:
                f.write("response_id,survey,responded_at,score\n" + row +
                        "\n")
            p = run(cx, "import", "--db", db3, "responses", one, check=False)
            if p.returncode != 0:
                raise Failure(f"a damaged rollup cell ({case}): exit "
                              f"{p.returncode}, {p.stderr.strip()!r}")
            # A few breakdowns (not all of CASES: four stores of them
            # would double this test's time under the sanitizers).
            for by in ("month", "agent", "team,channel", None):
                fast = report(cx, db3, by, None, None, [], "--explain")
                slow = report(cx, db3, by, None, None, [], "--read", "rows")
                if fast.stdout != slow.stdout or "damaged" in fast.stderr:
                    raise Failure(f"damaged ({case}), then an import: --by"
                                  f" {by}: rollups and rows differ, or the"
                                  f" damage is still read around:"
                                  f" {fast.stderr.strip()!r}")
        print("ok  damaged rollup cell or segment: counted again from the"
              " rows by the next import")

        # A fresh store, in the usual order, agrees with the changed one.
        db2 = os.path.join(wd, "r2.db")
        for kind, f in (("agents", "agents2.csv"), ("tickets", "tickets2.csv"),
                        ("responses", "responses2.csv"),
                        ("responses", "responses3.csv"),
                        ("responses", "responses_new.csv")):
            run(cx, "import", "--db", db2, kind, d(f))
        for by in ("month,channel", "agent,team", "language,topic"):
            x = report(cx, db, by, None, None, [])
            y = report(cx, db2, by, None, None, [])
            jx, jy = json.loads(x.stdout), json.loads(y.stdout)
            jx.pop("definitions", None)  # versions differ; settings do not
            jy.pop("definitions", None)
            if jx != jy:
                raise Failure(f"--by {by}: the changed store and a fresh "
                              "one differ")
        print("ok  changed store = fresh store")
    except Failure as e:
        print(f"FAIL {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
