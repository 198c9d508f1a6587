# SPDX-License-Identifier: MIT
"""test_dashboard.py — the dashboard's logins and pages end to end
(docs/dashboard.md), on a real `cxmeter serve` on 127.0.0.1:
unauthenticated requests get nothing on every route of the routes table,
CSRF tokens missing or wrong are refused, lockout, logout, session expiry,
HTML escaping of values, CSV formula escaping, security headers, the
`user` command, and cards equal to `cxmeter report --format json`.

Runs on either engine: --engine pg puts each server's store in a database
of its own on the fixture pg's PostgreSQL cluster (test_serve.py's Server).

Usage: test_dashboard.py --cxmeter PATH [--workdir DIR] [--engine pg] [-v]
       [TEST...]
"""

import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dashlib  # noqa: E402
import test_serve as ts  # noqa: E402
from test_serve import Fail, check, test  # noqa: E402

SERVER_C = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "..", "src", "http", "server.c")


class Dash(ts.Server):
    """A server on a store with the dashboard's test data and accounts
    lead (admin) and viewer (viewer)."""

    def __init__(self, name, config=()):
        d = os.path.join(ts.ARGS.workdir, name + "-data")
        dashlib.write_data(d)
        self.data_dir = d
        super().__init__(name, templates=(), config=config)

    def start(self):
        if not getattr(self, "_ready", False):
            dashlib.import_data(ts.ARGS.cxmeter, self.db, self.data_dir)
            for u, r in (("lead", "admin"), ("viewer", "viewer")):
                rc, err = dashlib.add_user(ts.ARGS.cxmeter, self.db, u, r)
                check(rc == 0, "user add %s: %s" % (u, err))
            self._ready = True
        super().start()

    def client(self):
        return dashlib.Client(self.port)

    def logged_in(self, user="lead"):
        c = self.client()
        st, h, _ = c.login(user, dashlib.PASSWORD)
        check(st == 303, "login of %s: %d" % (user, st))
        check("cxm_session" in c.cookies, "a session cookie")
        return c


def session_routes():
    """(method, path) of every route of server.c's table that needs a
    login or a bearer token: a page added later is covered too."""
    text = open(SERVER_C).read()
    table = text[text.index("static const struct route routes[]"):]
    table = table[:table.index("};")]
    out = []
    for m in re.finditer(r'\{"(GET|POST)",\s*"([^"]+)",\s*\w+,\s*[^,]+,'
                         r'\s*([^}]*)\}', table):
        flags = m.group(3)
        if "ROUTE_SESSION" in flags or "ROUTE_AUTH" in flags:
            out.append((m.group(1), m.group(2), "ROUTE_AUTH" in flags))
    check(len(out) >= 8, "routes found in server.c: %r" % out)
    return out


def no_data(body, figures):
    """Whether the body shows none of the figures or names."""
    for f in figures:
        if f and f in body:
            return False
    return True


@test
def test_unauthenticated_gets_nothing():
    srv = Dash("unauth")
    try:
        # What a logged-in client sees, to prove it is absent without.
        c = srv.logged_in()
        st, _, page = c.get("/?period=all")
        check(st == 200, "overview: %d" % st)
        secrets = ["ana.silva", "frontline", "data-value"]
        check(all(s in c.get("/breakdown?period=all")[2] for s in secrets[:2]),
              "the breakdown names agents and teams")
        anon = srv.client()
        bogus = srv.client()
        bogus.cookies["cxm_session"] = "A" * 43
        for method, path, api in session_routes():
            q = path + ("?period=all&id=ana.silva&metric=csat"
                        if not api else "")
            for who in (anon, bogus):
                st, h, body = who.request(method, q,
                                          body={"csrf": "x"}
                                          if method == "POST" else None)
                if api:
                    check(st == 401, "%s %s without a token: %d" %
                          (method, path, st))
                elif method == "GET":
                    check(st == 303 and h["location"][0].startswith(
                        "/login?next="), "%s %s without a login: %d %r" %
                          (method, path, st, h.get("location")))
                else:
                    check(st == 401, "%s %s without a login: %d" %
                          (method, path, st))
                check(no_data(body, secrets + ["csat", "CSAT"]),
                      "%s %s without a login shows data: %r" %
                      (method, path, body[:200]))
        # The login sends back to the page asked for, query and all.
        st, h, _ = anon.get("/breakdown?dim=team&period=all")
        nxt = h["location"][0]
        check("next=/breakdown%3Fdim%3Dteam%26period%3Dall" in nxt, nxt)
        st, h, _ = anon.login("lead", dashlib.PASSWORD,
                              next_="/breakdown?dim=team&period=all")
        check(st == 303 and h["location"][0] ==
              "/breakdown?dim=team&period=all", "back to the page asked for")
        # An absolute or scheme-relative next is not followed.
        anon2 = srv.client()
        st, h, _ = anon2.login("lead", dashlib.PASSWORD,
                               next_="//evil.example/")
        check(st == 303 and h["location"][0] == "/", "no open redirect")
        # The survey pages and health stay public.
        check(anon.get("/healthz")[0] == 200, "healthz public")
    finally:
        srv.stop()


