#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_alerts.py — alert rules (`cxmeter alert`, docs/alerts.md): every
kind of rule fires where it must and stays quiet on noise (a handful of
answers falling from 5 to 1, a borderline drop among many teams that
Holm's adjustment absorbs); each firing is recorded once per rule, group
and window; its test statistic and p-values equal an independent
computation here (Python's math only: the pooled two-proportion z, the NPS
z, Welch's t through the regularized incomplete beta function, Holm's
step-down adjustment); imports evaluate the rules after they commit; the
e-mail text (the mailer's seam) names the figures and the test.
"""
import datetime
import json
import math
import sys

import harness
from harness import test

# Two ISO weeks: previous [PREV, CUR), current [CUR, AT).
PREV = "2026-03-02"
CUR = "2026-03-09"
AT = "2026-03-16"


def answers(c, name, groups, survey="csat", scale="1-5"):
    """Writes a responses file: groups = [(team, day, [scores...])]."""
    lines = ["response_id,survey,responded_at,score,scale,team"]
    i = 0
    for team, day, scores in groups:
        for s in scores:
            i += 1
            lines.append(f"{name}-{i},{survey},{day}T10:{i % 60:02d}:00Z,{s},"
                         f"{scale},{team}")
    c.write(name, "\n".join(lines) + "\n")
    r = c.import_("responses", name)
    c.expect_rc(r, 0, "import answers")


def csat_scores(n, satisfied):
    """n CSAT answers of which `satisfied` are 4-5."""
    return [5] * satisfied + [2] * (n - satisfied)


def add(c, *argv, rc=0):
    r = c.run("alert", "add", "--db", c.db, *argv)
    c.expect_rc(r, rc, "alert add " + " ".join(argv))
    return r


def check(c, *argv):
    r = c.run("alert", "check", "--db", c.db, "--format", "json", *argv)
    c.expect_rc(r, 0, "alert check")
    out = []
    for line in r.out.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            c.fail(f"not JSON: {line!r}", r)
    return out, r


def z_two_prop(k1, n1, k0, n0):
    pool = (k1 + k0) / (n1 + n0)
    se = math.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n0))
    return (k1 / n1 - k0 / n0) / se


def p_normal(z):
    return math.erfc(abs(z) / math.sqrt(2))


def betacf(a, b, x):
    """Continued fraction of the incomplete beta (Numerical Recipes)."""
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / d
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        c = 1 + aa / c
        d = 1 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        c = 1 + aa / c
        d = 1 / d
        h *= d * c
    return h


def betai(a, b, x):
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    lbt = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) +
           a * math.log(x) + b * math.log(1 - x))
    if x < (a + 1) / (a + b + 2):
        return math.exp(lbt) * betacf(a, b, x) / a
    return 1 - math.exp(lbt) * betacf(b, a, 1 - x) / b


def p_welch(x1, x0):
    n1, n0 = len(x1), len(x0)
    m1, m0 = sum(x1) / n1, sum(x0) / n0
    v1 = sum((x - m1) ** 2 for x in x1) / (n1 - 1)
    v0 = sum((x - m0) ** 2 for x in x0) / (n0 - 1)
    a, b = v1 / n1, v0 / n0
    t = (m1 - m0) / math.sqrt(a + b)
    df = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n0 - 1))
    return betai(df / 2, 0.5, df / (df + t * t))


def holm(ps):
    """Holm-adjusted p-values, in the order given."""
    order = sorted(range(len(ps)), key=lambda i: ps[i])
    adj, running = [0.0] * len(ps), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(ps) - rank) * ps[i]))
        adj[i] = running
    return adj


def close(a, b, rel=1e-3):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


@test
def drop_noise_of_three_answers_does_not_fire(c):
    """3 answers falling from 5 to 1: below the minimum sample, and even
    with --min-n 1 the z test's p (0.014) is not below alpha 0.01."""
    answers(c, "a.csv", [("t1", PREV, [5, 5, 5]), ("t1", CUR, [1, 1, 1])])
    add(c, "--metric", "csat", "--by", "team", "--drop")
    add(c, "--metric", "csat", "--by", "team", "--drop", "--min-n", "1")
    fired, r = check(c, "--at", AT)
    c.check(fired == [], "a drop of three answers fired", r)
    r = c.run("alert", "history", "--db", c.db)
    c.check(r.rc == 0 and r.out == "", "history not empty", r)


@test
def drop_fires_with_the_stated_test(c):
    """Team a falls from 85 % to 50 % of 100 answers, team b holds: the
    drop fires for a alone, once, with the pooled z, its p and the Holm p
    over the two teams equal to the independent computation."""
    answers(c, "a.csv", [("a", PREV, csat_scores(100, 85)),
                         ("a", CUR, csat_scores(100, 50)),
                         ("b", PREV, csat_scores(100, 80)),
                         ("b", CUR, csat_scores(100, 78))])
    add(c, "--metric", "csat", "--by", "team", "--drop", "--window", "week",
        "--alpha", "0.01")
    fired, r = check(c, "--at", AT)
    if not c.check(len(fired) == 1, f"expected one firing, got {fired}", r):
        return
    f = fired[0]
    z = z_two_prop(50, 100, 85, 100)
    pa, pb = p_normal(z), p_normal(z_two_prop(78, 100, 80, 100))
    c.check(f["group"] == "a" and f["period"] == "2026-W11" and
            f["kind"] == "drop" and f["metric"] == "csat" and
            f["method"] == "two-proportion z test", f"firing {f}", r)
    c.check(close(f["statistic"], z), f"z {f['statistic']} != {z}", r)
    c.check(close(f["p_value"], pa), f"p {f['p_value']} != {pa}", r)
    c.check(close(f["p_adjusted"], holm([pa, pb])[0]),
            f"Holm p {f['p_adjusted']} != {holm([pa, pb])[0]}", r)
    c.check(f["tests"] == 2 and f["n"] == 100 and f["prev_n"] == 100 and
            f["value"] == 50 and f["prev_value"] == 85, f"figures {f}", r)
    # the report agrees (same figures, same p-value)
    j, _ = c.report_json("--metrics", "csat", "--by", "team", "--from", CUR,
                         "--to", AT, "--compare", "previous")
    row = [x for x in (j or {}).get("rows", []) if x["team"] == "a"]
    c.check(row and abs(row[0]["csat"]["p_value"] - f["p_value"]) < 1e-6,
            f"report --compare says {row}", r)
    # once per rule, group and window
    again, r = check(c, "--at", AT)
    c.check(again == [], "the same window fired twice", r)
    r = c.run("alert", "history", "--db", c.db, "--format", "json")
    hist = [json.loads(x) for x in r.out.splitlines()]
    c.check(len(hist) == 1 and hist[0]["group"] == "a" and
            close(hist[0]["statistic"], z), f"history {hist}", r)


@test
def dry_run_records_nothing(c):
    answers(c, "a.csv", [("a", PREV, csat_scores(100, 85)),
                         ("a", CUR, csat_scores(100, 40))])
    add(c, "--metric", "csat", "--by", "team", "--drop")
    fired, r = check(c, "--at", AT, "--dry-run")
    c.check(len(fired) == 1, "dry run found nothing", r)
    fired, r = check(c, "--at", AT)
    c.check(len(fired) == 1, "the dry run recorded its firing", r)


@test
def holm_absorbs_a_borderline_drop_among_many_teams(c):
    """Ten teams, each 100 answers falling from 80 % to 62 %: each p is
    below 0.01 alone (about 0.005) but not after Holm over ten teams; a
    rule on one team alone fires."""
    groups = []
    for t in range(10):
        groups += [(f"t{t}", PREV, csat_scores(100, 80)),
                   (f"t{t}", CUR, csat_scores(100, 62))]
    answers(c, "a.csv", groups)
    p = p_normal(z_two_prop(62, 100, 80, 100))
    c.check(p < 0.01 < min(1, 10 * p), f"the case is not borderline: {p}")
    add(c, "--metric", "csat", "--by", "team", "--drop")
    fired, r = check(c, "--at", AT, "--dry-run")
    c.check(fired == [], "fired on ten borderline drops", r)
    add(c, "--metric", "csat", "--drop")  # all teams together: n = 1000
    fired, r = check(c, "--at", AT)
    c.check(len(fired) == 1 and fired[0]["group"] == "" and
            fired[0]["tests"] == 1, f"overall drop: {fired}", r)


@test
def rise_fires_upwards_only(c):
    answers(c, "a.csv", [("a", PREV, csat_scores(100, 50)),
                         ("a", CUR, csat_scores(100, 85)),
                         ("b", PREV, csat_scores(100, 85)),
                         ("b", CUR, csat_scores(100, 50))])
    add(c, "--metric", "csat", "--by", "team", "--rise")
    fired, r = check(c, "--at", AT)
    c.check([f["group"] for f in fired] == ["a"] and
            fired[0]["statistic"] > 0, f"rise: {fired}", r)
    # noise: three answers rising from 1 to 5
    answers(c, "b.csv", [("c", PREV, [1, 1, 1]), ("c", CUR, [5, 5, 5])])
    fired, r = check(c, "--at", AT, "--dry-run")
    c.check([f["group"] for f in fired] == ["a"], f"noise rose: {fired}", r)


@test
def nps_drop_uses_the_nps_z_test(c):
    """NPS from +50 to -10 on 80 answers each: the z of the difference of
    promoter − detractor shares, variance (p + d − (p − d)²)/n a side."""
    prev = [10] * 60 + [8] * 10 + [3] * 10      # p .75 d .125
    cur = [10] * 30 + [8] * 10 + [3] * 40       # p .375 d .5
    answers(c, "a.csv", [("a", PREV, prev), ("a", CUR, cur)], "nps", "0-10")
    add(c, "--metric", "nps", "--by", "team", "--drop")
    fired, r = check(c, "--at", AT)
    if not c.check(len(fired) == 1, f"NPS drop: {fired}", r):
        return
    p1, d1, p0, d0 = 30 / 80, 40 / 80, 60 / 80, 10 / 80
    se = math.sqrt((p1 + d1 - (p1 - d1) ** 2) / 80 +
                   (p0 + d0 - (p0 - d0) ** 2) / 80)
    z = ((p1 - d1) - (p0 - d0)) / se
    f = fired[0]
    c.check(f["method"] == "NPS z test" and close(f["statistic"], z) and
            close(f["p_value"], p_normal(z)), f"NPS test {f} vs z {z}", r)
    # noise: 4 answers a side
    answers(c, "b.csv", [("b", PREV, [10] * 4), ("b", CUR, [0] * 4)], "nps",
            "0-10")
    fired, r = check(c, "--at", AT, "--dry-run")
    c.check([f["group"] for f in fired] == ["a"], f"noise fired: {fired}", r)


@test
def mean_drop_uses_welch_t(c):
    """CES mean from about 5.6 to 4.4 on 60 answers a side: Welch's t test,
    the p-value equal to the t distribution's (incomplete beta here)."""
    prev = [7, 6, 5, 5, 6] * 12
    cur = [4, 5, 3, 5, 5] * 12
    answers(c, "a.csv", [("a", PREV, prev), ("a", CUR, cur)], "ces", "1-7")
    add(c, "--metric", "ces", "--by", "team", "--drop")
    fired, r = check(c, "--at", AT)
    if not c.check(len(fired) == 1, f"CES drop: {fired}", r):
        return
    f = fired[0]
    p = p_welch(cur, prev)
    c.check(f["method"] == "Welch t test" and close(f["p_value"], p, 1e-2),
            f"Welch p {f['p_value']} != {p}", r)
    # its statistic is the signed normal deviate of that p
    c.check(f["statistic"] < 0 and
            close(p_normal(f["statistic"]), f["p_value"], 1e-3),
            f"statistic {f['statistic']}", r)
    answers(c, "b.csv", [("b", PREV, [7, 7, 7]), ("b", CUR, [1, 1, 1])],
            "ces", "1-7")
    fired, r = check(c, "--at", AT, "--dry-run")
    c.check([f["group"] for f in fired] == ["a"], f"noise fired: {fired}", r)


def tickets(c, name, rows):
    """rows = [(id, team, created, resolved or "")]"""
    lines = ["ticket_id,created_at,team,resolved_at"]
    lines += [f"{i},{cr},{t},{rs}" for i, t, cr, rs in rows]
    c.write(name, "\n".join(lines) + "\n")
    c.expect_rc(c.import_("tickets", name), 0, "import tickets")


@test
def backlog_above_and_below(c):
    """Team a leaves 6 tickets open, team b 2: backlog above 5 fires for
    a only; below 3 for b only; at the threshold nothing fires."""
    rows = [(f"A{i}", "a", f"{CUR}T09:00:00Z", "") for i in range(6)]
    rows += [(f"B{i}", "b", f"{CUR}T09:00:00Z", "") for i in range(2)]
    rows += [("B9", "b", f"{CUR}T09:00:00Z", f"{CUR}T10:00:00Z")]
    tickets(c, "t.csv", rows)
    add(c, "--metric", "backlog", "--by", "team", "--above", "5")
    add(c, "--metric", "backlog", "--by", "team", "--below", "3")
    add(c, "--metric", "backlog", "--by", "team", "--above", "6")
    fired, r = check(c, "--at", AT)
    got = sorted((f["rule"], f["group"], f["value"]) for f in fired)
    c.check(got == [(1, "a", 6), (2, "b", 2)], f"backlog firings {got}", r)
    c.check(all(f["method"] == "threshold" and f["p_value"] is None
                for f in fired), f"threshold firings {fired}", r)
    # over a range of windows: one firing a window, same as window by window
    fired, r = check(c, "--from", PREV, "--at", "2026-03-30", "--dry-run")
    weeks = sorted({f["period"] for f in fired if f["rule"] == 1})
    c.check(weeks == ["2026-W11", "2026-W12", "2026-W13"],
            f"weeks {weeks}", r)


@test
def threshold_on_a_handful_of_answers_does_not_fire(c):
    """CSAT below 60 on 3 answers: low_n, not looked at by default."""
    answers(c, "a.csv", [("a", CUR, [1, 1, 2])])
    add(c, "--metric", "csat", "--by", "team", "--below", "60")
    fired, r = check(c, "--at", AT)
    c.check(fired == [], f"fired on three answers: {fired}", r)
    answers(c, "b.csv", [("b", CUR, csat_scores(40, 10))])
    fired, r = check(c, "--at", AT)
    c.check([f["group"] for f in fired] == ["b"], f"40 answers: {fired}", r)


@test
def import_checks_the_rules_after_commit(c):
    """The last complete week before now: tickets left open then make the
    backlog rule fire when they are imported, named on stderr."""
    now = datetime.datetime.now(datetime.timezone.utc)
    monday = (now - datetime.timedelta(days=now.weekday())).date()
    created = (monday - datetime.timedelta(days=3)).isoformat()
    add(c, "--metric", "backlog", "--above", "2")
    rows = [(f"T{i}", "a", f"{created}T09:00:00Z", "") for i in range(4)]
    c.write("t.csv", "ticket_id,created_at,team,resolved_at\n" +
            "".join(f"{i},{cr},{t},{rs}\n" for i, t, cr, rs in rows))
    r = c.import_("tickets", "t.csv")
    c.expect_rc(r, 0, "import")
    c.check("alert: backlog: 4.0" in r.err, "no alert on stderr", r)
    r = c.run("alert", "history", "--db", c.db)
    c.check(r.out.count("\n") == 1, "not recorded once", r)
    r = c.import_("tickets", "t.csv")
    c.check("alert:" not in r.err, "the same window fired again", r)


@test
def mail_names_figures_and_test(c):
    answers(c, "a.csv", [("a<b>", PREV, csat_scores(100, 85)),
                         ("a<b>", CUR, csat_scores(100, 50))])
    add(c, "--metric", "csat", "--by", "team", "--drop")
    check(c, "--at", AT)
    r = c.run("alert", "history", "--db", c.db, "--format", "mail")
    c.expect_rc(r, 0, "history --format mail")
    subject = r.out.splitlines()[0] if r.out else ""
    c.check(subject.startswith("Subject: [cxmeter] csat for team a<b> "
                               "dropped in 2026-W11: 85.0 -> 50.0"),
            f"subject {subject!r}", r)
    for want in ("two-proportion z test", "Holm", "p = ",
                 "2026-03-09T00:00:00Z", "--compare previous"):
        c.check(want in r.out, f"mail lacks {want!r}", r)
    r = c.run("alert", "history", "--db", c.db, "--format", "json")
    c.check("a\\u003cb\\u003e" in r.out and "<b>" not in r.out,
            "JSON does not escape < >", r)


@test
def rules_list_remove_and_usage(c):
    add(c, "--metric", "csat", "--by", "team", "--drop")
    add(c, "--metric", "backlog", "--above", "500")
    r = c.run("alert", "list", "--db", c.db)
    c.check(r.rc == 0 and r.out.count("\n") == 2 and
            "csat of any team drops significantly week over week" in r.out,
            "list", r)
    c.expect_rc(c.run("alert", "remove", "1", "--db", c.db), 0, "remove")
    c.expect_rc(c.run("alert", "remove", "1", "--db", c.db), 1,
                "remove again")
    r = c.run("alert", "list", "--db", c.db)
    c.check(r.out.startswith("2 "), "rule 1 still listed", r)
    add(c, "--metric", "csat", rc=2)                       # no kind
    add(c, "--metric", "nope", "--drop", rc=2)
    add(c, "--metric", "backlog", "--drop", rc=2)          # not tested
    add(c, "--metric", "csat", "--drop", "--window", "month", rc=2)
    add(c, "--metric", "csat", "--drop", "--by", "week", rc=2)
    add(c, "--metric", "churn", "--above", "1", "--by", "channel", rc=2)
    add(c, "--metric", "csat", "--drop", "--alpha", "0.9", rc=2)
    add(c, "--metric", "csat", "--drop", "--above", "3", rc=2)
    c.expect_rc(c.run("alert", "frob", "--db", c.db), 2, "unknown verb")


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
