#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""cells_days.py — the PostgreSQL answer cells stay exact write by write.

The recount before a commit counts only the dirty UTC days' day cells
from the rows and sums their months' cells from the day cells
(src/store/pg/store_pg_cells.c, sql/0004). This makes many small writes
into one PostgreSQL store, spread over days of two months and across
their boundaries: single-answer imports, re-imports that replace an
answer (another score, another day, another month), a ticket's channel
and team changed, an agent's team changed, an agent first named by an
answer and imported later, answers deleted by SQL (then a write), and a
month emptied. After each, every report read from the cells (day and
month cells, every cube; --explain must say so) must be the JSON of
--read rows byte for byte, and, while both stores took the same writes,
SQLite's.

Python 3 standard library only.
Usage: cells_days.py --cxmeter PATH --workdir DIR   (CXM_PG_DIR set by ctest)
"""

import argparse
import os
import random
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pgdb  # noqa: E402


class Failure(Exception):
    pass


PERIOD = ["--from", "2026-01-01", "--to", "2026-03-01",
          "--metrics", "csat,nps,ces"]
# (breakdown, the cells --explain must name)
REPORTS = [("month,channel", "months"), ("month,team", "months"),
           ("month,agent", "months"), ("month,team,channel", "months"),
           ("day", "days"), ("week,team,channel", "days")]


def run(cx, *args, rc=0):
    p = subprocess.run([cx, *args], capture_output=True, text=True)
    if rc is not None and p.returncode != rc:
        raise Failure(f"cxmeter {' '.join(args)}: exit {p.returncode}, "
                      f"wanted {rc}\n{p.stderr}")
    return p


class Stores:
    def __init__(self, cx, wd):
        self.cx, self.wd, self.n = cx, wd, 0
        self.sq = os.path.join(wd, "sqlite.db")
        self.pg = pgdb.new_dsn("cellsdays")
        self.same_as_sqlite = True

    def write(self, kind, text):
        self.n += 1
        f = os.path.join(self.wd, f"w{self.n}.csv")
        with open(f, "w", newline="") as out:
            out.write(text)
        for db in ([self.sq] if self.same_as_sqlite else []) + [self.pg]:
            run(self.cx, "import", "--quiet", "--db", db, kind, f)

    def sql(self, text):
        """A change behind the engine's back (SQLite no longer follows)."""
        self.same_as_sqlite = False
        pgdb.psql(self.pg, text)

    def check(self, what):
        for by, grain in REPORTS:
            args = ["report", "--format", "json", "--by", by, *PERIOD]
            auto = run(self.cx, *args, "--db", self.pg, "--explain")
            rows = run(self.cx, *args, "--db", self.pg, "--read", "rows")
            if f"answers read from: rollups ({grain}" not in auto.stderr:
                raise Failure(f"{what}: --by {by}: not read from the "
                              f"{grain} cells: {auto.stderr.strip()}")
            if auto.stdout != rows.stdout:
                raise Failure(f"{what}: --by {by}: the cells differ from "
                              f"--read rows\ncells: {auto.stdout[:1500]}\n"
                              f"rows:  {rows.stdout[:1500]}")
            if self.same_as_sqlite:
                sq = run(self.cx, *args, "--db", self.sq)
                if sq.stdout != auto.stdout:
                    raise Failure(f"{what}: --by {by}: PostgreSQL differs "
                                  f"from SQLite\npg: {auto.stdout[:1500]}\n"
                                  f"sqlite: {sq.stdout[:1500]}")


ANSWER = "response_id,survey,responded_at,score,ticket_id,agent_id,channel\n"


def answer(s, rid, survey, at, score, ticket="", agent="", channel=""):
    s.write("responses", ANSWER + f"{rid},{survey},{at},{score},{ticket},"
            f"{agent},{channel}\n")
    s.check(f"answer {rid} at {at}")


