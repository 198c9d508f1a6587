#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_many_agents.py — a dimension of very many values (issue 12, item
10): 70,000 distinct agents, past the two-byte ids column segments had
(65,536 values), and past the point where a month's agent rollup cells
outnumber a quarter of its answers. `--read columns` either reads the
column segments or says on stderr why it read the rows; every read path
gives the figures of `--read rows`; changing an agent's team afterwards,
and adding answers, keeps them equal. No timing here (docs/performance.md
has the measurements)."""
import sys

import harness
from harness import test

AGENTS = 70_000
METRICS = "csat,csat_mean,nps,ces,ces_agree"


def many_agents_store(c):
    """Two answers per agent over three months (one in ten without a team:
    it takes its agent's, from agents.csv)."""
    rows = ["response_id,survey,responded_at,score,scale,agent_id,team,"
            "channel"]
    surveys = (("csat", "1-5", 1, 5), ("nps", "0-10", 0, 10),
               ("ces", "1-7", 1, 7))
    n = 2 * AGENTS
    for i in range(n):
        a = i // 2
        survey, scale, lo, hi = surveys[i % 3]
        month, day = 1 + (i * 3) // n, 1 + i % 28
        team = "" if a % 10 == 0 else f"team{a % 7}"
        rows.append(f"R{i},{survey},2026-{month:02d}-{day:02d}T"
                    f"{i % 24:02d}:{i % 60:02d}:00Z,"
                    f"{lo + (i * 7 + a) % (hi - lo + 1)},{scale},"
                    f"agent{a:05d},{team},{('web', 'chat', 'phone')[i % 3]}")
    c.write("responses.csv", "\n".join(rows) + "\n")
    agents = ["agent_id,team"] + [f"agent{a:05d},team{a % 5}"
                                  for a in range(0, AGENTS, 10)]
    c.write("agents.csv", "\n".join(agents) + "\n")
    r = c.import_("agents", "agents.csv")
    c.expect_rc(r, 0, "import agents")
    r = c.import_("responses", "responses.csv")
    c.expect_rc(r, 0, "import responses")
    c.expect_summary(r, n, 0)


def report(c, by, read):
    return c.run("report", "--db", c.db, "--format", "json", "--metrics",
                 METRICS, "--by", by, "--read", read, "--explain",
                 *harness.WIDE)


def path_of(r):
    lines = [ln for ln in r.err.splitlines() if "answers read from" in ln]
    return lines[-1].rsplit(": ", 1)[-1] if lines else None


def all_paths_agree(c, step, bys=("agent", "agent,month", "team",
                                  "team,channel,month")):
    for by in bys:
        truth = report(c, by, "rows")
        if not c.expect_rc(truth, 0, f"{step}: --by {by} --read rows"):
            continue
        c.check('"n": ' in truth.out, f"{step}: --by {by}: no figure")
        for read in ("columns", "auto"):
            r = report(c, by, read)
            what = f"{step}: --by {by} --read {read}"
            if not c.expect_rc(r, 0, what):
                continue
            c.check(r.out == truth.out, f"{what}: figures differ from "
                    "--read rows", r)
            if read == "columns":
                # Columns, or a warning that says why the rows served.
                c.check(path_of(r) == "columns" or
                        "--read columns: survey answers read from the "
                        "rows: " in r.err,
                        f"{what}: read the rows without saying why", r)


@test
def columns_serve_many_agents(c):
    many_agents_store(c)
    # One agent dimension of 70,000 values fits the column scan.
    r = report(c, "agent", "columns")
    c.expect_rc(r, 0, "--by agent --read columns")
    c.check(path_of(r) == "columns",
            "--by agent --read columns: not read from the columns", r)
    c.check(r.out.count('"agent": ') == AGENTS,
            f"--by agent: expected {AGENTS} rows", r)
    # agent × month would need more counters than the scan keeps: it says
    # so, with the sizes.
    r = report(c, "agent,month", "columns")
    if path_of(r) != "columns":
        c.check("70000 agents" in r.err,
                "--by agent,month --read columns: the warning does not "
                "name the agents", r)
    all_paths_agree(c, "after the import")


@test
def agent_changes_and_appends(c):
    """The months whose agent cells were not kept still follow an agent's
    team change (answers without a team take it) and added answers."""
    many_agents_store(c)
    agents = ["agent_id,team"] + [f"agent{a:05d},moved{a % 3}"
                                  for a in range(0, AGENTS, 20)]
    c.write("agents2.csv", "\n".join(agents) + "\n")
    c.expect_rc(c.import_("agents", "agents2.csv"), 0, "agents moved")
    all_paths_agree(c, "after agents moved",
                    bys=("team", "agent", "team,channel,month"))
    more = ["response_id,survey,responded_at,score,scale,agent_id,team"]
    more += [f"N{i},csat,2026-02-{1 + i % 28:02d}T10:00:00Z,{1 + i % 5},1-5,"
             f"agent{(i * 7) % AGENTS:05d},team{i % 7}" for i in range(500)]
    c.write("more.csv", "\n".join(more) + "\n")
    c.expect_rc(c.import_("responses", "more.csv"), 0, "answers added")
    all_paths_agree(c, "after answers were added",
                    bys=("team", "agent", "month"))


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
