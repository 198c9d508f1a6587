#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""qa_period.py — the QA score of a period, read through the period's
scores only (CXM__Q_QA, named_sql.h; migration 0022), against every score
computed again here.

A score counts at coalesce(reviewed_at, its ticket's resolved_at, its
created_at) (SPEC §2): the store reads the scores reviewed in [from, to)
through qa_reviewed and the unreviewed ones through their tickets' times.
The data puts scores with and without reviewed_at, and tickets resolved,
unresolved and missing, on both sides of each period's edges (at the edge,
one second before), then imports the tickets again with new times, teams
and agents, and some scores again with new reviewed_at (or none): a score
the bounded read missed, counted twice, or found by its ticket's old time
makes a count differ. For each period and breakdown (none, agent, team,
channel, topic, segment; --compare previous) the report's n must equal the
count here and its value the mean here (to 1e-5: printed to 6 places).

Exit 0 when everything agrees, 1 on mismatches, 2 when something could not
be run. Python stdlib only.
"""

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DAY = 86400
EDGES = ["2025-04-01", "2025-07-01", "2025-10-01"]
PERIODS = [("2025-04-01", "2025-07-01"), ("2025-07-01", "2025-10-01"),
           ("2025-01-01", "2026-01-01"), ("2025-06-30", "2025-07-02")]
DIMS = [None, "agent", "team", "channel", "topic", "segment"]
AGENTS = {"A1": "billing", "A2": "billing", "A3": "tech", "A4": ""}
SEGMENTS = ["smb", "enterprise", ""]


def ts(sec):
    return dt.datetime.fromtimestamp(sec, dt.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def sec(day):
    return int(dt.datetime.fromisoformat(day + "T00:00:00+00:00")
               .timestamp())


def instants():
    """Times on and around each edge, and some in between."""
    out = []
    for e in EDGES:
        s = sec(e)
        out += [s, s - 1, s + 1, s - DAY, s + 3 * DAY]
    out += [sec("2025-02-10") + 3600 * k for k in range(3)]
    return out


def gen_tickets(round_):
    """Round 0, then round 1: the same ids with other times, agents and
    teams (an import replaces a ticket whole)."""
    at = instants()
    rows = []
    for i in range(60):
        created = at[(i * 7 + round_ * 3) % len(at)] - (i % 3) * DAY
        res = at[(i * 5 + round_ * 11) % len(at)]
        resolved = "" if (i + round_) % 4 == 0 else ts(max(res, created))
        agent = "A%d" % (1 + (i + round_) % 4)
        team = "" if i % 3 == 0 else ("tech", "billing")[(i + round_) % 2]
        rows.append(["T%03d" % i, ts(created), resolved, agent, team,
                     ("email", "chat", "phone")[i % 3],
                     ("refund", "login", "")[(i + round_) % 3],
                     "C%d" % (i % 5)])
    return rows


def gen_qa(round_):
    """Scores of tickets T000..T059 and of tickets not in tickets.csv;
    round 1 re-imports some keys with another reviewed_at or none."""
    at = instants()
    rows = []
    for i in range(60 + 6):
        tid = "T%03d" % i if i < 60 else "X%03d" % i
        for r in range(1 + i % 3):
            if round_ and (i + r) % 2:
                continue
            k = i * 3 + r + round_ * 5
            reviewed = "" if k % 3 == 0 else ts(at[k % len(at)])
            mx = ("", "100", "5", "10")[k % 4]
            top = {"": 100, "100": 100, "5": 5, "10": 10}[mx]
            rows.append([tid, "R%d" % r, str((k * 7) % (top + 1)), mx,
                         reviewed])
    return rows


def write(path, head, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(head)
        w.writerows(rows)


def parse_s(text):
    return None if not text else int(
        dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


class Model:
    """The stored rows, as the imports leave them (the last row of a key
    wins), and the QA figures computed from them."""

    def __init__(self):
        self.tickets, self.qa = {}, {}

    def put_tickets(self, rows):
        for r in rows:
            self.tickets[r[0]] = r

    def put_qa(self, rows):
        for r in rows:
            self.qa[(r[0], r[1])] = r

    def points(self):
        """(time s, pct, dims) of every score whose time is known."""
        for (tid, _), q in self.qa.items():
            t = self.tickets.get(tid)
            when = parse_s(q[4])
            if when is None and t:
                when = parse_s(t[2]) if t[2] else parse_s(t[1])
            if when is None:
                continue
            mx = float(q[3]) if q[3] else 100.0
            dims = {"agent": "", "team": "", "channel": "", "topic": "",
                    "segment": ""}
            if t:
                seg = SEGMENTS[int(t[7][1:]) % 3]
                dims = {"agent": t[3], "team": t[4] or AGENTS[t[3]],
                        "channel": t[5], "topic": t[6], "segment": seg}
            yield when, 100.0 * float(q[2]) / mx, dims

    def groups(self, f, t, dim):
        out = {}
        for when, pct, dims in self.points():
            if f <= when < t:
                out.setdefault(dims[dim] if dim else "", []).append(pct)
        return out


def run_imports(a, db, data, tickets, qa):
    write(os.path.join(data, "tickets.csv"),
          ["ticket_id", "created_at", "resolved_at", "agent_id", "team",
           "channel", "topic", "customer_id"], tickets)
    write(os.path.join(data, "qa_scores.csv"),
          ["ticket_id", "reviewer", "score", "max_score", "reviewed_at"], qa)
    for kind in ("tickets", "qa_scores"):
        subprocess.run([a.cxmeter, "import", "--quiet", "--db", db, kind,
                        os.path.join(data, kind + ".csv")], check=True)


def label(row, dim):
    return (row.get(dim) or "") if dim else ""


def report(a, db, f, t, dim):
    cmd = [a.cxmeter, "report", "--db", db, "--metrics", "qa_score",
           "--from", f, "--to", t, "--compare", "previous", "--format",
           "json"]
    if dim:
        cmd += ["--by", dim]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:
        sys.exit("%s: exit %d\n%s" % (" ".join(cmd), p.returncode,
                                       p.stderr[-2000:]))
    return json.loads(p.stdout)


def check(a, db, model, phase, problems):
    checked = 0
    for f, t in PERIODS:
        fs, ts_ = sec(f), sec(t)
        for dim in DIMS:
            got = report(a, db, f, t, dim)
            want = model.groups(fs, ts_, dim)
            pf, pt = (parse_s(got["compare"][k]) for k in ("from", "to"))
            prev = model.groups(pf, pt, dim)
            seen = set()
            for row in got["rows"]:
                key = label(row, dim)
                seen.add(key)
                m = row.get("qa_score") or {}
                for name, xs, fig in (("current", want.get(key, []), m),
                                      ("previous", prev.get(key, []),
                                       m.get("previous") or {})):
                    n = fig.get("n") or 0
                    where = "%s %s..%s by %s [%s] %s" % (
                        phase, f, t, dim, key, name)
                    checked += 1
                    if n != len(xs):
                        problems.append("%s: n %d, want %d" % (
                            where, n, len(xs)))
                    elif xs and abs(fig["value"] - sum(xs) / len(xs)) > 1e-5:
                        problems.append("%s: value %r, want %r" % (
                            where, fig["value"], sum(xs) / len(xs)))
            for key in want:
                if key not in seen:
                    problems.append("%s %s..%s by %s: no row [%s]" % (
                        phase, f, t, dim, key))
    return checked


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cxmeter", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--engine")
    a = ap.parse_args()
    if not os.access(a.cxmeter, os.X_OK):
        print("not executable: %s" % a.cxmeter, file=sys.stderr)
        return 2
    shutil.rmtree(a.workdir, ignore_errors=True)
    data = os.path.join(a.workdir, "data")
    os.makedirs(data)
    db = os.path.join(a.workdir, "cxmeter.db")
    if a.engine:
        sys.path.insert(0, os.path.join(HERE, "..", "pg"))
        import pgdb  # noqa: E402 (tests/pg: a database of its own)
        db = pgdb.dsn_for(a.engine, db, "qaperiod")
    write(os.path.join(data, "agents.csv"), ["agent_id", "team"],
          [[k, v] for k, v in AGENTS.items()])
    write(os.path.join(data, "customers.csv"),
          ["customer_id", "acquired_at", "segment"],
          [["C%d" % i, "2024-01-01T00:00:00Z", SEGMENTS[i % 3]] for i in range(5)])
    for kind in ("agents", "customers"):
        subprocess.run([a.cxmeter, "import", "--quiet", "--db", db, kind,
                        os.path.join(data, kind + ".csv")], check=True)
    model, problems, checked = Model(), [], 0
    for round_ in (0, 1):
        tickets, qa = gen_tickets(round_), gen_qa(round_)
        run_imports(a, db, data, tickets, qa)
        model.put_tickets(tickets)
        model.put_qa(qa)
        checked += check(a, db, model, "round %d" % round_, problems)
    for p in problems[:40]:
        print(p)
    if problems:
        print("%d of %d figures differ" % (len(problems), checked))
        return 1
    print("qa_period: %d figures agree" % checked)
    return 0


if __name__ == "__main__":
    sys.exit(main())
