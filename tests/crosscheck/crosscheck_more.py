#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""crosscheck_more.py — the customer, self-service, agent, review and QA
metrics, and --compare previous, against an independent SQL reading.

Generates every record kind of SPEC §1 with gen.py, imports them with
`cxmeter import`, runs `cxmeter report --format json` (among them the
exact command of issue 4's "Done means") and computes every figure again
with Python's sqlite3 module over tables loaded from the same CSVs:
metrics.sql, then more.sql normalise them, and the functions below select
each row's records by SQL (written from SPEC §2 and
docs/report-semantics.md, not from the C). Values and intervals must agree
to 0.01, every n exactly; the median and p90 of durations to 1 % relative
(a quantile sketch may stand in for the exact figure). With --compare
previous, `previous` {value, n}, `change` and `p_value` are checked too,
the p-values (to 1e-4) computed here: the pooled two-proportion z test,
the NPS difference test of docs/report-semantics.md, and Welch's t test
with the Student t CDF from the regularized incomplete beta function
(crosscheck.betai). A self-test first checks these functions against
constants computed by other means (see P_REFERENCE).

Exit 0 when everything agrees, 1 on mismatches, 2 when something could not
be run. Python stdlib only.
"""

import argparse
import csv
import datetime as dt
import json
import math
import os
import re
import shutil
import sqlite3
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import crosscheck as xc  # noqa: E402  (betai, t_quantile, parse_instant_ms)

TOL = 0.01
P_TOL = 1e-4
Z = 1.959963984540054
DAY_MS = 86400000
KINDS = ["agents", "customers", "tickets", "responses", "orders",
         "selfservice", "agent_hours", "reviews", "qa_scores"]

PROPORTIONS = {"selfservice_rate", "deflection_rate", "churn", "retention",
               "repurchase_rate", "post_service_repurchase",
               "conversion_rate", "csat", "ces_agree", "fcr"}
MEANS = {"review_rating", "qa_score", "csat_mean", "ces"}
DURATIONS = {"art", "frt"}
NEW = ["complaints_per_1000", "selfservice_rate", "deflection_rate", "churn",
       "retention", "repurchase_rate", "post_service_repurchase",
       "conversion_rate", "revenue", "revenue_at_risk", "agent_productivity",
       "agent_turnover", "review_rating", "qa_score"]
DONE_MEANS = ["churn", "retention", "repurchase_rate", "selfservice_rate",
              "agent_turnover", "review_rating", "qa_score"]
SURVEY_CMP = ["csat", "csat_mean", "nps", "ces", "ces_agree", "fcr", "art",
              "frt"]

TIME_DIMS = ("month", "quarter", "year")
TICKET_DIMS = {"agent", "team", "channel", "topic", "segment"}
# The non-time dimensions each metric's records carry
# (docs/report-semantics.md, "Customer, self-service, ..." table).
CARRIES = {
    "complaints_per_1000": {"segment"},
    "selfservice_rate": {"topic", "segment"},
    "deflection_rate": {"topic", "segment"},
    "churn": {"segment"}, "retention": {"segment"},
    "repurchase_rate": {"segment"},
    "post_service_repurchase": TICKET_DIMS, "conversion_rate": TICKET_DIMS,
    "revenue": {"segment"}, "revenue_at_risk": {"segment"},
    "agent_productivity": TICKET_DIMS, "agent_turnover": {"team"},
    "review_rating": {"source", "language"}, "qa_score": TICKET_DIMS,
}
for _m in SURVEY_CMP:
    CARRIES[_m] = set()

RUNS = [
    # Issue 4's "Done means", verbatim.
    {"name": "done_means", "by": ["quarter"], "metrics": DONE_MEANS,
     "compare": True},
    {"name": "total", "by": [], "metrics": NEW, "compare": True},
    {"name": "total_window", "by": [], "metrics": NEW, "compare": True,
     "from": "2025-04-01", "to": "2025-10-01"},
    {"name": "month", "by": ["month"], "metrics": NEW},
    {"name": "segment", "by": ["segment"],
     "metrics": ["complaints_per_1000", "selfservice_rate",
                 "deflection_rate", "churn", "retention", "repurchase_rate",
                 "post_service_repurchase", "conversion_rate", "revenue",
                 "revenue_at_risk", "agent_productivity", "qa_score"]},
    {"name": "quarter_segment", "by": ["quarter", "segment"],
     "metrics": ["churn", "retention", "repurchase_rate", "revenue",
                 "revenue_at_risk", "complaints_per_1000"],
     "compare": True},
    {"name": "agent", "by": ["agent"],
     "metrics": ["agent_productivity", "qa_score", "post_service_repurchase",
                 "conversion_rate"]},
    {"name": "quarter_agent", "by": ["quarter", "agent"],
     "metrics": ["agent_productivity", "qa_score"], "compare": True},
    {"name": "team", "by": ["team"],
     "metrics": ["agent_turnover", "agent_productivity", "qa_score"]},
    {"name": "quarter_team", "by": ["quarter", "team"],
     "metrics": ["agent_turnover", "agent_productivity"]},
    {"name": "source", "by": ["source"], "metrics": ["review_rating"]},
    {"name": "year_source", "by": ["year", "source"],
     "metrics": ["review_rating"], "compare": True},
    {"name": "language", "by": ["language"], "metrics": ["review_rating"]},
    {"name": "topic", "by": ["topic"],
     "metrics": ["selfservice_rate", "deflection_rate", "qa_score",
                 "conversion_rate"]},
    {"name": "channel_mixed", "by": ["channel"],
     "metrics": ["churn", "qa_score", "review_rating"], "warn": True},
    # The tests of the older metrics, for the NPS and duration tests.
    {"name": "survey_compare", "by": ["quarter"], "metrics": SURVEY_CMP,
     "compare": True},
    {"name": "survey_compare_total", "by": [], "metrics": SURVEY_CMP,
     "compare": True, "from": "2025-07-01", "to": "2026-01-01"},
]

# ------------------------------------------------------------ statistics


def wilson(k, n):
    p = k / n
    zz = Z * Z
    den = 1 + zz / n
    center = p + zz / (2 * n)
    half = Z * math.sqrt(p * (1 - p) / n + zz / (4 * n * n))
    return 100 * (center - half) / den, 100 * (center + half) / den


def t_sf2(t, df):
    """Two-sided P(|T| > |t|) for Student t with df degrees of freedom:
    I_{df/(df+t²)}(df/2, 1/2)."""
    return xc.betai(df / 2.0, 0.5, df / (df + t * t))


def p_two_prop(k1, n1, k0, n0):
    """Pooled two-proportion z test, two-sided."""
    pool = (k1 + k0) / (n1 + n0)
    se = math.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n0))
    if se == 0:
        return 1.0
    return math.erfc(abs(k1 / n1 - k0 / n0) / se / math.sqrt(2))


def p_nps(pro1, det1, n1, pro0, det0, n0):
    """z test on the difference of (promoters − detractors) shares, each
    with variance (p + d − (p − d)²)/n (docs/report-semantics.md)."""
    a1, d1, a0, d0 = pro1 / n1, det1 / n1, pro0 / n0, det0 / n0
    se = math.sqrt((a1 + d1 - (a1 - d1) ** 2) / n1 +
                   (a0 + d0 - (a0 - d0) ** 2) / n0)
    if se == 0:  # no spread on either side: no test unless equal
        return 1.0 if (a1 - d1) == (a0 - d0) else None
    return math.erfc(abs((a1 - d1) - (a0 - d0)) / se / math.sqrt(2))


def p_welch(n1, m1, v1, n0, m0, v0):
    """Welch's t test (Welch–Satterthwaite df), two-sided."""
    a, b = v1 / n1, v0 / n0
    se = math.sqrt(a + b)
    if se == 0:
        return 1.0 if m1 == m0 else None
    df = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n0 - 1))
    return t_sf2((m1 - m0) / se, df)


