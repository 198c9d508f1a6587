#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""qa.py — QA cells give the same figures as the QA rows.

A report reads qa_score from the SQLite engine's QA cells
(src/store/sqlite/sql/0023-qa-cells.sql: per UTC day of the score's
instant — reviewed_at, else its ticket's resolved_at, else created_at —
and cube of the ticket's dimensions, n and the exact sums of the values
and their squares) wherever the ticket cells would be read, with the rows
of a period's ends inside a day and of the days a zone's bucket splits;
`--read rows` forces the rows. This test imports the scores before the
tickets that give them a time and dimensions, blanks reviewed_at on a
third of them, adds scores on the edges of days and periods, then changes
the data: tickets re-imported with new times, agents and channels;
agents moved to another team (tickets without a team follow); customers
moved to another segment; scores re-imported with new values, new or no
reviewed_at, one deleted by replacing its ticket's; a damaged cell. After
every step it checks, over breakdowns by none, agent, team, channel,
topic, segment, day, week and month, with --compare previous, in UTC and
in other zones, that:

  * the JSON of the default path equals that of `--read rows`, byte for
    byte;
  * `--explain` names the path expected ("QA scores read from: QA cells",
    or "rows" where no cube keeps the breakdown);
  * a damaged cell is read around (rows, a warning) and counted again by
    the next import.

