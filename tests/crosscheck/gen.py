#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""gen.py — synthetic SPEC §1 CSVs for the SQL cross-check.

Independent of `cxmeter demo-data`: stdlib only, deterministic for a seed.
Writes tickets.csv, responses.csv, customers.csv and agents.csv into --out
(crosscheck.py), and orders.csv, selfservice.csv, agent_hours.csv,
reviews.csv and qa_scores.csv (crosscheck_more.py), plus manifest.json (row
counts and the rows the importer must reject). The later kinds, and the
customers and agents added for them, come from a generator of their own, so
the first four files are the same for a seed as before they existed.

What the data exercises (each point is on purpose, see crosscheck.py):
- timestamps in Z, +07:00, -05:00, +0530 (no colon) and "YYYY-MM-DD hh:mm:ss"
  forms, some with milliseconds;
- events just around month boundaries in +07:00 (2026-03-01T03:00:00+07:00 is
  February in UTC) and in -05:00 (late on the last day is next month in UTC),
  and exactly on UTC midnight;
- never-resolved tickets, tickets resolved after the last event of the data
  (outside the default period), reopened, contacts missing/1/2/3, escalated,
  booleans as 1/0, true/false, yes/no or missing, a status that disagrees
  with resolved_at (resolved_at alone decides);
- csat 1-5, nps 0-10, ces 1-7 and ces with scale 1-5, explicit scales,
  a few csat on 1-3 and 1-10, answers without a score, a custom survey
  (whose unscored answer is the latest event, so it ends the default
  period), a ticket_id that names no ticket;
