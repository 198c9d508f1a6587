# SPDX-License-Identifier: MIT
"""test_send.py — sending surveys end to end with real parts: a real SMTP
server on 127.0.0.1 (smtp_sink.py, aiosmtpd), `cxmeter serve`, `cxmeter
outbox run`, a local HTTP receiver standing in for the SMS gateway. Each
mail is parsed with the email package; its one-click links are followed
against the running server and the answers are read back with `cxmeter
report`.

--engine pg runs a test on a PostgreSQL store (a database of its own on the
ctest fixture pg's cluster) instead of an SQLite file (issue 17).

Usage: /usr/bin/python3 test_send.py --cxmeter PATH --workdir DIR
       [--engine pg] TEST...
"""

import argparse
import datetime
import email
import email.header
import email.policy
import http.client
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pg"))
import pgdb  # noqa: E402  (tests/pg: a store of either engine)

ARGS = None
TESTS = {}


def test(fn):
    TESTS[fn.__name__] = fn
    return fn


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


class Sink:
    """The SMTP server: smtp_sink.py in its own process."""

    def __init__(self, folder, port=0, refuse=None, delay=0.0):
        self.folder = folder
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)
        cmd = ["/usr/bin/python3", os.path.join(HERE, "smtp_sink.py"),
               folder, "--port", str(port), "--delay", str(delay)]
        if refuse:
            cmd += ["--refuse", refuse]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)

    def mails(self):
        out = []
        for name in sorted(os.listdir(self.folder)):
            if name.endswith(".eml"):
                with open(os.path.join(self.folder, name), "rb") as f:
                    out.append(email.message_from_bytes(
                        f.read(), policy=email.policy.default))
        return out