Python 3 standard library only. Usage: qa.py --cxmeter PATH --workdir DIR
"""

import argparse
import csv
import datetime
import json
import os
import shutil
import sqlite3
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run import Failure, check_agent_moves, rewrite, run, utc_day  # noqa: E402,E501

CELLS, ROWS = "QA cells", "rows"
CMP = ["--compare", "previous"]
# (breakdown, from, to, extra args, the path expected). The data spans
# 2024-11-01 .. 2026-10-31.
CASES = [
    ("", None, None, [], CELLS),
    ("", "2025-03-01", "2025-06-01", CMP, CELLS),
    ("agent", "2025-03-01", "2025-06-01", CMP, CELLS),
    ("team", None, None, [], CELLS),
    ("channel", "2025-02-01", "2025-05-01", CMP, CELLS),
    ("topic", None, None, [], CELLS),
    ("segment", "2025-01-01", "2025-07-01", CMP, CELLS),
    ("topic,segment", None, None, [], CELLS),
    ("agent,team", "2025-06-01", "2025-09-01", [], CELLS),
    ("team,channel", None, None, [], CELLS),
    ("agent,channel", "2025-02-01", "2025-05-01", CMP, CELLS),
    ("agent,topic", None, None, [], ROWS),
    ("day", "2025-03-01T06:30:00Z", "2025-03-20T13:00:00.5Z", [], CELLS),
    ("day,agent", "2025-03-05T10:00:00Z", "2025-03-19T18:00:00Z", [],
     CELLS),
    ("week", "2025-01-01", "2025-04-01", CMP, CELLS),
    ("month", None, None, [], CELLS),
    ("month,agent", "2025-01-01", "2025-07-01", CMP, CELLS),
    ("week,team", "2025-01-01T12:00:00Z", None, [], CELLS),
    # Other zones: whole UTC days from the cells, the days a bucket
    # starts inside from their rows.
    ("month", None, None, ["--tz", "Asia/Kathmandu"], CELLS),
    ("day,team", "2025-03-01", "2025-04-10", ["--tz", "Europe/Helsinki"],
     CELLS),
    ("agent", "2025-02-01", "2025-05-01", ["--tz", "Asia/Jakarta", *CMP],
     CELLS),
    ("week,channel", "2025-01-01", "2025-06-01",
     ["--tz", "America/New_York"], CELLS),
    ("", "2025-02-01T05:00:00Z", "2025-05-01", ["--tz", "Asia/Kolkata",
                                                 *CMP], CELLS),
    ("month,segment", "2025-03-15T08:30:00Z", "2025-11-02T03:00:00Z",
     ["--tz", "Europe/Helsinki"], CELLS),
]


def report(cx, db, by, frm, to, extra, *flags):
    args = ["report", "--db", db, "--metrics", "qa_score", "--format",
            "json", *extra, *flags]
    for opt, v in (("--by", by), ("--from", frm), ("--to", to)):
        if v:
            args += [opt, v]
    return run(cx, *args)


def qa_path(stderr):
    lines = [ln for ln in stderr.splitlines() if "QA scores read from" in ln]
    return lines[-1].rsplit(": ", 1)[-1] if lines else stderr.strip()


def check_all(cx, db, step, cases=CASES, want=None):
    failures = []
    for by, frm, to, extra, path in cases:
        fast = report(cx, db, by, frm, to, extra, "--explain")
        slow = report(cx, db, by, frm, to, extra, "--read", "rows")
        name = f"{step}: --by {by or '-'} {frm or ''}..{to or ''} {extra}"
        if fast.stdout != slow.stdout:
            failures.append(f"{name}: QA cells and rows differ")
        used = qa_path(fast.stderr)
        if used != (want or path):
            failures.append(f"{name}: QA scores read from {used}, expected "
                            f"{want or path}")
        if '"n": ' not in fast.stdout:
            failures.append(f"{name}: no figure with data")
    if failures:
        raise Failure("\n".join(failures))
    print(f"ok  {step}: {len(cases)} reports, QA cells = rows")


def later(ts, **delta):
    t = datetime.datetime.fromisoformat(ts.replace("Z", "+00:00"))
    return (t + datetime.timedelta(**delta)).strftime(
        "%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def write(path, fields, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


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
    db = os.path.join(wd, "q.db")
    d = lambda k: os.path.join(data, k)  # noqa: E731
    try:
        run(cx, "demo-data", "--seed", "7", "--tickets", "8000",
            "--out", data)
        with open(d("tickets.csv"), newline="") as f:
            tickets = list(csv.DictReader(f))
        tfields = list(tickets[0].keys())
        with open(d("qa_scores.csv"), newline="") as f:
            scores = list(csv.DictReader(f))
        qfields = list(scores[0].keys())
        # A third without reviewed_at (their ticket's time), some on the
        # edges of days and of the periods of CASES, scores of tickets
        # resolved at a day's edge, and one whose ticket never comes.
        for i, s in enumerate(scores):
            if i % 3 == 0:
                s["reviewed_at"] = ""
            elif i % 7 == 1 and s["reviewed_at"]:
                s["reviewed_at"] = s["reviewed_at"][:10] + "T00:00:00Z"
            elif i % 7 == 2 and s["reviewed_at"]:
                s["reviewed_at"] = s["reviewed_at"][:10] + \
                    "T23:59:59.999Z"
            if i % 5 == 4:
                s["max_score"] = "" if i % 2 else "137.5"
        byid = {t["ticket_id"]: t for t in tickets}
        extra = []
        for k, at in enumerate(("2025-03-01T00:00:00Z",
                                "2025-03-01T06:29:59.999Z",
                                "2025-03-01T06:30:00Z",
                                "2025-03-20T13:00:00.499Z",
                                "2025-03-20T13:00:00.5Z",
                                "2025-05-31T23:59:59.999Z",
                                "2025-06-01T00:00:00Z",
                                "2025-02-28T18:30:00Z",
                                "2025-03-09T17:59:59Z")):
            t = tickets[(k * 97 + 13) % len(tickets)]
            extra.append(dict(ticket_id=t["ticket_id"],
                              reviewer=f"edge.{k}", score=str(50 + k),
                              max_score="100", reviewed_at=at))
            u = tickets[(k * 131 + 29) % len(tickets)]
            u["resolved_at"] = at
            if u["created_at"] > at:
                u["created_at"] = at
            if u["first_response_at"] and u["first_response_at"] > at:
                u["first_response_at"] = at
            extra.append(dict(ticket_id=u["ticket_id"],
                              reviewer=f"unrev.{k}", score=str(60 + k),
                              max_score="80", reviewed_at=""))
        extra.append(dict(ticket_id="NO-SUCH-TICKET", reviewer="qa.x",
                          score="10", max_score="10", reviewed_at=""))
        scores += extra
        write(d("qa1.csv"), qfields, scores)
        write(d("tickets1.csv"), tfields, tickets)
        assert all(s["ticket_id"] in byid or s["ticket_id"] ==
                   "NO-SUCH-TICKET" for s in scores)
        # The scores first: the tickets that give them a time come after,
        # then the agents and customers that lend team and segment.
        run(cx, "import", "--db", db, "qa_scores", d("qa1.csv"))
        run(cx, "import", "--db", db, "tickets", d("tickets1.csv"))
        check_all(cx, db, "scores, then tickets")
        for kind in ("agents", "customers"):
            run(cx, "import", "--db", db, kind, d(kind + ".csv"))
        check_all(cx, db, "+ agents, customers")

        with open(d("agents.csv"), newline="") as f:
            agents = [r["agent_id"] for r in csv.DictReader(f)]
        scored = {s["ticket_id"] for s in scores}

        # Scored tickets re-imported with new times, agents (without a
        # team: the agent's), channels and topics.
        def change(i, row):
            if row["ticket_id"] not in scored:
                return False
            k = i % 5
            if k == 0 and row["resolved_at"]:
                row["resolved_at"] = later(row["resolved_at"], days=9,
                                           hours=7)
            elif k == 1:
                row["agent_id"] = agents[i % len(agents)]
                row["team"] = ""
            elif k == 2:
                row["channel"] = "chat" if row["channel"] != "chat" \
                    else "email"
                row["topic"] = "topic-" + str(i % 3)
            elif k == 3:
                row["resolved_at"] = ""
                row["status"] = "open"
            else:
                return False
            return True
        rewrite(d("tickets1.csv"), d("tickets2.csv"), change)
        run(cx, "import", "--db", db, "tickets", d("tickets2.csv"))
        check_all(cx, db, "tickets moved in time, agent, channel")

        def move_agent(i, row):
            if i % 2:
                return False
            row["team"] = "team-" + str(i)
            return True
        rewrite(d("agents.csv"), d("agents2.csv"), move_agent)
        run(cx, "import", "--db", db, "agents", d("agents2.csv"))
        check_all(cx, db, "agents moved team")

        # The same agents again: no day is counted again (0028). One agent
        # moved: the days of the scores of their tickets without a team.
        with open(d("tickets2.csv"), newline="") as f:
            by_id = {t["ticket_id"]: t for t in csv.DictReader(f)}
        with open(d("qa1.csv"), newline="") as f:
            scored = [(q, by_id.get(q["ticket_id"])) for q in
                      csv.DictReader(f)]
        check_agent_moves(cx, db, "qa_dirty", d("agents2.csv"),
                          d("agents3.csv"),
                          [(t["agent_id"], utc_day(q["reviewed_at"] or
                                                   t["resolved_at"] or
                                                   t["created_at"]))
                           for q, t in scored if t and not t["team"]])
        check_all(cx, db, "one agent moved team")

        def move_customer(i, row):
            if i % 3:
                return False
            row["segment"] = "segment-" + str(i % 4)
            return True
        rewrite(d("customers.csv"), d("customers2.csv"), move_customer)
        run(cx, "import", "--db", db, "customers", d("customers2.csv"))
        check_all(cx, db, "customers moved segment")

        # Scores re-imported: new values, reviewed_at set, moved, blanked.
        def change_score(i, row):
            k = i % 4
            if k == 0:
                row["score"] = str(float(row["score"]) / 3 + 0.1)
            elif k == 1 and row["reviewed_at"]:
                row["reviewed_at"] = ""
            elif k == 2 and not row["reviewed_at"]:
                row["reviewed_at"] = "2025-04-15T12:00:00Z"
            elif k == 3 and row["reviewed_at"]:
                row["reviewed_at"] = later(row["reviewed_at"], days=-20)
            else:
                return False
            return True
        rewrite(d("qa1.csv"), d("qa2.csv"), change_score)
        run(cx, "import", "--db", db, "qa_scores", d("qa2.csv"))
        check_all(cx, db, "scores re-imported")

        # One score and one ticket changed: single days recounted.
        with open(d("qa2.csv"), newline="") as f:
            q2 = list(csv.DictReader(f))
        one = [s for s in q2 if not s["reviewed_at"] and
               s["ticket_id"] != "NO-SUCH-TICKET"][5]
        one2 = dict(one, score="1.5", reviewed_at="2025-03-05T11:00:00Z")
        write(d("qa3.csv"), qfields, [one2])
        run(cx, "import", "--db", db, "qa_scores", d("qa3.csv"))
        with open(d("tickets2.csv"), newline="") as f:
            t2 = {t["ticket_id"]: t for t in csv.DictReader(f)}
        u = dict(t2[[s for s in q2 if not s["reviewed_at"]][9]
                    ["ticket_id"]])
        u.update(created_at="2025-03-07T22:00:00Z",
                 resolved_at="2025-03-08T00:00:00Z",
                 first_response_at="", agent_id="someone.new", team="",
                 channel="fax")
        write(d("tickets3.csv"), tfields, [u])
        run(cx, "import", "--db", db, "tickets", d("tickets3.csv"))
        check_all(cx, db, "one score and one ticket changed")

        # Definitions the ticket cells cannot follow: the rows.
        run(cx, "definitions", "--db", db, "set", "exclude.status", "spam",
            "--by", "test")
        check_all(cx, db, "exclusions", CASES[:4], want=ROWS)
        run(cx, "definitions", "--db", db, "set", "exclude.status", "",
            "--by", "test")

        # A damaged cell: read around, counted again by the next import.
        con = sqlite3.connect(db)
        n = con.execute(
            "UPDATE qa_cells SET n = n + 1 WHERE day = (SELECT min(day)"
            " FROM qa_cells WHERE day >= 20150)").rowcount
        con.commit()
        con.close()
        if n < 8:
            raise Failure("no QA cell damaged")
        p = report(cx, db, "month", None, None, [], "--explain")
        q = report(cx, db, "month", None, None, [], "--read", "rows")
        if p.stdout != q.stdout or "damaged" not in p.stderr or \
                qa_path(p.stderr) != ROWS:
            raise Failure("a damaged QA cell was not read around: "
                          f"{p.stderr.strip()!r}, same output: "
                          f"{p.stdout == q.stdout}")
        run(cx, "import", "--db", db, "qa_scores", d("qa3.csv"))
        check_all(cx, db, "damaged cell counted again")

        # A fresh store of the changed data: the same figures.
        db2 = os.path.join(wd, "q2.db")
        for kind, f in (("agents", "agents3.csv"),
                        ("customers", "customers2.csv"),
                        ("tickets", "tickets2.csv"),
                        ("tickets", "tickets3.csv"),
                        ("qa_scores", "qa2.csv"),
                        ("qa_scores", "qa3.csv")):
            run(cx, "import", "--db", db2, kind, d(f))
        for by, frm, to, extra, _ in CASES[:8]:
            x = json.loads(report(cx, db, by, frm, to, extra).stdout)
            y = json.loads(report(cx, db2, by, frm, to, extra).stdout)
            x.pop("definitions", None)  # versions differ; settings do not
            y.pop("definitions", None)
            if x != y:
                raise Failure(f"--by {by}: the changed store and a fresh "
                              "one differ")
        print("ok  changed store = fresh store")
    except Failure as e:
        print(f"FAIL {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
