#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tickets_pushdown.py — the PostgreSQL engine's ticket push-down.

The PostgreSQL engine hands the report the ticket events and the
self-service sessions by group (src/store/pg/store_pg_tickets.c: one
GROUP BY on the server, no ticket row streamed). This test imports the
same demo data into an SQLite store and a PostgreSQL one and requires,
for the ticket metrics by agent, team, channel, topic and segment, by
day, week and month in UTC, Asia/Kuala_Lumpur and Europe/Helsinki (a
change of offset), with the backlog, art and frt over groups of fewer and
of more than 4096 durations (the sketch's exact and bucket modes) and
the self-service rate by topic and segment:

  * that --explain on PostgreSQL says "tickets read from: postgresql
    push-down" (and "rows" with --read rows);
  * the same JSON, byte for byte, from SQLite, from PostgreSQL and from
    PostgreSQL --read rows;
  * then, with tickets written into PostgreSQL by hand that the import
    refuses or the demo data lacks (resolved before created, in and out of
    the period; created and resolved at once; only the first response in
    the period), the same JSON from the push-down and from --read rows
    (the statement's branches by kind of event: the closing of a ticket
    resolved before it was created is at created_at).

Usage: tickets_pushdown.py --cxmeter PATH --workdir DIR  (CXM_PG_DIR set)
"""

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pgdb  # noqa: E402

TICKETS = ("created,resolved,resolution_rate,fcr,backlog,art,frt,"
           "escalation_rate,complaints_per_1000")
PUSHED = "tickets read from: postgresql push-down"
ROWS = "tickets read from: rows"
Q = ["--from", "2026-08-02", "--to", "2026-10-31"]

# (metrics, --by, other flags)
CASES = [
    (TICKETS, None, []),
    (TICKETS, None, Q),
    (TICKETS + ",agent_productivity", "agent", Q),
    (TICKETS, "team", []),
    (TICKETS, "channel", ["--from", "2026-08-02T05:30:00Z",
                          "--to", "2026-10-30T17:00:00Z"]),
    (TICKETS, "topic", Q),
    (TICKETS, "segment", Q),
    (TICKETS, "day", Q),
    (TICKETS, "week,team", []),
    (TICKETS, "month,channel", []),
    (TICKETS, "day,agent", Q + ["--tz", "Asia/Kuala_Lumpur"]),
    (TICKETS, "week", ["--tz", "Asia/Kuala_Lumpur"]),
    (TICKETS, "month,topic", ["--tz", "Asia/Kuala_Lumpur"]),
    (TICKETS, "day,channel", ["--from", "2026-03-20", "--to", "2026-04-10",
                              "--tz", "Europe/Helsinki"]),
    (TICKETS, "week,segment", ["--tz", "Europe/Helsinki"]),
    (TICKETS, "month,team", ["--tz", "Europe/Helsinki"]),
    (TICKETS, "week,agent", Q + ["--tz", "Europe/Helsinki",
                                 "--compare", "previous"]),
    ("selfservice_rate,deflection_rate,created", "topic", Q),
    ("selfservice_rate,deflection_rate", "segment,month",
     ["--tz", "Europe/Helsinki"]),
    ("selfservice_rate", "topic,segment,week", ["--tz", "Asia/Kuala_Lumpur"]),
]


class Failure(Exception):
    pass


def run(cx, *args):
    p = subprocess.run([cx, *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise Failure(f"{' '.join(args)}: exit {p.returncode}\n{p.stderr}")
    return p


def report(cx, db, metrics, by, extra, *flags):
    args = ["report", "--db", db, "--metrics", metrics, "--format", "json",
            *extra, *flags]
    if by:
        args += ["--by", by]
    return run(cx, *args)


def ms(iso):
    return int(datetime.datetime.fromisoformat(iso).replace(
        tzinfo=datetime.timezone.utc).timestamp()) * 1000


# (ticket, created, first response, resolved): what the import refuses or
# the demo data lacks, around the period Q.
ODD = [
    ("ODD1", "2026-09-10T10:00", "2026-09-10T11:00", "2026-09-05T10:00"),
    ("ODD2", "2026-08-05T00:00", None, "2026-07-20T00:00"),
    ("ODD3", "2026-11-05T00:00", None, "2026-09-01T00:00"),
    ("ODD4", "2026-09-01T00:00", "2026-09-01T00:00", "2026-09-01T00:00"),
    ("ODD5", "2026-07-01T00:00", "2026-08-03T00:00", "2026-07-02T00:00"),
    ("ODD6", "2026-07-01T00:00", "2026-08-03T00:00", None),
    ("ODD7", "2026-10-20T00:00", "2026-10-21T00:00", "2026-08-20T00:00"),
]
ODD_CASES = [
    (TICKETS, "day", Q),
    (TICKETS + ",agent_productivity", "agent", Q),
    (TICKETS, "week,team", []),
    (TICKETS, "month", ["--tz", "Asia/Kuala_Lumpur"]),
]


def add_odd(pg):
    """Copies of a demo ticket with ODD's times, written by hand."""
    for tid, c, f, r in ODD:
        t = [str(ms(v)) if v else "NULL" for v in (c, f, r)]
        pgdb.psql(pg, "INSERT INTO tickets (workspace_id, ticket_id,"
                  " created_at, customer_id, agent_id, team, channel,"
                  " first_response_at, resolved_at, status, contacts,"
                  " reopened, escalated, complaint, topic, replies)"
                  f" SELECT workspace_id, '{tid}', {t[0]}, customer_id,"
                  f" agent_id, team, channel, {t[1]}, {t[2]}, status,"
                  " contacts, reopened, escalated, complaint, topic, replies"
                  " FROM tickets ORDER BY ticket_id LIMIT 1")


def odd_reports(cx, pg):
    add_odd(pg)
    for metrics, by, extra in ODD_CASES:
        what = f"--metrics {metrics} --by {by} {' '.join(extra)} (odd)"
        y = report(cx, pg, metrics, by, extra, "--explain")
        z = report(cx, pg, metrics, by, extra, "--read", "rows")
        if PUSHED not in y.stderr:
            raise Failure(f"{what}: not pushed down: {y.stderr!r}")
        if y.stdout != z.stdout:
            raise Failure(f"{what}: the push-down differs from the rows")
        print(f"ok  {what}")


def same_but_when(out):
    j = json.loads(out)
    j.get("definitions", {}).pop("set_at", None)
    return json.dumps(j, sort_keys=True)


def art_counts(out):
    """The art figures' n of every row of a report's JSON."""
    return [r["art"]["n"] for r in json.loads(out)["rows"]
            if isinstance(r.get("art"), dict) and r["art"].get("n")]


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
    sq = os.path.join(wd, "sqlite.db")
    try:
        pg = pgdb.new_dsn("tickets")
        run(cx, "demo-data", "--seed", "3", "--tickets", "6000", "--out",
            data)
        for kind in ("agents", "customers", "tickets", "selfservice"):
            for db in (sq, pg):
                run(cx, "import", "--db", db, kind,
                    os.path.join(data, kind + ".csv"))
        small = big = False
        for metrics, by, extra in CASES:
            what = f"--metrics {metrics} --by {by or '-'} {' '.join(extra)}"
            x = report(cx, sq, metrics, by, extra)
            y = report(cx, pg, metrics, by, extra, "--explain")
            z = report(cx, pg, metrics, by, extra, "--read", "rows",
                       "--explain")
            if PUSHED not in y.stderr:
                raise Failure(f"{what}: not pushed down: {y.stderr!r}")
            if ROWS not in z.stderr:
                raise Failure(f"{what}: --read rows did not read the rows:"
                              f" {z.stderr!r}")
            if same_but_when(x.stdout) != same_but_when(y.stdout):
                raise Failure(f"{what}: postgresql differs from sqlite")
            if y.stdout != z.stdout:
                raise Failure(f"{what}: the push-down differs from the rows")
            if '"n": ' not in x.stdout:
                raise Failure(f"{what}: no figure with data")
            n = art_counts(x.stdout)
            small = small or any(0 < k <= 4096 for k in n)
            big = big or any(k > 4096 for k in n)
            print(f"ok  {what}")
        if not (small and big):
            raise Failure("no art group of fewer and of more than 4096 "
                          f"durations (small {small}, big {big})")
        print(f"ok  {len(CASES)} reports pushed down, postgresql = sqlite"
              " = rows")
        odd_reports(cx, pg)
        print(f"ok  {len(ODD_CASES)} reports of odd tickets, push-down ="
              " rows")
    except (Failure, RuntimeError) as e:
        print(f"FAIL {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
