#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""where.py — a report filtered (--where DIM=VALUE) is the unfiltered
report's matching rows, byte for byte.

The dashboard's view filters (agent, team, channel, language, survey) go
into the report (struct cxm_report_query, where) so that the store reads
only the view's rows. This test imports generated data (every record
kind) into a SQLite store and into a store of a second engine (rowtest or
PostgreSQL), and for breakdowns crossing the filtered dimension with time
buckets (UTC and other zones), other dimensions, --compare and every
metric, checks on each engine and read path (SQLite: auto, which reads
the ticket cells, QA cells, rollups or columns, and --read rows) that:

  * the rows of the filtered report are the rows of the unfiltered one
    whose DIM is VALUE, their JSON text byte for byte, in order; the
    rest of the report (period, breakdown, definitions) the same;
  * a value no row has gives no row; "" keeps the rows without one;
  * without --metrics (every metric that has data), the metrics of the
    rows kept: those dropped have no figure in them;
  * the engines agree.

Python 3 standard library only.
Usage: where.py --cxmeter PATH --workdir DIR [--engine rowtest|pg]
"""

import argparse
import json
import os
import shutil
import sqlite3
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "rollups"))
sys.path.insert(0, os.path.join(HERE, "..", "pg"))
import pgdb  # noqa: E402
from run import Failure, run  # noqa: E402

DASH = "csat,fcr,art,frt,created,resolved,backlog,qa_score,nps,ces"
AGENT_PAGE = "csat,nps,ces,fcr,art,agent_productivity,qa_score,frt,backlog"
ALL = ""  # every metric that has data

# (filtered dimension, breakdown, from, to, metrics, extra)
CASES = [
    ("agent", "agent,day", "2025-03-01", "2025-06-01", DASH, []),
    ("agent", "agent", "2025-03-01", "2025-06-01", DASH,
     ["--compare", "previous"]),
    ("agent", "agent,week", "2025-01-01T06:30:00Z", "2025-04-01", DASH,
     ["--tz", "Asia/Kathmandu", "--compare", "previous"]),
    # The agent page's (docs/performance.md "Agent page cards at 10M"):
    # SQLite reads the agent's cells only, week cells and their sketches
    # included, their hours only, and counts only their answers.
    ("agent", "agent", "2025-03-03", "2025-06-02", AGENT_PAGE,
     ["--compare", "previous"]),
    ("agent", "agent,week", "2025-03-03", "2025-06-02", "csat,fcr,art",
     []),
    ("team", "team,day", "2025-02-01", "2025-03-01", DASH,
     ["--tz", "America/St_Johns"]),
    ("team", "team,agent", None, None, ALL, []),
    ("channel", "channel,month", None, None, DASH,
     ["--compare", "previous"]),
    ("channel", "channel", "2025-01-01", "2026-01-01", ALL, []),
    ("language", "language,month", None, None, DASH, []),
    ("language", "language", "2025-02-01", "2025-05-01", DASH,
     ["--compare", "previous"]),
    ("survey", "survey,day", "2025-02-01", "2025-02-15", DASH, []),
    ("survey", "survey,agent", None, None, DASH, []),
    ("topic", "topic,month", None, None, ALL, []),
    ("segment", "segment,quarter", None, None, ALL, []),
]
# Two filters at once, as the dashboard's views do.
PAIRS = [
    (("team", "agent"), "team,agent,day", "2025-03-01", "2025-04-01", DASH,
     []),
    (("channel", "language"), "channel,language,week", "2025-01-01",
     "2025-07-01", DASH, ["--compare", "previous", "--tz", "Europe/Helsinki"]),
]


def report(cx, db, by, frm, to, metrics, extra, where=(), flags=()):
    args = ["report", "--db", db, "--format", "json", "--by", by, *extra,
            *flags]
    if metrics:
        args += ["--metrics", metrics]
    for opt, v in (("--from", frm), ("--to", to)):
        if v:
            args += [opt, v]
    for dim, v in where:
        args += ["--where", f"{dim}={v}"]
    p = run(cx, *args)
    # A derived form read wrong looks damaged and sends the report to the
    # rows (the same figures): say so instead.
    if "damaged" in p.stderr:
        raise Failure(f"{' '.join(args)}: {p.stderr.strip()}")
    return p


def parsed(out):
    """The report with its numbers kept as their text (byte for byte), but
    when its definitions were set."""
    j = json.loads(out, parse_float=str, parse_int=str)
    j.get("definitions", {}).pop("set_at", None)
    return j


def values(rows, dims):
    """Values to filter on: the first, middle and last of the rows', ""
    when a row has it, and one no row has."""
    seen = sorted({tuple(r[d] for d in dims) for r in rows})
    picks = [seen[0], seen[len(seen) // 2], seen[-1]] if seen else []
    if len(dims) == 1:
        picks += [("",), ("no such value",)]
    return list(dict.fromkeys(picks))


def check_case(cx, db, dims, by, frm, to, metrics, extra, flags, what):
    full = parsed(report(cx, db, by, frm, to, metrics, extra,
                         flags=flags).stdout)
    rows = full["rows"]
    if not rows:
        raise Failure(f"{what}: no rows unfiltered")
    kept = 0
    for vals in values(rows, dims):
        where = list(zip(dims, vals))
        got = parsed(report(cx, db, by, frm, to, metrics, extra, where,
                            flags).stdout)
        want = [r for r in rows
                if all(r[d] == v for d, v in where)]
        if not metrics and got["rows"]:
            # Every metric with data: in the rows kept, those of the
            # others without a figure there drop out.
            gone = set(want[0]) - set(got["rows"][0])
            if any(r[k] is not None for r in want for k in gone):
                raise Failure(f"{what} --where {where}: a metric with "
                              f"data dropped ({sorted(gone)})")
            want = [{k: v for k, v in r.items() if k not in gone}
                    for r in want]
        if got["rows"] != want:
            raise Failure(f"{what} --where {where}: {len(got['rows'])} rows,"
                          f" not the {len(want)} matching ones (or other "
                          f"figures)")
        rest = {k: v for k, v in got.items() if k != "rows"}
        if rest != {k: v for k, v in full.items() if k != "rows"}:
            raise Failure(f"{what} --where {where}: the report around the "
                          "rows differs")
        kept += len(want)
    if not kept:
        raise Failure(f"{what}: no filter kept a row")
    return full


def has_index(db, name):
    con = sqlite3.connect(db)
    n = con.execute("SELECT count(*) FROM sqlite_master WHERE type ="
                    " 'index' AND name = ?", (name,)).fetchone()[0]
    con.close()
    return n == 1


def upgrade_0026(cx, sq, old):
    """A store from before 0026 (its index dropped, its version put back)
    gets qa_cells_agent at the next open, and the agent's QA cells read
    through it are the figures read before."""
    if not has_index(sq, "qa_cells_agent"):
        raise Failure("a new store has no qa_cells_agent (0026)")
    shutil.copy(sq, old)
    con = sqlite3.connect(old)
    con.execute("DROP INDEX qa_cells_agent")
    con.execute("DELETE FROM cxm_schema WHERE version >= 26")
    con.commit()
    con.close()
    args = ("agent", "2025-03-03", "2025-06-02", AGENT_PAGE,
            ["--compare", "previous"])
    want = report(cx, sq, *args, where=[("agent", "leo.makinen")]).stdout
    got = report(cx, old, *args, where=[("agent", "leo.makinen")]).stdout
    if not has_index(old, "qa_cells_agent"):
        raise Failure("a store upgraded to 0026 has no qa_cells_agent")
    if got != want:
        raise Failure("a store upgraded to 0026: other figures")
    print("ok  store upgraded to 0026: qa_cells_agent, the same figures")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cxmeter", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--engine", default="rowtest",
                    help="the other engine: rowtest (default) or pg")
    a = ap.parse_args()
    cx = os.path.abspath(a.cxmeter)
    wd = a.workdir
    shutil.rmtree(wd, ignore_errors=True)
    os.makedirs(wd)
    data = os.path.join(wd, "data")
    sq = os.path.join(wd, "sqlite.db")
    other = pgdb.dsn_for(a.engine, os.path.join(wd, "other.db"), "where")
    try:
        run(cx, "demo-data", "--seed", "11", "--tickets", "3000", "--out",
            data)
        for kind in ("responses", "tickets", "agents", "customers",
                     "orders", "selfservice", "agent_hours", "reviews",
                     "qa_scores"):
            for db in (sq, other):
                run(cx, "import", "--db", db, kind,
                    os.path.join(data, kind + ".csv"))
        # The SQLite store serves these from its derived forms: check.
        ex = run(cx, "report", "--db", sq, "--by", "agent,day", "--metrics",
                 "csat,fcr,art,qa_score", "--from", "2025-03-01", "--to",
                 "2025-06-01", "--where", "agent=" + "x", "--explain")
        for path in ("tickets read from: ticket cells",
                     "QA scores read from: QA cells",
                     "survey answers read from: columns"):
            if path not in ex.stderr:
                raise Failure(f"--explain: not {path!r}: {ex.stderr!r}")
        # The agent page's cards: the agent's month cells and the columns
        # of the period's ends (store_sqlite_answers.c, agent_answers()).
        ex = run(cx, "report", "--db", sq, "--by", "agent", "--metrics",
                 AGENT_PAGE, "--from", "2025-03-03", "--to", "2025-06-02",
                 "--compare", "previous", "--where", "agent=x", "--explain")
        path = ("survey answers read from: rollups (months, and the "
                "columns of the rest)")
        if path not in ex.stderr:
            raise Failure(f"--explain: not {path!r}: {ex.stderr!r}")
        n = 0
        cases = [((d,), *rest) for d, *rest in CASES] + PAIRS
        for dims, by, frm, to, metrics, extra in cases:
            what = f"--by {by} {frm or ''}..{to or ''} {' '.join(extra)}"
            base = None
            for db, flags, name in ((sq, (), "sqlite"),
                                    (sq, ("--read", "rows"), "sqlite rows"),
                                    (other, (), a.engine)):
                full = check_case(cx, db, dims, by, frm, to, metrics, extra,
                                  flags, f"{name}: {what}")
                if base is None:
                    base = full
                elif full != base:
                    raise Failure(f"{name}: {what}: not sqlite's report")
                n += 1
            print(f"ok  {what}: filtered by {','.join(dims)} on sqlite, "
                  f"--read rows and {a.engine}")
        print(f"ok  {n} reports: filtered rows = the matching rows")
        upgrade_0026(cx, sq, os.path.join(wd, "before-0026.db"))
    except Failure as e:
        print(f"FAIL {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
