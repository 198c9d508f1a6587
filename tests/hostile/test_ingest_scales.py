#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_ingest_scales.py — a scale that cannot hold its metric is refused at
import (SPEC Conventions): an NPS answer is on 0-10 only (5 of 1-5 is not a
detractor, it is a rejected row), CSAT and CES answers need a scale of at
least three points. The survey name is matched as stored (trimmed, any
case); custom surveys feed no metric and keep any scale; helpdesk ratings
land on scales that hold csat."""
import sqlite3
import sys
import harness
from harness import test, check_diags


@test
def nps_is_zero_to_ten_only(c):
    c.write("r.csv", "response_id,survey,responded_at,score,scale\n"   # 1
            "G1,nps,2026-01-05T09:00:00Z,10,0-10\n"                     # 2
            "G2,nps,2026-01-05T09:00:00Z,9,\n"                          # 3
            "B1,nps,2026-01-05T09:00:00Z,5,1-5\n"                       # 4
            "B2,NPS,2026-01-05T09:00:00Z,10,1-10\n"                     # 5
            "B3, nps ,2026-01-05T09:00:00Z,3,0-5\n"                     # 6
            "B4,Nps,2026-01-05T09:00:00Z,,1-7\n"                        # 7
            "B5,nps,2026-01-05T09:00:00Z,50,0-100\n")                   # 8
    r = c.import_("responses", "r.csv")
    c.expect_rc(r, 1, "nps on other scales")
    check_diags(c, r, "r.csv", [(n, {5}, "scale", f"nps line {n}")
                                for n in (4, 5, 6, 7, 8)])
    for d in harness.diags(r.err, "r.csv"):
        c.check("0-10" in d["reason"], f"reason names 0-10: {d['raw']}", r)
    c.expect_summary(r, 2, 5)
    f = c.figure("nps")
    c.check(isinstance(f, dict) and f.get("n") == 2
            and f.get("value") == 100.0,
            f"nps = 100 over the two 0-10 answers, got {f}")


@test
def csat_and_ces_need_three_points(c):
    c.write("r.csv", "response_id,survey,responded_at,score,scale\n"   # 1
            "G1,csat,2026-01-05T09:00:00Z,3,1-3\n"                      # 2
            "G2,ces,2026-01-05T09:00:00Z,5,1-5\n"                       # 3
            "G3,CSAT,2026-01-05T09:00:00Z,4,\n"                         # 4
            "B1,csat,2026-01-05T09:00:00Z,2,1-2\n"                      # 5
            "B2,ces,2026-01-05T09:00:00Z,1,0-1\n"                       # 6
            "B3,Csat,2026-01-05T09:00:00Z,,4-5\n"                       # 7
            "B4, ces,2026-01-05T09:00:00Z,7,6-7\n")                     # 8
    r = c.import_("responses", "r.csv")
    c.expect_rc(r, 1, "two-point csat/ces scales")
    check_diags(c, r, "r.csv", [(n, {5}, "scale", f"line {n}")
                                for n in (5, 6, 7, 8)])
    for d in harness.diags(r.err, "r.csv"):
        c.check("three points" in d["reason"],
                f"reason says three points: {d['raw']}", r)
    c.expect_summary(r, 3, 4)
    f = c.figure("csat")
    c.check(isinstance(f, dict) and f.get("n") == 2,
            f"csat over the two valid answers, got {f}")


@test
def custom_surveys_keep_any_scale(c):
    c.write("r.csv", "response_id,survey,responded_at,score,scale\n"
            "G1,onboarding,2026-01-05T09:00:00Z,1,0-1\n"
            "G2,npsish,2026-01-05T09:00:00Z,2,1-2\n"
            "G3,nps2,2026-01-05T09:00:00Z,4,1-5\n")
    r = c.import_("responses", "r.csv")
    c.expect_rc(r, 0, "custom surveys on short scales")
    c.expect_summary(r, 3, 0)


@test
def helpdesk_ratings_hold_csat(c):
    # Zendesk Good/Bad: two labels, stored on a scale of three points so
    # that a csat answer's scale rule holds; csat = good / (good + bad).
    c.write("z.csv", "Id,Created at,Solved at,Satisfaction Score\n"
            "1,2026-01-05 09:00,2026-01-05 10:00,Good\n"
            "2,2026-01-05 09:00,2026-01-05 10:00,Bad\n"
            "3,2026-01-05 09:00,2026-01-05 10:00,good with comment\n"
            "4,2026-01-05 09:00,2026-01-05 10:00,bad with comment\n"
            "5,2026-01-05 09:00,2026-01-05 10:00,Good\n")
    r = c.import_("zendesk", "z.csv")
    c.expect_rc(r, 0, "zendesk good/bad")
    f = c.figure("csat")
    c.check(isinstance(f, dict) and f.get("n") == 5
            and abs(f.get("value", 0) - 60.0) < 1e-6,
            f"csat = 3 good of 5 = 60, got {f}")
    with sqlite3.connect(c.db) as db:
        points = {row[0] for row in db.execute(
            "SELECT scale_max - scale_min + 1 FROM responses")}
    c.check(points and min(points) >= 3,
            f"every stored csat answer is on three points or more, got "
            f"scales of {sorted(points)} points")
    c.write("f.csv", "Ticket ID,Created time,Resolved time,Survey results\n"
            "1,2026-01-05 09:00:00,2026-01-05 10:00:00,Awesome\n"
            "2,2026-01-05 09:00:00,2026-01-05 10:00:00,Not Good\n"
            "3,2026-01-05 09:00:00,2026-01-05 10:00:00,Extremely happy\n"
            "4,2026-01-05 09:00:00,2026-01-05 10:00:00,Neutral\n")
    r = c.import_("freshdesk", "f.csv", db=c.path("fd.db"))
    c.expect_rc(r, 0, "freshdesk labels")
    f = c.figure("csat", db=c.path("fd.db"))
    c.check(isinstance(f, dict) and f.get("n") == 4
            and abs(f.get("value", 0) - 50.0) < 1e-6,
            f"csat = 2 of 4 = 50, got {f}")


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
