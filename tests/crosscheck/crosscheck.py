#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""crosscheck.py — cxmeter's report against an independent SQL reading.

Generates data with gen.py, imports it with `cxmeter import`, runs several
`cxmeter report --format json` breakdowns, and computes every figure again
from the raw CSVs with the sqlite3 CLI: the CSVs are loaded with
`.import --csv` into all-TEXT tables, metrics.sql normalises them, and
report_sql() below aggregates them per report. Every figure field (value,
n, lo, hi, low_n, median, p90), every null and the set and order of rows
must agree, numbers to within 0.01 (median and p90: 1 % relative, a
sketch may answer them); counts and every n must be JSON
integers (docs/report-semantics.md: "otherwise integers"). `low_n` must be
n < 30 on survey figures; on ticket rates SPEC does not say (it flags
"answers"), so false, absent or n < 30 are all accepted. The import is
checked too: exit status, the summary line and one FILE:LINE:COL: COLUMN:
reason diagnostic per rejected row. Exit 0 when everything agrees, 1
otherwise (the mismatches grouped by kind, three lines each; --all for
every line), 2 when something could not be run at all.

cxmeter is used for `import` and `report` only. The one computation done in
Python is the Student t quantile for mean intervals (SQLite has no such
function): t_quantile() inverts the regularized incomplete beta function
(continued fraction, Numerical Recipes §6.4) by bisection, to ~1e-12; the
mean, sd and n it is applied to come from SQL.
"""

import argparse
import datetime as dt
import json
import math
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOL = 0.01
Z = 1.959963984540054      # Wilson
Z_NPS = 1.96               # SPEC §2 writes the NPS interval with 1.96

SURVEY = ["csat", "csat_mean", "nps", "ces", "ces_agree"]
TICKET = ["created", "resolved", "resolution_rate", "fcr", "backlog", "art",
          "frt", "escalation_rate"]
ALL = SURVEY + TICKET
COUNTS = ("created", "resolved", "backlog")

TIME_DIMS = ("day", "week", "month", "quarter", "year")
TICKET_DIMS = set(TIME_DIMS) | {"agent", "team", "channel", "topic",
                                "segment"}
SURVEY_DIMS = TICKET_DIMS | {"language", "survey"}

# The reports compared. "warn": a requested metric the breakdown does not
# apply to, so a warning on stderr is expected.
RUNS = [
    {"name": "month_channel", "by": ["month", "channel"], "metrics": ALL},
    {"name": "total", "by": [], "metrics": ALL},
    {"name": "agent", "by": ["agent"], "metrics": ALL},
    {"name": "quarter_team", "by": ["quarter", "team"], "metrics": ALL,
     "from": "2025-04-01T07:00:00+07:00", "to": "2025-12-31T17:00:00Z"},
    {"name": "week", "by": ["week"], "metrics": ALL},
    {"name": "day_channel_jan", "by": ["day", "channel"], "metrics": ALL,
     "from": "2026-01-01", "to": "2026-02-01"},
    {"name": "survey_language", "by": ["survey", "language"],
     "metrics": SURVEY},
    {"name": "segment", "by": ["segment"], "metrics": ALL},
    {"name": "year_topic", "by": ["year", "topic"], "metrics": ALL},
    {"name": "language_mixed", "by": ["language"],
     "metrics": ["csat", "created", "art", "ces"], "warn": True},
]

# ---------------------------------------------------------------- t quantile


def _betacf(a, b, x):
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        de = d * c
        h *= de
        if abs(de - 1.0) < 1e-15:
            break
    return h


def betai(a, b, x):
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    lbt = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
           + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(lbt) * _betacf(a, b, x) / a
    return 1.0 - math.exp(lbt) * _betacf(b, a, 1.0 - x) / b


def t_quantile(p, df):
    """Student t quantile for p > 0.5: P(|T| > t) = 2(1 - p) is
    I_{df/(df+t²)}(df/2, 1/2); solve for x by bisection (I is increasing
    in x), then t = sqrt(df (1 - x) / x)."""
    target = 2.0 * (1.0 - p)
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if betai(df / 2.0, 0.5, mid) < target:
            lo = mid
        else:
            hi = mid
    x = (lo + hi) / 2
    return math.sqrt(df * (1.0 - x) / x)


def self_test_t():
    # Reference values (two-sided 95 %): R qt(0.975, df).
    for df, want in ((1, 12.706204736), (2, 4.302652730), (5, 2.570581836),
                     (10, 2.228138852), (29, 2.045229642),
                     (100, 1.983971519), (10000, 1.960201263)):
        got = t_quantile(0.975, df)
        if abs(got - want) > 1e-6:
            sys.exit("t_quantile(0.975, %d) = %.9f, want %.9f" % (df, got, want))

# ---------------------------------------------------------------- SQL


def ms_of(expr):
    """SQL: a date/time string expression → integer ms since the epoch."""
    return ("CAST(round((julianday(%s) - 2440587.5) * 86400000.0) AS INTEGER)"
            % expr)


def label_sql(dim, x):
    """SQL: the UTC bucket label of dim for datetime string expression x."""
    if dim == "day":
        return "date(%s)" % x
    if dim == "month":
        return "strftime('%%Y-%%m', %s)" % x
    if dim == "year":
        return "strftime('%%Y', %s)" % x
    if dim == "quarter":
        return ("strftime('%%Y', %s) || '-Q' || "
                "((CAST(strftime('%%m', %s) AS INTEGER) + 2) / 3)" % (x, x))
    if dim == "week":
        # ISO 8601 week: the week's Thursday decides year and number
        # (SQLite 3.40 has no %V/%G).
        thu = ("date(%s, '-' || ((CAST(strftime('%%w', %s) AS INTEGER) + 6) %% 7)"
               " || ' days', '+3 days')" % (x, x))
        return ("strftime('%%Y', %s) || '-W' || printf('%%02d', "
                "(CAST(strftime('%%j', %s) AS INTEGER) - 1) / 7 + 1)" % (thu, thu))
    raise ValueError(dim)


def bucket_start_sql(dim, x):
    if dim == "day":
        return "date(%s)" % x
    if dim == "week":
        return ("date(%s, '-' || ((CAST(strftime('%%w', %s) AS INTEGER) + 6) %% 7)"
                " || ' days')" % (x, x))
    if dim == "month":
        return "date(%s, 'start of month')" % x
    if dim == "quarter":
        return ("date(%s, 'start of month', '-' || "
                "((CAST(strftime('%%m', %s) AS INTEGER) - 1) %% 3) || ' months')"
                % (x, x))
    if dim == "year":
        return "date(%s, 'start of year')" % x
    raise ValueError(dim)


def bucket_next_sql(dim, s):
    step = {"day": "+1 day", "week": "+7 days", "month": "+1 month",
            "quarter": "+3 months", "year": "+1 year"}[dim]
    return "date(%s, '%s')" % (s, step)


def wilson_sql(k, n, name):
    """SQL: value, lo, hi (percent) of k successes out of n, as name_*."""
    p = "(1.0 * %s / %s)" % (k, n)
    zz = repr(Z * Z)
    center = "(%s + %s / (2.0 * %s))" % (p, zz, n)
    half = "(%r * sqrt(%s * (1 - %s) / %s + %s / (4.0 * %s * %s)))" % (
        Z, p, p, n, zz, n, n)
    den = "(1 + %s / %s)" % (zz, n)
    return ("CASE WHEN %s > 0 THEN 100.0 * %s END AS %s_value,\n"
            "  CASE WHEN %s > 0 THEN 100.0 * (%s - %s) / %s END AS %s_lo,\n"
            "  CASE WHEN %s > 0 THEN 100.0 * (%s + %s) / %s END AS %s_hi"
            % (n, p, name, n, center, half, den, name, n, center, half, den,
               name))


def pct_sql(p, x="d", i="i", cnt="cnt"):
    """SQL aggregate: percentile_cont(p) over rows numbered i = 0..cnt-1 in
    ascending x (linear interpolation between the closest ranks)."""
    pos = "(%r * (%s - 1))" % (p, cnt)
    k = "CAST(%s AS INTEGER)" % pos
    return ("sum(CASE WHEN {i} = {k} THEN {x} * (1 - ({pos} - {k}))"
            " WHEN {i} = {k} + 1 THEN {x} * ({pos} - {k}) ELSE 0 END)"
            .format(i=i, k=k, x=x, pos=pos))


def report_sql(by, metrics, from_ms, to_ms):
    """The SQL computing every figure of one report, one output row per
    report row (keys k0 = constant, k1.. = the --by dimensions)."""
    time_dims = [d for d in by if d in TIME_DIMS]
    assert len(time_dims) <= 1, "one time dimension at most"
    tdim = time_dims[0] if time_dims else None
    F, T = from_ms, to_ms
    ticket_ok = all(d in TICKET_DIMS for d in by)
    survey_ok = all(d in SURVEY_DIMS for d in by)
    want = set(metrics)
    keys = ["k0"] + ["k%d" % (i + 1) for i in range(len(by))]
    klist = ", ".join(keys)

    def dims(ts_col):
        """Select list of the keys for a record whose time is ts_col."""
        out = ["0 AS k0"]
        for i, d in enumerate(by):
            if d in TIME_DIMS:
                e = label_sql(d, "datetime(%s / 1000, 'unixepoch')" % ts_col)
            else:
                e = d
            out.append("%s AS k%d" % (e, i + 1))
        return ", ".join(out)

    ctes, parts, cols = [], [], []
    fam_created = ticket_ok and want & {"created", "resolution_rate",
                                        "escalation_rate"}
    fam_resolved = ticket_ok and want & {"resolved", "fcr", "art"}
    fam_frt = ticket_ok and "frt" in want
    fam_backlog = ticket_ok and "backlog" in want
    fam_csat = survey_ok and want & {"csat", "csat_mean"}
    fam_nps = survey_ok and "nps" in want
    fam_ces = survey_ok and want & {"ces", "ces_agree"}

    if fam_created:
        ctes.append("""created_g AS (
  SELECT {k}, count(*) AS created,
         sum(res_ms IS NOT NULL) AS created_resolved,
         sum(COALESCE(escalated, 0)) AS escalated
  FROM (SELECT {dims}, res_ms, escalated FROM tk
        WHERE created_ms >= {F} AND created_ms < {T})
  GROUP BY {k})""".format(k=klist, dims=dims("created_ms"), F=F, T=T))
        parts.append("created_g")
        cols += ["created_g.created", "created_g.created_resolved",
                 "created_g.escalated",
                 wilson_sql("created_g.created_resolved", "created_g.created",
                            "rr"),
                 wilson_sql("created_g.escalated", "created_g.created", "esc")]
    for fam, name, ts, extra in (
            (fam_resolved, "resolved", "res_ms",
             ", (COALESCE(contacts, 1) = 1 AND COALESCE(reopened, 0) = 0)"
             " AS fcr_ok"),
            (fam_frt, "frt", "fr_ms", "")):
        if not fam:
            continue
        # Durations in seconds; percentiles from row_number over the sorted
        # durations of each group.
        ctes.append("""{name}_g AS (
  SELECT {k}, count(*) AS n, avg(d) AS mean,
         CASE WHEN count(*) > 1 THEN sqrt(max(0, (sum(d * d)
           - sum(d) * sum(d) / count(*)) / (count(*) - 1))) END AS sd,
         {med} AS median, {p90} AS p90{fcr}
  FROM (SELECT *, row_number() OVER (PARTITION BY {k} ORDER BY d) - 1 AS i,
               count(*) OVER (PARTITION BY {k}) AS cnt
        FROM (SELECT {dims}, ({ts} - created_ms) / 1000.0 AS d{extra} FROM tk
              WHERE {ts} >= {F} AND {ts} < {T}))
  GROUP BY {k})""".format(name=name, k=klist, dims=dims(ts), ts=ts, F=F, T=T,
                          extra=extra, med=pct_sql(0.5), p90=pct_sql(0.9),
                          fcr=", sum(fcr_ok) AS fcr_ok" if extra else ""))
        parts.append("%s_g" % name)
        cols += ["{0}_g.n AS {0}_n".format(name),
                 "{0}_g.mean AS {0}_mean".format(name),
                 "{0}_g.sd AS {0}_sd".format(name),
                 "{0}_g.median AS {0}_median".format(name),
                 "{0}_g.p90 AS {0}_p90".format(name)]
        if extra:
            cols += ["resolved_g.fcr_ok",
                     wilson_sql("resolved_g.fcr_ok", "resolved_g.n", "fcr")]
    if fam_backlog:
        # One segment per time bucket met by [from, to) (or the whole
        # period); backlog at t = the segment's end, min(bucket end, to).
        if tdim:
            x0 = "datetime(%d / 1000, 'unixepoch')" % F
            nxt = bucket_next_sql(tdim, "s")
            ctes.append("""seg_b(s) AS (
  SELECT {start}
  UNION ALL
  SELECT {nxt} FROM seg_b WHERE {nxt_ms} < {T})""".format(
                start=bucket_start_sql(tdim, x0), nxt=nxt,
                nxt_ms=ms_of(nxt), T=T))
            ctes.append("""seg AS (
  SELECT {label} AS label, min({nxt_ms}, {T}) AS end_ms FROM seg_b)""".format(
                label=label_sql(tdim, "s"), nxt_ms=ms_of(nxt), T=T))
        else:
            ctes.append("seg AS (SELECT NULL AS label, %d AS end_ms)" % T)
        sel = ["0 AS k0"]
        for i, d in enumerate(by):
            sel.append("%s AS k%d" % ("seg.label" if d in TIME_DIMS
                                      else "tk." + d, i + 1))
        ctes.append("""backlog_g AS (
  SELECT {k}, count(*) AS backlog
  FROM (SELECT {sel} FROM seg JOIN tk
        ON tk.created_ms < seg.end_ms
       AND (tk.res_ms IS NULL OR tk.res_ms >= seg.end_ms))
  GROUP BY {k})""".format(k=klist, sel=", ".join(sel)))
        parts.append("backlog_g")
        cols.append("backlog_g.backlog")
    if fam_csat or fam_nps or fam_ces:
        ctes.append("""sv AS (
  SELECT {dims}, survey, score, smin, smax FROM rs
  WHERE score IS NOT NULL AND survey IN ('csat', 'nps', 'ces')
    AND responded_ms >= {F} AND responded_ms < {T})""".format(
            dims=dims("responded_ms"), F=F, T=T))
    sd = ("CASE WHEN count(*) > 1 THEN sqrt(max(0, (sum(score * score)"
          " - 1.0 * sum(score) * sum(score) / count(*)) / (count(*) - 1)))"
          " END AS sd")
    if fam_csat:
        # Top two points of the scale; on fewer than five points the top one.
        ctes.append("""csat_g AS (
  SELECT {k}, count(*) AS n,
         sum(CASE WHEN smax - smin + 1 >= 5 THEN score >= smax - 1
                  ELSE score = smax END) AS k,
         avg(score) AS mean, {sd}, min(smin) AS smin, max(smax) AS smax
  FROM sv WHERE survey = 'csat' GROUP BY {k})""".format(k=klist, sd=sd))
        parts.append("csat_g")
        cols += ["csat_g.n AS csat_n", "csat_g.k AS csat_k",
                 "csat_g.mean AS csat_mean", "csat_g.sd AS csat_sd",
                 "csat_g.smin AS csat_smin", "csat_g.smax AS csat_smax",
                 wilson_sql("csat_g.k", "csat_g.n", "csat")]
    if fam_nps:
        ctes.append("""nps_g AS (
  SELECT {k}, count(*) AS n, sum(score >= 9) AS pro, sum(score <= 6) AS det
  FROM sv WHERE survey = 'nps' GROUP BY {k})""".format(k=klist))
        parts.append("nps_g")
        p, d, n = ("(1.0 * nps_g.pro / nps_g.n)", "(1.0 * nps_g.det / nps_g.n)",
                   "nps_g.n")
        moe = "(%r * sqrt(%s + %s - (%s - %s) * (%s - %s)) / sqrt(%s))" % (
            Z_NPS, p, d, p, d, p, d, n)
        cols += ["nps_g.n AS nps_n",
                 "100.0 * (%s - %s) AS nps_value" % (p, d),
                 "max(-100.0, 100.0 * (%s - %s - %s)) AS nps_lo" % (p, d, moe),
                 "min(100.0, 100.0 * (%s - %s + %s)) AS nps_hi" % (p, d, moe)]
    if fam_ces:
        # Agree: above the scale's midpoint (5-7 on 1-7, 4-5 on 1-5).
        ctes.append("""ces_g AS (
  SELECT {k}, count(*) AS n, avg(score) AS mean, {sd},
         min(smin) AS smin, max(smax) AS smax,
         sum(2 * score > smin + smax) AS agree
  FROM sv WHERE survey = 'ces' GROUP BY {k})""".format(k=klist, sd=sd))
        parts.append("ces_g")
        cols += ["ces_g.n AS ces_n", "ces_g.mean AS ces_mean",
                 "ces_g.sd AS ces_sd", "ces_g.agree AS ces_agree_k",
                 "ces_g.smin AS ces_smin", "ces_g.smax AS ces_smax",
                 wilson_sql("ces_g.agree", "ces_g.n", "ces_agree")]

    ticket_parts = [q for q in parts
                    if q in ("created_g", "resolved_g", "frt_g", "backlog_g")]
    has_tickets = " OR ".join("%s.k0 IS NOT NULL" % q for q in ticket_parts)
    cols.append("(%s) AS has_tickets" % (has_tickets or "0"))
    ctes.append("keys AS (\n  %s)" % "\n  UNION ".join(
        "SELECT %s FROM %s" % (klist, q) for q in parts)
                if parts else "keys AS (SELECT 0 AS k0 WHERE 0)")
    joins = "\n".join("LEFT JOIN %s USING (%s)" % (q, klist) for q in parts)
    return ("WITH RECURSIVE\n" + ",\n".join(ctes) +
            "\nSELECT %s,\n  %s\nFROM keys\n%s\nORDER BY %s;\n"
            % (", ".join("keys.%s" % k for k in keys), ",\n  ".join(cols),
               joins, klist))


def run_sqlite(sqlite3, db, script):
    p = subprocess.run([sqlite3, "-bail", "-batch", db], input=script,
                       capture_output=True, text=True)
    if p.returncode != 0 or p.stderr.strip():
        sys.stderr.write(script[-4000:])
        sys.exit("sqlite3 failed (%d): %s" % (p.returncode, p.stderr))
    return p.stdout


def sql_json(sqlite3, db, query):
    out = run_sqlite(sqlite3, db, ".mode json\n" + query)
    return json.loads(out) if out.strip() else []


def load_csvs(sqlite3, db, data):
    if os.path.exists(db):
        os.unlink(db)
    script = "".join(".import --csv '%s' %s_raw\n" % (
        os.path.join(data, k + ".csv"), k)
        for k in ("agents", "customers", "tickets", "responses"))
    script += ".read '%s'\n" % os.path.join(HERE, "metrics.sql")
    run_sqlite(sqlite3, db, script)

# ---------------------------------------------------------------- expected


def expected_rows(sql_rows, by, metrics):
    """The figures of each row, shaped as the report's JSON, from SQL."""
    out = {}
    for r in sql_rows:
        key = tuple(r["k%d" % (i + 1)] for i in range(len(by)))
        key = tuple("" if v is None else str(v) for v in key)
        figs = {}
        has_t = bool(r.get("has_tickets"))

        def prop(value, n, lo, hi, survey):
            if not n:
                return None
            f = {"value": value, "n": n, "lo": lo, "hi": hi}
            f["low_n"] = n < 30 if survey else None
            return f

        def mean(m, sd, n, lo_range=None, hi_range=None):
            # SPEC §2: every interval clipped to the metric's range (the
            # scale; durations >= 0), widened to hold the value itself.
            if not n:
                return None
            lo = hi = None
            if n > 1:
                moe = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
                lo, hi = m - moe, m + moe
                if lo_range is not None:
                    lo = max(lo, min(lo_range, m))
                if hi_range is not None:
                    hi = min(hi, max(hi_range, m))
            return {"value": m, "n": n, "lo": lo, "hi": hi, "low_n": n < 30}

        def dur(pre):
            if not r.get(pre + "_n"):
                return None
            f = mean(r[pre + "_mean"], r.get(pre + "_sd"), r[pre + "_n"], 0)
            f.update({"median": r[pre + "_median"], "p90": r[pre + "_p90"]})
            return f

        def count(v):
            return {"value": v or 0} if has_t else None

        for m in metrics:
            if m == "created":
                figs[m] = count(r.get("created")) if "created" in r else None
            elif m == "resolved":
                figs[m] = count(r.get("resolved_n")) if "resolved_n" in r else None
            elif m == "backlog":
                figs[m] = count(r.get("backlog")) if "backlog" in r else None
            elif m == "resolution_rate":
                figs[m] = prop(r.get("rr_value"), r.get("created"),
                               r.get("rr_lo"), r.get("rr_hi"), False)
            elif m == "escalation_rate":
                figs[m] = prop(r.get("esc_value"), r.get("created"),
                               r.get("esc_lo"), r.get("esc_hi"), False)
            elif m == "fcr":
                figs[m] = prop(r.get("fcr_value"), r.get("resolved_n"),
                               r.get("fcr_lo"), r.get("fcr_hi"), False)
            elif m == "art":
                figs[m] = dur("resolved")
            elif m == "frt":
                figs[m] = dur("frt")
            elif m == "csat":
                figs[m] = prop(r.get("csat_value"), r.get("csat_n"),
                               r.get("csat_lo"), r.get("csat_hi"), True)
            elif m == "csat_mean":
                figs[m] = mean(r.get("csat_mean"), r.get("csat_sd"),
                               r.get("csat_n"), r.get("csat_smin"),
                               r.get("csat_smax"))
            elif m == "nps":
                figs[m] = prop(r.get("nps_value"), r.get("nps_n"),
                               r.get("nps_lo"), r.get("nps_hi"), True)
            elif m == "ces":
                figs[m] = mean(r.get("ces_mean"), r.get("ces_sd"),
                               r.get("ces_n"), r.get("ces_smin"),
                               r.get("ces_smax"))
            elif m == "ces_agree":
                figs[m] = prop(r.get("ces_agree_value"), r.get("ces_n"),
                               r.get("ces_agree_lo"), r.get("ces_agree_hi"),
                               True)
        out[key] = figs
    return out