@test
def test_cookie_and_headers():
    srv = Dash("headers")
    try:
        c = srv.client()
        c.login_form()
        st, h, _ = c.login("lead", dashlib.PASSWORD)
        ck = [v for v in h["set-cookie"] if v.startswith("cxm_session=")][0]
        check("HttpOnly" in ck and "SameSite=Strict" in ck and
              "Path=/" in ck and "Max-Age=43200" in ck, ck)
        sid = ck.split(";")[0].split("=", 1)[1]
        check(len(sid) == 43, "a 256-bit id in base64url: %r" % sid)
        # The store keeps only a digest of the id.
        rows = srv.sql("SELECT id_hash FROM sessions")
        check(rows and all(sid.encode() not in bytes(r[0]) and
                           len(r[0]) == 32 for r in rows), "hashed ids")
        ph = srv.sql("SELECT password_hash FROM users WHERE name='lead'"
                     )[0][0]
        check(ph.startswith("$argon2id$"), "argon2id hash: %s" % ph[:12])
        st, h, page = c.get("/?period=all")
        csp = h["content-security-policy"][0]
        check("script-src 'self'" in csp and
              "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
              and "frame-ancestors 'none'" in csp, csp)
        check(h["x-frame-options"] == ["DENY"], "X-Frame-Options")
        check(h["x-content-type-options"] == ["nosniff"], "nosniff")
        check("<script>" not in page and "onclick" not in page,
              "no inline script on the page")
        st, h, js = c.get("/assets/uPlot.iife.min.js")
        check(st == 200 and "uPlot" in js and len(js) > 20000,
              "uPlot is served by cxmeter itself")
    finally:
        srv.stop()


@test
def test_csrf():
    srv = Dash("csrf")
    try:
        # The login form: its token must equal its own cookie.
        c = srv.client()
        c.login_form()
        st, _, _ = c.request("POST", "/login", {"username": "lead",
                                                "password": dashlib.PASSWORD})
        check(st == 403, "login without csrf: %d" % st)
        st, _, _ = c.login("lead", dashlib.PASSWORD, csrf="wrong")
        check(st == 403, "login with a wrong csrf: %d" % st)
        c2 = srv.client()  # a token but no cookie of its own
        st, _, _ = c2.login("lead", dashlib.PASSWORD,
                            csrf=c.login_form())
        check(st == 403, "login with another client's token: %d" % st)
        # A logged-in form: logout needs the session's token.
        c = srv.logged_in()
        tok = c.csrf()
        check(len(tok) >= 40, "a CSRF token on the page")
        for body in ({}, {"csrf": ""}, {"csrf": "x" * len(tok)},
                     {"csrf": tok[:-1]}):
            st, _, _ = c.request("POST", "/logout", body)
            check(st == 403, "logout with csrf %r: %d" % (body, st))
            check(c.get("/")[0] == 200, "still logged in after a refusal")
        other = srv.logged_in("viewer")
        st, _, _ = c.request("POST", "/logout", {"csrf": other.csrf()})
        check(st == 403, "another session's token: %d" % st)
        st, h, _ = c.request("POST", "/logout", {"csrf": tok})
        check(st == 303 and h["location"] == ["/login"], "logout: %d" % st)
    finally:
        srv.stop()


@test
def test_logout_and_expiry():
    srv = Dash("expiry")
    try:
        c = srv.logged_in()
        old = dict(c.cookies)
        st, _, _ = c.request("POST", "/logout", {"csrf": c.csrf()})
        check(st == 303 and "cxm_session" not in c.cookies, "logout")
        # The old cookie no longer works (the session is gone).
        c.cookies = old
        st, _, _ = c.get("/")
        check(st == 303, "the session ended at logout: %d" % st)
        # Expiry: a session past its end is refused.
        c = srv.logged_in()
        check(c.get("/")[0] == 200, "a fresh session works")
        srv.sql("UPDATE sessions SET expires_at = ?",
                int(time.time() * 1000) - 1)
        st, _, body = c.get("/")
        check(st == 303 and "data-value" not in body, "expired: %d" % st)
        # passwd ends the sessions of the account.
        c = srv.logged_in("viewer")
        p = subprocess.run([ts.ARGS.cxmeter, "user", "passwd", "viewer",
                            "--db", srv.db], input="another pass 2\n",
                           capture_output=True, text=True)
        check(p.returncode == 0, p.stderr)
        check(c.get("/")[0] == 303, "passwd ends the sessions")
        st, _, _ = srv.client().login("viewer", "another pass 2")
        check(st == 303, "the new password works")
    finally:
        srv.stop()
    # serve.session_minutes sets the cookie's and the session's life.
    srv = Dash("expiry-config", config=(("serve.session_minutes", "2"),))
    try:
        c = srv.client()
        c.login_form()
        st, h, _ = c.login("lead", dashlib.PASSWORD)
        ck = [v for v in h["set-cookie"] if v.startswith("cxm_session=")][0]
        check("Max-Age=120" in ck, ck)
        life = srv.sql("SELECT expires_at - created_at FROM sessions")[0][0]
        check(life == 120000, "session life %d ms" % life)
    finally:
        srv.stop()


