#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tickets.py — ticket cells give the same figures as the ticket rows.

A report reads the ticket metrics (created, resolved, resolution and
escalation rates, FCR, backlog, resolution and first response times,
complaints, self-service rate, productivity) from the SQLite engine's
ticket cells (src/store/sqlite/sql/0019-ticket-cells.sql), and the
self-service sessions from its session cells, when the
definitions let it, with the rows of a period's ends inside a day;
`--read rows` forces the rows. This test imports generated data in the
worst order (tickets before the agents and customers that lend them team
and segment), then changes it the ways a help desk does — tickets resolved
later, reopened, handed to another agent (taking the agent's team),
moved to another channel or day, resolved the instant it was created;
agents moved to another team; customers to another segment; one ticket
changed, which recounts single days — and after every step checks, over
many breakdowns, periods and zones, that:

  * the JSON of the default path equals the JSON of `--read rows`, byte
    for byte;
  * the path expected was taken (`--explain`: "tickets read from: ticket
    cells" (in any zone: the days a zone's bucket starts inside from
    their rows), "rows" for definitions
    the cells cannot follow: exclusions, business calendars, the
    repeat-contact FCR rule, and metrics joining orders);
  * a damaged cell is read around (rows, a warning) and counted again by
    the next import;
  * the backlog's steps (ticket_steps, 0024: what a period's backlog
    reads of the days before it) are those of the cells whose opened and
    closed differ, after every step, after the upgrade to 0024 (filled
    from the cells), and a damaged step is read around too.

Python 3 standard library only. Usage: tickets.py --cxmeter PATH --workdir DIR
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

METRICS = ("created,resolution_rate,resolved,fcr,art,frt,backlog,"
           "escalation_rate,complaints_per_1000,selfservice_rate,"
           "deflection_rate,agent_productivity,csat")
CELLS, ROWS = "ticket cells", "rows"
# A case's sixth element: its metrics without agent_productivity.
NOPROD = True
# (breakdown, from, to, extra args, the path expected). The data spans
# 2024-11-01 .. 2026-10-31.
CASES = [
    ("", None, None, [], CELLS),
    ("month", None, None, [], CELLS),
    ("week", "2025-01-01", "2025-04-01", [], CELLS),
    ("day", "2025-03-01T06:30:00Z", "2025-03-20T13:00:00.5Z", [], CELLS),
    ("day,channel", "2025-03-05T10:00:00Z", "2025-03-05T18:00:00Z", [],
     CELLS),
    ("quarter", "2025-01-01", "2025-07-01", ["--compare", "previous"],
     CELLS),
    ("agent", None, None, [], CELLS),
    ("agent", "2025-02-01", "2025-05-01", [], CELLS),
    ("team", None, None, [], CELLS),
    ("channel", "2025-03-01", "2026-11-01", [], CELLS),
    # agent_productivity needs the agent: no cube keeps it with a topic
    # or segment (0020); without it, the cells (NOPROD, below).
    ("topic", None, None, [], ROWS),
    ("segment", None, None, [], ROWS),
    ("agent,team", "2025-06-01", "2025-09-01", [], CELLS),
    ("team,channel", None, None, [], CELLS),
    ("month,agent", "2025-01-01", "2025-07-01", ["--compare", "previous"],
     CELLS),
    ("year,topic,segment", None, None, [], ROWS),
    ("week,team", "2025-01-01T12:00:00Z", None, [], CELLS),
    # Other zones: whole UTC days from the cells, the days a bucket
    # starts inside (a zone's midnight) from their rows.
    ("month", None, None, ["--tz", "Asia/Kathmandu"], CELLS),
    ("day,team", "2025-03-01", "2025-04-10", ["--tz", "Europe/Helsinki"],
     CELLS),
    ("topic", None, None, [], CELLS, NOPROD),
    ("segment", "2025-02-01", "2025-05-01", [], CELLS, NOPROD),
    ("year,topic,segment", None, None, [], CELLS, NOPROD),
    ("month,team,channel,topic", None, None, [], CELLS, NOPROD),
    ("agent,channel", "2025-02-01", "2025-05-01", [], CELLS),
    ("agent,topic", None, None, [], ROWS, NOPROD),
    ("", "2025-02-01", "2025-05-01", ["--tz", "Asia/Kuala_Lumpur"], CELLS),
    ("agent", "2025-02-01", "2025-05-01",
     ["--tz", "Asia/Jakarta", "--compare", "previous"], CELLS),
    ("week,channel", "2025-01-01", "2025-06-01", ["--tz", "Asia/Kolkata"],
     CELLS),
    ("day", "2025-03-01", "2025-03-20", ["--tz", "America/New_York"],
     CELLS),
    ("quarter,topic", None, None, ["--tz", "Pacific/Chatham"], CELLS,
     NOPROD),
    ("year,segment", None, None, ["--tz", "Asia/Ho_Chi_Minh"], CELLS,
     NOPROD),
    ("month,team", "2025-03-15T08:30:00Z", "2025-11-02T03:00:00Z",
     ["--tz", "Europe/Helsinki"], CELLS),
]