# Reference p-values, computed by independent means (not betai/erfc):
# - Welch: samples {60, 70, 80} and {80, 90, 100, 90}: means 70 and 90,
#   variances 100 and 200/3, se² = 100/3 + 50/3 = 50, t = 20/√50 =
#   2.8284271, df = 50² / ((100/3)²/2 + (50/3)²/3) = 3.8571429.
#   P(|T| > t) by Simpson's rule on the t density over [t, 4000] with
#   2·10⁶ intervals plus the power-law tail beyond 4000 in closed form:
#   0.0494606.
# - Welch, large df: t = 1.5, df = 200: the same integration over
#   [1.5, 200]: 0.1351913.
# - z: |z| = 1.4824986 (CSAT 60/100 → 70/100, pooled p = 0.65):
#   2·(1 − Φ(z)) by the series Φ(z) = ½ + φ(z)·Σ z^(2k+1)/(1·3···(2k+1)),
#   0.1382077 (also in tests/unit/test_report.c).
P_REFERENCE = [
    ("welch 3 vs 4", lambda: p_welch(4, 90.0, 200 / 3, 3, 70.0, 100.0),
     0.0494606),
    ("t 1.5 df 200", lambda: t_sf2(1.5, 200.0), 0.1351913),
    ("two-prop 60/100 vs 70/100", lambda: p_two_prop(70, 100, 60, 100),
     0.1382077),
]


def self_test():
    xc.self_test_t()
    for name, fn, want in P_REFERENCE:
        got = fn()
        if abs(got - want) > 2e-7:
            sys.exit("self-test %s: %.7f, want %.7f" % (name, got, want))


