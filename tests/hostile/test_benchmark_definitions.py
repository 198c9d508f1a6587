#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_benchmark_definitions.py — reference figures and definitions that
cannot be what they claim (issue 12, item 11): a benchmark outside the
range its metric's figure can take, an empty label, a definition whose
scores lie on no scale of the answers it applies to. Each is refused with
the reason, and nothing is stored; negative values need no `--`; `benchmark
list` and `benchmark remove` exist.
"""
import json
import os
import sys

import harness
from harness import test, WIDE


def bench(c, *args):
    return c.run("benchmark", "--db", c.db, *args)


def listed(c):
    r = bench(c, "list")
    c.expect_rc(r, 0, "benchmark list")
    return [line.split() for line in r.out.splitlines()
            if line and not line.startswith("no benchmark")]


@test
def out_of_range_benchmarks_are_refused(c):
    cases = [("csat", "500"), ("csat", "-1"), ("csat", "100.5"),
             ("nps", "-101"), ("nps", "150"), ("ces_agree", "101"),
             ("churn", "-3"), ("fcr", "200"), ("art", "-5"),
             ("frt", "-0.5"), ("created", "-1"), ("backlog", "-10"),
             ("complaints_per_1000", "-1"), ("review_rating", "0"),
             ("review_rating", "6"), ("qa_score", "120"), ("ces", "8"),
             ("ces", "0"), ("csat_mean", "5.5"), ("csat_mean", "0"),
             ("agent_turnover", "-1")]
    for metric, value in cases:
        r = bench(c, "set", metric, value, "--label", "x")
        c.expect_rc(r, 2, f"benchmark set {metric} {value}")
        c.check("out of range" in r.err and metric in r.err,
                f"{metric} {value}: the reason does not say out of range", r)
    c.check(not c.store_exists(),
            "a refused benchmark created the store")
    for value in ("nan", "inf", "-inf", "1e999", "80%", ""):
        r = bench(c, "set", "csat", value, "--label", "x")
        c.expect_rc(r, 2, f"benchmark set csat '{value}'")


@test
def in_range_and_negative_benchmarks_are_stored(c):
    for metric, value in (("nps", "-20"), ("nps", "-100"), ("csat", "0"),
                          ("csat", "100"), ("ces", "5.5"), ("art", "0"),
                          ("revenue", "-50"), ("agent_turnover", "130"),
                          ("review_rating", "4.2")):
        r = bench(c, "set", metric, value, "--label", "peer")
        c.expect_rc(r, 0, f"benchmark set {metric} {value}")
    rows = listed(c)
    c.check(len(rows) == 9, f"expected 9 benchmarks listed, got {rows}")
    c.check(["nps", "-20"] == rows[0][:2],
            f"the first listed is not nps -20: {rows[:1]}")
    # the report compares with the latest benchmark of each metric
    c.write("r.csv", "response_id,survey,responded_at,score\n"
            "R1,nps,2026-01-05T10:00:00Z,10\n")
    c.expect_rc(c.import_("responses", "r.csv"), 0, "import")
    f = c.figure("nps")
    b = (f or {}).get("benchmark") if isinstance(f, dict) else None
    c.check(b and b.get("value") == -100 and b.get("gap") == 200,
            f"nps benchmark in the report: {b}")


@test
def ranges_follow_the_stored_scales(c):
    # CES answers on 1-5 only: a CES mean of 6 cannot be
    c.write("r.csv", "response_id,survey,responded_at,score,scale\n"
            "E1,ces,2026-01-05T10:00:00Z,4,1-5\n"
            "C1,csat,2026-01-05T10:00:00Z,9,1-10\n")
    c.expect_rc(c.import_("responses", "r.csv"), 0, "import")
    r = bench(c, "set", "ces", "6", "--label", "x")
    c.expect_rc(r, 2, "ces 6 with answers on 1-5")
    c.check("1 to 5" in r.err, "the range is not the stored scale's", r)
    r = bench(c, "set", "csat_mean", "8", "--label", "x")
    c.expect_rc(r, 0, "csat_mean 8 with answers on 1-10")


@test
def labels(c):
    r = bench(c, "set", "csat", "80", "--label", "")
    c.expect_rc(r, 2, "empty label")
    c.check("--label" in r.err and "empty" in r.err,
            "the empty label is not named", r)
    r = bench(c, "set", "csat", "80")
    c.expect_rc(r, 2, "no label")
    c.check("--label" in r.err, "the missing label is not named", r)
    r = bench(c, "remove", "csat", "--label", "")
    c.expect_rc(r, 2, "remove with an empty label")
    c.check(not c.store_exists(), "a refused command created the store")


@test
def list_and_remove(c):
    r = bench(c, "list")
    c.expect_rc(r, 3, "list without a store")
    for args in (("csat", "80", "industry"), ("csat", "85", "peers"),
                 ("nps", "30", "industry")):
        c.expect_rc(bench(c, "set", args[0], args[1], "--label", args[2]),
                    0, "set " + " ".join(args))
    r = bench(c, "list")
    c.check("csat" in r.out and "industry" in r.out and "peers" in r.out
            and "nps" in r.out, "list does not show every benchmark", r)
    r = bench(c, "remove", "csat", "--label", "peers")
    c.expect_rc(r, 0, "remove csat --label peers")
    c.check("removed 1" in r.out, "remove does not say how many", r)
    r = bench(c, "remove", "csat", "--label", "peers")
    c.expect_rc(r, 1, "remove what is not there")
    c.check("no benchmark of csat" in r.err, "nothing-to-remove not named", r)
    # the report now compares csat with the remaining one
    c.write("r.csv", "response_id,survey,responded_at,score\n"
            "R1,csat,2026-01-05T10:00:00Z,5\n")
    c.expect_rc(c.import_("responses", "r.csv"), 0, "import")
    f = c.figure("csat")
    b = f.get("benchmark") if isinstance(f, dict) else None
    c.check(b and b.get("label") == "industry" and b.get("value") == 80,
            f"csat benchmark after removing peers: {b}")
    r = bench(c, "remove", "nps")
    c.expect_rc(r, 0, "remove nps")
    r = bench(c, "remove", "no_such_metric")
    c.expect_rc(r, 2, "remove an unknown metric")
    rows = listed(c)
    c.check([row[0] for row in rows] == ["csat"],
            f"after the removals: {rows}")
    r = bench(c, "frobnicate")
    c.expect_rc(r, 2, "unknown subcommand")


@test
def definitions_off_the_scale_are_refused(c):
    # No answer stored: the default scales (csat 1-5, ces 1-7)
    c.write("t.csv", "ticket_id,created_at\nT1,2026-01-05T00:00:00Z\n")
    c.expect_rc(c.import_("tickets", "t.csv"), 0, "import")
    for key, value, word in (("csat.satisfied", "9", "1-5"),
                             ("csat.satisfied", "4,5,6", "1-5"),
                             ("csat.satisfied", "0", "1-5"),
                             ("csat.satisfied", "top6", "1-5"),
                             ("ces.agree", "8", "1-7"),
                             ("ces.agree", "top9", "1-7")):
        r = c.run("definitions", "--db", c.db, "set", key, value)
        c.expect_rc(r, 1, f"definitions set {key} {value}")
        c.check(key in r.err and word in r.err,
                f"{key} {value}: the reason does not name the scale", r)
    r = c.run("definitions", "--db", c.db, "history")
    c.check(r.out.count("version") == 1, "a refused set was stored", r)
    # CSAT answers on 1-10 as well: 9,10 applies to them
    c.write("r.csv", "response_id,survey,responded_at,score,scale\n"
            "C1,csat,2026-01-05T10:00:00Z,9,1-10\n"
            "C2,csat,2026-01-05T10:00:00Z,4,1-5\n"
            "E1,ces,2026-01-05T10:00:00Z,4,1-5\n")
    c.expect_rc(c.import_("responses", "r.csv"), 0, "import")
    r = c.run("definitions", "--db", c.db, "set", "csat.satisfied", "9,10")
    c.expect_rc(r, 0, "csat.satisfied 9,10 with answers on 1-10")
    r = c.run("definitions", "--db", c.db, "set", "csat.satisfied", "11")
    c.expect_rc(r, 1, "csat.satisfied 11")
    c.check("1-5, 1-10" in r.err or "1-10, 1-5" in r.err,
            "the stored scales are not named", r)
    # CES answers on 1-5 only now: 6,7 and top6 are on no scale of them
    for value in ("6,7", "top6"):
        r = c.run("definitions", "--db", c.db, "set", "ces.agree", value)
        c.expect_rc(r, 1, f"ces.agree {value} with CES answers on 1-5")
        c.check("ces.agree" in r.err and "1-5" in r.err,
                "the reason does not name the scale", r)
    r = c.run("definitions", "--db", c.db, "set", "ces.agree", "4,5")
    c.expect_rc(r, 0, "ces.agree 4,5 with CES answers on 1-5")


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
