#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_redteam_intervals.py — intervals at the extremes stay inside the
metric's range and around the value, on every read path (issue 12, item
7), on cases test_report_formats.py does not list.

A mean's t interval is clipped to the range of its answers' scales; a
scale of more than 11 points (csat 1-20, ces 0-100) keeps no histogram,
and its range used to be taken from the default scale instead: csat_mean
of 15, 18, 20 on 1-20 had the interval 11.4 .. 17.7 (its own value as the
top) and ces 0 and 100 on 0-100 had 1 .. 50. All answers at the top or
the bottom of a scale, n = 1 and n = 2, for every survey metric, qa_score
and review_rating on a 10-point scale.
"""
import json
import math
import sys

import harness
from harness import test, WIDE

READS = ("auto", "columns", "rows")
T975 = {1: 12.706205, 2: 4.302653}


def figures(c, *args):
    """The one row of a report over WIDE on every read path; they must
    be the same."""
    out = None
    for read in READS:
        r = c.run("report", "--db", c.db, "--format", "json", "--read",
                  read, *WIDE, *args)
        if not c.expect_rc(r, 0, f"--read {read}"):
            return None
        row = json.loads(r.out)["rows"][0]
        if out is None:
            out = row
        else:
            c.check(row == out, f"--read {read}: the same figures", r)
    return out


def t_interval(xs, lo, hi):
    n = len(xs)
    m = sum(xs) / n
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))
    moe = T975[n - 1] * sd / math.sqrt(n)
    return max(lo, m - moe), min(hi, m + moe)


@test
def wide_scales_clip_to_their_own_range(c):
    c.write("r.csv", "response_id,survey,responded_at,score,scale\n"
            "A1,csat,2026-01-01T00:00:00Z,20,1-20\n"
            "A2,csat,2026-01-01T00:00:00Z,18,1-20\n"
            "A3,csat,2026-01-01T00:00:00Z,15,1-20\n"
            "B1,ces,2026-01-01T00:00:00Z,0,0-100\n"
            "B2,ces,2026-01-01T00:00:00Z,100,0-100\n")
    c.expect_rc(c.import_("responses", "r.csv"), 0, "import")
    row = figures(c, "--metrics", "csat_mean,ces")
    if not row:
        return
    for m, xs, rng in (("csat_mean", [20, 18, 15], (1, 20)),
                       ("ces", [0, 100], (0, 100))):
        f = row[m]
        lo, hi = t_interval(xs, *rng)
        c.check(abs(f["lo"] - lo) < 1e-4 and abs(f["hi"] - hi) < 1e-4,
                f"{m} of {xs} on {rng}: interval {lo:.4f} .. {hi:.4f}, "
                f"got {f['lo']} .. {f['hi']}")


CASES = [
    # (kind, header, rows, metric, range)
    ("responses", "response_id,survey,responded_at,score,scale",
     ["R1,csat,2026-01-01T00:00:00Z,{v},1-5"], "csat_mean", (1, 5),
     (1, 5)),
    ("responses", "response_id,survey,responded_at,score,scale",
     ["R1,ces,2026-01-01T00:00:00Z,{v},1-5"], "ces", (1, 5), (1, 5)),
    ("responses", "response_id,survey,responded_at,score,scale",
     ["R1,ces,2026-01-01T00:00:00Z,{v},1-7"], "ces", (1, 7), (1, 7)),
    ("responses", "response_id,survey,responded_at,score,scale",
     ["R1,nps,2026-01-01T00:00:00Z,{v},"], "nps", (0, 10), (-100, 100)),
    ("responses", "response_id,survey,responded_at,score,scale",
     ["R1,csat,2026-01-01T00:00:00Z,{v},"], "csat", (1, 5), (0, 100)),
    ("qa_scores", "ticket_id,reviewer,score,max_score,reviewed_at",
     ["T1,Q,{v},10,2026-01-01T00:00:00Z"], "qa_score", (0, 10), (0, 100)),
    ("reviews", "review_id,posted_at,rating,scale_max",
     ["V1,2026-01-01T00:00:00Z,{v},10"], "review_rating", (1, 10),
     (1, 5)),
]


@test
def extremes_stay_inside(c):
    i = 0
    for kind, header, (row_t,), metric, (a, b), rng in CASES:
        for values in ([a], [b], [a, a], [b, b], [a, b]):
            i += 1
            c.db = f"{c.dir}/x{i}.db"
            rows = []
            for k, v in enumerate(values):
                first, rest = row_t.format(v=v).split(",", 1)
                # a second qa score of the same ticket needs its own
                # reviewer
                rest = rest.replace("Q,", f"Q{k},")
                rows.append(f"{first}{k},{rest}" if kind != "qa_scores"
                            else f"{first},{rest}")
            c.write(f"f{i}.csv", "\n".join([header] + rows) + "\n")
            c.expect_rc(c.import_(kind, f"f{i}.csv"), 0,
                        f"{kind} {values}")
            row = figures(c, "--metrics", metric)
            if not row:
                continue
            f = row[metric]
            what = f"{metric} of {values}"
            c.check(f and f["n"] == len(values), f"{what}: n", None)
            if not f or f.get("lo") is None:
                continue
            c.check(rng[0] - 1e-9 <= f["lo"] <= f["value"] + 1e-9
                    and f["value"] - 1e-9 <= f["hi"] <= rng[1] + 1e-9,
                    f"{what}: {rng[0]} <= lo {f['lo']} <= value "
                    f"{f['value']} <= hi {f['hi']} <= {rng[1]}")
            if metric == "review_rating":
                c.check(0 <= f["positive_lo"] <= f["positive"] <=
                        f["positive_hi"] <= 100, f"{what}: positive share")


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