def moments(xs):
    n = len(xs)
    if n == 0:
        return 0, None, None
    m = math.fsum(xs) / n
    v = math.fsum((x - m) ** 2 for x in xs) / (n - 1) if n > 1 else None
    return n, m, v


def percentile_cont(xs, p):
    xs = sorted(xs)
    pos = p * (len(xs) - 1)
    k = int(pos)
    if k + 1 >= len(xs):
        return xs[-1]
    return xs[k] + (xs[k + 1] - xs[k]) * (pos - k)

# ------------------------------------------------------------ loading


def ms_func(text):
    """SQL ms(): ISO 8601 → ms since the epoch; '' or NULL → NULL."""
    if text is None or text == "":
        return None
    s = text.strip()
    if len(s) == 10:
        s += "T00:00:00"
    t = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return round(t.timestamp() * 1000)


def load(data):
    con = sqlite3.connect(":memory:")
    con.create_function("ms", 1, ms_func, deterministic=True)
    for kind in KINDS:
        with open(os.path.join(data, kind + ".csv"), newline="",
                  encoding="utf-8") as f:
            rows = list(csv.reader(f))
        head = [h.strip().lower() for h in rows[0]]
        con.execute("CREATE TABLE %s_raw (%s)" % (
            kind, ", ".join('"%s" TEXT' % h for h in head)))
        con.executemany("INSERT INTO %s_raw VALUES (%s)" % (
            kind, ", ".join("?" * len(head))), rows[1:])
    for script in ("metrics.sql", "more.sql"):
        with open(os.path.join(HERE, script), encoding="utf-8") as f:
            con.executescript(f.read())
    return con

# ------------------------------------------------------------ figures


class Row:
    """One report row: its non-time dimension filters and --by; the
    periods are passed to stats()."""

    def __init__(self, con, s, e, filt, by):
        self.con, self.s, self.e, self.filt, self.by = con, s, e, filt, by

    def q(self, sql, args=()):
        return self.con.execute(sql, args).fetchall()

    def q1(self, sql, args=()):
        return self.con.execute(sql, args).fetchone()[0]


def fcond(filt, alias=""):
    cond, args = [], []
    for d, v in filt.items():
        cond.append("%s%s = ?" % (alias, d))
        args.append(v)
    return "".join(" AND " + c for c in cond), args