def report(cx, db, by, frm, to, extra, *flags, metrics=METRICS):
    args = ["report", "--db", db, "--metrics", metrics, "--format", "json",
            *extra, *flags]
    for opt, v in (("--by", by), ("--from", frm), ("--to", to)):
        if v:
            args += [opt, v]
    return run(cx, *args)


def tickets_path(stderr):
    lines = [ln for ln in stderr.splitlines() if "tickets read from" in ln]
    return lines[-1].rsplit(": ", 1)[-1] if lines else stderr.strip()


STEP_COLS = ("workspace_id, cube, day, agent_id, team, channel, topic,"
             " segment, opened, closed")


def check_steps(db, step):
    """ticket_steps holds the steps of exactly the cells that step."""
    con = sqlite3.connect(db)
    try:
        cells = con.execute(f"SELECT {STEP_COLS} FROM ticket_cells"
                            " WHERE opened <> closed ORDER BY 1, 2, 3, 4,"
                            " 5, 6, 7, 8").fetchall()
        steps = con.execute(f"SELECT {STEP_COLS} FROM ticket_steps"
                            " ORDER BY 1, 2, 3, 4, 5, 6, 7, 8").fetchall()
    finally:
        con.close()
    if not cells or cells != steps:
        raise Failure(f"{step}: ticket_steps ({len(steps)} rows) are not"
                      f" the steps of the cells ({len(cells)})")