@test
def test_lockout():
    srv = Dash("lockout")
    try:
        c = srv.client()
        for i in range(5):
            st, _, page = c.login("lead", "wrong password %d" % i)
            check(st == 401 and "Wrong user name or password" in page,
                  "failure %d: %d" % (i, st))
        st, h, page = c.login("lead", dashlib.PASSWORD)
        check(st == 429 and "cxm_session" not in c.cookies,
              "locked out after 5 failures: %d" % st)
        # Another account from the same address still logs in.
        st, _, _ = srv.client().login("viewer", dashlib.PASSWORD)
        check(st == 303, "the lockout is per user: %d" % st)
        # Time-based: failures older than the window no longer count.
        srv.sql("UPDATE login_failures SET at = at - 16 * 60000")
        st, _, _ = c.login("lead", dashlib.PASSWORD)
        check(st == 303, "after the window: %d" % st)
        # Per address: 20 failures over any names lock the address.
        c = srv.client()
        for i in range(20):
            st, _, _ = c.login("nobody%d" % i, "wrong password")
            check(st == 401, "failure %d of the address: %d" % (i, st))
        st, _, _ = srv.client().login("viewer", dashlib.PASSWORD)
        check(st == 429, "the address is locked out: %d" % st)
    finally:
        srv.stop()


@test
def test_escaping_and_csv():
    srv = Dash("escaping")
    try:
        c = srv.logged_in()
        for path in ("/breakdown?period=all",
                     "/drill?metric=csat&period=all&score=2",
                     "/agent?period=all&id=" +
                     ts.urllib.parse.quote(dashlib.HOSTILE_AGENT),
                     "/?period=all&agent=" +
                     ts.urllib.parse.quote(dashlib.HOSTILE_AGENT)):
            st, _, page = c.get(path)
            check(st == 200, "%s: %d" % (path, st))
            check("<script>alert" not in page and "<img src=x" not in page,
                  "%s: markup of a value reached the page" % path)
        st, _, page = c.get("/drill?metric=csat&period=all&score=2")
        check("&lt;script&gt;alert(&#39;a&#39;)&lt;/script&gt;" in page,
              "the hostile agent id shown as text")
        check("&lt;img src=x onerror=alert(1)&gt;" in page,
              "the hostile comment shown as text")
        st, h, csv = c.get("/drill?metric=csat&period=all&score=2"
                           "&format=csv")
        check(st == 200 and h["content-type"][0].startswith("text/csv"),
              "drill CSV")
        check("'=HYPERLINK" in csv and "\n=HYPERLINK" not in csv and
              ",=HYPERLINK" not in csv, "formula escaped: %r" %
              [l for l in csv.splitlines() if "HYPERLINK" in l])
        st, _, csv = c.get("/breakdown?period=all&format=csv")
        check(st == 200 and csv.startswith("value,CSAT"), csv[:80])
        st, _, csv = c.get("/?period=all&format=csv&table=cards")
        check(csv.startswith("metric,value,median,n,lo,hi"), csv[:80])
        st, _, csv = c.get("/?period=all&format=csv&table=series")
        check(csv.startswith("bucket,metric,value,lo,hi,n") and
              "csat" in csv, csv[:80])
    finally:
        srv.stop()


@test
def test_cards_equal_report():
    srv = Dash("cards")
    try:
        c = srv.logged_in("viewer")
        for q in ("period=all", "period=28d", "period=custom&from=2026-02-01"
                  "&to=2026-03-01&tz=Europe/Helsinki", "period=all&team=tech",
                  "period=90d&channel=chat&agent=chen.wei"):
            st, _, page = c.get("/?" + q)
            check(st == 200, "%s: %d" % (q, st))
            m = re.search(r'data-from="([^"]+)" data-to="([^"]+)" '
                          r'data-tz="([^"]+)"', page)
            check(m, "the page names its period")
            by = [k for k in ("agent", "team", "channel") if k + "=" in q]
            args = ["report", "--db", srv.db, "--metrics",
                    "csat,nps,ces,fcr,backlog,art,selfservice_rate",
                    "--from", m.group(1), "--to", m.group(2), "--tz",
                    m.group(3), "--compare", "previous", "--format", "json"]
            if by:
                args += ["--by", ",".join(by)]
            rep = json.loads(srv.cli(*args))
            want = dict(kv.split("=") for kv in q.split("&"))
            rows = [r for r in rep["rows"]
                    if all(r.get(k) == want[k] for k in by)]
            check(len(rows) == 1, "%s: one report row" % q)
            cards = dict(re.findall(r'data-metric="(\w+)" data-value="'
                                    r'([^"]+)"', page))
            for metric, fig in rows[0].items():
                if metric in by or not isinstance(fig, dict):
                    continue
                if fig["value"] is None:
                    check(metric not in cards, "%s %s: null" % (q, metric))
                    continue
                check(metric in cards and
                      abs(float(cards[metric]) - fig["value"]) <=
                      1e-6 * max(1, abs(fig["value"])),
                      "%s %s: card %s, report %s" %
                      (q, metric, cards.get(metric), fig["value"]))
    finally:
        srv.stop()