def stats(row, metric, s, e):
    """The raw statistics of one metric over [s, e) and row.filt: a dict,
    or None when the metric has no data there."""
    q, q1 = row.q, row.q1
    fc, fa = fcond(row.filt)
    if metric == "complaints_per_1000":
        num = q1("SELECT count(*) FROM tkc WHERE created_ms >= ? AND "
                 "created_ms < ? AND complaint = 1" + fc, [s, e] + fa)
        den = q1("SELECT count(*) FROM cust WHERE acq_ms < ? AND "
                 "(churn_ms IS NULL OR churn_ms >= ?)" + fc, [e, s] + fa)
        return {"num": num, "n": den} if den else None
    if metric == "selfservice_rate":
        k = q1("SELECT count(*) FROM ss WHERE t >= ? AND t < ?" + fc,
               [s, e] + fa)
        c = q1("SELECT count(*) FROM tk WHERE created_ms >= ? AND "
               "created_ms < ?" + fc, [s, e] + fa)
        return {"k": k, "n": k + c} if k + c else None
    if metric == "deflection_rate":
        n, k = q("SELECT count(*), total(resolved) FROM ss WHERE t >= ? AND "
                 "t < ?" + fc, [s, e] + fa)[0]
        return {"k": int(k), "n": n} if n else None
    if metric in ("churn", "retention"):
        n, k = q("SELECT count(*), total(churn_ms < ?) FROM cust WHERE "
                 "acq_ms <= ? AND (churn_ms IS NULL OR churn_ms >= ?)" + fc,
                 [e, s, s] + fa)[0]
        if not n:
            return None
        return {"k": int(k) if metric == "churn" else n - int(k), "n": n}
    if metric == "repurchase_rate":
        n, k = q("SELECT count(*), total(c >= 2) FROM (SELECT customer_id, "
                 "count(*) AS c FROM ord WHERE t < ?" + fc +
                 " GROUP BY customer_id)", [e] + fa)[0]
        return {"k": int(k), "n": n} if n else None
    if metric == "post_service_repurchase":
        fct, fat = fcond(row.filt, "tk.")
        n, k = q("SELECT count(*), total(EXISTS (SELECT 1 FROM ord o WHERE "
                 "o.customer_id = tk.customer_id AND o.t >= tk.res_ms AND "
                 "o.t <= tk.res_ms + 30 * %d)) FROM tk WHERE res_ms >= ? AND "
                 "res_ms < ? AND customer_id IS NOT NULL" % DAY_MS + fct,
                 [s, e] + fat)[0]
        return {"k": int(k), "n": n} if n else None
    if metric == "conversion_rate":
        fct, fat = fcond(row.filt, "tk.")
        n, k = q("SELECT count(*), total(EXISTS (SELECT 1 FROM ord o WHERE "
                 "o.customer_id = tk.customer_id AND o.t >= tk.created_ms AND "
                 "o.t <= tk.created_ms + 30 * %d)) FROM tk WHERE "
                 "created_ms >= ? AND created_ms < ? AND customer_id IS NOT "
                 "NULL AND NOT EXISTS (SELECT 1 FROM ord o WHERE "
                 "o.customer_id = tk.customer_id AND o.t < tk.created_ms)"
                 % DAY_MS + fct, [s, e] + fat)[0]
        return {"k": int(k), "n": n} if n else None
    if metric == "revenue":
        n, v = q("SELECT count(*), total(amount) FROM ord WHERE t >= ? AND "
                 "t < ?" + fc, [s, e] + fa)[0]
        cur = q("SELECT currency, total(amount), count(*) FROM ord WHERE "
                "t >= ? AND t < ?" + fc + " GROUP BY currency", [s, e] + fa)
        return {"value": v, "n": n, "cur": cur} if n else None
    if metric == "revenue_at_risk":
        fcc, fac = fcond(row.filt, "c.")
        n = q1("SELECT count(*) FROM cust c WHERE c.churn_ms >= ? AND "
               "c.churn_ms < ?" + fcc, [s, e] + fac)
        # SPEC: per currency, never added across currencies.
        cur = q("SELECT o.currency, total(o.amount), count(*) FROM cust c "
                "JOIN ord o ON o.customer_id = c.customer_id AND o.t >= "
                "c.churn_ms - 365 * %d AND o.t < c.churn_ms WHERE "
                "c.churn_ms >= ? AND c.churn_ms < ?" % DAY_MS + fcc +
                " GROUP BY o.currency", [s, e] + fac)
        v = sum(x[1] for x in cur)
        return {"value": v, "n": n, "any": n > 0, "cur": cur}
    if metric == "agent_productivity":
        n, agents = q("SELECT count(*), count(DISTINCT agent_id) FROM tk "
                      "WHERE res_ms >= ? AND res_ms < ? AND agent_id IS NOT "
                      "NULL" + fc, [s, e] + fa)[0]
        hours = None
        if set(row.filt) <= {"agent", "team"}:
            hours = q1("SELECT total(hours) FROM hrs WHERE t >= ? AND t < ?"
                       + fc, [s, e] + fa)
        if not agents and not hours:
            return None
        return {"n": n, "agents": agents, "hours": hours}
    if metric == "agent_turnover":
        left = q1("SELECT count(*) FROM ag WHERE left_ms >= ? AND left_ms < ?"
                  + fc, [s, e] + fa)
        emp = q1("SELECT total(max(0, min(?, COALESCE(left_ms, ?)) - "
                 "max(?, COALESCE(hired_ms, ?)))) FROM ag WHERE 1" + fc,
                 [e, e, s, s] + fa)
        head = emp / (e - s)
        return {"left": left, "headcount": head} if head > 0 else None
    if metric == "review_rating":
        rs = q("SELECT norm, positive FROM rv WHERE t >= ? AND t < ?" + fc,
               [s, e] + fa)
        if not rs:
            return None
        n, m, v = moments([r[0] for r in rs])
        return {"n": n, "mean": m, "var": v,
                "pos": sum(r[1] for r in rs)}
    if metric == "qa_score":
        xs = [r[0] for r in q("SELECT pct FROM qa WHERE t >= ? AND t < ?" +
                              fc, [s, e] + fa)]
        if not xs:
            return None
        n, m, v = moments(xs)
        return {"n": n, "mean": m, "var": v}
    # The older metrics, for --compare (no breakdown but time).
    if metric in ("csat", "csat_mean"):
        xs = q("SELECT score, smin, smax FROM rs WHERE survey = 'csat' AND "
               "score IS NOT NULL AND responded_ms >= ? AND responded_ms < ?",
               [s, e])
        if not xs:
            return None
        if metric == "csat":
            k = sum(1 for sc, lo, hi in xs
                    if (sc >= hi - 1 if hi - lo + 1 >= 5 else sc == hi))
            return {"k": k, "n": len(xs)}
        n, m, v = moments([float(x[0]) for x in xs])
        return {"n": n, "mean": m, "var": v,
                "range": (min(x[1] for x in xs), max(x[2] for x in xs))}
    if metric == "nps":
        n, pro, det = q("SELECT count(*), total(score >= 9), total(score <= "
                        "6) FROM rs WHERE survey = 'nps' AND score IS NOT "
                        "NULL AND responded_ms >= ? AND responded_ms < ?",
                        [s, e])[0]
        return {"n": n, "pro": int(pro), "det": int(det)} if n else None
    if metric in ("ces", "ces_agree"):
        xs = q("SELECT score, smin, smax FROM rs WHERE survey = 'ces' AND "
               "score IS NOT NULL AND responded_ms >= ? AND responded_ms < ?",
               [s, e])
        if not xs:
            return None
        if metric == "ces_agree":
            return {"k": sum(1 for sc, lo, hi in xs if 2 * sc > lo + hi),
                    "n": len(xs)}
        n, m, v = moments([float(x[0]) for x in xs])
        return {"n": n, "mean": m, "var": v,
                "range": (min(x[1] for x in xs), max(x[2] for x in xs))}
    if metric == "fcr":
        n, k = q("SELECT count(*), total(COALESCE(contacts, 1) = 1 AND "
                 "COALESCE(reopened, 0) = 0) FROM tk WHERE res_ms >= ? AND "
                 "res_ms < ?", [s, e])[0]
        return {"k": int(k), "n": n} if n else None
    if metric in ("art", "frt"):
        col = "res_ms" if metric == "art" else "fr_ms"
        xs = [r[0] / 1000.0 for r in q(
            "SELECT %s - created_ms FROM tk WHERE %s >= ? AND %s < ?"
            % (col, col, col), [s, e])]
        if not xs:
            return None
        n, m, v = moments(xs)
        return {"n": n, "mean": m, "var": v,
                "median": percentile_cont(xs, 0.5),
                "p90": percentile_cont(xs, 0.9)}
    raise KeyError(metric)


