#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""import.py — imports into a PostgreSQL store keep SQLite's semantics.

The PostgreSQL engine copies an import's rows into a staging table and
stores them with one INSERT … ON CONFLICT at the import's end
(src/store/pg/store_pg_import.c). Against a SQLite store loaded with the
same files, this checks: the last row of a key in one import wins, and a
later import replaces a stored row whole (a column it leaves empty
becomes missing); text with tabs, line breaks, backslashes and quotes
comes back as written; a rejected --strict import stores nothing and the
store is usable after it; a helpdesk export (tickets and answers row by
row, interleaved) stores both kinds; two imports in a row of different
kinds; and every report is the same JSON, answers read from the answer
cells (sql/0003) or by push-down.

Python 3 standard library only.
Usage: import.py --cxmeter PATH --workdir DIR   (CXM_PG_DIR set by ctest)
"""

import argparse
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pgdb  # noqa: E402

DATA = os.path.join(HERE, "..", "data")


class Failure(Exception):
    pass


def run(cx, *args, rc=0):
    p = subprocess.run([cx, *args], capture_output=True, text=True)
    if rc is not None and p.returncode != rc:
        raise Failure(f"cxmeter {' '.join(args)}: exit {p.returncode}, "
                      f"wanted {rc}\n{p.stderr}")
    return p


def psql(dsn, sql):
    try:
        return pgdb.psql(dsn, sql)
    except RuntimeError as e:
        raise Failure(str(e))


def write(path, text):
    with open(path, "w", newline="") as f:
        f.write(text)
    return path


def same_reports(cx, sq, pg, what):
    for args in ([], ["--by", "month,channel"], ["--by", "agent,team"],
                 ["--by", "week", "--tz", "America/St_Johns"],
                 ["--metrics", "fcr,backlog,frt,created"]):
        x = run(cx, "report", "--db", sq, "--format", "json", *args)
        y = run(cx, "report", "--db", pg, "--format", "json", "--explain",
                *args)
        if json.loads(x.stdout) != json.loads(y.stdout):
            raise Failure(f"{what}: report {args}: the engines differ\n"
                          f"sqlite: {x.stdout[:800]}\npg: {y.stdout[:800]}")
        if ("answers read from: postgresql push-down" not in y.stderr and
                "answers read from: rollups (" not in y.stderr and
                "answers read from: none" not in y.stderr):
            raise Failure(f"{what}: report {args}: not pushed down or from"
                          f" cells: "
                          f"{y.stderr.strip()}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cxmeter", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    cx = os.path.abspath(a.cxmeter)
    wd = a.workdir
    shutil.rmtree(wd, ignore_errors=True)
    os.makedirs(wd)
    sq = os.path.join(wd, "sqlite.db")
    pg = pgdb.new_dsn("import")

    def both(*args, rc=0):
        for db in (sq, pg):
            run(cx, "import", "--db", db, *args, rc=rc)

    # One import: the last row of a key wins; text comes back as written.
    tickets = write(os.path.join(wd, "t.csv"),
                    "ticket_id,created_at,channel,agent_id,status,tags\n"
                    "T1,2025-01-01T10:00:00Z,email,a1,open,x\n"
                    "T2,2025-01-02T10:00:00Z,chat,a2,solved,\n"
                    "T1,2025-01-03T10:00:00Z,phone,a3,solved,y\n")
    answers = write(os.path.join(wd, "r.csv"),
                    "response_id,survey,responded_at,score,ticket_id,"
                    "comment\n"
                    "R1,csat,2025-01-01T11:00:00Z,2,T1,\"tab\there\n"
                    "two lines\\ and \"\"quotes\"\"\"\n"
                    "R2,nps,2025-01-02T11:00:00Z,9,T2,\n"
                    "R1,csat,2025-01-03T11:00:00Z,5,T1,\"last\\one\"\n")
    both("tickets", tickets)
    both("responses", answers)
    got = psql(pg, "SELECT ticket_id, created_at, channel, agent_id, tags"
                   " FROM tickets ORDER BY ticket_id")
    want = ("T1|1735898400000|phone|a3|y\n"
            "T2|1735812000000|chat|a2|\n")
    if got != want:
        raise Failure(f"last row of a key: got {got!r}, want {want!r}")
    got = psql(pg, "SELECT count(*), min(score), max(score)"
                   " FROM responses WHERE response_id = 'R1'")
    if got != "1|5|5\n":
        raise Failure(f"answers, last row of a key: {got!r}")
    got = psql(pg, "SELECT comment FROM responses"
                   " WHERE response_id = 'R1'")
    if got != "last\\one\n":
        raise Failure(f"a backslash: {got!r}")

    # A later import replaces the row whole.
    again = write(os.path.join(wd, "r2.csv"),
                  "response_id,survey,responded_at,score\n"
                  "R2,nps,2025-01-02T11:00:00Z,3\n"
                  "R3,csat,2025-01-05T11:00:00Z,4\n"
                  "R4,csat,2025-01-05T12:00:00Z,1\n")
    both("responses", again)
    got = psql(pg, "SELECT response_id, score, ticket_id IS NULL"
                   " FROM responses ORDER BY response_id")
    if got != "R1|5|f\nR2|3|t\nR3|4|t\nR4|1|t\n":
        raise Failure(f"a later import: {got!r}")
    text = write(os.path.join(wd, "r3.csv"),
                 "response_id,survey,responded_at,score,comment\n"
                 "R5,csat,2025-01-06T11:00:00Z,4,\"tab\there\n"
                 "two lines\\ and \"\"quotes\"\"\"\n")
    both("responses", text)
    got = psql(pg, "SELECT comment FROM responses"
                   " WHERE response_id = 'R5'")
    if got != "tab\there\ntwo lines\\ and \"quotes\"\n":
        raise Failure(f"text as written: {got!r}")
    same_reports(cx, sq, pg, "after the imports")

    # A rejected --strict import stores nothing; the store goes on.
    bad = write(os.path.join(wd, "bad.csv"),
                "response_id,survey,responded_at,score\n"
                "R9,csat,2025-01-07T11:00:00Z,4\n"
                "R1,csat,2025-01-07T11:00:00Z,1\n"
                "R10,csat,not-a-time,4\n")
    for db in (sq, pg):
        p = run(cx, "import", "--db", db, "--strict", "responses", bad,
                rc=1)
        if "bad.csv:4:" not in p.stderr:
            raise Failure(f"--strict: no diagnostic by line: {p.stderr}")
    got = psql(pg, "SELECT count(*), max(score) FILTER"
                   " (WHERE response_id = 'R1') FROM responses")
    if got != "5|5\n":
        raise Failure(f"--strict stored something: {got!r}")
    same_reports(cx, sq, pg, "after a rejected import")

    # Helpdesk exports: tickets and answers, row by row, interleaved.
    for vendor, f in (("zendesk", "zendesk/export_a.csv"),
                      ("zendesk", "zendesk/export_b.csv"),
                      ("freshdesk", "freshdesk/tickets.csv")):
        for db in (sq, pg):
            run(cx, "import", "--db", db, vendor,
                os.path.join(DATA, f), rc=None)
    n_sq = run(cx, "report", "--db", sq, "--format", "json",
               "--metrics", "created").stdout
    n_pg = run(cx, "report", "--db", pg, "--format", "json",
               "--metrics", "created").stdout
    if json.loads(n_sq) != json.loads(n_pg):
        raise Failure(f"helpdesk imports differ: {n_sq} {n_pg}")
    same_reports(cx, sq, pg, "after the helpdesk imports")
    print("import: staged imports keep SQLite's semantics")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"FAIL {e}", file=sys.stderr)
        sys.exit(1)