@test
def test_ranking_shrinks():
    srv = Dash("ranking")
    try:
        c = srv.logged_in()
        st, _, csv = c.get("/breakdown?dim=agent&period=all&format=csv"
                           "&table=ranking")
        check(st == 200, "ranking CSV: %d" % st)
        lines = csv.strip().splitlines()
        check(lines[0].startswith("rank,agent,team,answers,CSAT (raw),"
                                  "CSAT (shrunk)"), lines[0])
        rows = [l.split(",") for l in lines[1:]]
        solo = [r for r in rows if r[1] == "solo.star"]
        check(solo and float(solo[0][4]) == 100.0, "solo.star raw 100")
        check(rows[0][1] != "solo.star" and int(solo[0][0]) > 1,
              "one rating does not top the ranking: %r" % rows[:2])
        shrunk = [float(r[5]) for r in rows]
        check(shrunk == sorted(shrunk, reverse=True), "sorted by shrunk")
    finally:
        srv.stop()


@test
def test_cache_follows_the_store():
    """A page asked again is served from the report cache, and an import
    by another process (or a survey answer through the server) shows at
    once: the cache keys on the store's data version."""
    srv = Dash("cache")
    try:
        c = srv.logged_in()

        def csat_n():
            st, _, page = c.get("/?period=all")
            check(st == 200, "overview: %d" % st)
            return int(re.search(r'data-metric="csat" data-value="[^"]+" '
                                 r'data-n="(\d+)"', page).group(1))
        n0 = csat_n()
        check(csat_n() == n0, "the same page twice")
        f = os.path.join(srv.dir, "more.csv")
        with open(f, "w") as out:
            out.write("response_id,survey,responded_at,score,agent_id\n")
            for i in range(7):
                out.write("MORE%d,csat,2026-03-25T10:00:00Z,5,ana.silva\n"
                          % i)
        srv.cli("import", "--quiet", "responses", f)
        check(csat_n() == n0 + 7, "the import shows on the next page")
    finally:
        srv.stop()


@test
def test_agent_page_cached_and_fresh():
    """An agent's page asked again seconds later comes from the report
    cache (the sender's idle rounds, every second, change no row: they
    leave the cached reports valid), and an answer imported for the agent
    shows on their page at once, whether it names them or only its ticket
    does (the comments read through 0021's indexes)."""
    srv = Dash("agentpage")
    path = "/agent?id=ana.silva&period=all"
    try:
        c = srv.logged_in()
        st, _, page = c.get(path)
        check(st == 200 and 'id="comments"' in page, "agent page: %d" % st)
        time.sleep(2.5)  # sender rounds (SEND_POLL_MS) finding nothing
        st, _, again = c.get(path)
        check(st == 200, "agent page again: %d" % st)
    finally:
        srv.stop()
    m = re.search(r"report cache: (\d+) found, (\d+) run",
                  srv.logtext())
    check(m is not None, "the cache's count in the log")
    # The second request's two reports (cards, series) and its comments
    # from the cache, on either engine: PostgreSQL's data version is the
    # workspace's row of data_versions (sql/0004), which only changes to
    # what reports read move, not the other tests' databases on the
    # shared cluster nor this server's own sessions.
    check(int(m.group(1)) >= 3, "found in the cache: %s of %s" %
          (m.group(1), int(m.group(1)) + int(m.group(2))))
    srv.start()
    try:
        c = srv.logged_in()
        st, _, page = c.get(path)
        f = os.path.join(srv.dir, "fresh-tickets.csv")
        with open(f, "w") as out:
            out.write("ticket_id,created_at,agent_id,team,channel\n"
                      "TFRESH1,2026-03-29T09:00:00Z,ana.silva,billing,chat\n"
                      "TFRESH2,2026-03-29T09:00:00Z,chen.wei,tech,chat\n")
        srv.cli("import", "--quiet", "tickets", f)
        f = os.path.join(srv.dir, "fresh.csv")
        with open(f, "w") as out:
            out.write("response_id,survey,responded_at,score,ticket_id,"
                      "agent_id,comment\n"
                      "FRESH1,csat,2026-03-30T10:00:00Z,2,,ana.silva,"
                      "names the agent\n"
                      "FRESH2,csat,2026-03-30T11:00:00Z,3,TFRESH1,,"
                      "only its ticket names her\n"
                      "FRESH3,csat,2026-03-30T12:00:00Z,1,TFRESH2,,"
                      "another agent's ticket\n"
                      "FRESH4,csat,2026-03-30T13:00:00Z,1,TFRESH2,"
                      "ana.silva,names her on his ticket\n")
        srv.cli("import", "--quiet", "responses", f)
        st, _, page = c.get(path)
        check(st == 200, "agent page after the import: %d" % st)
        for text in ("names the agent", "only its ticket names her",
                     "names her on his ticket"):
            check(text in page, "a new comment shows: %s" % text)
        check("another agent" not in page,
              "another agent's comment is not hers")
        st, _, page = c.get("/agent?id=chen.wei&period=all")
        check("another agent" in page and "names her on his" not in page,
              "chen.wei's page: his ticket's answer, not hers")
    finally:
        srv.stop()


def csv_rows(text):
    """The rows of a CSV body as dicts (the header names the keys)."""
    import csv
    import io
    return list(csv.DictReader(io.StringIO(text)))