def figure(metric, st, row):
    """The JSON figure docs/report-semantics.md prescribes for stats st."""
    if st is None:
        return None
    if metric in PROPORTIONS:
        k, n = st["k"], st["n"]
        lo, hi = wilson(k, n)
        return {"value": 100.0 * k / n, "n": n, "lo": lo, "hi": hi,
                "low_n": n < 30}
    if metric == "nps":
        n, p, d = st["n"], st["pro"] / st["n"], st["det"] / st["n"]
        moe = 1.96 * math.sqrt(p + d - (p - d) ** 2) / math.sqrt(n)
        return {"value": 100 * (p - d), "n": n,
                "lo": max(-100.0, 100 * (p - d - moe)),
                "hi": min(100.0, 100 * (p - d + moe)), "low_n": n < 30}
    if metric in MEANS:
        n, m, v = st["n"], st["mean"], st["var"]
        lo = hi = None
        if n > 1:
            moe = xc.t_quantile(0.975, n - 1) * math.sqrt(v / n)
            lo, hi = m - moe, m + moe
            # SPEC §2: clipped to the metric's range, widened to hold the
            # value itself.
            rlo, rhi = {"review_rating": (1, 5), "qa_score": (0, 100)}.get(
                metric) or st["range"]
            lo, hi = max(lo, min(rlo, m)), min(hi, max(rhi, m))
        f = {"value": m, "n": n, "lo": lo, "hi": hi, "low_n": n < 30}
        if metric == "review_rating":
            plo, phi = wilson(st["pos"], n)
            f.update(positive=100.0 * st["pos"] / n, positive_lo=plo,
                     positive_hi=phi)
        return f
    if metric in DURATIONS:
        return {"value": st["mean"], "median": st["median"],
                "p90": st["p90"], "n": st["n"]}
    if metric == "complaints_per_1000":
        return {"value": 1000.0 * st["num"] / st["n"], "n": st["n"]}
    if metric in ("revenue", "revenue_at_risk"):
        # SPEC: per currency; one value only in one currency ("" = the
        # orders named none).
        cur = sorted(st["cur"])
        one = len(cur) <= 1
        return {"value": (cur[0][1] if cur else 0.0) if one else None,
                "n": st["n"],
                "currency": cur[0][0] or None if len(cur) == 1 else None,
                "by_currency": {c: {"value": v, "n": k} for c, v, k in cur}}
    if metric == "agent_productivity":
        per_time = all(d in TIME_DIMS or d in ("agent", "team")
                       for d in row.by)
        hours = st["hours"] if per_time and st["hours"] else None
        # Hours but no resolved ticket: no tickets per agent (0 / 0).
        return {"value": st["n"] / st["agents"] if st["agents"] else None,
                "n": st["n"], "agents": st["agents"],
                "per_hour": st["n"] / hours if hours else None,
                "hours": hours}
    if metric == "agent_turnover":
        return {"value": 100.0 * st["left"] / st["headcount"],
                "n": st["left"], "headcount": st["headcount"]}
    raise KeyError(metric)