def check_all(cx, db, step, cases=CASES, metrics=METRICS, want=None):
    failures = []
    for by, frm, to, extra, path, *noprod in cases:
        mm = metrics.replace(",agent_productivity", "") if noprod \
            else metrics
        fast = report(cx, db, by, frm, to, extra, "--explain",
                      metrics=mm)
        slow = report(cx, db, by, frm, to, extra, "--read", "rows",
                      metrics=mm)
        name = f"{step}: --by {by or '-'} {frm or ''}..{to or ''} {extra}"
        if fast.stdout != slow.stdout:
            failures.append(f"{name}: ticket cells and rows differ")
        used = tickets_path(fast.stderr)
        if used != (want or path):
            failures.append(f"{name}: tickets read from {used}, expected "
                            f"{want or path}")
        if '"n": ' not in fast.stdout:
            failures.append(f"{name}: no figure with data")
    if failures:
        raise Failure("\n".join(failures))
    check_steps(db, step)  # the reports above brought the store up to date
    print(f"ok  {step}: {len(cases)} reports, ticket cells = rows")


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
    db = os.path.join(wd, "t.db")
    d = lambda k: os.path.join(data, k)  # noqa: E731
    try:
        run(cx, "demo-data", "--seed", "5", "--tickets", "3000",
            "--out", data)
        # Tickets first: their agents' teams and customers' segments come
        # later, and change the cells' dimensions.
        run(cx, "import", "--db", db, "tickets", d("tickets.csv"))
        check_all(cx, db, "tickets only")
        for kind in ("agents", "customers", "orders", "selfservice",
                     "responses"):
            run(cx, "import", "--db", db, kind, d(kind + ".csv"))
        check_all(cx, db, "+ agents, customers, orders, self-service, answers")

        with open(d("agents.csv"), newline="") as f:
            agents = [r["agent_id"] for r in csv.DictReader(f)]

        # Tickets resolved later, reopened, handed to another agent (the
        # team then the agent's), moved to another channel and day, and
        # one resolved before it was created.
        def later(ts, **delta):
            t = datetime.datetime.fromisoformat(ts.replace("Z", "+00:00"))
            return (t + datetime.timedelta(**delta)).isoformat()

        def change(i, row):
            k = i % 11
            if k == 0 and not row["resolved_at"]:
                row["resolved_at"] = later(row["created_at"], days=40)
                row["status"] = "solved"
            elif k == 1 and row["resolved_at"]:
                row["resolved_at"] = ""
                row["reopened"] = "true"
                row["contacts"] = "2"
                row["status"] = "open"
            elif k == 2:
                row["agent_id"] = agents[i % len(agents)]
                row["team"] = ""
            elif k == 3:
                row["channel"] = "chat" if row["channel"] != "chat" \
                    else "email"
                row["first_response_at"] = ""
            elif k == 4 and row["resolved_at"]:
                day = int(row["created_at"][8:10])
                row["created_at"] = (row["created_at"][:8] +
                                     f"{max(1, day - 3):02d}" +
                                     row["created_at"][10:])
            elif k == 5 and row["resolved_at"]:
                # Resolved the moment it was created, on a day's edge.
                row["created_at"] = row["created_at"][:10] + "T00:00:00Z"
                row["resolved_at"] = row["created_at"]
                row["first_response_at"] = row["created_at"]
            else:
                return False
            return True
        rewrite(d("tickets.csv"), d("tickets2.csv"), change)
        run(cx, "import", "--db", db, "tickets", d("tickets2.csv"))
        check_all(cx, db, "tickets resolved, reopened, moved")

        # Agents moved to another team: tickets without a team follow.
        def move_agent(i, row):
            if i % 2:
                return False
            row["team"] = "team-" + str(i)
            return True
        rewrite(d("agents.csv"), d("agents2.csv"), move_agent)
        run(cx, "import", "--db", db, "agents", d("agents2.csv"))
        check_all(cx, db, "agents moved")

        # The same agents again: no day is counted again (0028). Then one
        # agent moved: the days of their tickets without a team, only
        # (created, resolved, first answered), from the tickets' file.
        with open(d("tickets2.csv"), newline="") as f:
            check_agent_moves(cx, db, "ticket_dirty", d("agents2.csv"),
                              d("agents3.csv"),
                              [(t["agent_id"], utc_day(t[k]))
                               for t in csv.DictReader(f) if not t["team"]
                               for k in ("created_at", "resolved_at",
                                         "first_response_at")])
        check_all(cx, db, "one agent moved")

        # Many agents in one file, ids ascending (the multi-row statement
        # of 128 rows a time): stored as given, then a fifth changed.
        db4 = os.path.join(wd, "agents.db")
        for f, moved in (("agents4.csv", ""), ("agents5.csv", "moved")):
            rows = [(f"zz.agent{i:04d}",
                     moved if moved and i % 5 == 0 else f"t{i % 7}",
                     "2024-01-01T00:00:00Z") for i in range(300)]
            with open(d(f), "w") as out:
                out.write("agent_id,team,hired_at\n")
                out.writelines("%s,%s,%s\n" % r for r in rows)
            run(cx, "import", "--db", db4, "agents", d(f))
            con = sqlite3.connect(db4)
            got = con.execute("SELECT agent_id, team, hired_at FROM agents"
                              " ORDER BY agent_id").fetchall()
            con.close()
            want = [(a, t, utc_day(h) * 86400000) for a, t, h in rows]
            if got != want:
                raise Failure(f"{f}: the agents stored differ from the "
                              f"file's ({len(got)} rows)")
        print("ok  300 agents at once, stored as given, changed as given")

        # Self-service sessions re-imported: resolved flipped, another
        # topic, another day (session cells are counted again).
        def change_session(i, row):
            if i % 5:
                return False
            row["resolved"] = "false" if row["resolved"] in (
                "true", "1", "yes") else "true"
            row["topic"] = "topic-" + str(i % 3)
            return True
        rewrite(d("selfservice.csv"), d("selfservice2.csv"), change_session)
        run(cx, "import", "--db", db, "selfservice", d("selfservice2.csv"))
        check_all(cx, db, "sessions changed")

        # Customers moved to another segment.
        def move_customer(i, row):
            if i % 3:
                return False
            row["segment"] = "segment-" + str(i % 4)
            return True
        rewrite(d("customers.csv"), d("customers2.csv"), move_customer)
        run(cx, "import", "--db", db, "customers", d("customers2.csv"))
        check_all(cx, db, "customers moved")

        # One ticket changed and one added (single days recounted): a
        # ticket resolved much later, and one open across the period.
        with open(d("tickets2.csv"), newline="") as f:
            rows = list(csv.DictReader(f))
        one = dict(rows[100])
        one["resolved_at"] = "2026-01-15T10:00:00Z"
        one["agent_id"] = "someone.new"
        one["team"] = ""
        one["replies"] = "1"
        one["contacts"] = "3"
        new = dict(rows[100])
        new.update(ticket_id="NEWTICKET", created_at="2025-03-05T11:00:00Z",
                   first_response_at="2025-03-05T12:30:00.250Z",
                   resolved_at="", status="open", channel="fax",
                   replies="4")
        with open(d("tickets3.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()) +
                               ["replies"])
            w.writeheader()
            w.writerows([one, new])
        run(cx, "import", "--db", db, "tickets", d("tickets3.csv"))
        check_all(cx, db, "one ticket changed, one added")

        # Definitions: one_touch FCR follows the cells; exclusions,
        # calendars and repeat contacts need the rows; so do metrics
        # joining orders.
        run(cx, "definitions", "--db", db, "set", "fcr.rule", "one_touch",
            "--by", "test")
        check_all(cx, db, "fcr.rule one_touch", CASES[:8])
        for keys in (["fcr.rule", "repeat_contact"],
                     ["fcr.rule", "contacts", "exclude.status", "spam"],
                     ["exclude.status", "", "calendar.billing",
                      "tz=Europe/Helsinki; hours=mon-fri 09:00-17:00"]):
            run(cx, "definitions", "--db", db, "set", *keys, "--by", "test")
            check_all(cx, db, " ".join(keys), CASES[:4], want=ROWS)
        run(cx, "definitions", "--db", db, "set", "calendar.billing", "",
            "--by", "test")
        check_all(cx, db, "conversion_rate", CASES[:3],
                  metrics="created,conversion_rate", want=ROWS)
        check_all(cx, db, "definitions back", CASES[:3])

        # A damaged cell: read around (rows and a warning), counted again
        # by the next import (even one of another kind). Not of the first
        # day: the period starts inside it, whose events are read from
        # the rows and its backlog's steps from ticket_steps.
        con = sqlite3.connect(db)
        n = con.execute(
            "UPDATE ticket_cells SET resolved = resolved + 1 WHERE"
            " resolved > 0 AND day = (SELECT min(day) + 30 FROM"
            " ticket_cells WHERE cube = 0 AND resolved > 0)").rowcount
        con.commit()
        con.close()
        if n < 5:  # a cell of each cube
            raise Failure("no ticket cell damaged")
        p = report(cx, db, "month", None, None, [], "--explain")
        q = report(cx, db, "month", None, None, [], "--read", "rows")
        if p.stdout != q.stdout or "damaged" not in p.stderr or \
                tickets_path(p.stderr) != ROWS:
            raise Failure("a damaged ticket cell was not read around: "
                          f"{p.stderr.strip()!r}")
        run(cx, "import", "--db", db, "tickets", d("tickets3.csv"))
        check_all(cx, db, "damaged cell counted again", CASES[:6])
        # A damaged step (of a day before the period: the cells of the
        # period are sound) likewise.
        con = sqlite3.connect(db)
        n = con.execute(
            "UPDATE ticket_steps SET opened = opened + 1 WHERE cube = 1"
            " AND day < 20089").rowcount  # 2025-01-01
        con.commit()
        con.close()
        if n < 1:
            raise Failure("no backlog step damaged")
        p = report(cx, db, "week,team", "2025-01-01", "2025-04-01", [],
                   "--explain", metrics="backlog")
        q = report(cx, db, "week,team", "2025-01-01", "2025-04-01", [],
                   "--read", "rows", metrics="backlog")
        if p.stdout != q.stdout or "damaged" not in p.stderr or \
                tickets_path(p.stderr) != ROWS:
            raise Failure("a damaged backlog step was not read around: "
                          f"{p.stderr.strip()!r}")
        run(cx, "import", "--db", db, "tickets", d("tickets3.csv"))
        check_all(cx, db, "damaged step counted again", CASES[:6])
        con = sqlite3.connect(db)
        n = con.execute("UPDATE session_cells SET sessions = sessions + 1"
                        " WHERE day = (SELECT min(day) + 40 FROM"
                        " session_cells)").rowcount
        con.commit()
        con.close()
        if n < 2:
            raise Failure("no session cell damaged")
        p = report(cx, db, "month", None, None, [], "--explain",
                   metrics="selfservice_rate,deflection_rate")
        q = report(cx, db, "month", None, None, [], "--read", "rows",
                   metrics="selfservice_rate,deflection_rate")
        if p.stdout != q.stdout or "damaged" not in p.stderr:
            raise Failure("a damaged session cell was not read around: "
                          f"{p.stderr.strip()!r}")
        run(cx, "import", "--db", db, "selfservice", d("selfservice2.csv"))
        check_all(cx, db, "damaged session cell counted again", CASES[:6])

        # A store from before 0019 (its tables dropped, its version put
        # back) counts its cells at its upgrade, the next open.
        db3 = os.path.join(wd, "t3.db")
        shutil.copy(db, db3)
        con = sqlite3.connect(db3)
        for kind, name in con.execute(
                "SELECT type, name FROM sqlite_master WHERE name LIKE"
                " 'ticket_cells%' OR name LIKE 'session_%'"
                " OR name IN ('ticket_dirty', 'tickets_first_response')"
                " ORDER BY type = 'table'").fetchall():
            con.execute(f"DROP {kind} IF EXISTS {name}")
        # (and the migrations after it, which a store before 0019 lacks
        # too: its version is the largest recorded)
        con.execute("DELETE FROM cxm_schema WHERE version >= 19")
        con.commit()
        con.close()
        check_all(cx, db3, "store upgraded to 0019", CASES[:4])

        # A store of 0019's cubes (cube 3 was agent+team, its cells of
        # another layout: here, gone) counts its cells again at 0020.
        db4 = os.path.join(wd, "t4.db")
        shutil.copy(db, db4)
        con = sqlite3.connect(db4)
        con.execute("DELETE FROM ticket_cells WHERE cube = 3")
        con.execute("DELETE FROM cxm_schema WHERE version >= 20")
        con.commit()
        con.close()
        check_all(cx, db4, "store upgraded to 0020",
                  [c for c in CASES if len(c) == 6 and c[4] == CELLS])

        # A damaged week cell, a week sketch changed or gone: read around
        # (a period of whole UTC weeks reads them), counted again.
        for what, sql in (
                ("week cell", "UPDATE ticket_weeks SET created = created"
                 " + 1 WHERE cube = 1 AND day = 20129"),
                ("week sketch", "UPDATE ticket_week_sketches SET sketch ="
                 " sketch || x'00' WHERE cube = 1 AND day = 20129"),
                ("week sketch gone", "DELETE FROM ticket_week_sketches"
                 " WHERE cube = 1 AND kind = 0 AND day = 20129")):
            con = sqlite3.connect(db)
            n = con.execute(sql).rowcount  # day 20129: Monday 2025-02-10
            con.commit()
            con.close()
            if n < 1:
                raise Failure(f"no {what} damaged")
            p = report(cx, db, "week,team", "2025-01-06", "2025-04-07", [],
                       "--explain", metrics="created,art,backlog")
            q = report(cx, db, "week,team", "2025-01-06", "2025-04-07", [],
                       "--read", "rows", metrics="created,art,backlog")
            if p.stdout != q.stdout or "damaged" not in p.stderr or \
                    tickets_path(p.stderr) != ROWS:
                raise Failure(f"a damaged {what} was not read around: "
                              f"{p.stderr.strip()!r}")
            run(cx, "import", "--db", db, "tickets", d("tickets3.csv"))
            check_all(cx, db, f"damaged {what} counted again", CASES[:6])
        con = sqlite3.connect(db)
        weeks = con.execute("SELECT count(*) FROM ticket_weeks").fetchone()[0]
        con.close()
        if weeks < 100:
            raise Failure(f"only {weeks} week cells")

        # A store from before 0024 fills its steps from its cells at the
        # upgrade; a damaged cell's step reads as damaged.
        db5 = os.path.join(wd, "t5.db")
        shutil.copy(db, db5)
        con = sqlite3.connect(db5)
        con.execute("DROP TABLE ticket_steps")
        con.execute("DELETE FROM cxm_schema WHERE version >= 24")
        con.commit()
        con.close()
        check_all(cx, db5, "store upgraded to 0024", CASES[:6])
        con = sqlite3.connect(db5)
        con.execute("DROP TABLE ticket_steps")
        con.execute("DELETE FROM cxm_schema WHERE version >= 24")
        n = con.execute(
            "UPDATE ticket_cells SET art_sum = art_sum + 1 WHERE cube = 0"
            " AND opened <> closed AND day = (SELECT min(day) FROM"
            " ticket_cells WHERE cube = 0 AND opened <> closed)").rowcount
        con.commit()
        con.close()
        if n != 1:
            raise Failure("no ticket cell damaged before 0024")
        p = report(cx, db5, "month", "2025-06-01", "2025-09-01", [],
                   "--explain", metrics="backlog")
        q = report(cx, db5, "month", "2025-06-01", "2025-09-01", [],
                   "--read", "rows", metrics="backlog")
        if p.stdout != q.stdout or "damaged" not in p.stderr:
            raise Failure("the step of a cell damaged before 0024 was not"
                          f" read around: {p.stderr.strip()!r}")
        print("ok  store upgraded to 0024: steps from the cells")

        # A fresh store of the changed data agrees with the changed one.
        db2 = os.path.join(wd, "t2.db")
        for kind, f in (("agents", "agents3.csv"),
                        ("customers", "customers2.csv"),
                        ("tickets", "tickets2.csv"),
                        ("tickets", "tickets3.csv"),
                        ("orders", "orders.csv"),
                        ("selfservice", "selfservice2.csv"),
                        ("responses", "responses.csv")):
            run(cx, "import", "--db", db2, kind, d(f))
        for by in ("month,team", "agent", ""):
            x = json.loads(report(cx, db, by, None, None, []).stdout)
            y = json.loads(report(cx, db2, by, None, None, []).stdout)
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
