# SPDX-License-Identifier: MIT
"""test_serve.py — `cxmeter serve` end to end, on a real server on
127.0.0.1 and an ephemeral port, with Python's http.client only.

Each test makes its own store and server (hermetic); the server is stopped
by its process id. The store is read back with `cxmeter report` and with
the store's own SQL (tests/pg/pgdb.py: store_sql). --engine pg runs every
test on a PostgreSQL store instead of an SQLite file: a new database of the
ctest fixture pg's cluster per server (issue 17: nothing differs).

Usage: test_serve.py --cxmeter PATH [--workdir DIR] [--engine pg] [-v]
       [TEST...]
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pg"))
import pgdb  # noqa: E402  (tests/pg: a store of either engine)

TESTS = []
ARGS = None


def test(fn):
    TESTS.append(fn)
    return fn


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


class Server:
    """One store and one `cxmeter serve` on it."""

    def __init__(self, name, templates=("nps", "support-csat"), config=(),
                 serve_args=()):
        self.serve_args = list(serve_args)
        self.dir = os.path.join(ARGS.workdir, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.db = pgdb.dsn_for(ARGS.engine, os.path.join(self.dir, "t.db"),
                               "http_serve")
        for t in templates:
            self.cli("survey", "add", "--template", t)
        for k, v in config:
            self.cli("config", "set", k, v)
        self.token = self.cli("token", "create", "--name", "test").strip()
        self.proc = None
        self.start()

    def cli(self, *args, rc=0):
        p = subprocess.run([ARGS.cxmeter] + list(args) + ["--db", self.db],
                           capture_output=True, text=True, timeout=120)
        check(p.returncode == rc, "cxmeter %s: exit %d, stderr %s" %
              (" ".join(args), p.returncode, p.stderr))
        return p.stdout

    def start(self):
        self.log = open(os.path.join(self.dir, "serve.log"), "w+")
        self.proc = subprocess.Popen(
            [ARGS.cxmeter, "serve", "--db", self.db, "--listen",
             "127.0.0.1:0"] + self.serve_args, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 20
        while time.time() < deadline:
            with open(self.log.name) as f:
                m = re.search(r"listening on port (\d+)", f.read())
            if m:
                self.port = int(m.group(1))
                return
            check(self.proc.poll() is None, "serve exited early")
            time.sleep(0.02)
        raise Fail("serve did not start")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            rc = self.proc.wait(timeout=60)
        else:
            rc = self.proc.returncode if self.proc else 0
        self.proc = None
        self.log.close()
        return rc

    def logtext(self):
        with open(self.log.name) as f:
            return f.read()

    def request(self, method, path, body=None, headers=None, auth=False):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = dict(headers or {})
        if auth:
            h["Authorization"] = "Bearer " + self.token
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, dict(r.getheaders()), data.decode("utf-8", "replace")

    def api(self, method, path, body=None):
        st, _, text = self.request(method, path, body, auth=True)
        try:
            return st, json.loads(text)
        except ValueError:
            return st, text

    def invite(self, **fields):
        fields.setdefault("survey", "nps")
        st, j = self.api("POST", "/api/v1/invitations", fields)
        check(st == 201, "invitation: %d %s" % (st, j))
        path = urllib.parse.urlparse(j["link"]).path
        return j, path

    def form(self, path, fields, lang=None):
        body = urllib.parse.urlencode(fields)
        if lang:
            path += "?lang=" + lang
        return self.request("POST", path, body, {
            "Content-Type": "application/x-www-form-urlencoded"})

    def sql(self, query, *params):
        return pgdb.store_sql(self.db, query, *params)

    def report(self, *args):
        return json.loads(self.cli("report", "--format", "json", *args))

    def close(self):
        """Stops the server: exit 0 and a log free of sanitizer reports."""
        if self.proc:
            rc = self.stop()
            check(rc == 0, "serve exited %d" % rc)
        log = self.logtext()
        check("Sanitizer" not in log and "runtime error" not in log,
              "sanitizer report in %s" % self.log.name)


def raw(s, data):
    """Sends data on a new connection (the server may stop reading) and
    returns the start of the reply."""
    c = socket.create_connection(("127.0.0.1", s.port), timeout=30)
    try:
        c.sendall(data)
    except OSError:
        pass
    try:
        reply = c.recv(200)
    except OSError:
        reply = b""
    c.close()
    return reply


def nps_rows(s, by="language"):
    return {r.get(by, ""): r["nps"] for r in
            s.report("--metrics", "nps", "--by", by)["rows"]}


# ---- Tests.

@test
def start_stop_healthz():
    s = Server("start_stop", templates=())
    st, h, text = s.request("GET", "/healthz")
    check(st == 200 and text.strip() == "ok", "healthz: %d %r" % (st, text))
    st, _, _ = s.request("GET", "/nowhere")
    check(st == 404, "unknown path: %d" % st)
    st, h, _ = s.request("DELETE", "/healthz")
    check(st == 405, "DELETE /healthz: %d" % st)
    rc = s.stop()
    check(rc == 0, "exit status after SIGTERM: %d" % rc)
    log = s.logtext()
    check('"GET /healthz" 200' in log, "access log line: %r" % log)
    check("stopped" in log, "drained and stopped: %r" % log)


@test
def thread_pool_mode():
    """--threads N serves from a pool of N threads (the default is a thread
    per connection): answers, the request deadline and draining work."""
    s = Server("pool", templates=(), serve_args=("--threads", "2",
                                                 "--request-timeout", "2"))
    try:
        st, _, _ = s.request("GET", "/healthz")
        check(st == 200, "healthz: %d" % st)
        took, _ = drip(s, b"GET /healthz HTTP/1.1\r\nX-A: " + b"a" * 100,
                       0.5, 12)
        check(took is not None and took < 6, "drip in pool mode: %s" % took)
        acked, rc = load(s, 8, 0.5, signal.SIGTERM)
        check(rc == 0 and acked, "pool mode under load: rc %d, %d acked" %
              (rc, len(acked)))
        stored = {r[0] for r in s.sql("SELECT response_id FROM responses")}
        check(set(acked) == stored, "pool mode: acked %d, stored %d" %
              (len(acked), len(stored)))
    finally:
        s.close()


@test
def sigterm_with_idle_and_partial_connections():
    """Stopping does not wait for a client that never finishes its
    request, nor for an idle keep-alive connection: both are closed after
    a short grace, and the server exits 0 at once."""
    s = Server("stop_idle", templates=())
    idle = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
    idle.request("GET", "/healthz")
    idle.getresponse().read()
    part = socket.create_connection(("127.0.0.1", s.port), timeout=10)
    part.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    time.sleep(0.2)
    t0 = time.time()
    rc = s.stop()
    took = time.time() - t0
    check(rc == 0, "exit status: %d" % rc)
    check(took < 4, "stopping took %.1f s" % took)
    check(part.recv(100) == b"", "the partial request is closed unanswered")
    part.close()
    idle.close()
    check("closed: no request begun when stopping" in s.logtext(),
          "logged: %s" % s.logtext())


@test
def token_auth():
    s = Server("token_auth")
    try:
        for h in ({}, {"Authorization": "Bearer nope"},
                  {"Authorization": "Basic " + s.token},
                  {"Authorization": "Bearer " + s.token + "x"}):
            st, _, _ = s.request("GET", "/api/v1/surveys", headers=h)
            check(st == 401, "surveys with %r: %d" % (h, st))
            st, _, _ = s.request("POST", "/api/v1/invitations",
                                 {"survey": "nps"}, headers=h)
            check(st == 401, "invitation with %r: %d" % (h, st))
            st, _, _ = s.request("POST", "/api/v1/responses",
                                 {"response_id": "x", "survey": "nps",
                                  "responded_at": "2026-01-01T00:00:00Z",
                                  "score": 9}, headers=h)
            check(st == 401, "responses with %r: %d" % (h, st))
        check(s.sql("SELECT count(*) FROM invitations")[0][0] == 0,
              "an unauthorised invitation was stored")
        check(s.sql("SELECT count(*) FROM responses")[0][0] == 0,
              "an unauthorised response was stored")
        st, j = s.api("GET", "/api/v1/surveys")
        check(st == 200 and sorted(x["id"] for x in j["surveys"]) ==
              ["nps", "support-csat"], "surveys: %d %s" % (st, j))
        # A token of one kind is no token of the other: a link token as a
        # bearer token, an API token as a link.
        _, path = s.invite(language="en")
        link_token = path[3:]
        st, _, _ = s.request("GET", "/api/v1/surveys", headers={
            "Authorization": "Bearer " + link_token})
        check(st == 401, "a link token opened the API: %d" % st)
        st, _, _ = s.request("GET", "/s/" + s.token + "?score=9")
        check(st == 404, "an API token opened a survey page: %d" % st)
        check(s.sql("SELECT count(*) FROM responses")[0][0] == 0,
              "a reused token stored an answer")
        s.cli("token", "revoke", "test")
        st, _ = s.api("GET", "/api/v1/surveys")
        check(st == 401, "a revoked token still works: %d" % st)
        check("test" in s.cli("token", "list") and
              "revoked" in s.cli("token", "list"), "token list")
        check(s.token not in pgdb.store_text(s.db),
              "the token is stored in clear")
    finally:
        s.close()


@test
def finnish_nps_one_click_form_edit():
    """The issue's 'done means': NPS by API in Finnish, 9 and a reason,
    in the report by language at once; 10 on the same link: one answer."""
    s = Server("finnish")
    try:
        inv, path = s.invite(language="fi", ticket_id="T-1",
                             customer_id="C-1", agent_id="A-1", team="Helsinki",
                             channel="email")
        check(re.fullmatch(r"http://127\.0\.0\.1:\d+/s/[A-Za-z0-9_-]{43}",
                           inv["link"]), "link: %s" % inv["link"])
        check(inv["id"] and inv["expires_at"].endswith("Z"), str(inv))
        st, _, page = s.request("GET", path + "?score=9")
        check(st == 200, "one-click: %d" % st)
        check('<html lang="fi"' in page, "page language")
        check("Suosittelisitko" in page, "Finnish title")
        check('name="q_reason"' in page and "<label" in page,
              "the reason follow-up is shown with a label")
        check('value="9" checked' in page, "the score is selected")
        check("<fieldset" in page and "<legend>" in page, "fieldset/legend")
        check("<script" not in page, "no script on the page")
        check(nps_rows(s) == {"fi": {"value": 100.0, "n": 1, "lo": 100.0,
                                     "hi": 100.0, "low_n": True}},
              "report after one click: %s" % nps_rows(s))
        st, _, page = s.form(path, {"q_score": "9", "shown": "score reason",
                                    "q_reason": "Nopea <script>alert(1)"
                                                "</script> & ystävällinen"},
                             lang="fi")
        check(st == 200 and "Kiitos" in page, "form: %d %s" % (st, page))
        rows = s.sql("SELECT response_id, survey, question, score, scale_min,"
                     " scale_max, comment, ticket_id, customer_id, agent_id,"
                     " team, channel, language FROM responses")
        check(len(rows) == 1, "rows: %s" % rows)
        r = rows[0]
        check(r[0] == inv["id"] + ":score" and r[1:6] == ("nps", "score", 9,
                                                         0, 10), str(r))
        check(r[6] == "Nopea <script>alert(1)</script> & ystävällinen",
              "comment kept as typed: %r" % (r[6],))
        check(r[7:] == ("T-1", "C-1", "A-1", "Helsinki", "email", "fi"),
              "dimensions from the invitation: %s" % (r[7:],))
        # The typed text is shown escaped when the page is opened again.
        st, _, page = s.request("GET", path)
        check("&lt;script&gt;alert(1)&lt;/script&gt; &amp; ystävällinen"
              in page and "<script>" not in page, "escaped comment")
        # Within the edit window a click edits the answer.
        st, _, page = s.request("GET", path + "?score=10")
        check(st == 200, "second click: %d" % st)
        check(s.sql("SELECT response_id, score FROM responses") ==
              [(inv["id"] + ":score", 10)], "one answer of 10: %s" %
              s.sql("SELECT response_id, score FROM responses"))
        fig = nps_rows(s)["fi"]
        check(fig["n"] == 1 and fig["value"] == 100.0, str(fig))
        for read in ("rows", "columns"):
            j = s.report("--metrics", "nps", "--by", "team", "--read", read)
            check(j["rows"][0]["team"] == "Helsinki" and
                  j["rows"][0]["nps"]["n"] == 1, "--read %s: %s" % (read, j))
        # The export keeps every answer with the invitation's dimensions.
        j = json.loads(s.cli("export", "answers", "--format", "json"))
        a = j["answers"]
        check(len(a) == 1 and a[0]["invitation_id"] == inv["id"] and
              a[0]["language"] == "fi" and a[0]["team"] == "Helsinki" and
              a[0]["answers"] == {"score": 10, "reason": r[6]},
              "export json: %s" % j)
        csv_text = s.cli("export", "answers")
        check(csv_text.startswith("invitation_id,survey,") and
              ",reason,Nopea <script>" in csv_text, csv_text)
        # A different language by the switch.
        st, _, page = s.request("GET", path + "?lang=en")
        check('<html lang="en"' in page and "Would you recommend" in page,
              "?lang=en")
        for lang in ("en", "ms", "id", "vi", "fi"):
            check('hreflang="%s"' % lang in page, "switch to " + lang)
    finally:
        s.close()


@test
def csat_follow_up_by_score():
    s = Server("csat_follow_up")
    try:
        _, path = s.invite(survey="support-csat", language="en")
        _, _, page = s.request("GET", path)
        check('name="q_improve"' not in page and 'name="q_liked"' not in page,
              "no follow-up before a score")
        _, _, page = s.request("GET", path + "?score=2")
        check('name="q_improve"' in page and 'name="q_liked"' not in page,
              "CSAT 2 asks what could be better")
        # A score sent by the form without its follow-up: the follow-up is
        # shown next, the score is stored already.
        _, path2 = s.invite(survey="support-csat", language="en")
        st, _, page = s.form(path2, {"q_satisfaction": "5",
                                     "shown": "satisfaction"})
        check(st == 200 and 'name="q_liked"' in page, "follow-up next")
        check(s.sql("SELECT score FROM responses WHERE response_id LIKE ?",
                    "%:satisfaction") != [], "score stored")
        st, _, page = s.form(path2, {"q_satisfaction": "5",
                                     "q_liked": "=HYPERLINK(\"x\")",
                                     "shown": "satisfaction liked"})
        check(st == 200, "liked: %d" % st)
        check(",liked,\"'=HYPERLINK(\"\"x\"\")\"" in
              s.cli("export", "answers"), "formula escaped in the export: %s"
              % s.cli("export", "answers"))
        st, _, page = s.form(path2, {"q_satisfaction": "6",
                                     "shown": "satisfaction liked"})
        check(st == 400 and 'class="err"' in page, "6 on 1-5: %d" % st)
        st, _, page = s.form(path2, {"shown": "satisfaction liked"})
        check(st == 400, "required rating missing: %d" % st)
    finally:
        s.close()


@test
def bad_links():
    s = Server("bad_links")
    try:
        inv, path = s.invite(language="vi")
        token = path[3:]
        forged = token[:-4] + ("AAAA" if not token.endswith("AAAA")
                               else "BBBB")
        for p in ("/s/" + forged, "/s/", "/s/short", "/s/" + "A" * 200,
                  "/s/..%2F..%2Fetc", "/s/" + token + "x"):
            st, _, page = s.request("GET", p)
            check(st == 404, "%s: %d" % (p, st))
            check("This link does not work" in page, "clear page for " + p)
        st, _, page = s.request("GET", "/s/" + forged + "?score=5&lang=fi")
        check(st == 404 and "Linkki ei toimi" in page, "Finnish 404")
        check(s.sql("SELECT count(*) FROM responses")[0][0] == 0, "stored")
        # Expired before any answer.
        s.sql("UPDATE invitations SET expires_at = 1000")
        st, _, page = s.request("GET", path + "?score=9")
        check(st == 410 and "hết hạn" in page, "expired: %d" % st)
        check(s.sql("SELECT count(*) FROM responses")[0][0] == 0,
              "an expired link recorded")
        # Answered, then the edit window passes: closed.
        _, path2 = s.invite(language="en")
        s.request("GET", path2 + "?score=7")
        s.sql("UPDATE submissions SET first_at = first_at - 8 * 86400000")
        st, _, page = s.request("GET", path2)
        check(st == 200 and "This survey is closed" in page,
              "closed page: %d" % st)
        st, _, page = s.request("GET", path2 + "?score=1")
        check(st == 410 and "closed" in page, "click after window: %d" % st)
        st, _, page = s.form(path2, {"q_score": "1", "shown": "score"})
        check(st == 410, "submit after window: %d" % st)
        check(s.sql("SELECT score FROM responses") == [(7,)], "kept 7")
    finally:
        s.close()


@test
def head_records_nothing():
    s = Server("head")
    try:
        _, path = s.invite()
        for _ in range(3):
            st, h, body = s.request("HEAD", path + "?score=0")
            check(st == 200 and body == "", "HEAD: %d" % st)
        check(s.sql("SELECT count(*) FROM responses")[0][0] == 0, "rows")
        check(s.sql("SELECT count(*) FROM submissions")[0][0] == 0, "subs")
        check(s.sql("SELECT count(*) FROM clicks")[0][0] == 0, "clicks")
        # Nor on a link answered already: the answer stays as it was.
        s.request("GET", path + "?score=7")
        for score in (1, 2, 3):
            st, _, body = s.request("HEAD", path + "?score=%d" % score)
            check(st == 200 and body == "", "HEAD after an answer: %d" % st)
        check(s.sql("SELECT score FROM responses") == [(7,)],
              "HEAD changed the answer: %s" % s.sql("SELECT score FROM "
                                                    "responses"))
        check(s.sql("SELECT count(*) FROM clicks")[0][0] <= 1, "clicks")
    finally:
        s.close()


@test
def scanner_burst_held_until_submit():
    s = Server("scanner")
    try:
        _, path = s.invite()
        for score in (0, 5, 10, 9, 3):
            st, _, page = s.request("GET", path + "?score=%d" % score)
            check(st == 200, "click %d: %d" % (score, st))
        check(s.sql("SELECT count(*) FROM responses")[0][0] == 0,
              "a scanner's burst counted: %s" % s.sql("SELECT * FROM "
                                                       "responses"))
        check("confirm your answer" in page, "the page asks to confirm")
        rep = s.report("--metrics", "nps")
        check(rep["rows"] == [] or rep["rows"][0]["nps"] is None,
              "report after a burst: %s" % rep)
        st, _, page = s.form(path, {"q_score": "8", "shown": "score reason"})
        check(st == 200, "submit: %d" % st)
        check(s.sql("SELECT score FROM responses") == [(8,)], "after submit")
        check(nps_rows(s, "survey")["nps"]["n"] == 1, "report after submit")
    finally:
        s.close()


@test
def api_responses_and_report():
    s = Server("api")
    try:
        good = [{"response_id": "r%d" % i, "survey": "csat",
                 "responded_at": "2026-03-0%dT10:00:00Z" % (1 + i % 5),
                 "score": 1 + i % 5, "channel": "chat", "language": "ms"}
                for i in range(10)]
        st, j = s.api("POST", "/api/v1/responses", good)
        check(st == 201 and j == {"stored": 10}, "%d %s" % (st, j))
        bad = [dict(good[0], response_id="b1"),
               dict(good[1], response_id="b2", score=9),
               {"survey": "nps", "responded_at": "2026-03-01T00:00:00Z"},
               dict(good[2], response_id="b4", responded_at="yesterday")]
        st, j = s.api("POST", "/api/v1/responses", bad)
        check(st == 400, "bad rows: %d" % st)
        errs = {(e["index"], e["field"]) for e in j["errors"]}
        check(errs == {(1, "score"), (2, "response_id"),
                       (3, "responded_at")}, "errors: %s" % j)
        check(s.sql("SELECT count(*) FROM responses")[0][0] == 10,
              "a bad batch stored something")
        st, j = s.api("POST", "/api/v1/responses", {
            "response_id": " one ", "survey": "nps", "score": 10,
            "responded_at": "2026-03-02T00:00:00+07:00"})
        check(st == 201 and j == {"stored": 1}, "one object: %s" % j)
        check(s.sql("SELECT count(*) FROM responses WHERE response_id ="
                    " 'one'")[0][0] == 1, "the id is stored trimmed")
        for q in ("by=language,channel&metrics=csat,nps",
                  "metrics=csat&by=day&from=2026-03-02&to=2026-03-05",
                  "metrics=csat&by=month&tz=Asia/Jakarta&compare=previous"):
            st, _, text = s.request("GET", "/api/v1/report?" + q, auth=True)
            args = []
            for k, v in urllib.parse.parse_qsl(q):
                args += ["--" + k, v]
            cli = s.cli("report", "--format", "json", *args)
            check(st == 200 and text == cli, "report ?%s differs:\n%s\n%s" %
                  (q, text, cli))
        st, j = s.api("GET", "/api/v1/report?metrics=bogus")
        check(st == 400 and "error" in j, "bad metric: %s" % j)
        st, j = s.api("GET", "/api/v1/report?tz=Mars/Olympus")
        check(st == 400, "bad zone: %d" % st)
    finally:
        s.close()


@test
def oversized_and_malformed():
    s = Server("limits")
    try:
        auth = "Authorization: Bearer %s\r\n" % s.token
        reply = raw(s, ("POST /api/v1/responses HTTP/1.1\r\nHost: x\r\n" +
                        auth + "Content-Type: application/json\r\n"
                        "Content-Length: %d\r\n\r\n" % (2 << 20)).encode() +
                    b"[" + b" " * (2 << 20))
        check(reply.startswith(b"HTTP/1.1 413"), "2 MiB body: %r" % reply)
        chunk = b" " * (256 << 10)
        reply = raw(s, ("POST /api/v1/responses HTTP/1.1\r\nHost: x\r\n" +
                        auth + "Content-Type: application/json\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n").encode() +
                    b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk)
                             for _ in range(6)) + b"0\r\n\r\n")
        check(reply.startswith(b"HTTP/1.1 413"), "chunked 1.5 MiB: %r" %
              reply[:40])
        for body in ("{", "[1,2]", '"x"', '{"response_id": {"a": 1}}',
                     '{"a": 1, "a": 2}'):
            st, _, text = s.request("POST", "/api/v1/responses", body,
                                    {"Content-Type": "application/json"},
                                    auth=True)
            check(st == 400 and "errors" in json.loads(text),
                  "%r: %d %s" % (body, st, text))
        st, _, _ = s.request("POST", "/api/v1/responses", "{}",
                             {"Content-Type": "text/plain"}, auth=True)
        check(st == 415, "text/plain body: %d" % st)
        st, j = s.api("POST", "/api/v1/invitations", {"survey": "nope"})
        check(st == 400 and j["errors"][0]["field"] == "survey", str(j))
        st, j = s.api("POST", "/api/v1/invitations",
                      {"survey": "nps", "language": "de"})
        check(st == 400 and j["errors"][0]["field"] == "language", str(j))
        st, j = s.api("POST", "/api/v1/invitations",
                      {"survey": "nps", "team": "a\u0001b"})
        check(st == 400 and j["errors"][0]["field"] == "team", str(j))
        _, path = s.invite()
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        for body, want in (("q_score=%ZZ", 400), ("q_score=%0", 400),
                           ("q_score=5&q_reason=%00", 400),
                           ("q_reason=%FF%FE", 400),
                           ("&".join("f%d=1" % i for i in range(100)), 413),
                           ("q_reason=" + "a" * 9000, 413),
                           ("q_score=5" + "&x=" + "y" * (70 << 10), 413)):
            st, _, _ = s.request("POST", path, body, form)
            check(st == want, "form %r...: %d, want %d" % (body[:30], st,
                                                           want))
        check(s.sql("SELECT count(*) FROM responses")[0][0] == 0, "stored")
        # Too many headers, and a head larger than the limit.
        c = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" +
                  b"".join(b"X-H%d: 1\r\n" % i for i in range(100)) +
                  b"\r\n")
        reply = c.recv(100)
        c.close()
        check(reply.startswith(b"HTTP/1.1 431"), "100 headers: %r" % reply)
        c = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                  b"a" * 40000 + b"\r\n\r\n")
        reply = c.recv(100)
        c.close()
        check(reply.startswith(b"HTTP/1.1 431") or
              reply.startswith(b"HTTP/1.1 413") or reply == b"",
              "40 KB header: %r" % reply)
        st, _, _ = s.request("GET", "/healthz")
        check(st == 200, "still serving")
    finally:
        s.close()


@test
def rate_limit_public_pages():
    s = Server("rate", config=(("serve.rate_per_minute", "5"),))
    try:
        codes = [s.request("GET", "/s/nothing-here-at-all")[0]
                 for _ in range(7)]
        check(codes == [404] * 5 + [429] * 2, "codes: %s" % codes)
        st, h, _ = s.request("GET", "/s/x")
        check(st == 429 and h.get("Retry-After") == "60", "Retry-After")
        st, _ = s.api("GET", "/api/v1/surveys")
        check(st == 200, "the API is not rate limited per page")
    finally:
        s.close()


@test
def slowloris_cut_off():
    s = Server("slowloris", templates=())
    try:
        c = socket.create_connection(("127.0.0.1", s.port), timeout=30)
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        t0 = time.time()
        data = c.recv(100)  # the server closes the silent connection
        took = time.time() - t0
        c.close()
        check(data == b"" or data.startswith(b"HTTP/1.1 4"),
              "reply to a trickled head: %r" % data)
        check(took < 20, "silent connection held %.1f s" % took)
    finally:
        s.close()


def drip(s, head, every, give_up):
    """Sends `head` one byte every `every` seconds (each gap well inside
    the idle timeout) until the server closes the connection or give_up
    seconds pass; returns the seconds it stayed open (None: never closed)
    and the reply, if any."""
    c = socket.create_connection(("127.0.0.1", s.port), timeout=30)
    c.settimeout(every)
    t0 = time.time()
    reply = b""
    try:
        for i in range(10 ** 6):
            if time.time() - t0 > give_up:
                return None, reply
            try:
                c.send(head[i % len(head):i % len(head) + 1])
            except OSError:
                return time.time() - t0, reply
            try:
                data = c.recv(200)
            except socket.timeout:
                continue
            except OSError:
                return time.time() - t0, reply
            if not data:
                return time.time() - t0, reply
            reply += data
    finally:
        c.close()
    return None, reply


@test
def slowloris_request_deadline():
    """A client that sends one byte a second never goes silent long enough
    for the idle timeout; the request deadline (--request-timeout) cuts it
    off all the same, head or body, while other clients are served."""
    s = Server("slowloris_deadline", serve_args=("--request-timeout", "3"))
    try:
        _, path = s.invite()
        heads = [b"GET /healthz HTTP/1.1\r\nHost: x\r\n" +
                 b"X-Drip: " + b"a" * 4000,
                 ("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: "
                  "application/x-www-form-urlencoded\r\nContent-Length: "
                  "60000\r\n\r\n" % path).encode() + b"q_reason=" +
                 b"a" * 60000]
        results = [None] * 12
        fast = []

        def one(k, head, every):
            # The body drip sends its head at once, then a byte a second.
            if k % 2:
                c = socket.create_connection(("127.0.0.1", s.port),
                                             timeout=30)
                hl = head.index(b"\r\n\r\n") + 4
                c.sendall(head[:hl])
                t0 = time.time()
                c.settimeout(every)
                try:
                    for b in head[hl:]:
                        if time.time() - t0 > 15:
                            results[k] = (None, b"")
                            return
                        c.send(bytes([b]))
                        try:
                            if not c.recv(200):
                                break
                        except socket.timeout:
                            pass
                except OSError:
                    pass
                results[k] = (time.time() - t0, b"")
                c.close()
            else:
                results[k] = drip(s, head, every, 15)

        threads = [threading.Thread(target=one, args=(k, heads[k % 2], 0.5))
                   for k in range(len(results))]
        for t in threads:
            t.start()
        time.sleep(0.5)
        while any(t.is_alive() for t in threads):
            t0 = time.time()
            st, _, _ = s.request("GET", "/healthz")
            fast.append((st, time.time() - t0))
            time.sleep(0.2)
        for k, (took, reply) in enumerate(results):
            check(took is not None, "drip %d (%s) still open after 15 s" %
                  (k, "body" if k % 2 else "head"))
            check(2.5 <= took <= 12, "drip %d cut after %.1f s, want ~3" %
                  (k, took))
        check(all(st == 200 for st, _ in fast) and
              max(t for _, t in fast) < 5.0,
              "healthz while dripping: %s" % fast)
        check("cut off: request not read within 3000 ms" in s.logtext(),
              "the cut is logged")
        check(s.sql("SELECT count(*) FROM responses")[0][0] == 0, "stored")
        # A steady client is not cut: keep-alive requests over the
        # deadline in all, each answered at once.
        c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        for _ in range(5):
            c.request("GET", "/healthz")
            r = c.getresponse()
            check(r.status == 200 and r.read().strip() == b"ok",
                  "keep-alive request answered")
            time.sleep(1)
        c.close()
    finally:
        s.close()


def load(s, n_clients, stop_after, kill_sig):
    """n_clients threads POST responses until the server goes; returns the
    ids acknowledged with 2xx."""
    acked = []
    lock = threading.Lock()
    started = threading.Event()

    def client(k):
        i = 0
        while True:
            rid = "c%d-%d" % (k, i)
            i += 1
            try:
                c = http.client.HTTPConnection("127.0.0.1", s.port,
                                               timeout=30)
                c.request("POST", "/api/v1/responses", json.dumps(
                    {"response_id": rid, "survey": "nps", "score": i % 11,
                     "responded_at": "2026-05-01T12:00:00Z"}),
                    {"Authorization": "Bearer " + s.token,
                     "Content-Type": "application/json"})
                r = c.getresponse()
                r.read()
                c.close()
            except (OSError, http.client.HTTPException):
                return
            if 200 <= r.status < 300:
                with lock:
                    acked.append(rid)
                started.set()
            elif r.status != 503:
                return

    threads = [threading.Thread(target=client, args=(k,))
               for k in range(n_clients)]
    for t in threads:
        t.start()
    started.wait(30)
    time.sleep(stop_after)
    rc = s.stop(kill_sig)
    for t in threads:
        t.join(60)
    return acked, rc


N_CLIENTS = 64


def stored_once(s, acked, what):
    """Every acknowledged answer is stored exactly once; returns the
    stored ids."""
    rows = s.sql("SELECT response_id, count(*) FROM responses"
                 " GROUP BY response_id")
    stored = {r[0]: r[1] for r in rows}
    check(len(acked) == len(set(acked)), "an id acknowledged twice")
    check(len(acked) > N_CLIENTS, "only %d acknowledged" % len(acked))
    lost = [a for a in acked if a not in stored]
    check(not lost, "%d acknowledged answers lost after %s: %s" %
          (len(lost), what, lost[:5]))
    check(all(v == 1 for v in stored.values()), "stored twice")
    check(s.sql("SELECT count(*) FROM responses")[0][0] == len(stored),
          "rows != distinct ids")
    # The store reopens and reports every stored row, on every read path.
    for read in ("auto", "rows", "columns"):
        n = s.report("--metrics", "nps", "--read", read)["rows"][0]["nps"]["n"]
        check(n == len(stored), "report --read %s: n %d, rows %d" %
              (read, n, len(stored)))
    if ARGS.verbose:
        print("  %s: %d clients, %d acknowledged, %d stored" %
              (what, N_CLIENTS, len(acked), len(stored)))
    return stored


@test
def sigterm_drains_under_load():
    s = Server("sigterm", templates=())
    acked, rc = load(s, N_CLIENTS, 1.0, signal.SIGTERM)
    check(rc == 0, "exit status after SIGTERM under load: %d" % rc)
    s.close()
    stored = stored_once(s, acked, "SIGTERM")
    # Draining answers every request begun: nothing is stored that was not
    # acknowledged (a connection not yet read is closed unanswered).
    extra = set(stored) - set(acked)
    check(not extra, "%d stored but never acknowledged: %s" %
          (len(extra), sorted(extra)[:5]))
    # Group commit: the answers waiting share a commit. How many share
    # one depends on the disk's fsync time and the machine's load (3 to
    # 22 seen here), so the test asks only that commits were shared;
    # bench/serve_bench.sh measures the batch size.
    m = re.search(r"group commit: (\d+) changes in (\d+) transactions",
                  s.logtext())
    check(m and int(m.group(1)) > int(m.group(2)),
          "answers a commit: %s" % (m.group(0) if m else s.logtext()[-300:]))


@test
def sigkill_loses_no_acknowledged_answer():
    s = Server("sigkill", templates=())
    acked, rc = load(s, N_CLIENTS, 1.0, signal.SIGKILL)
    check(rc == -signal.SIGKILL, "killed: %d" % rc)
    stored = stored_once(s, acked, "SIGKILL")
    # Committed but killed before the reply: stored, never acknowledged;
    # at most one per client.
    check(len(stored) - len(acked) <= N_CLIENTS, "rows - acks: %d" %
          (len(stored) - len(acked)))


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cxmeter", required=True)
    ap.add_argument("--workdir", default="/tmp/cxm_http_tests")
    ap.add_argument("--engine", default=None,
                    help="pg: a PostgreSQL store (default: SQLite)")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("tests", nargs="*")
    ARGS = ap.parse_args()
    ARGS.cxmeter = os.path.abspath(ARGS.cxmeter)
    os.makedirs(ARGS.workdir, exist_ok=True)
    failed = 0
    for fn in TESTS:
        if ARGS.tests and fn.__name__ not in ARGS.tests:
            continue
        t0 = time.time()
        try:
            fn()
            print("ok   %s (%.1fs)" % (fn.__name__, time.time() - t0))
        except Exception as e:  # noqa: BLE001
            failed += 1
            print("FAIL %s: %s" % (fn.__name__, e))
            if not isinstance(e, Fail) or ARGS.verbose:
                traceback.print_exc()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
