#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""engines.py — a second engine, rows only, gives the SQLite engine's figures.

The row-only test engine (src/store/rowtest/, DSN `rowtest:PATH`) keeps no
rollups and no column segments and answers survey answers by group with
one SQL GROUP BY, and no ticket cells (ticket_groups NULL: the ticket
rows). This test imports the same generated data (all nine record kinds,
then answers changed and added, tickets resolved, reopened and moved) into
a store of each engine
and requires every report to be the same JSON (but for the instant the
definitions were set): the breakdowns and periods of tests/rollups/run.py
(rollup cells, column segments and rows on the SQLite side), every
metric, other zones, --compare, and the definitions the derived forms
cannot follow (exclusions, ticket-assignee attribution) as well as those
they can. The test engine names the rows as its path and leaves no
segment file.

With --engine pg the second store is the PostgreSQL engine's, a database
of its own on the tests' private cluster (tests/pg/pgdb.py, CXM_PG_DIR),
which names its path "postgresql push-down".

Python 3 standard library only.
Usage: engines.py --cxmeter PATH --workdir DIR [--engine rowtest|pg]
"""

import argparse
import csv
import io
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "rollups"))
sys.path.insert(0, os.path.join(HERE, "..", "pg"))
import pgdb  # noqa: E402
# The rollup test's breakdowns, and its way of running the program.
from run import CASES, Failure, run  # noqa: E402

# Breakdowns of the other kinds' dimensions, other zones (half- and
# quarter-hour offsets), --compare.
EXTRA = [
    ("month,segment", None, None, []),
    ("quarter,team", None, None, ["--compare", "previous"]),
    ("week", "2025-03-01", "2025-06-01", ["--tz", "America/St_Johns"]),
    ("source,language", None, None, []),
    ("day", "2025-01-01T06:30:00Z", "2025-01-20", ["--tz", "Asia/Kathmandu"]),
]

DEFINITIONS = [
    ("SPEC", []),
    ("points", ["csat.satisfied", "5", "ces.agree", "6,7"]),
    ("assignee", ["rating.agent", "ticket_assignee"]),
    ("exclusions", ["rating.agent", "response", "exclude.status",
                    "spam,closed", "exclude.tags", "vip"]),
]


def report(cx, db, by, frm, to, extra, *flags):
    args = ["report", "--db", db, "--format", "json", *extra, *flags]
    for opt, v in (("--by", by), ("--from", frm), ("--to", to)):
        if v:
            args += [opt, v]
    return run(cx, *args)


def same_but_when(out):
    """The report's JSON but when its definitions were set (each store set
    them at its own instant)."""
    j = json.loads(out)
    j.get("definitions", {}).pop("set_at", None)
    return j


def cells_follow(cx, sq, pg, d, step, by, wd):
    """A change imported into both stores (`step`: kind, rows of CSV):
    the PostgreSQL engine's answer cells must change its report --by `by`
    exactly as the SQLite engine's figures change, and still answer it
    (no dirty day left), and its rows (--read rows) must agree."""
    before = report(cx, pg, by, None, None, [], "--explain")
    kind, text = step
    path = os.path.join(wd, "step-%s.csv" % kind)
    with open(path, "w", newline="") as f:
        f.write(text)
    for db in (sq, pg):
        run(cx, "import", "--db", db, kind, path)
    x = report(cx, sq, by, None, None, [])
    y = report(cx, pg, by, None, None, [], "--explain")
    z = report(cx, pg, by, None, None, ["--read", "rows"])
    what = f"after {kind} changed, --by {by}"
    if "answers read from: rollups (" not in y.stderr:
        raise Failure(f"{what}: the pg engine did not read its cells: "
                      f"{y.stderr.strip()!r}")
    if same_but_when(x.stdout) != same_but_when(y.stdout):
        raise Failure(f"{what}: the pg cells differ from sqlite")
    if same_but_when(z.stdout) != same_but_when(y.stdout):
        raise Failure(f"{what}: the pg cells differ from the pg rows")
    if same_but_when(before.stdout) == same_but_when(y.stdout):
        raise Failure(f"{what}: no figure changed (the test changes none)")
    print(f"ok  pg cells follow a change of {kind} (--by {by})")


def cells_changes(cx, sq, pg, d, wd):
    """Tickets imported after their answers (another channel), an agent
    moved to another team, an answer added: the cells follow each."""
    with open(d("tickets.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    with open(d("responses.csv"), newline="") as f:
        answered = {r["ticket_id"] for r in csv.DictReader(f)
                    if r["ticket_id"] and r["score"]}
    moved = [r for r in rows if r["ticket_id"] in answered][:40]
    for r in moved:
        r["channel"] = "carrier-pigeon"
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0].keys()))
    w.writeheader()
    w.writerows(moved)
    cells_follow(cx, sq, pg, d, ("tickets", buf.getvalue()), "channel", wd)
    # An agent who lends the team: an answer and its ticket without one.
    with open(d("tickets2.csv"), newline="") as f:
        tickets = {r["ticket_id"]: r for r in csv.DictReader(f)}
    with open(d("responses.csv"), newline="") as f:
        agent = next({"agent_id": r["agent_id"] or t["agent_id"]}
                     for r in csv.DictReader(f)
                     for t in [tickets.get(r["ticket_id"])] if t
                     if r["score"] and not r["team"] and not t["team"]
                     and (r["agent_id"] or t["agent_id"]))
    cells_follow(cx, sq, pg, d, (
        "agents", "agent_id,team\n%s,moved-team\n" % agent["agent_id"]),
        "agent,team", wd)
    cells_follow(cx, sq, pg, d, (
        "responses", "response_id,survey,responded_at,score,scale,agent_id,"
        "team,channel\nONE1,csat,2025-04-10T08:00:00Z,2,1-5,%s,,web\n"
        % agent["agent_id"]), "team,channel", wd)


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
    rt_path = os.path.join(wd, "rowtest.db")
    rt = pgdb.dsn_for(a.engine, rt_path, "engines")
    # The PostgreSQL engine answers from its answer cells (sql/0003) what
    # they keep, and pushes the rest down.
    paths = (("rollups (days)", "rollups (months)", "postgresql push-down")
             if a.engine == "pg" else ("rows",))
    path = " or ".join(paths)
    seen = set()
    d = lambda k: os.path.join(data, k)  # noqa: E731
    try:
        run(cx, "demo-data", "--seed", "7", "--tickets", "3000", "--out",
            data)
        # Answers re-imported with another score, and added.
        with open(d("responses.csv"), newline="") as f:
            rows = list(csv.DictReader(f))
        fields = list(rows[0].keys())
        for i, r in enumerate(rows):
            if i % 9 == 0 and r["score"]:
                s = int(r["score"])
                r["score"] = str(s - 1 if s > 1 else s + 1)
        with open(d("responses2.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=fields)
            w.writeheader()
            w.writerows(rows)
        with open(d("responses_new.csv"), "w", newline="") as f:
            f.write("response_id,survey,responded_at,score,scale,agent_id,"
                    "team,channel,language\n"
                    "NEW1,csat,2025-03-10T08:00:00Z,9,1-10,newbie,"
                    "night-shift,fax,fi\n"
                    "NEW2,nps,2025-06-01T23:59:59Z,10,,newbie,,,vi\n"
                    "NEW3,custom,2025-06-02T10:00:00Z,3,1-5,,,,\n"
                    "NEW4,csat,2025-03-12T08:00:00Z,,,newbie,,,\n")
        # Tickets re-imported: resolved later, reopened, handed to
        # another agent (the team then the agent's), moved to another
        # channel (the SQLite engine recounts its ticket cells).
        with open(d("tickets.csv"), newline="") as f:
            rows = list(csv.DictReader(f))
        tfields = list(rows[0].keys())
        agents = sorted({r["agent_id"] for r in rows if r["agent_id"]})
        for i, r in enumerate(rows):
            k = i % 7
            if k == 0 and not r["resolved_at"] and \
                    r["created_at"] < "2026-10-29":
                r["resolved_at"] = "2026-10-30T12:00:00Z"
            elif k == 1 and r["resolved_at"]:
                r["resolved_at"] = ""
                r["reopened"] = "true"
            elif k == 2:
                r["agent_id"] = agents[i % len(agents)]
                r["team"] = ""
            elif k == 3:
                r["channel"] = "chat" if r["channel"] != "chat" else "email"
        with open(d("tickets2.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=tfields)
            w.writeheader()
            w.writerows(rows)
        imports = [(k, k + ".csv") for k in (
            "responses", "tickets", "agents", "customers", "orders",
            "selfservice", "agent_hours", "reviews", "qa_scores")]
        imports += [("responses", "responses2.csv"),
                    ("responses", "responses_new.csv"),
                    ("tickets", "tickets2.csv")]
        for kind, f in imports:
            for db in (sq, rt):
                run(cx, "import", "--db", db, kind, d(f))
        if a.engine == "pg":
            cells_changes(cx, sq, rt, d, wd)
        if os.path.exists(rt_path + "-cols"):
            raise Failure("the test engine wrote a column segment file")

        # cxmeter comments: the same list from both engines under every
        # filter (the channel the answer's, else its ticket's; the
        # language in any case), and each kept comment has it. Each
        # engine filters in its own query (the library keeps what it gets).
        filters = ([], ["--channel", "chat"], ["--channel", "phone"],
                   ["--language", "fi"], ["--language", "VI"],
                   ["--channel", "email", "--language", "en"],
                   ["--survey", "nps", "--channel", "web"],
                   ["--team", "billing", "--channel", "social"])
        for flags in filters:
            x, y = (json.loads(run(cx, "comments", "--db", db, "--format",
                                   "json", *flags).stdout)["comments"]
                    for db in (sq, rt))
            if x != y:
                raise Failure(f"comments {flags}: the engines differ "
                              f"({len(x)} and {len(y)} comments)")
            if not x:
                raise Failure(f"comments {flags}: none")
            for k, v in zip(flags[::2], flags[1::2]):
                k = k[2:]
                if any((c[k] or "").lower() != v.lower() for c in x):
                    raise Failure(f"comments {flags}: another {k} kept")
        # By agent (SQLite: from the indexes of an agent, merged newest
        # first) and with --limit (pushed into each engine's statement):
        # the unfiltered list's comments of that agent, its first N.
        every = json.loads(run(cx, "comments", "--db", sq, "--format",
                               "json").stdout)["comments"]
        names = sorted({c["agent_id"] for c in every if c["agent_id"]})
        if len(names) < 3:
            raise Failure(f"comments: agents {names}")
        picks = [names[0], names[len(names) // 2], names[-1], "nobody"]
        for flags, want in (
                [(["--limit", "5"], every[:5])] +
                [(["--agent", n] + lim, [c for c in every
                                         if c["agent_id"] == n][:k])
                 for n in picks
                 for lim, k in (([], None), (["--limit", "3"], 3))] +
                [(["--agent", names[0], "--from", every[-1]["responded_at"],
                   "--to", every[0]["responded_at"]],
                  [c for c in every if c["agent_id"] == names[0] and
                   every[-1]["responded_at"] <= c["responded_at"] <
                   every[0]["responded_at"]])]):
            for db in (sq, rt):
                got = json.loads(run(cx, "comments", "--db", db, "--format",
                                     "json", *flags).stdout)["comments"]
                if got != want:
                    raise Failure(f"comments {flags} on {db}: {len(got)} "
                                  f"comments, not the unfiltered list's "
                                  f"{len(want)}")
        if a.engine != "pg":
            print(f"ok  comments alike, {a.engine} = sqlite, by each "
                  "filter, by agent and with --limit")

        cases = [c[:4] for c in CASES] + EXTRA
        n = 0
        for name, keys in DEFINITIONS:
            if keys:
                for db in (sq, rt):
                    run(cx, "definitions", "--db", db, "set", *keys,
                        "--by", "test")
            failures = []
            for by, frm, to, extra in cases:
                x = report(cx, sq, by, frm, to, extra)
                y = report(cx, rt, by, frm, to, extra, "--explain")
                what = f"{name}: --by {by or '-'} {frm or ''}..{to or ''}"
                if same_but_when(x.stdout) != same_but_when(y.stdout):
                    failures.append(f"{what} {extra}: the engines differ")
                if '"n": ' not in x.stdout:
                    failures.append(f"{what} {extra}: no figure with data")
                seen.update(p for p in paths
                            if f"answers read from: {p}" in y.stderr)
                if (not any(f"answers read from: {p}" in y.stderr
                            for p in paths) and
                        "answers read from: none" not in y.stderr):
                    failures.append(f"{what}: the {a.engine} engine did not"
                                    f" read by {path}: {y.stderr.strip()!r}")
                n += 1
            if failures:
                raise Failure("\n".join(failures))
            print(f"ok  {name}: {len(cases)} reports, {a.engine} = sqlite")
        if len(seen) != len(paths):
            raise Failure(f"the {a.engine} engine read by {sorted(seen)}"
                          f" only, never by all of {paths}")
        print(f"ok  {n} reports alike ({a.engine}: by {path})")
    except Failure as e:
        print(f"FAIL {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