class Store:
    def __init__(self, name):
        self.dir = os.path.join(ARGS.workdir, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.db = pgdb.dsn_for(ARGS.engine, os.path.join(self.dir, "t.db"),
                               "send")
        self.env = dict(os.environ)
        self.serve = None

    def cli(self, *args, rc=0, env=None):
        p = subprocess.run([ARGS.cxmeter] + list(args) + ["--db", self.db],
                           capture_output=True, text=True, timeout=240,
                           env=env or self.env)
        check(p.returncode == rc, "cxmeter %s: exit %d, stderr %s" %
              (" ".join(args), p.returncode, p.stderr))
        return p

    def smtp(self, port):
        self.env["CXMETER_SMTP_URL"] = "smtp://127.0.0.1:%d" % port
        self.env["CXMETER_SMTP_FROM"] = "Survey <survey@example.com>"

    def write(self, name, header, rows):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(header + "\n")
            for r in rows:
                f.write(",".join(str(x) for x in r) + "\n")
        return path

    def customers(self, rows):
        return self.cli("import", "customers", self.write(
            "customers.csv", "customer_id,acquired_at,email,phone,language",
            rows))

    def tickets(self, rows, name="tickets.csv"):
        return self.cli("import", "tickets", self.write(
            name, "ticket_id,created_at,resolved_at,customer_id,agent_id,team",
            rows))

    def outbox(self, **filters):
        rows = self.sql("SELECT message_id, kind, status, reason, recipient,"
                        " ticket_id, customer_id, attempts FROM outbox"
                        " ORDER BY message_id")
        keys = ["id", "kind", "status", "reason", "recipient", "ticket",
                "customer", "attempts"]
        out = [dict(zip(keys, r)) for r in rows]
        for k, v in filters.items():
            out = [r for r in out if r[k] == v]
        return out

    def sql(self, q, *params):
        return pgdb.store_sql(self.db, q, *params)

    def start_serve(self, port=0):
        self.log = open(os.path.join(self.dir, "serve.log"), "a+")
        self.log.seek(0, 2)
        env = dict(self.env)
        env.pop("CXMETER_PUBLIC_URL", None)  # the server's own address
        self.serve = subprocess.Popen(
            [ARGS.cxmeter, "serve", "--db", self.db, "--listen",
             "127.0.0.1:%d" % port], stdout=subprocess.DEVNULL,
            stderr=self.log, env=env)
        start = self.log.tell()
        deadline = time.time() + 20
        while time.time() < deadline:
            with open(self.log.name) as f:
                f.seek(start)
                m = re.search(r"listening on port (\d+)", f.read())
            if m:
                self.port = int(m.group(1))
                self.env["CXMETER_PUBLIC_URL"] = "http://127.0.0.1:%d" % \
                    self.port
                return
            check(self.serve.poll() is None, "serve exited early")
            time.sleep(0.05)
        raise Fail("serve did not start")

    def stop_serve(self):
        if self.serve and self.serve.poll() is None:
            self.serve.send_signal(signal.SIGTERM)
            check(self.serve.wait(timeout=60) == 0, "serve exit status")
        self.serve = None

    def get(self, url, method="GET", body=None):
        u = urllib.parse.urlparse(url)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        path = u.path + ("?" + u.query if u.query else "")
        headers = {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read().decode("utf-8", "replace")
        c.close()
        return r.status, data


def resolved(hours_ago=2):
    return iso(NOW - datetime.timedelta(hours=hours_ago))


def parts(msg):
    """The text and HTML parts of a mail, decoded."""
    check(msg.get_content_type() == "multipart/alternative",
          "multipart/alternative, not %s" % msg.get_content_type())
    text = html = None
    for p in msg.iter_parts():
        check(p.get_content_charset() == "utf-8", "UTF-8 parts")
        if p.get_content_type() == "text/plain":
            text = p.get_content()
        elif p.get_content_type() == "text/html":
            html = p.get_content()
    check(text and html, "a text and an HTML part")
    return text, html


def links(text):
    return re.findall(r"(http://\S+/s/[A-Za-z0-9_-]+(?:\?score=\d+)?)", text)


def setup_store(name, n_tickets=100, n_customers=80, with_email=70,
                rule=("--delay", "0s")):
    s = Store(name)
    s.cli("survey", "add", "--template", "support-csat")
    s.cli("config", "set", "serve.rate_per_minute", "0")
    s.cli("config", "set", "public_url", "https://survey.example.com")
    s.cli("rule", "add", "--survey", "support-csat", "--channel", "email",
          *rule)
    langs = ["en", "fi", "vi", "ms", "id"]
    s.customers([("C%d" % i, "2025-01-01T00:00:00Z",
                  "c%d@example.com" % i if i < with_email else "", "",
                  langs[i % 5]) for i in range(n_customers)])
    return s


def ticket_rows(n, n_customers, prefix="T", hours_ago=2):
    return [("%s%d" % (prefix, i), resolved(hours_ago + 1),
             resolved(hours_ago), "C%d" % (i % n_customers), "A%d" % (i % 4),
             "Team%d" % (i % 2)) for i in range(n)]


def send_then_serve(s, sink, n):
    """Sends the invitations of n tickets with links to the port `serve`
    then listens on."""
    s.smtp(sink.port)
    s.start_serve()
    s.stop_serve()
    s.tickets(ticket_rows(n, n))
    s.cli("outbox", "run", env=s.env)
    s.start_serve(s.port)


def wait_for(fn, what, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if fn():
            return
        time.sleep(0.2)
    raise Fail("timed out waiting for " + what)


@test
def done_means():
    """100 resolved tickets: the SMTP server receives exactly the
    invitations the rules allow (70: 20 customers have a second ticket,
    fatigue; 10 have no address); each one-click link records its score
    once; the report shows the answers by agent."""
    sink = Sink(os.path.join(ARGS.workdir, "done_means_mail"))
    s = setup_store("done_means")
    try:
        s.smtp(sink.port)
        s.cli("config", "unset", "public_url")  # the server's address
        s.start_serve()
        p = s.tickets(ticket_rows(100, 80))
        check("70 queued, 30 skipped" in p.stderr, "import said " + p.stderr)
        wait_for(lambda: len(sink.mails()) >= 70, "70 mails")
        time.sleep(2)  # nothing more comes
        mails = sink.mails()
        check(len(mails) == 70, "70 mails, got %d" % len(mails))
        to = sorted(m["To"] for m in mails)
        check(len(set(to)) == 70, "one mail per customer")
        skipped = s.outbox(status="skipped")
        reasons = sorted(r["reason"].split(":")[0] for r in skipped)
        check(reasons.count("fatigue") == 20 and
              reasons.count("no email address for the customer") == 10,
              "skip reasons %s" % set(reasons))
        expected = {}
        for m in mails:
            for h in ("Message-ID", "Date", "List-Unsubscribe",
                      "List-Unsubscribe-Post", "Subject", "From"):
                check(m[h], "header " + h)
            check(m["List-Unsubscribe-Post"] ==
                  "List-Unsubscribe=One-Click", "one-click unsubscribe")
            text, html = parts(m)
            ls = links(text)
            scores = [l for l in ls if "score=" in l]
            check(len(scores) == 5, "a link per score of 1-5")
            check(scores[0] in html.replace("&amp;", "&"),
                  "the HTML part has the links")
            cust = m["To"].strip("<>").split("@")[0].upper()
            ticket = s.sql("SELECT o.ticket_id, t.agent_id FROM outbox o"
                           " JOIN tickets t ON t.workspace_id ="
                           " o.workspace_id AND t.ticket_id = o.ticket_id"
                           " WHERE o.recipient = ? AND o.status = 'sent'",
                           m["To"].strip("<>"))[0]
            score = 1 + int(ticket[1][1:]) + (1 if int(cust[1:]) % 2 else 0)
            st, page = s.get(scores[score - 1])
            check(st == 200, "one-click: %d" % st)
            st, page = s.get(scores[score - 1])  # again: still one answer
            check(st == 200, "one-click again: %d" % st)
            expected.setdefault(ticket[1], []).append(score)
        n = s.sql("SELECT count(*) FROM responses")[0][0]
        check(n == 70, "70 answers stored once each, got %d" % n)
        rep = json.loads(s.cli("report", "--metrics", "csat", "--by",
                               "agent", "--format", "json").stdout)
        got = {r["agent"]: r["csat"]["n"] for r in rep["rows"]}
        check(got == {a: len(v) for a, v in expected.items()},
              "report by agent %s" % got)
        rep = json.loads(s.cli("report", "--metrics", "response_rate",
                               "--by", "agent", "--format", "json").stdout)
        rr = {r["agent"]: (r["response_rate"]["value"],
                           r["response_rate"]["n"]) for r in rep["rows"]
              if r["response_rate"]}
        check(rr == {a: (100.0, len(v)) for a, v in expected.items()},
              "response_rate by agent %s" % rr)
        sent = s.outbox(status="sent")
        check(len(sent) == 70 and all(r["attempts"] == 1 for r in sent),
              "70 sent, one attempt each")
        out = s.cli("outbox", "list", "--ticket", "T0").stdout
        check("invite" in out and "sent" in out and "answered" in out,
              "the life of T0: " + out)
    finally:
        s.stop_serve()
        sink.stop()


@test
def fatigue():
    """Each fatigue rule: fatigue.days per customer, one invitation per
    ticket (a re-import decides nothing again), the daily cap, a team
    rule, an old ticket never invited."""
    s = setup_store("fatigue", n_customers=10, with_email=10,
                    rule=("--delay", "0s", "--team", "Team0"))
    s.cli("config", "set", "invites.daily_cap", "3")
    s.tickets(ticket_rows(8, 10) + [("OLD", "2020-01-01T00:00:00Z",
                                     "2020-01-02T00:00:00Z", "C9", "A1",
                                     "Team0")])
    rows = s.outbox()
    check(len(rows) == 8, "8 decisions (not the old ticket): %d" % len(rows))
    team = [r for r in rows if r["reason"] == "no rule for the ticket's team"]
    check(len(team) == 4, "Team1 tickets skipped: %d" % len(team))
    cap = [r for r in rows if (r["reason"] or "").startswith("daily cap")]
    check(len(cap) == 1, "the 4th Team0 ticket is over the cap")
    check(len(s.outbox(status="queued")) == 3, "3 queued")
    s.tickets(ticket_rows(8, 10), name="again.csv")
    check(len(s.outbox()) == 8, "a re-import decides nothing again")
    s.cli("config", "set", "invites.daily_cap", "0")
    # the same customers, new tickets: fatigue.days (30) skips them
    s.tickets([("N%d" % i, resolved(2), resolved(1), "C%d" % i, "A0",
                "Team0") for i in (0, 2)], name="new.csv")
    new = [r for r in s.outbox() if r["ticket"].startswith("N")]
    check(all((r["reason"] or "").startswith("fatigue") for r in new),
          "fatigue: %s" % new)
    s.cli("config", "set", "fatigue.days", "0")
    s.tickets([("M0", resolved(2), resolved(1), "C0", "A0", "Team0")],
              name="m.csv")
    check(s.outbox(ticket="M0")[0]["status"] == "queued",
          "fatigue.days 0: invited")


@test
def retry():
    """SMTP down: every message queued again with its reason; SMTP up:
    each sent once, no duplicates; another run sends nothing."""
    s = setup_store("retry", n_tickets=10, n_customers=10, with_email=10)
    probe = Sink(os.path.join(ARGS.workdir, "retry_probe"))
    port = probe.port
    probe.stop()
    s.smtp(port)
    s.tickets(ticket_rows(10, 10))
    # SQLite's column file (PostgreSQL keeps none).
    gen = "SELECT 1" if ARGS.engine else "SELECT token FROM col_generation"
    token = s.sql(gen)
    p = s.cli("outbox", "run", env=s.env)
    check("retried 10" in p.stdout, "10 retried: " + p.stdout)
    check(s.sql(gen) == token,
          "the outbox's transactions leave the column file current")
    q = s.outbox(status="queued")
    check(len(q) == 10 and all(r["attempts"] == 1 and r["reason"]
                               for r in q), "queued with a reason")
    p = s.cli("outbox", "run", env=s.env)
    check("sent 0, retried 0" in p.stdout, "backoff: not yet due")
    sink = Sink(os.path.join(ARGS.workdir, "retry_mail"), port=port)
    try:
        later = iso(NOW + datetime.timedelta(minutes=5))
        p = s.cli("outbox", "run", "--now", later, env=s.env)
        check("sent 10" in p.stdout, "sent after the retry: " + p.stdout)
        p = s.cli("outbox", "run", "--now", later, env=s.env)
        check("sent 0" in p.stdout, "nothing twice")
        mails = sink.mails()
        check(len(mails) == 10 and len({m["To"] for m in mails}) == 10,
              "10 mails, no duplicates")
    finally:
        sink.stop()


@test
def refused():
    """A permanent 5xx to RCPT TO (the server refuses the recipient):
    bounced with its reason, not failed, never retried."""
    sink = Sink(os.path.join(ARGS.workdir, "refused_mail"), refuse="c3@")
    s = setup_store("refused", n_tickets=5, n_customers=5, with_email=5)
    try:
        s.smtp(sink.port)
        s.tickets(ticket_rows(5, 5))
        p = s.cli("outbox", "run", env=s.env)
        check("sent 4" in p.stdout and "failed 0" in p.stdout and
              "bounced 1" in p.stdout, p.stdout)
        f = s.outbox(status="bounced")
        check(len(f) == 1 and "550" in f[0]["reason"] and
              f[0]["recipient"] == "c3@example.com", "reason: %s" % f)
        check(not s.outbox(status="failed"), "a bounce is not a failure")
        out = s.cli("outbox", "list", "--ticket", "T3").stdout
        check(" bounced " in out and "550" in out,
              "list shows bounced and the reason: " + out)
        check(not s.outbox(kind="reminder", recipient="c3@example.com"),
              "no reminder queued for a bounce")
        later = iso(NOW + datetime.timedelta(days=1))
        p = s.cli("outbox", "run", "--now", later, env=s.env)
        check("bounced 0" in p.stdout and len(sink.mails()) == 4,
              "not retried")
    finally:
        sink.stop()


@test
def kill():
    """SIGKILL of `outbox run` mid-run: a second run sends the rest; at
    most the one message in flight is sent twice."""
    sink = Sink(os.path.join(ARGS.workdir, "kill_mail"), delay=0.05)
    s = setup_store("kill", n_tickets=60, n_customers=60, with_email=60)
    try:
        s.smtp(sink.port)
        s.tickets(ticket_rows(60, 60))
        p = subprocess.Popen([ARGS.cxmeter, "outbox", "run", "--db", s.db],
                             env=s.env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        wait_for(lambda: len(sink.mails()) >= 15, "15 mails", 60)
        p.send_signal(signal.SIGKILL)
        p.wait()
        before = len(sink.mails())
        check(before < 60, "killed mid-run (%d sent)" % before)
        s.cli("outbox", "run", "--lease", "0", env=s.env)
        time.sleep(0.5)
        mails = sink.mails()
        to = [m["To"] for m in mails]
        dup = len(to) - len(set(to))
        check(len(set(to)) == 60, "every customer got the mail")
        check(dup <= 1, "at most one duplicate, got %d" % dup)
        check(len(s.outbox(status="sent")) == 60, "60 sent")
        print("killed after %d mails; duplicates: %d" % (before, dup))
    finally:
        sink.stop()


@test
def reminder():
    """One reminder after invites.reminder_days to the unanswered only."""
    sink = Sink(os.path.join(ARGS.workdir, "reminder_mail"))
    s = setup_store("reminder", n_tickets=4, n_customers=4, with_email=4)
    try:
        s.smtp(sink.port)
        s.start_serve()
        s.stop_serve()  # its address is the links' (public_url)
        s.tickets(ticket_rows(4, 4))
        s.cli("outbox", "run", env=s.env)
        s.start_serve(s.port)
        first = sink.mails()
        check(len(first) == 4, "4 invitations")
        answered = first[0]["To"]
        text, _ = parts(first[0])
        st, _ = s.get([l for l in links(text) if "score=4" in l][0])
        check(st == 200, "answered")
        s.stop_serve()
        rep = json.loads(s.cli("report", "--metrics", "response_rate",
                               "--format", "json").stdout)
        f = rep["rows"][0]["response_rate"]
        check(f["value"] == 25.0 and f["n"] == 4 and f["low_n"] and
              0 < f["lo"] < 25 < f["hi"] < 100,
              "response_rate 1 of 4, Wilson interval: %s" % f)
        later = iso(NOW + datetime.timedelta(days=4))
        p = s.cli("outbox", "run", "--now", later, env=s.env)
        check("sent 3" in p.stdout, "3 reminders: " + p.stdout)
        rem = sink.mails()[4:]
        check(len(rem) == 3 and answered not in [m["To"] for m in rem],
              "not to the one who answered")
        check(all(str(m["Subject"]).split(":")[0] in
                  ("Reminder", "Muistutus", "Peringatan", "Pengingat",
                   "Nh\u1eafc l\u1ea1i") for m in rem),
              "reminder subjects %s" % [str(m["Subject"]) for m in rem])
        p = s.cli("outbox", "run", "--now",
                  iso(NOW + datetime.timedelta(days=30)), env=s.env)
        check("sent 0" in p.stdout, "one reminder only")
    finally:
        s.stop_serve()
        sink.stop()


@test
def unsubscribe():
    """The unsubscribe link (one-click POST) is honoured forever: a
    queued reminder and every later invitation are skipped."""
    sink = Sink(os.path.join(ARGS.workdir, "unsub_mail"))
    s = setup_store("unsubscribe", n_tickets=2, n_customers=2, with_email=2)
    try:
        s.smtp(sink.port)
        s.cli("config", "set", "fatigue.days", "0")
        s.start_serve()
        s.stop_serve()
        s.tickets(ticket_rows(2, 2))
        s.cli("outbox", "run", env=s.env)
        s.start_serve(s.port)
        m = sink.mails()[0]
        url = m["List-Unsubscribe"].strip("<>")
        st, page = s.get(url)
        check(st == 200 and "<form" in page, "GET asks, changes nothing")
        check(s.sql("SELECT count(*) FROM unsubscribes")[0][0] == 0,
              "GET did not unsubscribe")
        st, _ = s.get(url, "POST", "List-Unsubscribe=One-Click")
        check(st == 200, "POST unsubscribes: %d" % st)
        s.stop_serve()
        who = m["To"].strip("<>")
        s.tickets([("U1", resolved(2), resolved(1),
                    who.split("@")[0].upper(), "A0", "Team0")], name="u.csv")
        r = s.outbox(ticket="U1")[0]
        check(r["status"] == "skipped" and r["reason"] == "unsubscribed",
              "later invitation skipped: %s" % r)
        p = s.cli("outbox", "run", "--now",
                  iso(NOW + datetime.timedelta(days=4)), env=s.env)
        check("sent 1" in p.stdout, "only the other's reminder: " + p.stdout)
        rem = [x for x in s.outbox(kind="reminder") if x["recipient"] == who]
        check(rem and rem[0]["status"] == "skipped", "reminder skipped")
    finally:
        s.stop_serve()
        sink.stop()


@test
def opened():
    """The survey page's first GET (or a one-click link) marks the sent
    message opened, with the time; HEAD marks nothing; a later view does
    not move the time."""
    sink = Sink(os.path.join(ARGS.workdir, "opened_mail"))
    s = setup_store("opened", n_tickets=3, n_customers=3, with_email=3)
    try:
        send_then_serve(s, sink, 3)
        by_to = {m["To"].strip("<>"): m for m in sink.mails()}
        check(len(by_to) == 3, "3 mails")

        def opened_at(ticket):
            return s.sql("SELECT opened_at FROM outbox WHERE ticket_id = ?"
                         " AND kind = 'invite'", ticket)[0][0]

        text, _ = parts(by_to["c0@example.com"])
        whole = [u for u in links(text) if "score=" not in u][0]
        st, _ = s.get(whole, "HEAD")
        check(st == 200 and opened_at("T0") is None, "HEAD marks nothing")
        check("opened" not in s.cli("outbox", "list", "--ticket",
                                    "T0").stdout, "not opened yet")
        st, _ = s.get(whole)
        first = opened_at("T0")
        check(st == 200 and first, "GET marks it opened")
        time.sleep(0.05)
        s.get(whole)
        check(opened_at("T0") == first, "the first view's time is kept")
        out = s.cli("outbox", "list", "--ticket", "T0").stdout
        check(re.search(r" opened \d{4}-\d\d-\d\dT", out),
              "list shows opened and when: " + out)
        text, _ = parts(by_to["c1@example.com"])
        click = [u for u in links(text) if "score=" in u][0]
        st, _ = s.get(click)
        check(st == 200 and opened_at("T1"), "a one-click link opens it")
        check(opened_at("T2") is None, "the unopened one is not")
    finally:
        s.stop_serve()
        sink.stop()


@test
def bounce_hook():
    """POST /hooks/bounce (the shared secret): by the mail's Message-ID
    or by the recipient's address the sent message becomes bounced with
    the reason, and its queued reminder is skipped."""
    sink = Sink(os.path.join(ARGS.workdir, "bounce_mail"))
    s = setup_store("bounce_hook", n_tickets=3, n_customers=3, with_email=3)
    secret = "a-shared-secret-of-32-characters"
    try:
        s.smtp(sink.port)
        s.cli("config", "set", "hooks.secret", secret)
        s.tickets(ticket_rows(3, 3))
        s.cli("outbox", "run", env=s.env)
        by_to = {m["To"].strip("<>"): m for m in sink.mails()}
        s.start_serve()

        def post(body, key=secret):
            c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
            c.request("POST", "/hooks/bounce", body=json.dumps(body).encode(),
                      headers={"Content-Type": "application/json",
                               "X-Cxmeter-Secret": key})
            r = c.getresponse()
            data = r.read().decode()
            c.close()
            return r.status, data

        mid = by_to["c0@example.com"]["Message-ID"]
        st, _ = post({"message_id": mid, "reason": "550 user unknown"},
                     key="not-the-secret-at-all-0123456789")
        check(st == 401, "wrong secret: %d" % st)
        check(not s.outbox(status="bounced"), "nothing marked")
        st, data = post({"message_id": mid, "reason": "550 user unknown"})
        check(st == 200 and json.loads(data)["bounced"] == 1, data)
        st, data = post({"recipient": "C1@EXAMPLE.COM",
                         "reason": "mailbox full"})
        check(st == 200, "by recipient: %d %s" % (st, data))
        st, _ = post({"recipient": "nobody@example.com", "reason": "x"})
        check(st == 404, "unknown recipient: %d" % st)
        st, _ = post({"message_id": "<someone.else@example.com>"})
        check(st == 404, "a Message-ID not ours: %d" % st)
        st, _ = post({"reason": "no message named"})
        check(st == 400, "neither named: %d" % st)
        b = {r["recipient"]: r["reason"] for r in s.outbox(status="bounced",
                                                          kind="invite")}
        check(b == {"c0@example.com": "550 user unknown",
                    "c1@example.com": "mailbox full"}, "bounced: %s" % b)
        s.stop_serve()
        out = s.cli("outbox", "list", "--ticket", "T0").stdout
        check(" bounced " in out and "550 user unknown" in out, out)
        p = s.cli("outbox", "run", "--now",
                  iso(NOW + datetime.timedelta(days=4)), env=s.env)
        check("sent 1" in p.stdout, "only c2's reminder: " + p.stdout)
        rem = {r["recipient"]: r for r in s.outbox(kind="reminder")}
        check(rem["c0@example.com"]["status"] == "skipped" and
              rem["c1@example.com"]["status"] == "skipped" and
              rem["c2@example.com"]["status"] == "sent",
              "reminders: %s" % rem)
    finally:
        s.stop_serve()
        sink.stop()


@test
def unsubscribe_lang():
    """The unsubscribe page (GET asks, POST confirms) in the invitation's
    language."""
    sink = Sink(os.path.join(ARGS.workdir, "unsub_lang_mail"))
    s = setup_store("unsubscribe_lang", n_tickets=5, n_customers=5,
                    with_email=5)
    want = {"en": ("Stop all survey invitations", "Unsubscribed"),
            "fi": ("Lopetetaanko kaikki kyselykutsut", "Tilaus peruttu"),
            "vi": ("Ngừng nhận mọi lời mời khảo sát", "Đã hủy đăng ký"),
            "ms": ("Berhenti menerima semua jemputan tinjauan",
                   "Langganan dihentikan"),
            "id": ("Berhenti menerima semua undangan survei",
                   "Langganan dihentikan")}
    try:
        send_then_serve(s, sink, 5)
        mails = sink.mails()
        check(len(mails) == 5, "5 mails")
        for m in mails:
            lang = m["Content-Language"]
            url = m["List-Unsubscribe"].strip("<>")
            st, page = s.get(url)
            check(st == 200 and want[lang][0] in page and
                  '<html lang="%s">' % lang in page,
                  "%s GET: %s" % (lang, page))
            st, page = s.get(url, "POST", "List-Unsubscribe=One-Click")
            check(st == 200 and want[lang][1] in page,
                  "%s POST: %s" % (lang, page))
        st, page = s.get("http://127.0.0.1:%d/u/nosuchtoken?lang=fi" %
                         s.port)
        check(st == 404 and "Linkki ei toimi" in page, "a bad link: " + page)
    finally:
        s.stop_serve()
        sink.stop()


@test
def sms():
    """SMS through a local HTTP gateway: {to} and {text} URL-encoded, the
    link in the text, one SMS (70 UCS-2 characters) for Vietnamese."""
    got = []

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            got.append(urllib.parse.parse_qs(
                urllib.parse.urlparse(self.path).query))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *a):
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        s = Store("sms")
        s.cli("survey", "add", "--template", "support-csat")
        s.cli("rule", "add", "--survey", "support-csat", "--channel", "sms")
        s.customers([("C0", "2025-01-01T00:00:00Z", "", "+358401234567",
                      "fi"),
                     ("C1", "2025-01-01T00:00:00Z", "", "+84 912 345 678",
                      "vi"),
                     ("C2", "2025-01-01T00:00:00Z", "", "", "en")])
        s.cli("config", "set", "public_url", "https://s.example.com")
        s.env["CXMETER_SMS_URL"] = ("http://127.0.0.1:%d/send?to={to}"
                                    "&text={text}" % srv.server_port)
        s.tickets(ticket_rows(3, 3))
        p = s.cli("outbox", "run", env=s.env)
        check("sent 2" in p.stdout, p.stdout)
        check(len(got) == 2, "2 SMS at the gateway")
        to = sorted(g["to"][0] for g in got)
        check(to == ["+358401234567", "+84 912 345 678"], "numbers %s" % to)
        for g in got:
            t = g["text"][0]
            check("https://s.example.com/s/" in t, "the link: " + t)
            ucs2 = any(ord(c) > 127 for c in t)
            check(len(t) <= (70 if ucs2 else 160), "one SMS: %r" % t)
        r = s.outbox(ticket="T2")[0]
        check(r["reason"] == "no usable phone number for the customer",
              "no phone: %s" % r)
    finally:
        srv.shutdown()


@test
def webhooks():
    """POST /hooks/zendesk and /hooks/freshdesk (the shared secret checked:
    Zendesk's HMAC signature or X-Cxmeter-Secret) and POST /api/v1/tickets
    are triggers; a chat rule's link comes back in the reply."""
    import base64
    import hashlib
    import hmac
    sink = Sink(os.path.join(ARGS.workdir, "webhooks_mail"))
    s = setup_store("webhooks", n_customers=5, with_email=5)
    secret = "a-shared-secret-of-32-characters"
    try:
        s.smtp(sink.port)
        s.cli("config", "unset", "public_url")
        s.cli("rule", "add", "--survey", "support-csat", "--channel", "chat",
              "--team", "Chat")
        token = s.cli("token", "create", "--name", "hd").stdout.strip()
        s.start_serve()
        body = json.dumps({"type": "zen:event-type:ticket.status_changed",
                           "time": resolved(1),
                           "detail": {"id": "Z1", "status": "SOLVED",
                                      "requester_id": "C0",
                                      "assignee_id": "A1", "group_id": "G",
                                      "created_at": resolved(3),
                                      "updated_at": resolved(1)}})

        def post(path, body, headers):
            c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
            h = {"Content-Type": "application/json"}
            h.update(headers)
            c.request("POST", path, body=body.encode(), headers=h)
            r = c.getresponse()
            data = r.read().decode()
            c.close()
            return r.status, data

        st, _ = post("/hooks/zendesk", body, {})
        check(st == 403, "off without hooks.secret: %d" % st)
        s.stop_serve()
        s.cli("config", "set", "hooks.secret", secret)
        s.start_serve()
        st, _ = post("/hooks/zendesk", body, {})
        check(st == 401, "no secret: %d" % st)
        st, _ = post("/hooks/zendesk", body,
                     {"X-Cxmeter-Secret": secret[:-1] + "x"})
        check(st == 401, "a wrong secret: %d" % st)
        ts = "2026-12-07T01:00:00Z"
        sig = base64.b64encode(hmac.new(secret.encode(), (ts + body).encode(),
                                        hashlib.sha256).digest()).decode()
        st, data = post("/hooks/zendesk", body,
                        {"X-Zendesk-Webhook-Signature": sig,
                         "X-Zendesk-Webhook-Signature-Timestamp": ts})
        check(st == 200, "signed zendesk: %d %s" % (st, data))
        inv = json.loads(data)["invitations"]
        check(inv and inv[0]["ticket_id"] == "Z1" and
              inv[0]["status"] == "queued", "decision: %s" % inv)
        st, _ = post("/hooks/zendesk", body,
                     {"X-Zendesk-Webhook-Signature": sig,
                      "X-Zendesk-Webhook-Signature-Timestamp": ts + "x"})
        check(st == 401, "a signature of another timestamp")
        fd = json.dumps({"freshdesk_webhook": {
            "ticket_id": 77, "ticket_status": "Resolved",
            "ticket_contact_id": "C1", "ticket_created_at": resolved(3),
            "ticket_resolved_at": resolved(1)}})
        st, data = post("/hooks/freshdesk", fd, {"X-Cxmeter-Secret": secret})
        check(st == 200 and json.loads(data)["invitations"][0]["status"] ==
              "queued", "freshdesk: %d %s" % (st, data))
        st, data = post("/hooks/freshdesk", "{", {"X-Cxmeter-Secret": secret})
        check(st == 400, "a broken body: %d" % st)
        wait_for(lambda: len(sink.mails()) >= 2, "the two mails", 30)
        check(sorted(str(m["To"]).strip("<>") for m in sink.mails()) ==
              ["c0@example.com", "c1@example.com"], "mails to C0, C1")
        tickets = [{"ticket_id": "API1", "created_at": resolved(3),
                    "resolved_at": resolved(1), "customer_id": "NOMAIL",
                    "team": "Chat", "agent_id": "A2"},
                   {"ticket_id": "API2", "created_at": resolved(3),
                    "customer_id": "C3"}]
        st, data = post("/api/v1/tickets", json.dumps(tickets),
                        {"Authorization": "Bearer " + token})
        check(st == 201, "tickets: %d %s" % (st, data))
        j = json.loads(data)
        check(j["stored"] == 2 and len(j["invitations"]) == 1,
              "one decision (API2 is open): %s" % j)
        link = j["invitations"][0].get("link")
        check(j["invitations"][0]["status"] == "sent" and link,
              "chat: the link in the reply: %s" % j)
        st, page = s.get(link + "?score=5")
        check(st == 200, "the chat link works: %d" % st)
        check(s.sql("SELECT count(*) FROM responses WHERE ticket_id ="
                    " 'API1'")[0][0] == 1, "the chat answer stored")
    finally:
        s.stop_serve()
        sink.stop()


@test
def moments():
    """The other moments: an order (post-purchase, N days after), a new
    customer (onboarding, N days after acquisition), a customer gone
    quiet (no order or ticket for N days), a one-off send to a
    segment."""
    sink = Sink(os.path.join(ARGS.workdir, "moments_mail"))
    s = Store("moments")
    try:
        for t in ("post-purchase", "onboarding", "churn-prevention",
                  "market-research"):
            s.cli("survey", "add", "--template", t)
        s.cli("config", "set", "fatigue.days", "0")
        s.cli("config", "set", "public_url", "https://survey.example.com")
        s.smtp(sink.port)
        s.cli("rule", "add", "--survey", "post-purchase", "--channel",
              "email", "--moment", "order", "--delay", "7d")
        s.cli("rule", "add", "--survey", "onboarding", "--channel", "email",
              "--moment", "new_customer", "--delay", "2d")
        s.cli("rule", "add", "--survey", "churn-prevention", "--channel",
              "email", "--moment", "quiet", "--delay", "90d")
        p = s.cli("rule", "add", "--survey", "onboarding", "--channel",
                  "email", "--team", "T", "--moment", "order", rc=1)
        check("--team" in p.stderr, "--team with another moment refused")

        def ago(days):
            return iso(NOW - datetime.timedelta(days=days))
        path = s.write("c.csv", "customer_id,acquired_at,churned_at,segment,"
                       "email,language", [
                           ("N1", ago(3), "", "", "n1@example.com", "fi"),
                           ("N2", ago(1), "", "", "n2@example.com", "en"),
                           ("P1", ago(2000), "", "", "p1@example.com", "en"),
                           ("Q1", ago(2000), "", "", "q1@example.com", "vi"),
                           ("Q2", ago(2000), "", "", "q2@example.com", "en"),
                           ("S1", ago(2000), "", "VIP", "s1@example.com",
                            "ms"),
                           ("S2", ago(2000), "", "VIP", "s2@example.com",
                            "id"),
                           ("S3", ago(2000), ago(10), "VIP",
                            "s3@example.com", "en"),
                           ("S4", ago(2000), "", "Other", "s4@example.com",
                            "en")])
        s.cli("import", "customers", path)
        s.cli("import", "orders", s.write(
            "o.csv", "order_id,customer_id,ordered_at,amount,currency",
            [("O1", "P1", ago(8), 10, "EUR"), ("O2", "Q1", ago(95), 10,
                                                "EUR"),
             ("O3", "Q2", ago(30), 10, "EUR"), ("O4", "S1", ago(60), 5,
                                                 "EUR"),
             ("O5", "S2", ago(60), 5, "EUR")]))
        s.cli("rule", "add", "--survey", "market-research", "--channel",
              "email", "--moment", "segment", "--segment", "VIP")
        p = s.cli("outbox", "run", env=s.env)
        check("sent 5" in p.stdout, "5 sent: " + p.stdout)
        got = sorted(str(m["To"]) for m in sink.mails())
        check(got == ["n1@example.com", "p1@example.com", "q1@example.com",
                      "s1@example.com", "s2@example.com"],
              "recipients %s" % got)
        q = s.outbox(status="queued", kind="invite")
        check([r["customer"] for r in q] == ["N2"],
              "N2's onboarding not due yet: %s" % q)
        rows = s.sql("SELECT moment, subject_id, survey FROM outbox WHERE"
                     " kind = 'invite' ORDER BY moment, subject_id")
        check(("order", "O1", "post-purchase") in rows and
              ("new_customer", "N1", "onboarding") in rows and
              ("segment:4", "S1", "market-research") in rows and
              any(r[0] == "quiet" and r[1].startswith("Q1:") for r in rows),
              "moments %s" % rows)
        before = len(s.outbox())
        p = s.cli("outbox", "run", env=s.env)
        check(len(s.outbox()) == before, "every moment decided once")
    finally:
        sink.stop()


def plant_drop(s, name="answers.csv", team="logistics", prev=(100, 85),
               cur=(100, 40), week=("2026-03-02", "2026-03-09")):
    """Answers of `team` over two ISO weeks: prev = (n, satisfied) in the
    first, cur in the second (CSAT 85 % -> 40 %: a drop no test doubts),
    and a steady team beside it."""
    rows, i = [], 0
    for t, day, (n, k) in ((team, week[0], prev), (team, week[1], cur),
                           ("steady", week[0], (100, 80)),
                           ("steady", week[1], (100, 80))):
        for j in range(n):
            i += 1
            rows.append(("%s-%d" % (name, i), "csat",
                         "%sT10:%02d:00Z" % (day, i % 60),
                         5 if j < k else 2, "1-5", t))
    return s.cli("import", "responses", s.write(
        name, "response_id,survey,responded_at,score,scale,team", rows))


def alert_mails(sink):
    out = []
    for m in sink.mails():
        if m["Subject"].startswith("[cxmeter]"):
            out.append(m)
    return out


@test
def alert_mail():
    """An alert firing is mailed once to each address of alerts.email:
    `alert check` records the firing and queues one outbox row (kind
    alert) per address in the same transaction; `outbox run` mails the
    text of cxm_alert_mail() (subject: rule, group, figure before -> after;
    body: the test, p-values, the link to /alerts) through the SMTP
    server; a second check and run send nothing more; a bad address is
    refused; CXMETER_ALERTS_EMAIL wins over the store's setting, and
    `serve` sends what the import's check queued."""
    sink = Sink(os.path.join(ARGS.workdir, "alert_mail_mail"))
    s = Store("alert_mail")
    try:
        s.smtp(sink.port)
        s.cli("config", "set", "public_url", "https://cx.example.com")
        p = s.cli("config", "set", "alerts.email", "lead@example.com,x y@z",
                  rc=1)
        check("alerts.email takes" in p.stderr, "bad address: " + p.stderr)
        s.cli("config", "set", "alerts.email",
              "lead@example.com, ops@example.com")
        plant_drop(s)
        s.cli("alert", "add", "--metric", "csat", "--by", "team", "--drop")
        p = s.cli("alert", "check", "--at", "2026-03-16T00:00:00Z")
        check(p.stdout.count("\n") == 1 and "logistics" in p.stdout,
              "one firing: " + p.stdout)
        rows = s.outbox(kind="alert")
        check(sorted(r["recipient"] for r in rows) ==
              ["lead@example.com", "ops@example.com"] and
              all(r["status"] == "queued" for r in rows),
              "two alert rows queued: %s" % rows)
        fid = s.sql("SELECT firing_id FROM alert_firings")[0][0]
        check(s.sql("SELECT DISTINCT subject_id FROM outbox WHERE kind ="
                    " 'alert'") == [(str(fid),)], "the rows name the firing")
        s.cli("outbox", "run", env=s.env)
        mails = alert_mails(sink)
        check(len(mails) == 2, "two mails, got %d" % len(mails))
        check(sorted(m["To"].strip("<>") for m in mails) ==
              ["lead@example.com", "ops@example.com"], "one per address: %s"
              % [m["To"] for m in mails])
        want = json.loads(s.cli("alert", "history", "--format",
                                "json").stdout)
        for m in mails:
            check(m.get_content_type() == "text/plain", "plain text")
            subj = m["Subject"]
            check(subj == "[cxmeter] csat for team logistics dropped in "
                  "2026-W11: 85.0 -> 40.0", "subject: " + subj)
            body = m.get_content()
            for part in ("csat for team logistics: dropped from 85.0 (n 100)"
                         " to 40.0 (n 100) in 2026-W11",
                         "two-proportion z test", "Holm-adjusted p = ",
                         "Rule 1 (drop", "--compare previous",
                         "Dashboard: https://cx.example.com/alerts"):
                check(part in body, "body has %r: %s" % (part, body))
            check(", p = %.4g," % want["p_value"] in body and
                  "Holm-adjusted p = %.4g " % want["p_adjusted"] in body and
                  "z = %.5g" % want["statistic"] in body,
                  "the test's figures as history has them: %s" % want)
            check(m["Auto-Submitted"] == "auto-generated", "auto-submitted")
        check(all(r["status"] == "sent" for r in s.outbox(kind="alert")),
              "both sent")
        # again: the firing is recorded already; nothing queued or sent
        p = s.cli("alert", "check", "--at", "2026-03-16T00:00:00Z")
        check(p.stdout == "", "no new firing: " + p.stdout)
        s.cli("outbox", "run", env=s.env)
        time.sleep(0.5)
        check(len(alert_mails(sink)) == 2, "no second mail")
        check(len(s.outbox(kind="alert")) == 2, "no second row")
        # the environment: a bad value refused, a good one wins
        env = dict(s.env, CXMETER_ALERTS_EMAIL="not-an-address")
        p = s.cli("alert", "check", "--at", "2026-03-23T00:00:00Z", rc=1,
                  env=env)
        check("CXMETER_ALERTS_EMAIL" in p.stderr, "env refused: " + p.stderr)
        check(len(s.sql("SELECT * FROM alert_firings")) == 1,
              "nothing recorded with a bad address list")
        s.start_serve()
        env = dict(s.env, CXMETER_ALERTS_EMAIL="night@example.com")
        s.cli("alert", "add", "--metric", "csat", "--by", "team", "--below",
              "50", env=env)
        p = s.cli("alert", "check", "--at", "2026-03-16T00:00:00Z", env=env)
        check("below" in p.stdout, "the threshold fires: " + p.stdout)
        wait_for(lambda: len(alert_mails(sink)) >= 3, "serve's alert mail")
        time.sleep(1)
        mails = alert_mails(sink)
        check(len(mails) == 3 and
              mails[-1]["To"].strip("<>") == "night@example.com",
              "one more mail, to the env's address: %s" %
              [m["To"] for m in mails])
        check("is below in 2026-W11: 40.0 (threshold 50.0)" in
              mails[-1]["Subject"], "threshold subject: " +
              mails[-1]["Subject"])
    finally:
        s.stop_serve()
        sink.stop()


@test
def alert_serve():
    """`serve` checks the alert rules on its own schedule (at start, then
    every 10 minutes) over the last complete week: a drop planted in the
    two weeks before this one fires there, is recorded once and mailed
    once to alerts.email; `alert check` afterwards finds nothing new."""
    sink = Sink(os.path.join(ARGS.workdir, "alert_serve_mail"))
    s = Store("alert_serve")
    try:
        s.smtp(sink.port)
        monday = (NOW - datetime.timedelta(days=NOW.weekday())).date()
        weeks = (str(monday - datetime.timedelta(days=14)),
                 str(monday - datetime.timedelta(days=7)))
        plant_drop(s, week=weeks)
        # the rule after the import: the import's own check finds none
        s.cli("alert", "add", "--metric", "csat", "--by", "team", "--drop")
        s.cli("config", "set", "alerts.email", "lead@example.com")
        check(s.sql("SELECT count(*) FROM alert_firings") == [(0,)],
              "nothing fired before serve")
        s.start_serve()
        wait_for(lambda: len(alert_mails(sink)) >= 1, "serve's alert mail")
        time.sleep(1.5)
        mails = alert_mails(sink)
        check(len(mails) == 1 and
              mails[0]["To"].strip("<>") == "lead@example.com" and
              "csat for team logistics dropped" in mails[0]["Subject"],
              "one mail: %s" % [(m["To"], m["Subject"]) for m in mails])
        check("Dashboard: http://127.0.0.1:%d/alerts" % s.port in
              mails[0].get_content(), "the server's own link")
        with open(s.log.name) as f:
            check("alert: csat for team logistics" in f.read(),
                  "serve names the firing")
        p = s.cli("alert", "check")
        check(p.stdout == "", "recorded already: " + p.stdout)
        check(s.sql("SELECT count(*) FROM alert_firings") == [(1,)] and
              len(s.outbox(kind="alert")) == 1, "once")
    finally:
        s.stop_serve()
        sink.stop()


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--cxmeter", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--engine", default=None,
                    help="pg: a PostgreSQL store (default: SQLite)")
    ap.add_argument("tests", nargs="*")
    ARGS = ap.parse_args()
    ARGS.cxmeter = os.path.abspath(ARGS.cxmeter)
    os.makedirs(ARGS.workdir, exist_ok=True)
    for k in [k for k in os.environ if k.startswith("CXMETER_")]:
        del os.environ[k]
    failed = 0
    for name in ARGS.tests or list(TESTS):
        t0 = time.time()
        try:
            TESTS[name]()
            print("ok   %s (%.1fs)" % (name, time.time() - t0))
        except Exception as e:  # noqa: BLE001 — report and go on
            failed += 1
            print("FAIL %s: %s" % (name, e))
            import traceback
            traceback.print_exc()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