@test
def test_agent_drill_is_the_filtered_drill():
    """A drill-down or comments table filtered by agent (SQLite: found
    through 0021/0025's indexes, merged newest first) lists exactly the
    rows of the unfiltered drill-down whose agent is theirs, in the same
    order: answers naming the agent, answers naming no agent on their
    tickets, not another agent's answer on their ticket; ties of one
    instant ordered by response id; offsets; the page's newest 50."""
    srv = Dash("agentdrill")
    try:
        c = srv.logged_in()
        f = os.path.join(srv.dir, "many.csv")
        with open(f, "w") as out:
            out.write("response_id,survey,responded_at,score,ticket_id,"
                      "agent_id,comment\n")
            for i in range(70):  # ana.silva's own, five to an instant
                out.write("M%03d,%s,2026-03-%02dT10:00:00Z,%d,T%05d,%s,%s\n"
                          % (69 - i, ("csat", "nps", "ces")[i % 3],
                             10 + i // 5, 1 + i % 5, 1 + i,
                             "ana.silva" if i % 7 else "chen.wei",
                             "" if i % 4 == 0 else "many %d" % i))
        srv.cli("import", "--quiet", "responses", f)
        agents = [a for al in dashlib.TEAMS.values() for a in al]
        for m, scores in (("csat", ("", "1-3")), ("nps", ("", "0-6")),
                          ("ces", ("",))):
            for sc in scores:
                q = "/drill?metric=%s&period=all%s&format=csv" % (
                    m, "&score=" + sc if sc else "")
                st, _, every = c.get(q)
                check(st == 200, "%s: %d" % (q, st))
                every = csv_rows(every)
                for a in agents:
                    want = [r for r in every if r["agent"] == a]
                    for off in (0, 3):
                        st, _, got = c.get(q + "&agent=%s&offset=%d" %
                                           (a, off))
                        check(st == 200, "%s agent %s: %d" % (q, a, st))
                        check(csv_rows(got) == want[off:],
                              "%s&agent=%s&offset=%d: %d rows, not the "
                              "%d of the unfiltered drill-down" %
                              (q, a, off, len(csv_rows(got)),
                               len(want[off:])))
        every = []
        for m in ("csat", "nps", "ces"):
            every += csv_rows(c.get("/drill?metric=%s&period=all"
                                    "&format=csv" % m)[2])
        every.sort(key=lambda r: r["response"])
        every.sort(key=lambda r: r["responded_at"], reverse=True)
        for a in agents:
            want = [r for r in every if r["agent"] == a and r["comment"]]
            st, _, got = c.get("/agent?id=%s&period=all&format=csv"
                               "&table=comments" % a)
            check(st == 200 and csv_rows(got) == want,
                  "%s's comments: %d rows, not the %d of the drill-downs"
                  % (a, len(csv_rows(got)), len(want)))
            st, _, page = c.get("/agent?id=%s&period=all" % a)
            table = page[page.index('id="comments"'):]
            table = table[:table.index("</table>")]
            shown = re.findall(r">((?:[RM]|SOLO)[0-9A-Z]*)<", table)
            check(shown == [r["response"] for r in want[:50]],
                  "%s's page: the newest 50 comments %r" % (a, shown[:5]))
        check(len([r for r in every if r["agent"] == "ana.silva" and
                   r["comment"]]) > 50, "ana.silva has over 50 comments")
        # Tickets: each kind read through its own time's index, newest
        # first, then by ticket id; filtered = the unfiltered's rows.
        with open(os.path.join(srv.data_dir, "tickets.csv")) as fh:
            tickets = csv_rows(fh.read())
        for m, col, must in (
                ("created", "created_at", tickets),
                ("fcr", "resolved_at",
                 [t for t in tickets if t["resolved_at"]]),
                ("backlog", "created_at",
                 [t for t in tickets if not t["resolved_at"]])):
            q = "/drill?metric=%s&period=all&format=csv" % m
            st, _, rows = c.get(q)
            rows = csv_rows(rows)
            check(st == 200 and len(rows) >= len(must), "%s: %d rows" %
                  (q, len(rows)))
            ids = {r["ticket"] for r in rows}
            check(all(t["ticket_id"] in ids for t in must),
                  "%s: a ticket missing" % q)
            if m != "backlog":
                check(len(rows) == len(must), "%s: %d rows, not %d" %
                      (q, len(rows), len(must)))
            order = sorted(rows, key=lambda r: r["ticket"])
            order.sort(key=lambda r: r[col], reverse=True)
            check(rows == order, "%s: not newest first, then by ticket" % q)
            for k, v in [("agent", a) for a in agents] + [("team", "tech")]:
                want = [r for r in rows if r[k] == v]
                for off in (0, 3):
                    st, _, got = c.get(q + "&%s=%s&offset=%d" % (k, v, off))
                    check(csv_rows(got) == want[off:],
                          "%s&%s=%s&offset=%d: %d rows, not %d" %
                          (q, k, v, off, len(csv_rows(got)),
                           len(want[off:])))
    finally:
        srv.stop()