def p_value(metric, st1, st0):
    """The p-value of the change st0 → st1, None where no test applies."""
    if st1 is None or st0 is None:
        return None
    if metric == "nps":
        return p_nps(st1["pro"], st1["det"], st1["n"], st0["pro"],
                     st0["det"], st0["n"])
    if metric in PROPORTIONS:
        return p_two_prop(st1["k"], st1["n"], st0["k"], st0["n"])
    if metric in MEANS or metric in DURATIONS:
        if st1["n"] < 2 or st0["n"] < 2:
            return None
        return p_welch(st1["n"], st1["mean"], st1["var"], st0["n"],
                       st0["mean"], st0["var"])
    return None   # counts, amounts, productivity, turnover


def other_currency(metric, st, pst):
    """Money in one currency on each side, and not the same one."""
    if metric not in ("revenue", "revenue_at_risk") or not st or not pst:
        return False
    a, z = st["cur"], pst["cur"]
    return len(a) == 1 and len(z) == 1 and a[0][0] != z[0][0]


def previous_summary(metric, st, row):
    f = figure(metric, st, row)
    if f is None or f["value"] is None:
        return None
    return {"value": f["value"], "n": f["n"]}

# ------------------------------------------------------------ time buckets


def bucket_start(dim, t):
    if dim == "year":
        return t.replace(month=1, day=1, hour=0, minute=0, second=0,
                         microsecond=0)
    if dim == "quarter":
        return t.replace(month=(t.month - 1) // 3 * 3 + 1, day=1, hour=0,
                         minute=0, second=0, microsecond=0)
    return t.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def add_months(t, k):
    m = t.month - 1 + k
    return t.replace(year=t.year + m // 12, month=m % 12 + 1)


def bucket_step(dim):
    return {"year": 12, "quarter": 3, "month": 1}[dim]


def label(dim, t):
    if dim == "year":
        return "%04d" % t.year
    if dim == "quarter":
        return "%04d-Q%d" % (t.year, (t.month - 1) // 3 + 1)
    return "%04d-%02d" % (t.year, t.month)


def to_ms(t):
    return round(t.timestamp() * 1000)


def buckets(dim, from_ms, to_ms_):
    """(label, start_ms, end_ms, prev_start_ms) of every bucket met by
    [from, to); the row covers [max(start, from), min(end, to)), its
    previous is the whole bucket before."""
    utc = dt.timezone.utc
    t = bucket_start(dim, dt.datetime.fromtimestamp(from_ms / 1000, utc))
    out = []
    while to_ms(t) < to_ms_:
        nxt = add_months(t, bucket_step(dim))
        prev = add_months(t, -bucket_step(dim))
        out.append((label(dim, t), max(to_ms(t), from_ms),
                    min(to_ms(nxt), to_ms_), to_ms(prev), to_ms(t)))
        t = nxt
    return out

# ------------------------------------------------------------ comparing


def dim_values(con, dim, metrics):
    """Every value of a non-time dimension among the records of metrics."""
    tables = {"segment": ["cust", "ord", "ss", "tk", "qa"],
              "topic": ["ss", "tk", "qa"], "team": ["ag", "hrs", "tk", "qa"],
              "agent": ["tk", "qa", "hrs"], "channel": ["tk", "qa"],
              "source": ["rv"], "language": ["rv"]}[dim]
    vals = set()
    for tb in tables:
        vals |= {r[0] for r in con.execute("SELECT DISTINCT %s FROM %s"
                                           % (dim, tb))}
    return sorted(vals)


def expected(con, run, from_ms, to_ms_):
    """{key: {metric: (figure, previous, p_value)}} for every candidate
    row of the run."""
    by = run["by"]
    tdims = [d for d in by if d in TIME_DIMS]
    assert len(tdims) <= 1
    other = [d for d in by if d not in TIME_DIMS]
    if tdims:
        periods = [(lab, s, e, ps, pe) for lab, s, e, ps, pe in
                   buckets(tdims[0], from_ms, to_ms_)]
    else:
        periods = [(None, from_ms, to_ms_, from_ms - (to_ms_ - from_ms),
                    from_ms)]
    combos = [{}]
    for d in other:
        combos = [dict(c, **{d: v}) for c in combos
                  for v in dim_values(con, d, run["metrics"])]
    out = {}
    for lab, s, e, ps, pe in periods:
        for c in combos:
            key = tuple(lab if d in TIME_DIMS else c[d] for d in by)
            row = Row(con, s, e, c, by)
            figs = {}
            for m in run["metrics"]:
                if not set(c) <= CARRIES[m]:
                    figs[m] = (None, None, None)
                    continue
                st = stats(row, m, s, e)
                f = figure(m, st, row)
                prev = pv = None
                if run.get("compare"):
                    pst = stats(row, m, ps, pe)
                    prev = previous_summary(m, pst, row)
                    pv = p_value(m, st, pst)
                    if other_currency(m, st, pst) or (
                            f is not None and f.get("value") is None):
                        prev = None  # one value each side (SPEC §2)
                figs[m] = (f, prev, pv)
            out[key] = figs
    return out


def near(a, b, tol=TOL, rel=False):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and
                set(a) == set(b) and
                all(near(a[k], b[k], tol) for k in b))
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if rel:
        return abs(a - b) <= 0.01 * max(abs(b), 1e-9) + 1e-9
    return abs(float(a) - float(b)) <= tol


def compare(run, got, exp, problems, p_checked):
    name = run["name"]

    def bad(msg):
        problems.append("[%s] %s" % (name, msg))

    by = run["by"]
    rows = got.get("rows") or []
    got_rows = {}
    order = []
    for r in rows:
        key = tuple(r.get(d) for d in by)
        order.append(key)
        got_rows[key] = r
    if order != sorted(order, key=lambda k: tuple(
            (v or "").encode("utf-8") for v in k)):
        bad("rows are not sorted by their dimension values")
    checked = 0
    for key in sorted(set(exp) | set(got_rows), key=str):
        e = exp.get(key)
        g = got_rows.get(key)
        if e is None:
            bad("row %s: ours has it, not a row SQL can form" % (key,))
            continue
        if g is None:
            for m, (f, prev, pv) in e.items():
                if f is not None:
                    bad("row %s %s: missing in ours, SQL %s" % (
                        key, m, json.dumps(f)))
            continue
        for m in run["metrics"]:
            f, prev, pv = e[m]
            gf = g.get(m, "absent")
            if gf == "absent":
                bad("row %s %s: missing in ours" % (key, m))
                continue
            # A figure without data is null, with --compare too (SPEC §4);
            # money in several currencies has a null value, and so has
            # agent_productivity with hours but no ticket (per_hour 0).
            g_null = gf is None or (gf.get("value") is None and
                                    "by_currency" not in gf and
                                    gf.get("per_hour") is None)
            if f is None or g_null:
                if (f is None) != g_null:
                    bad("row %s %s: ours %s, SQL %s" % (key, m,
                        json.dumps(gf), json.dumps(f)))
                checked += 1
            else:
                for fld, ev in f.items():
                    gv = gf.get(fld, "absent")
                    if gv == "absent":
                        bad("row %s %s.%s: missing in ours (SQL %r)" % (
                            key, m, fld, ev))
                    elif fld in ("n", "agents") and (
                            not isinstance(gv, int) or gv != ev):
                        bad("row %s %s.%s: ours %r, SQL %r (exact)" % (
                            key, m, fld, gv, ev))
                    elif not near(gv, ev, rel=fld in ("median", "p90")):
                        bad("row %s %s.%s: ours %r, SQL %r" % (
                            key, m, fld, gv,
                            round(ev, 6) if isinstance(ev, float) else ev))
                    checked += 1
            if not run.get("compare"):
                continue
            if gf is None:
                continue  # no data: null, the comparison with it
            gp = gf.get("previous", "absent")
            if gp == "absent":
                bad("row %s %s.previous: missing in ours" % (key, m))
                continue
            if (gp is None) != (prev is None):
                bad("row %s %s.previous: ours %s, SQL %s" % (
                    key, m, json.dumps(gp), json.dumps(prev)))
            elif prev is not None:
                if not near(gp.get("value"), prev["value"]) or \
                        gp.get("n") != prev["n"]:
                    bad("row %s %s.previous: ours %s, SQL %s" % (
                        key, m, json.dumps(gp), json.dumps(prev)))
            want_change = (None if prev is None or f is None or
                           f["value"] is None or prev["value"] is None
                           else f["value"] - prev["value"])
            if not near(gf.get("change"), want_change):
                bad("row %s %s.change: ours %r, SQL %r" % (
                    key, m, gf.get("change"), want_change))
            if pv is not None:
                p_checked.add(m)
            if not near(gf.get("p_value"), pv, tol=P_TOL):
                bad("row %s %s.p_value: ours %r, here %r" % (
                    key, m, gf.get("p_value"), pv))
            sig = (pv is not None and pv < 0.05 and f is not None and
                   prev is not None and f["n"] >= 30 and prev["n"] >= 30)
            # Right at 0.05 the rounding of either side may differ.
            if gf.get("significant") != sig and \
                    not (pv is not None and abs(pv - 0.05) < P_TOL):
                bad("row %s %s.significant: ours %r, expected %r (p %r)" % (
                    key, m, gf.get("significant"), sig, pv))
            checked += 4
    return len(got_rows), checked


def run_import(cx, db, data, manifest, problems):
    for kind in KINDS:
        path = os.path.join(data, kind + ".csv")
        p = subprocess.run([cx, "import", "--db", db, kind, path],
                           capture_output=True, text=True)
        rejected = manifest["rejected"][kind]
        m = re.search(r"imported ([\d,]+) rows?, rejected ([\d,]+)", p.stdout)
        if p.returncode != (1 if rejected else 0) or not m:
            problems.append("[import %s] exit %d, stdout %r, stderr %s" % (
                kind, p.returncode, p.stdout[-200:], p.stderr[-1000:]))
            continue
        imp, rej = (int(x.replace(",", "")) for x in m.groups())
        if rej != rejected or imp != manifest["rows"][kind] - rejected:
            problems.append("[import %s] %r, expected rejected %d of %d" % (
                kind, m.group(0), rejected, manifest["rows"][kind]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cxmeter", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--engine", help="the store's engine as a DSN prefix "
                    "(rowtest: the row-only test engine; pg: a new database on "
                    "the tests' PostgreSQL cluster, CXM_PG_DIR); default "
                    "sqlite")
    ap.add_argument("--seed", type=int, default=20260301)
    ap.add_argument("--run", action="append")
    ap.add_argument("--all", action="store_true")
    a = ap.parse_args()
    self_test()
    if not os.access(a.cxmeter, os.X_OK):
        print("not executable: %s" % a.cxmeter, file=sys.stderr)
        return 2
    data = os.path.join(a.workdir, "data")
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(data)
    subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), "--out",
                    data, "--seed", str(a.seed)], check=True,
                   stdout=subprocess.DEVNULL)
    with open(os.path.join(data, "manifest.json")) as f:
        manifest = json.load(f)
    problems = []
    db = os.path.join(a.workdir, "cxmeter.db")
    if a.engine:
        sys.path.insert(0, os.path.join(HERE, "..", "pg"))
        import pgdb  # noqa: E402 (tests/pg: a database of its own)
        db = pgdb.dsn_for(a.engine, db, "crosscheck")
    run_import(a.cxmeter, db, data, manifest, problems)
    con = load(data)
    from_ms, to_ms_ = con.execute(
        "SELECT from_ms, to_ms FROM default_period_all").fetchone()

    total_rows = total_figs = 0
    p_checked = set()   # metrics a p-value was compared for
    for run in RUNS:
        if a.run and run["name"] not in a.run:
            continue
        cmd = [a.cxmeter, "report", "--db", db, "--metrics",
               ",".join(run["metrics"])]
        if run["by"]:
            cmd += ["--by", ",".join(run["by"])]
        if run.get("compare"):
            cmd += ["--compare", "previous"]
        for fld in ("from", "to"):
            if fld in run:
                cmd += ["--" + fld, run[fld]]
        cmd += ["--format", "json"]
        f_ms = xc.parse_instant_ms(run["from"]) if "from" in run else from_ms
        t_ms = xc.parse_instant_ms(run["to"]) if "to" in run else to_ms_
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            problems.append("[%s] %s: exit %d\n%s" % (
                run["name"], " ".join(cmd), p.returncode, p.stderr[-2000:]))
            continue
        got = json.loads(p.stdout)
        before = len(problems)
        for fld, want in (("from", f_ms), ("to", t_ms)):
            if xc.parse_instant_ms(got.get(fld) or "") != want:
                problems.append("[%s] %s: ours %r, SQL %d ms" % (
                    run["name"], fld, got.get(fld), want))
        if run.get("warn") and not p.stderr.strip():
            problems.append("[%s] no warning for a metric the breakdown does"
                            " not carry" % run["name"])
        n_rows, n_figs = compare(run, got, expected(con, run, f_ms, t_ms),
                                 problems, p_checked)
        total_rows += n_rows
        total_figs += n_figs
        print("%-22s %4d rows, %6d fields checked, %d mismatches" % (
            run["name"], n_rows, n_figs, len(problems) - before))
    # Not vacuous: each metric a test applies to was compared on a row
    # with a p-value.
    for run in RUNS:
        if run.get("compare") and not a.run:
            for m in run["metrics"]:
                if m in PROPORTIONS | MEANS | DURATIONS | {"nps"} and \
                        m not in p_checked:
                    problems.append("[%s] %s: no p-value compared in any "
                                    "run" % (run["name"], m))
    if problems:
        print("\n%d mismatches (ours = cxmeter, SQL = Python sqlite3 on the "
              "raw CSVs, data in %s):" % (len(problems), data))
        xc.print_problems(problems, a.all)
        return 1
    print("crosscheck_more: %d rows, %d fields agree with SQL" % (
        total_rows, total_figs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