- responses without agent/team/channel (taken from the ticket; team falls
  back to the agent's team), without customer (segment from the ticket);
- customers with and without segment, unknown customers and agents, empty
  channel (the dimension value "");
- comments with commas, quotes, newlines and non-ASCII text; a team name
  with a comma;
- headers in mixed case and shuffled order, plus an unknown column;
- duplicate ids (the later valid row wins), rejected rows (score outside its
  scale, non-integer score), and a rejected duplicate that must not replace
  the valid row before it;
- languages with exactly 29, 30, 2 and 1 csat answers (low_n boundary, a
  mean of one answer has no interval);
- customers acquired or churned exactly at a quarter start, churned 1 s
  before it, acquired and churned within one quarter, churned before the
  data; orders from before the first ticket, of unknown customers, with
  a zero or missing amount, exactly at resolved_at, at resolved_at + 30 d
  and + 30 d + 1 s, at created_at + 30 d; duplicate order ids;
- self-service sessions with resolved missing, unknown customers, a topic
  no ticket has;
- agents hired or leaving mid-quarter and exactly on a quarter start,
  without hired_at, leaving before the data, dates and instants; hours of
  an agent not in agents.csv, fractional hours, a repeated (agent, date);
- reviews on 1-5 (scale_max missing or 5), 1-7 and 1-10, rejected ratings
  outside [1, scale_max] (one repeats a valid id), duplicates;
- QA scores with max_score missing, 100, 5, 10, 20, reviewed_at missing
  (the ticket's resolved_at, else created_at), a ticket not in
  tickets.csv, a repeated (ticket_id, reviewer).
"""

import argparse
import csv
import datetime as dt
import json
import os
import random

UTC = dt.timezone.utc
START = dt.datetime(2025, 1, 2, tzinfo=UTC)
END = dt.datetime(2026, 3, 3, tzinfo=UTC)
# The earliest and the latest event of the whole data set, pinned so the
# default report period is known: [EARLIEST, LATEST + 1 s).
EARLIEST = dt.datetime(2025, 1, 1, 1, 15, tzinfo=UTC)
LATEST = dt.datetime(2026, 3, 4, 14, 0, tzinfo=UTC)

TEAMS = ["Billing", "Tech", "Onboarding", "Sales, EMEA", "Hỗ trợ"]
CHANNELS = ["email", "chat", "phone", "web", "social"]
TOPICS = ["billing", "login", "shipping", "refund", "bug", "other"]
SEGMENTS = ["enterprise", "smb", "consumer"]
LANGS = ["en", "vi", "id"]
COMMENTS = [
    "Great, fast help",
    'He said "try again", it worked',
    "line one\nline two, with comma",
    "Nhân viên rất nhiệt tình, cảm ơn!",
    "Kiitos, \"erinomainen\" palvelu",
    "=1+1 not a formula",
    "",
    "slow;\r\nvery slow",
    "ok",
    "Terima kasih, mantap",
]


def fmt_ts(t, rng, form=None, frac_ok=True):
    """t (aware, UTC) in one of the accepted textual forms."""
    if form is None:
        form = rng.choice(["Z", "Z", "+07:00", "+07:00", "-05:00", "+0530",
                           "space"])
    ms = t.microsecond // 1000
    frac = ".%03d" % ms if (frac_ok and ms) else ""
    if form == "Z":
        return t.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z"
    if form == "space":
        return t.strftime("%Y-%m-%d %H:%M:%S") + frac
    sign = 1 if form[0] == "+" else -1
    hh, mm = int(form[1:3]), int(form[-2:])
    off = dt.timedelta(hours=hh, minutes=mm) * sign
    local = t.astimezone(dt.timezone(off))
    return local.strftime("%Y-%m-%dT%H:%M:%S") + frac + form


def rand_time(rng, a=START, b=END, ms=False):
    span = (b - a).total_seconds()
    t = a + dt.timedelta(seconds=int(rng.random() * span))
    if ms and rng.random() < 0.15:
        t += dt.timedelta(milliseconds=rng.randint(1, 999))
    return t


def rand_bool(rng, p_true, p_missing=0.15):
    if rng.random() < p_missing:
        return ""
    v = rng.random() < p_true
    return rng.choice([("1", "0"), ("true", "false"), ("yes", "no")])[0 if v else 1]


def write_csv(path, header, rows, shuffle_rng=None, lineterminator="\r\n"):
    order = list(range(len(header)))
    if shuffle_rng is not None:
        shuffle_rng.shuffle(order)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator=lineterminator)
        w.writerow([header[i] for i in order])
        for r in rows:
            w.writerow([r[i] for i in order])


def gen_agents(rng):
    agents = []
    for i in range(1, 25):
        aid = "A%03d" % i
        team = TEAMS[i % len(TEAMS)] if i % 9 else ""  # A009, A018: no team
        hired = (START - dt.timedelta(days=rng.randint(10, 900))).date()
        left = ""
        if i in (5, 17):
            left = rand_time(rng).date().isoformat()
        agents.append([aid, team, hired.isoformat(), left])
    return agents


def gen_customers(rng):
    customers = []
    for i in range(1, 801):
        cid = "C%04d" % i
        seg = SEGMENTS[rng.randrange(3)] if rng.random() < 0.88 else ""
        acq = rand_time(rng, START - dt.timedelta(days=700), END)
        churned = ""
        if rng.random() < 0.2:
            churned = fmt_ts(acq + dt.timedelta(days=rng.randint(1, 400)), rng)
        customers.append([cid, fmt_ts(acq, rng), churned, seg,
                          rng.choice(["VN", "ID", "MY", "FI", "US", ""]),
                          "%s@example.com" % cid.lower(),
                          "+84 %09d" % rng.randrange(10 ** 9),
                          rng.choice(["vi", "id", "ms", "fi", "en", ""])])
    return customers


def gen_tickets(rng, agents):
    agent_ids = [a[0] for a in agents]
    tickets = []   # rows as lists in HEADER order
    facts = []     # (ticket_id, created, agent, channel, customer, resolved)

    def one(tid, created, created_form=None):
        cust = ""
        u = rng.random()
        if u < 0.85:
            cust = "C%04d" % rng.randint(1, 800)
        elif u < 0.90:
            cust = "C9%03d" % rng.randint(0, 999)   # not in customers.csv
        u = rng.random()
        if u < 0.90:
            agent = rng.choice(agent_ids)
        elif u < 0.93:
            agent = "A9%02d" % rng.randint(0, 9)    # not in agents.csv
        else:
            agent = ""
        team = rng.choice(TEAMS) if rng.random() < 0.55 else ""
        channel = rng.choice(CHANNELS) if rng.random() < 0.94 else ""
        first = resolved = None
        if rng.random() < 0.85:
            first = created + dt.timedelta(
                seconds=int(rng.lognormvariate(7.5, 1.3)) + 1,
                milliseconds=rng.choice([0, 0, 0, rng.randint(1, 999)]))
        if rng.random() < 0.86:
            resolved = created + dt.timedelta(
                seconds=int(rng.lognormvariate(10.5, 1.4)) + 60,
                milliseconds=rng.choice([0, 0, rng.randint(1, 999)]))
            if first is not None and first > resolved:
                first = resolved
        status = ("solved" if resolved else rng.choice(["open", "pending"]))
        if rng.random() < 0.03:   # disagrees with resolved_at: informational
            status = "open" if resolved else "solved"
        contacts = rng.choice(["", "", "1", "1", "1", "1", "2", "2", "3"])
        row = [tid, fmt_ts(created, rng, created_form), cust, agent, team,
               channel,
               fmt_ts(first, rng) if first else "",
               fmt_ts(resolved, rng) if resolved else "",
               status, contacts, rand_bool(rng, 0.12), rand_bool(rng, 0.1),
               rand_bool(rng, 0.05), rng.choice(TOPICS + [""]),
               rng.choice(["", "vip", "note, with comma"])]
        tickets.append(row)
        facts.append((tid, created, agent, channel, cust, resolved))

    n = 0
    # Ordinary tickets, with a weekday bias.
    while n < 2880:
        t = rand_time(rng, ms=True)
        if t.weekday() >= 5 and rng.random() < 0.5:
            continue
        n += 1
        one("T%05d" % n, t)
    # Around month boundaries: in +07:00 the first hours of the 1st are the
    # previous month in UTC; in -05:00 the last evening is the next month;
    # and exactly on UTC midnight.
    m = dt.datetime(2025, 2, 1, tzinfo=UTC)
    while m < END:
        for delta, form in ((-dt.timedelta(hours=4), "+07:00"),
                            (-dt.timedelta(hours=1), "+07:00"),
                            (dt.timedelta(0), "+07:00"),
                            (dt.timedelta(hours=2), "-05:00"),
                            (-dt.timedelta(seconds=1), "Z")):
            n += 1
            one("T%05d" % n, m + delta, form)
        m = (m + dt.timedelta(days=32)).replace(day=1)
    # The earliest event of all; a handful created at the very end and
    # resolved after the last event (outside the default period).
    n += 1
    one("T%05d" % n, EARLIEST, "+07:00")
    for _ in range(6):
        n += 1
        tid = "T%05d" % n
        created = LATEST - dt.timedelta(hours=rng.randint(2, 30))
        one(tid, created, "+07:00")
        res = LATEST + dt.timedelta(days=rng.randint(1, 5))
        tickets[-1][7] = fmt_ts(res, rng, "+07:00")
        tickets[-1][8] = "solved"
        facts[-1] = facts[-1][:5] + (res,)
    return tickets, facts


def gen_responses(rng, facts, agents_by_id):
    rows = []
    rejects = 0

    def score_for(survey, scale):
        if survey == "csat":
            return rng.choices([1, 2, 3, 4, 5], [6, 6, 12, 35, 41])[0]
        if survey == "nps":
            return rng.choices(range(11), [3, 2, 2, 3, 3, 4, 6, 10, 14, 24, 29])[0]
        if scale == "1-5":
            return rng.choices([1, 2, 3, 4, 5], [8, 12, 20, 35, 25])[0]
        return rng.choices(range(1, 8), [5, 6, 9, 15, 22, 25, 18])[0]

    def add(rid, survey, when, score, scale="", tid="", cust="", agent="",
            team="", channel="", lang=None, form=None):
        if lang is None:
            lang = rng.choice(LANGS + [""]) if rng.random() < 0.9 else ""
        rows.append([rid, survey, fmt_ts(when, rng, form),
                     {"csat": "How satisfied were you?",
                      "nps": "How likely are you to recommend us?",
                      "ces": "The company made it easy to handle my issue"}
                     .get(survey, "Custom question, free text"),
                     "" if score is None else str(score), scale,
                     rng.choice(COMMENTS), tid, cust, agent, team, channel,
                     lang])

    n = 0
    for (tid, created, agent, channel, cust, resolved) in facts:
        if rng.random() > 0.85:
            continue
        base = resolved or created
        when = base + dt.timedelta(minutes=rng.randint(5, 4000))
        if when >= LATEST:
            continue
        survey = rng.choices(["csat", "nps", "ces", "onboarding"],
                             [45, 30, 20, 5])[0]
        scale = ""
        if survey == "ces" and rng.random() < 0.3:
            scale = "1-5"
        elif survey == "csat" and rng.random() < 0.1:
            scale = "1-5"
        elif survey == "nps" and rng.random() < 0.1:
            scale = "0-10"
        score = score_for(survey, scale) if rng.random() < 0.97 else None
        if survey == "onboarding":
            score = rng.randint(1, 10)
            scale = "1-10"
        # The response's own dimensions: mostly missing (from the ticket).
        # Its agent, when given, is the ticket's, so "the agent's team"
        # means the same agent in every reading.
        r_agent = agent if rng.random() < 0.4 else ""
        r_team = rng.choice(TEAMS) if rng.random() < 0.25 else ""
        r_chan = rng.choice(CHANNELS) if rng.random() < 0.35 else ""
        r_cust = cust if rng.random() < 0.3 else ""
        n += 1
        add("R%05d" % n, survey, when, score, scale, tid, r_cust, r_agent,
            r_team, r_chan)
    # Responses with no ticket (e.g. a relationship NPS survey).
    for _ in range(500):
        survey = rng.choices(["csat", "nps", "ces"], [30, 55, 15])[0]
        scale = "1-5" if survey == "ces" and rng.random() < 0.3 else ""
        n += 1
        add("R%05d" % n, survey, rand_time(rng, ms=True),
            score_for(survey, scale), scale, "",
            "C%04d" % rng.randint(1, 800) if rng.random() < 0.7 else "",
            rng.choice(list(agents_by_id)) if rng.random() < 0.3 else "",
            rng.choice(TEAMS) if rng.random() < 0.2 else "",
            rng.choice(CHANNELS) if rng.random() < 0.5 else "")
    # Languages with exactly 30, 29, 2 and 1 csat answers (low_n boundary),
    # plus ces answers with a one-answer mean.
    for lang, k in (("ms", 30), ("fi", 29), ("sv", 2), ("et", 1)):
        for _ in range(k):
            n += 1
            add("R%05d" % n, "csat", rand_time(rng), score_for("csat", ""),
                lang=lang)
    for lang, k in (("et", 1), ("sv", 3)):
        for _ in range(k):
            n += 1
            add("R%05d" % n, "ces", rand_time(rng), score_for("ces", ""),
                lang=lang)
    # csat on other scales: 1-3 (the top point alone is satisfied), 1-10
    # (the top two, 9-10); a ticket_id that names no ticket.
    for scale, hi in (("1-3", 3), ("1-10", 10)):
        for _ in range(8):
            n += 1
            add("R%05d" % n, "csat", rand_time(rng), rng.randint(1, hi),
                scale, tid=rng.choice(["", "T99999"]))
    # Around month boundaries in +07:00.
    for month in (3, 6, 9, 12):
        for hh in (3, 6, 7, 9):
            n += 1
            when = dt.datetime(2025, month, 1, hh, tzinfo=dt.timezone(
                dt.timedelta(hours=7))).astimezone(UTC)
            add("R%05d" % n, "csat", when, score_for("csat", ""),
                channel="chat", form="+07:00")
    when = dt.datetime(2026, 3, 1, 3, tzinfo=dt.timezone(
        dt.timedelta(hours=7))).astimezone(UTC)
    for s in ("csat", "nps", "ces"):
        n += 1
        add("R%05d" % n, s, when, score_for(s, ""), channel="email",
            form="+07:00")
    # The latest events of all: a csat answer 1 s before the very last,
    # which is an answer to a custom survey without a score (still an
    # event: it ends the default period).
    n += 1
    add("R%05d" % n, "csat", LATEST - dt.timedelta(seconds=1), 5,
        channel="chat", form="-05:00")
    n += 1
    add("R%05d" % n, "onboarding", LATEST, None, channel="chat",
        form="-05:00")
    # Duplicates: the later valid row replaces the earlier one.
    valid = [r for r in rows if r[4] != "" and r[1] in ("csat", "nps", "ces")]
    for r in rng.sample(valid[:2000], 12):
        d = list(r)
        d[4] = "1" if d[1] != "nps" else "0"
        d[11] = "web"
        rows.append(d)
    # Rejected rows: score outside its scale or not an integer. One of them
    # repeats a valid id and must not replace it.
    bad = [("csat", "6", ""), ("nps", "11", ""), ("ces", "8", ""),
           ("ces", "6", "1-5"), ("csat", "4.5", ""), ("csat", "0", "")]
    for survey, score, scale in bad:
        n += 1
        rows.append(["R%05d" % n, survey, fmt_ts(rand_time(rng), rng),
                     "", score, scale, "bad row", "", "", "", "", "", "en"])
        rejects += 1
    victim = list(valid[5])
    victim[4] = "9" if victim[1] == "csat" else "12"
    victim[5] = ""
    rows.append(victim)
    rejects += 1
    return rows, rejects


# ------------------------------------------------------------------ the
# record kinds of the customer, self-service, agent, review and QA metrics
# (crosscheck_more.py). Drawn from a generator of their own, after all the
# above, so tickets.csv and responses.csv are the same for a seed as before.

ORDERS_FROM = dt.datetime(2024, 6, 1, tzinfo=UTC)
SOURCES = ["google", "trustpilot", "appstore", ""]
KINDS = ["faq", "kb", "chatbot", "ivr", ""]


def parse_ts(text):
    """The instant of a timestamp written by fmt_ts."""
    t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def gen_more_customers(rng):
    """Customers on the quarter boundaries of the default period's buckets:
    acquired or churned exactly at a quarter start (active at s: acquired_at
    <= s and churned_at >= s), churned before the data, acquired and churned
    within one quarter, without segment; none has a ticket."""
    rows = []
    q = [dt.datetime(2025, m, 1, tzinfo=UTC) for m in (4, 7, 10)] + \
        [dt.datetime(2026, 1, 1, tzinfo=UTC)]
    n = 1000
    for s in q:
        for acq, churned in ((s, None), (s, s), (s - dt.timedelta(days=40), s),
                             (s - dt.timedelta(days=40),
                              s - dt.timedelta(seconds=1)),
                             (s + dt.timedelta(days=3),
                              s + dt.timedelta(days=20)),
                             (s - dt.timedelta(days=400),
                              s + dt.timedelta(days=60))):
            n += 1
            rows.append(["C%04d" % n, fmt_ts(acq, rng, "Z"),
                         fmt_ts(churned, rng) if churned else "",
                         rng.choice(SEGMENTS + [""]), "", "", "", ""])
    # Churned long before the data.
    for _ in range(5):
        n += 1
        acq = dt.datetime(2023, 1, 1, tzinfo=UTC) + dt.timedelta(
            days=rng.randint(0, 200))
        rows.append(["C%04d" % n, fmt_ts(acq, rng),
                     fmt_ts(acq + dt.timedelta(days=100), rng),
                     rng.choice(SEGMENTS), "", "", "", ""])
    return rows


def gen_orders(rng, customers, facts):
    """Orders from 2024-06 (before the tickets) to the end. A third of the
    customers never order at random; on some of their tickets an order
    exactly at resolved_at, at resolved_at + 30 d, at + 30 d + 1 s or at
    created_at + 30 d (the 30-day windows are closed). Amounts with cents,
    zero or missing; orders of unknown customers; duplicate order ids (the
    later wins)."""
    rows = []
    n = 0

    def add(cust, when, amount=None, form=None):
        nonlocal n
        n += 1
        if amount is None:
            u = rng.random()
            amount = ("" if u < 0.05 else "0" if u < 0.07 else
                      "%d.%02d" % (rng.randint(1, 900), rng.randint(0, 99)))
        rows.append(["O%05d" % n, cust, fmt_ts(when, rng, form), amount,
                     "" if rng.random() < 0.2 else "USD"])

    never = set()
    for c in customers[:800]:
        cid = c[0]
        if rng.random() < 0.33:
            never.add(cid)
            continue
        acq = max(parse_ts(c[1]), ORDERS_FROM)
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 5])):
            add(cid, rand_time(rng, acq, END + dt.timedelta(days=1), ms=True))
    for _ in range(40):
        add("C9%03d" % rng.randint(0, 999), rand_time(rng, ORDERS_FROM, END))
    # Edge orders on tickets of never-buyers.
    edge = [f for f in facts if f[4] in never and f[5] is not None]
    rng.shuffle(edge)
    for i, (tid, created, agent, channel, cust, resolved) in \
            enumerate(edge[:40]):
        kind = i % 4
        if kind == 0:
            add(cust, resolved)
        elif kind == 1:
            add(cust, resolved + dt.timedelta(days=30))
        elif kind == 2:
            add(cust, resolved + dt.timedelta(days=30, seconds=1))
        else:
            add(cust, created + dt.timedelta(days=30), form="Z")
    for r in rng.sample(rows[:500], 6):
        d = list(r)
        d[3] = "%d.50" % rng.randint(1000, 2000)
        rows.append(d)
    return rows


def gen_selfservice(rng):
    rows = []
    for i in range(1, 3201):
        u = rng.random()
        cust = ("C%04d" % rng.randint(1, 800) if u < 0.7 else
                "C9%03d" % rng.randint(0, 999) if u < 0.78 else "")
        rows.append(["S%05d" % i, fmt_ts(rand_time(rng, ms=True), rng), cust,
                     rng.choice(KINDS), rand_bool(rng, 0.45),
                     rng.choice(TOPICS + ["", "password"])])
    for r in rng.sample(rows, 10):
        d = list(r)
        d[4] = "yes"
        d[5] = "password"
        rows.append(d)
    return rows


def gen_more_agents(rng):
    """Agents hired or leaving mid-quarter, exactly on a quarter start, one
    without hired_at (employed from always), one who left before the data,
    hired_at/left_at as dates or instants. They have no tickets."""
    return [
        ["A025", "Tech", "2025-02-14", ""],
        ["A026", "Billing", "2025-05-10", "2025-08-20"],
        ["A027", "Tech", "", "2025-11-03T12:00:00Z"],
        ["A028", "Onboarding", "2025-07-01", "2026-01-01"],
        ["A029", "", "2025-03-01T08:00:00+07:00", "2025-03-31"],
        ["A030", "Billing", "2023-01-01", "2024-05-01"],
        ["A031", "Hỗ trợ", "2025-10-15", ""],
    ]


def gen_agent_hours(rng, agent_ids):
    rows = []
    d = dt.date(2025, 1, 2)
    while d <= dt.date(2026, 3, 3):
        if d.weekday() < 5:
            for a in agent_ids:
                if rng.random() < 0.35:
                    rows.append([a, d.isoformat(),
                                 rng.choice(["8", "8", "7.5", "6", "4"])])
        d += dt.timedelta(days=1)
    for r in rng.sample(rows, 8):   # the same (agent, date) again: replaces
        d2 = list(r)
        d2[2] = "2.25"
        rows.append(d2)
    return rows


def gen_reviews(rng):
    rows, rejects = [], 0
    for i in range(1, 1601):
        scale = rng.choice(["", "", "5", "10", "10", "7"])
        top = int(scale or 5)
        if top == 10:
            rating = rng.choices(range(1, 11),
                                 [4, 2, 2, 3, 4, 6, 10, 15, 20, 20])[0]
        else:
            rating = rng.randint(1, top)
            if rng.random() < 0.4:
                rating = top
        rows.append(["V%05d" % i, fmt_ts(rand_time(rng, ms=True), rng),
                     str(rating), rng.choice(SOURCES), scale,
                     rng.choice(COMMENTS), rng.choice(LANGS + [""])])
    for r in rng.sample(rows, 6):
        d = list(r)
        d[2] = "1"
        rows.append(d)
    # Rejected: outside [1, scale_max]; the last repeats a valid id and must
    # not replace it.
    for rating, scale in (("0", ""), ("6", ""), ("11", "10"), ("8", "7")):
        rows.append(["V9%04d" % len(rows), fmt_ts(rand_time(rng), rng),
                     rating, "google", scale, "bad", "en"])
        rejects += 1
    d = list(rows[10])
    d[2], d[4] = "6", "5"
    rows.append(d)
    rejects += 1
    return rows, rejects


def gen_qa(rng, facts):
    """QA reviews: max_score 100 (default or explicit), 5, 10, 20;
    reviewed_at given or missing (then the ticket's resolved_at, else its
    created_at); a ticket that is not in tickets.csv; duplicate keys
    (ticket_id, reviewer): the later wins."""
    rows = []
    for f in rng.sample(facts, 1500):
        tid, created, resolved = f[0], f[1], f[5]
        mx = rng.choice(["", "", "100", "5", "10", "20"])
        top = int(mx or 100)
        when = ""
        if rng.random() < 0.6:
            when = fmt_ts((resolved or created) + dt.timedelta(
                hours=rng.randint(1, 300)), rng)
        rows.append([tid, rng.choice(["qa1", "qa2", "lead"]),
                     str(rng.randint(top // 3, top)), mx, when])
    for _ in range(5):
        rows.append(["T99999", "qa1", str(rng.randint(0, 100)), "",
                     fmt_ts(rand_time(rng), rng)])
    for r in rng.sample(rows[:1500], 8):
        d = list(r)
        d[2] = "0"
        rows.append(d)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="directory for the CSVs")
    ap.add_argument("--seed", type=int, default=20260301)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)

    agents = gen_agents(rng)
    customers = gen_customers(rng)
    # A later customers row replaces an earlier one (new segment).
    for c in rng.sample(customers[:700], 8):
        d = list(c)
        d[3] = "enterprise" if d[3] != "enterprise" else "smb"
        customers.append(d)
    tickets, facts = gen_tickets(rng, agents)
    # Duplicate tickets: the later row wins (now resolved, escalated, chat).
    for i in rng.sample(range(2800), 15):
        d = list(tickets[i])
        d[5] = "chat"
        d[11] = "yes"
        if not d[7]:
            d[7] = fmt_ts(facts[i][1] + dt.timedelta(hours=3), rng, "Z")
        tickets.append(d)
    responses, rejects = gen_responses(rng, facts, {a[0]: a for a in agents})

    write_csv(os.path.join(a.out, "tickets.csv"),
              ["Ticket_ID", "Created_At", "customer_id", "agent_id", "TEAM",
               "channel", "first_response_at", "resolved_at", "status",
               "contacts", "reopened", "escalated", "complaint", "topic",
               "internal_note"], tickets, shuffle_rng=random.Random(a.seed))
    write_csv(os.path.join(a.out, "responses.csv"),
              ["response_id", "survey", "responded_at", "question", "score",
               "scale", "comment", "ticket_id", "customer_id", "agent_id",
               "team", "channel", "language"], responses,
              shuffle_rng=random.Random(a.seed + 1))
    # The other record kinds, from a generator of their own.
    rng2 = random.Random(a.seed + 1000003)
    agents_more = gen_more_agents(rng2)
    customers_more = gen_more_customers(rng2)
    orders = gen_orders(rng2, customers, facts)
    sessions = gen_selfservice(rng2)
    hours = gen_agent_hours(rng2, [x[0] for x in agents + agents_more]
                            + ["A950"])
    reviews, review_rejects = gen_reviews(rng2)
    qa = gen_qa(rng2, facts)
    agents_all = agents + agents_more
    customers_all = customers + customers_more

    write_csv(os.path.join(a.out, "agents.csv"),
              ["agent_id", "team", "hired_at", "left_at"], agents_all)
    write_csv(os.path.join(a.out, "customers.csv"),
              ["customer_id", "acquired_at", "churned_at", "segment",
               "country", "email", "phone", "language"], customers_all,
              lineterminator="\n")
    write_csv(os.path.join(a.out, "orders.csv"),
              ["order_id", "customer_id", "ordered_at", "Amount", "currency"],
              orders, shuffle_rng=random.Random(a.seed + 2))
    write_csv(os.path.join(a.out, "selfservice.csv"),
              ["session_id", "started_at", "customer_id", "kind", "resolved",
               "topic"], sessions, shuffle_rng=random.Random(a.seed + 3))
    write_csv(os.path.join(a.out, "agent_hours.csv"),
              ["agent_id", "date", "hours"], hours)
    write_csv(os.path.join(a.out, "reviews.csv"),
              ["review_id", "posted_at", "rating", "source", "scale_max",
               "text", "language"], reviews,
              shuffle_rng=random.Random(a.seed + 4))
    write_csv(os.path.join(a.out, "qa_scores.csv"),
              ["ticket_id", "reviewer", "score", "max_score", "reviewed_at"],
              qa, shuffle_rng=random.Random(a.seed + 5))
    manifest = {
        "seed": a.seed,
        "rows": {"agents": len(agents_all), "customers": len(customers_all),
                 "tickets": len(tickets), "responses": len(responses),
                 "orders": len(orders), "selfservice": len(sessions),
                 "agent_hours": len(hours), "reviews": len(reviews),
                 "qa_scores": len(qa)},
        "rejected": {"agents": 0, "customers": 0, "tickets": 0,
                     "responses": rejects, "orders": 0, "selfservice": 0,
                     "agent_hours": 0, "reviews": review_rejects,
                     "qa_scores": 0},
    }
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print("wrote %s: %s" % (a.out, manifest["rows"]))


if __name__ == "__main__":
    main()