@test
def test_user_command():
    srv = Dash("users")
    try:
        def user(*a, inp=dashlib.PASSWORD + "\n"):
            return subprocess.run([ts.ARGS.cxmeter, "user"] + list(a) +
                                  ["--db", srv.db], input=inp,
                                  capture_output=True, text=True)
        check(user("add", "lead", "--role", "admin").returncode == 1,
              "a name in use")
        check(user("add", "x", "--role", "boss").returncode == 2,
              "a bad role")
        check(user("add", "x", "--role", "viewer", inp="short\n"
                   ).returncode == 1, "a short password")
        check(user("add", "bad name", "--role", "viewer").returncode == 1,
              "a bad name")
        check(user("add", "x").returncode == 2, "no role")
        p = user("list")
        check(p.returncode == 0 and "lead" in p.stdout and
              "viewer" in p.stdout and "$argon2" not in p.stdout, p.stdout)
        c = srv.logged_in("viewer")
        check(user("remove", "viewer").returncode == 0, "remove")
        check(c.get("/")[0] == 303, "remove ends the sessions")
        check(user("remove", "viewer").returncode == 1, "no such account")
    finally:
        srv.stop()


@test
def test_pages_render():
    srv = Dash("pages")
    try:
        c = srv.logged_in()
        for path in ("/", "/dashboard", "/?period=7d", "/?period=365d",
                     "/breakdown?dim=team", "/breakdown?dim=channel",
                     "/breakdown?dim=language", "/breakdown?dim=topic",
                     "/agent?id=chen.wei&period=all",
                     "/drill?metric=backlog", "/drill?metric=fcr",
                     "/drill?metric=nps&score=0-6",
                     "/drill?metric=created&topic=refund"):
            st, _, page = c.get(path)
            check(st == 200 and "</html>" in page, "%s: %d" % (path, st))
        for path in ("/?tz=Not/AZone", "/?period=3d", "/?from=2026-13-01",
                     "/breakdown?dim=segment", "/drill?metric=nope",
                     "/drill?score=x", "/drill?score=1%26agent%3Dx",
                     "/drill?score=1x", "/drill?score=3-1"):
            st, _, page = c.get(path)
            check(st == 400, "%s: %d" % (path, st))
    finally:
        srv.stop()


@test
def test_alerts_and_comments():
    """/comments lists the open-ended answers as text, filtered by the URL
    and exported with formulas escaped; an alert fired on a small store
    shows on /alerts and as the overview's banner."""
    srv = Dash("alerts")
    try:
        f = os.path.join(ts.ARGS.workdir, "alerts-extra.csv")
        with open(f, "w") as fh:
            fh.write("response_id,survey,responded_at,score,ticket_id,"
                     "agent_id,team,channel,language,comment\n"
                     "XSS1,csat,2026-03-22T10:00:00Z,1,,chen.wei,tech,chat,"
                     "en,\"<script>alert(7)</script> slow refund\"\n")
        srv.cli("import", "--quiet", "responses", f)
        srv.cli("alert", "add", "--metric", "csat", "--below", "101",
                "--window", "week")
        srv.cli("alert", "check", "--from", "2026-03-01",
                "--at", "2026-03-31")
        c = srv.logged_in()
        st, _, page = c.get("/comments?period=all")
        check(st == 200 and 'id="comments"' in page, "comments: %d" % st)
        check("<script>alert(7)" not in page and
              "&lt;script&gt;alert(7)&lt;/script&gt; slow refund" in page,
              "a comment's markup shown as text")
        check("<img src=x" not in page, "the hostile comment escaped")
        st, _, page = c.get("/comments?period=all&q=SLOW+REFUND")
        check(st == 200 and "slow refund" in page and
              "onerror" not in page, "search by text")
        st, _, page = c.get("/comments?period=all&q=slow&team=billing")
        check("slow refund" not in page, "team filter")
        st, _, page = c.get("/comments?period=all&agent=chen.wei"
                            "&score_max=1&survey=csat")
        check("slow refund" in page, "agent, survey and score filters")
        st, _, page = c.get("/comments?period=all&score_max=0")
        check("slow refund" not in page, "score_max excludes")
        check(c.get("/comments?score_max=x")[0] == 400, "bad score_max")
        st, h, csv = c.get("/comments?period=all&format=csv")
        check(st == 200 and h["content-type"][0].startswith("text/csv") and
              csv.startswith("responded_at,survey,question,score"),
              csv[:80])
        check("'=HYPERLINK" in csv and "\n=HYPERLINK" not in csv and
              ",=HYPERLINK" not in csv and ",\"=HYPERLINK" not in csv,
              "formula escaped: %r" %
              [l for l in csv.splitlines() if "HYPERLINK" in l])
        st, _, page = c.get("/alerts")
        check(st == 200 and 'id="firings"' in page and 'id="rules"' in page,
              "alerts: %d" % st)
        rows = re.findall(r"<tr>.*?</tr>", page[page.index('id="firings"'):
                                             page.index('id="rules"')],
                          re.S)
        check(len(rows) >= 4, "firings listed: %d" % len(rows))
        check("2026-03-23 – 2026-03-30" in page and "threshold" in page,
              "the last week's firing shown")
        check(page.index("2026-03-23 – 2026-03-30") <
              page.index("2026-03-02 – 2026-03-09"), "newest first")
        st, _, csv = c.get("/alerts?format=csv&table=firings")
        check(csv.startswith("window,rule,rule_id,group,value"), csv[:80])
        st, _, page = c.get("/?period=all")
        check('id="alert-banner"' in page and "alerts fired in this period"
              in page and 'href="/alerts' in page, "the overview's banner")
        st, _, page = c.get("/?from=2026-01-06&to=2026-01-20&period=custom")
        check('id="alert-banner"' not in page, "no banner without firings")
    finally:
        srv.stop()