# ---------------------------------------------------------------- compare


def parse_instant_ms(s):
    """An ISO 8601 instant (a plain date = midnight UTC) → ms since epoch."""
    s = s.strip()
    if len(s) == 10:
        s += "T00:00:00Z"
    t = dt.datetime.fromisoformat(s.replace("Z", "+00:00").replace(" ", "T"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return round(t.timestamp() * 1000)


def num_eq(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    return abs(float(a) - float(b)) <= TOL


# The median and p90 of durations may come from a quantile sketch (SPEC
# §2: within 1 % relative error), so they agree to 1 % of the SQL value.
QUANTILES = ("median", "p90")


def num_eq_rel(a, b, rel=0.01):
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= rel * abs(float(b)) + 1e-9


def compare(run, got, exp_rows, from_ms, to_ms, stderr, problems):
    name = run["name"]

    def bad(msg):
        problems.append("[%s] %s" % (name, msg))

    if got.get("by") != run["by"]:
        bad("by: ours %r, SQL %r" % (got.get("by"), run["by"]))
    if got.get("tz") != "UTC":
        bad("tz: ours %r, expected 'UTC'" % got.get("tz"))
    for fld, want in (("from", from_ms), ("to", to_ms)):
        try:
            v = parse_instant_ms(got.get(fld) or "")
        except ValueError:
            v = None
        if v != want or not str(got.get(fld, "")).endswith("Z"):
            bad("%s: ours %r, SQL %s" % (fld, got.get(fld),
                dt.datetime.fromtimestamp(want / 1000, dt.timezone.utc)
                .isoformat().replace("+00:00", "Z")))
    if run.get("warn") and not stderr.strip():
        bad("a requested metric does not apply to --by %s, but no warning on"
            " stderr" % ",".join(run["by"]))

    rows = got.get("rows") or []
    got_rows = {}
    keys_in_order = []
    for row in rows:
        key = tuple(row.get(d) for d in run["by"])
        keys_in_order.append(key)
        if key in got_rows:
            bad("row %s twice" % (key,))
        got_rows[key] = row
    if keys_in_order != sorted(keys_in_order, key=lambda k: tuple(
            (v or "").encode("utf-8") for v in k)):
        bad("rows are not sorted by their dimension values")
    for key in sorted(set(exp_rows) - set(got_rows)):
        bad("row %s: missing in ours (SQL has it: %s)" % (
            key, json.dumps(exp_rows[key], sort_keys=True)[:300]))
    for key in sorted(set(got_rows) - set(exp_rows)):
        bad("row %s: ours has it, SQL has no such row: %s" % (
            key, json.dumps(got_rows[key], sort_keys=True)[:300]))

    n_checked = 0
    for key in sorted(set(got_rows) & set(exp_rows)):
        row, exp = got_rows[key], exp_rows[key]
        extra = set(row) - set(run["by"]) - set(run["metrics"])
        if extra:
            bad("row %s: unexpected keys %s" % (key, sorted(extra)))
        for m in run["metrics"]:
            if m not in row:
                bad("row %s %s: missing in ours" % (key, m))
                continue
            g, e = row[m], exp.get(m)
            if g is None or e is None:
                if (g is None) != (e is None):
                    bad("row %s %s: ours %s, SQL %s" % (
                        key, m, json.dumps(g), json.dumps(e)))
                n_checked += 1
                continue
            for fld in sorted(set(g) - set(e)):
                if not (fld == "low_n" and e.get("low_n", 0) is None):
                    bad("row %s %s.%s: ours %r, SQL has no such field" % (
                        key, m, fld, g[fld]))
            for fld, ev in sorted(e.items()):
                if fld == "low_n" and ev is None:
                    # Ticket rates: SPEC flags fewer than 30 *answers*; a
                    # low_n here, if any, must still mean n < 30.
                    if g.get("low_n") not in (None, False, g.get("n", 0) < 30):
                        bad("row %s %s.low_n: ours %r with n = %r" % (
                            key, m, g.get("low_n"), g.get("n")))
                    continue
                if fld not in g:
                    bad("row %s %s.%s: missing in ours (SQL %r)" % (
                        key, m, fld, ev))
                elif (fld == "n" or (fld == "value" and m in COUNTS)) and \
                        not isinstance(g[fld], int):
                    # docs/report-semantics.md: counts are integers.
                    bad("row %s %s.%s: ours %r is not a JSON integer "
                        "(SQL %r)" % (key, m, fld, g[fld], ev))
                elif not (num_eq_rel(g[fld], ev) if fld in QUANTILES
                          else num_eq(g[fld], ev)):
                    bad("row %s %s.%s: ours %r, SQL %r" % (
                        key, m, fld, g[fld],
                        round(ev, 6) if isinstance(ev, float) else ev))
                n_checked += 1
    return len(got_rows), n_checked

# ---------------------------------------------------------------- main


def problem_kind(pr):
    """What a mismatch line is about, without its run, row and numbers:
    e.g. "created.value (not a JSON integer)" or "csat.lo"."""
    m = re.match(r"\[[^\]]+\] (?:row \(.*?\),? ?)?([^:]*)", pr)
    kind = m.group(1) if m else pr
    if "not a JSON integer" in pr:
        kind += " (not a JSON integer)"
    return kind


def print_problems(problems, show_all):
    """Every mismatch with --all; otherwise, per kind, its count, the runs
    it occurs in and its first three lines."""
    if show_all:
        for pr in problems:
            print("  " + pr)
        return
    kinds = {}
    for pr in problems:
        kinds.setdefault(problem_kind(pr), []).append(pr)
    for kind, prs in kinds.items():
        runs = sorted({re.match(r"\[([^\]]+)\]", pr).group(1)
                       for pr in prs})
        print("- %s: %d mismatch%s in %s" % (
            kind, len(prs), "" if len(prs) == 1 else "es", ", ".join(runs)))
        for pr in prs[:3]:
            print("    " + pr)
        if len(prs) > 3:
            print("    ... (--all prints every one)")


def run_import(cx, db, data, manifest, problems):
    for kind in ("agents", "customers", "tickets", "responses"):
        path = os.path.join(data, kind + ".csv")
        p = subprocess.run([cx, "import", "--db", db, kind, path],
                           capture_output=True, text=True)
        rejected = manifest["rejected"][kind]
        want_rc = 1 if rejected else 0
        m = re.search(r"imported ([\d,]+) rows?, rejected ([\d,]+)", p.stdout)
        if p.returncode != want_rc:
            problems.append("[import %s] exit %d, expected %d; stderr:\n%s" % (
                kind, p.returncode, want_rc, p.stderr[-2000:]))
        if not m:
            problems.append("[import %s] no summary on stdout: %r" % (
                kind, p.stdout[-300:]))
            continue
        imp, rej = (int(x.replace(",", "")) for x in m.groups())
        if rej != rejected or imp != manifest["rows"][kind] - rejected:
            problems.append("[import %s] summary %r, expected imported %d, "
                            "rejected %d" % (kind, m.group(0),
                                             manifest["rows"][kind] - rejected,
                                             rejected))
        diags = [ln for ln in p.stderr.splitlines()
                 if re.match(r"^.*%s\.csv:\d+:\d+: \w+: " % kind, ln)]
        if len(diags) != rejected:
            problems.append("[import %s] %d diagnostics FILE:LINE:COL: COLUMN:"
                            " reason on stderr, expected %d:\n%s" % (
                                kind, len(diags), rejected, p.stderr[-2000:]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cxmeter", required=True)
    ap.add_argument("--sqlite3", default=shutil.which("sqlite3") or
                    "/usr/bin/sqlite3")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--engine", help="the store's engine as a DSN prefix "
                    "(rowtest: the row-only test engine; pg: a new database on "
                    "the tests' PostgreSQL cluster, CXM_PG_DIR); default "
                    "sqlite")
    ap.add_argument("--seed", type=int, default=20260301)
    ap.add_argument("--run", action="append",
                    help="only the named report(s): %s" %
                    ", ".join(r["name"] for r in RUNS))
    ap.add_argument("--show-sql", action="store_true",
                    help="print each report's SQL")
    ap.add_argument("--all", action="store_true",
                    help="print every mismatch, not three of each kind")
    a = ap.parse_args()
    self_test_t()
    for exe in (a.cxmeter, a.sqlite3):
        if not os.access(exe, os.X_OK):
            print("not executable: %s" % exe, file=sys.stderr)
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

    xdb = os.path.join(a.workdir, "sql.db")
    load_csvs(a.sqlite3, xdb, data)
    period = sql_json(a.sqlite3, xdb, "SELECT * FROM default_period;")[0]

    total_rows = total_figs = 0
    for run in RUNS:
        if a.run and run["name"] not in a.run:
            continue
        cmd = [a.cxmeter, "report", "--db", db, "--format", "json",
               "--metrics", ",".join(run["metrics"])]
        if run["by"]:
            cmd += ["--by", ",".join(run["by"])]
        for fld in ("from", "to"):
            if fld in run:
                cmd += ["--" + fld, run[fld]]
        from_ms = (parse_instant_ms(run["from"]) if "from" in run
                   else period["from_ms"])
        to_ms = (parse_instant_ms(run["to"]) if "to" in run
                 else period["to_ms"])
        q = report_sql(run["by"], run["metrics"], from_ms, to_ms)
        if a.show_sql:
            print("-- %s\n%s" % (run["name"], q))
        exp = expected_rows(sql_json(a.sqlite3, xdb, q), run["by"],
                            run["metrics"])
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            problems.append("[%s] %s: exit %d\n%s" % (
                run["name"], " ".join(cmd), p.returncode, p.stderr[-2000:]))
            continue
        try:
            got = json.loads(p.stdout)
        except ValueError as e:
            problems.append("[%s] output is not JSON (%s): %r" % (
                run["name"], e, p.stdout[:300]))
            continue
        before = len(problems)
        n_rows, n_figs = compare(run, got, exp, from_ms, to_ms, p.stderr,
                                 problems)
        total_rows += n_rows
        total_figs += n_figs
        print("%-16s %4d rows, %6d fields checked, %d mismatches" % (
            run["name"], n_rows, n_figs, len(problems) - before))

    if problems:
        print("\n%d mismatches (ours = cxmeter, SQL = sqlite3 on the raw "
              "CSVs, data in %s):" % (len(problems), data))
        print_problems(problems, a.all)
        return 1
    print("crosscheck: %d rows, %d figure fields agree with SQL" % (
        total_rows, total_figs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