def bulk(s, rnd, prefix, n, what):
    """n answers on days of January and February (more days than a write
    takes the moving way for), a third of them replacing earlier ones."""
    lines = [ANSWER]
    for i in range(n):
        month = 1 + i % 2
        day = 1 + i // 2 % (28 if month == 2 else 31)
        rid = f"M{rnd.randint(0, 9)}" if i % 3 == 0 else f"{prefix}{i}"
        survey, score = rnd.choice([("csat", rnd.randint(1, 5)),
                                    ("nps", rnd.randint(0, 10)),
                                    ("ces", rnd.randint(1, 7))])
        ticket = rnd.choice(["T1", "T2", "T3", ""])
        lines.append(f"{rid},{survey},2026-{month:02d}-{day:02d}T"
                     f"{rnd.randint(0, 23):02d}:10:00Z,{score},{ticket},"
                     f"{rnd.choice(['a1', 'a2', ''])},"
                     f"{rnd.choice(['', 'chat', 'email'])}\n")
    s.write("responses", "".join(lines))
    s.check(what)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cxmeter", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    wd = a.workdir
    shutil.rmtree(wd, ignore_errors=True)
    os.makedirs(wd)
    s = Stores(os.path.abspath(a.cxmeter), wd)

    s.write("agents", "agent_id,team\na1,north\na2,south\n")
    s.write("tickets", "ticket_id,created_at,channel,agent_id,team\n"
            "T1,2026-01-20T10:00:00Z,email,a1,\n"
            "T2,2026-01-21T10:00:00Z,chat,a2,\n"
            "T3,2026-02-01T10:00:00Z,phone,,east\n")
    # Answers one by one, on days of January and February and at their
    # edges.
    answer(s, "R1", "csat", "2026-01-30T12:00:00Z", 4, ticket="T1")
    answer(s, "R2", "nps", "2026-01-31T23:59:59Z", 9, ticket="T2")
    answer(s, "R3", "csat", "2026-02-01T00:00:00Z", 5, agent="a2")
    answer(s, "R4", "ces", "2026-02-15T08:00:00Z", 3, ticket="T3")
    answer(s, "R5", "csat", "2026-02-28T23:00:00Z", 1, ticket="T3")
    answer(s, "R6", "csat", "2026-01-15T09:00:00Z", 2, channel="sms")
    answer(s, "R7", "csat", "2026-01-30T13:00:00Z", 4, ticket="T1")
    # Re-imports replace an answer: another score the same day, another
    # day the same month, another month.
    answer(s, "R7", "csat", "2026-01-30T13:00:00Z", 3, ticket="T1")
    answer(s, "R6", "csat", "2026-01-02T09:00:00Z", 2, channel="sms")
    answer(s, "R1", "csat", "2026-02-10T12:00:00Z", 1, ticket="T1")
    # A ticket's channel and team change: its answers' cells move.
    s.write("tickets", "ticket_id,created_at,channel,agent_id,team\n"
            "T1,2026-01-20T10:00:00Z,phone,a1,west\n")
    s.check("ticket T1 changed")
    # An agent's team changes: the answers that take it move.
    s.write("agents", "agent_id,team\na2,north\n")
    s.check("agent a2's team changed")
    # An agent named by an answer before the agents' file names them.
    answer(s, "R8", "csat", "2026-02-11T10:00:00Z", 5, agent="a3")
    s.write("agents", "agent_id,team\na3,east\n")
    s.check("agent a3 imported")
    # Many small writes over both months, some replacing earlier ones.
    rnd = random.Random(17)
    for i in range(10):
        month = 1 + i % 2
        day = rnd.randint(1, 28 if month == 2 else 31)
        rid = f"M{rnd.randint(0, 9)}"
        ticket = rnd.choice(["T1", "T2", "T3", ""])
        agent = rnd.choice(["a1", "a2", "a3", ""]) if not ticket else ""
        survey, score = rnd.choice([("csat", rnd.randint(1, 5)),
                                    ("nps", rnd.randint(0, 10)),
                                    ("ces", rnd.randint(1, 7))])
        answer(s, rid, survey, f"2026-{month:02d}-{day:02d}T"
               f"{rnd.randint(0, 23):02d}:30:00Z", score, ticket=ticket,
               agent=agent, channel=rnd.choice(["", "chat", "email"]))
    # One import over many days (the bulk recount: its months summed
    # again from their day cells), some answers replacing earlier ones.
    bulk(s, rnd, "B", 60, "bulk import over both months")
    # Deletes (no command deletes answers: SQL), then a write recounts.
    s.sql("DELETE FROM responses WHERE response_id IN ('R3', 'R5')")
    answer(s, "R9", "csat", "2026-02-20T10:00:00Z", 4, ticket="T2")
    s.sql("DELETE FROM agents WHERE agent_id = 'a1'")
    answer(s, "R10", "nps", "2026-01-05T10:00:00Z", 7, agent="a2")
    # January emptied but for one answer: its month cells shrink to it.
    s.sql("DELETE FROM responses WHERE responded_at < 1769904000000"
          " AND response_id <> 'R10'")
    answer(s, "R11", "csat", "2026-02-21T10:00:00Z", 2)
    bulk(s, rnd, "C", 45, "bulk import after the deletes")
    print(f"cells_days: {s.n} writes, the cells matched --read rows "
          "after each")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"FAIL {e}", file=sys.stderr)
        sys.exit(1)