@test
def test_comments_filters():
    """/comments and `cxmeter comments` filter by channel (the answer's,
    else its ticket's) and language (any case) besides agent, team and
    survey; the filters stay in the URL, the form and the CSV link, the
    CSV holds the same rows, and a hostile filter value is shown as
    text."""
    srv = Dash("comments-filters")
    try:
        f = os.path.join(ts.ARGS.workdir, "comments-filters.csv")
        tch = srv.sql("SELECT channel FROM tickets"
                      " WHERE ticket_id = 'T00001'")[0][0]
        other = "email" if tch != "email" else "phone"
        with open(f, "w") as fh:
            fh.write("response_id,survey,responded_at,score,ticket_id,"
                     "agent_id,team,channel,language,comment\n"
                     "CFX-1,csat,2026-03-22T10:00:00Z,2,,chen.wei,tech,chat,"
                     "en,cfmark one\n"
                     "CFX-2,csat,2026-03-22T11:00:00Z,3,,chen.wei,tech,"
                     "%s,fi,cfmark two\n"
                     "CFX-3,nps,2026-03-22T12:00:00Z,4,,chen.wei,tech,chat,"
                     "fi,cfmark three\n"
                     "CFX-4,csat,2026-03-22T13:00:00Z,1,T00001,,,,ms,"
                     "cfmark four\n" % other)
        srv.cli("import", "--quiet", "responses", f)
        c = srv.logged_in("viewer")

        def ids(query):
            st, _, page = c.get("/comments?period=all&q=cfmark" + query)
            check(st == 200, "%s: %d" % (query, st))
            return sorted(set(re.findall(r"CFX-\d", page))), page

        check(ids("")[0] == ["CFX-1", "CFX-2", "CFX-3", "CFX-4"], "all four")
        check(ids("&channel=chat")[0] == ["CFX-1", "CFX-3"], "channel")
        got = ids("&channel=%s" % tch)[0]
        check("CFX-4" in got and "CFX-1" not in got and "CFX-3" not in got,
              "the ticket's channel: %s" % got)
        check(ids("&language=fi")[0] == ["CFX-2", "CFX-3"], "language")
        check(ids("&language=FI")[0] == ["CFX-2", "CFX-3"], "any case")
        got, page = ids("&channel=chat&language=fi")
        check(got == ["CFX-3"], "channel and language: %s" % got)
        check(ids("&survey=nps")[0] == ["CFX-3"], "survey kind")
        check(ids("&survey=csat&language=fi")[0] == ["CFX-2"], "survey")
        # kept in the form and in the CSV link
        check(re.search(r'name="channel"[^>]*value="chat"', page) and
              re.search(r'name="language"[^>]*value="fi"', page),
              "the filters in the form")
        m = re.search(r'href="(/comments\?[^"]*format=csv[^"]*)"', page)
        check(m and "channel=chat" in m.group(1) and
              "language=fi" in m.group(1) and "q=cfmark" in m.group(1),
              "the CSV link keeps them: %s" % (m and m.group(1)))
        st, _, csv = c.get(m.group(1).replace("&amp;", "&"))
        check(st == 200 and sorted(set(re.findall(r"CFX-\d", csv))) ==
              ["CFX-3"], "the CSV has the page's rows: %r" % csv[-200:])
        # a hostile value is text
        st, _, page = c.get("/comments?period=all&channel=%22%3E%3Cscript"
                            "%3Ealert(5)%3C/script%3E&language=%3Cb%3E")
        check(st == 200 and "<script>alert(5)" not in page and
              "<b>" not in page and "&lt;script&gt;alert(5)" in page,
              "filter values escaped")
        check(not re.findall(r"CFX-\d", page), "nothing matches")
        out = srv.cli("comments", "--search", "cfmark", "--channel", "chat",
                      "--language", "FI", "--format", "json")
        got = sorted(x["id"] for x in json.loads(out)["comments"])
        check(got == ["CFX-3"], "cxmeter comments --channel --language: %s"
              % got)
        out = srv.cli("comments", "--search", "cfmark", "--channel", tch,
                      "--format", "csv")
        check("CFX-4" in out and "CFX-1" not in out, "CLI channel of the "
              "ticket: %s" % out)
    finally:
        srv.stop()


@test
def test_alert_rules_admin():
    """The admin role gates the one change the dashboard makes: an admin
    adds and removes alert rules on /alerts (forms with the CSRF token,
    303 back, the rule in `cxmeter alert list`); a viewer sees the page
    and the rules but no form, and gets 403 for either POST, with the
    rules unchanged; a bad rule is 400; no token is 403."""
    srv = Dash("alert-admin")
    try:
        def rules():
            return [json.loads(l) for l in srv.cli(
                "alert", "list", "--format", "json").splitlines()]

        rule = {"metric": "csat", "by": "team", "kind": "drop",
                "window": "week", "alpha": "0.001", "min_n": "20",
                "threshold": "", "min_change": ""}
        viewer = srv.logged_in("viewer")
        st, _, page = viewer.get("/alerts")
        check(st == 200 and 'id="rules"' in page, "viewer sees /alerts")
        check('id="rules-admin"' in page and 'action="/alerts/add"' not in
              page and 'action="/alerts/remove"' not in page,
              "no forms for a viewer")
        tok = viewer.csrf("/alerts")
        st, _, page = viewer.request("POST", "/alerts/add",
                                     dict(rule, csrf=tok))
        check(st == 403 and "Only an admin" in page, "viewer add: %d" % st)
        check(rules() == [], "nothing added by a viewer")

        admin = srv.logged_in("lead")
        st, _, page = admin.get("/alerts")
        check('action="/alerts/add"' in page and 'id="rules-admin"' not in
              page, "the admin's form")
        tok = admin.csrf("/alerts")
        st, _, _ = admin.request("POST", "/alerts/add", rule)
        check(st == 403, "add without a token: %d" % st)
        st, _, _ = admin.request("POST", "/alerts/add",
                                 dict(rule, csrf=viewer.csrf("/alerts")))
        check(st == 403, "add with another session's token: %d" % st)
        check(rules() == [], "nothing added without the token")
        st, h, _ = admin.request("POST", "/alerts/add", dict(rule, csrf=tok))
        check(st == 303 and h["location"] == ["/alerts"], "add: %d" % st)
        got = rules()
        check(len(got) == 1 and got[0]["kind"] == "drop" and
              "csat of any team drops" in got[0]["description"] and
              "alpha 0.001" in got[0]["description"] and
              "n >= 20" in got[0]["description"], "the rule: %s" % got)
        rid = got[0]["id"]
        for bad in ({"kind": "above"}, {"metric": "<script>x"},
                    {"alpha": "0.9"}, {"by": "week"}, {"min_n": "-1"},
                    {"kind": "sideways"}):
            st, _, page = admin.request("POST", "/alerts/add",
                                        dict(rule, csrf=tok, **bad))
            check(st == 400 and "<script>x" not in page,
                  "bad rule %s: %d" % (bad, st))
        check(len(rules()) == 1, "no bad rule added")
        st, _, page = admin.get("/alerts")
        check(re.search(r'<option value="%d">%d: csat of any team' %
                        (rid, rid), page), "the rule in the remove form")
        st, _, page = viewer.get("/alerts")
        check("csat of any team drops" in page, "the viewer sees the rule")
        st, _, _ = viewer.request("POST", "/alerts/remove",
                                  {"csrf": viewer.csrf("/alerts"),
                                   "id": str(rid)})
        check(st == 403 and len(rules()) == 1, "viewer remove: %d" % st)
        st, h, _ = admin.request("POST", "/alerts/remove",
                                 {"csrf": tok, "id": str(rid)})
        check(st == 303 and rules() == [], "admin remove: %d" % st)
        st, _, _ = admin.request("POST", "/alerts/remove",
                                 {"csrf": tok, "id": str(rid)})
        check(st == 404, "removed already: %d" % st)
        st, _, _ = admin.request("POST", "/alerts/remove",
                                 {"csrf": tok, "id": "x"})
        check(st == 400, "bad id: %d" % st)
        st, _, _ = dashlib.Client(srv.port).request(
            "POST", "/alerts/add", dict(rule, csrf=tok))
        check(st == 401, "no login: %d" % st)
    finally:
        srv.stop()


@test
def test_make_demo_login():
    """scripts/demo.sh (make demo) with DEMO_SERVE=0 prints a login that
    opens the dashboard of the demo store it made (an SQLite file: the
    demo's store is SQLite's on either --engine)."""
    if ts.ARGS.engine:
        return
    d = os.path.join(ts.ARGS.workdir, "demo")
    os.makedirs(d, exist_ok=True)
    script = os.path.join(os.path.dirname(SERVER_C), "..", "..", "scripts",
                          "demo.sh")
    env = dict(os.environ, BUILD=os.path.dirname(
        os.path.abspath(ts.ARGS.cxmeter)), DEMO_TICKETS="2000",
        DEMO_SERVE="0")
    p = subprocess.run([script], cwd=d, env=env, capture_output=True,
                       text=True, timeout=600)
    check(p.returncode == 0, "demo.sh: %d %s" % (p.returncode, p.stderr))
    m = re.search(r"login: +demo\npassword: +(\S+)", p.stdout)
    check(m and "http://127.0.0.1:8080/" in p.stdout, p.stdout[-300:])
    pw = m.group(1)
    check(len(pw) >= 20, "a long random password")
    log = open(os.path.join(d, "serve.log"), "w+")
    proc = subprocess.Popen([ts.ARGS.cxmeter, "serve", "--db",
                             os.path.join(d, "demo.db"), "--listen",
                             "127.0.0.1:0"], stdout=subprocess.DEVNULL,
                            stderr=log)
    try:
        port = None
        deadline = time.time() + 20
        while port is None and time.time() < deadline:
            m = re.search(r"listening on port (\d+)", open(log.name).read())
            if m:
                port = int(m.group(1))
            else:
                time.sleep(0.05)
        check(port, "serve started")
        c = dashlib.Client(port)
        st, _, _ = c.login("demo", pw)
        check(st == 303, "the printed login works: %d" % st)
        st, _, page = c.get("/alerts")
        check(st == 200 and 'id="rules"' in page, "/alerts of the demo")
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()


if __name__ == "__main__":
    ts.TESTS[:] = [t for t in ts.TESTS if t.__module__ == "__main__"]
    sys.exit(ts.main())
