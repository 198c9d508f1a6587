# SPDX-License-Identifier: MIT
"""dashlib.py — a store with known data and a logged-in client for the
dashboard's tests (tests/http/test_dashboard.py, tests/browser/).

The data: three teams, seven agents, tickets and csat/nps/ces answers over
twelve weeks ending 2026-03-30, generated deterministically; agent
`solo.star` has one answer (a 5) and must not top the ranking; one
response carries hostile text (markup and a spreadsheet formula).
"""

import datetime
import http.client
import os
import random
import re
import urllib.parse

HOSTILE_AGENT = "<script>alert('a')</script>"
HOSTILE_COMMENT = "=HYPERLINK(\"http://x\")<img src=x onerror=alert(1)>"

TEAMS = {
    "billing": ["ana.silva", "budi.santoso"],
    "frontline": ["chen.wei", "dewi.lestari", "eero.virtanen"],
    "tech": ["fatimah.zahra"],
}


def write_data(d, seed=7):
    """Writes tickets.csv, responses.csv and agents.csv into d."""
    rnd = random.Random(seed)
    os.makedirs(d, exist_ok=True)
    agents = [(a, t) for t, al in TEAMS.items() for a in al]
    with open(os.path.join(d, "agents.csv"), "w") as f:
        f.write("agent_id,team\n")
        for a, t in agents + [("solo.star", "tech")]:
            f.write("%s,%s\n" % (a, t))
    tk = open(os.path.join(d, "tickets.csv"), "w")
    rs = open(os.path.join(d, "responses.csv"), "w")
    tk.write("ticket_id,created_at,agent_id,team,channel,resolved_at,"
             "contacts,reopened,topic\n")
    rs.write("response_id,survey,responded_at,score,ticket_id,agent_id,"
             "team,channel,language,comment\n")
    n = 0
    for day in range(84):  # 2026-01-06 .. 2026-03-30
        for _ in range(12):
            n += 1
            a, t = agents[rnd.randrange(len(agents))]
            ch = rnd.choice(["email", "chat", "phone"])
            hh = rnd.randrange(8, 18)
            c = datetime.datetime(2026, 1, 6, hh, rnd.randrange(60)) + \
                datetime.timedelta(days=day)
            created = c.strftime("%Y-%m-%dT%H:%M:%SZ")
            resolved = ""
            if rnd.random() < 0.9:
                r = c + datetime.timedelta(hours=rnd.randrange(1, 72))
                if r < datetime.datetime(2026, 3, 31):
                    resolved = r.strftime("%Y-%m-%dT%H:%M:%SZ")
            tk.write("T%05d,%s,%s,%s,%s,%s,%d,%d,%s\n" % (
                n, created, a, t, ch, resolved, rnd.choice([1, 1, 1, 2]),
                1 if rnd.random() < 0.05 else 0,
                rnd.choice(["refund", "login", "delivery"])))
            if rnd.random() < 0.6:
                good = 0.85 if t != "frontline" else 0.7
                sc = rnd.choice([4, 5]) if rnd.random() < good else \
                    rnd.choice([1, 2, 3])
                at = (c + datetime.timedelta(hours=80)).strftime(
                    "%Y-%m-%dT%H:%M:%SZ")
                if at < "2026-03-31":
                    comment = "" if rnd.random() < 0.7 else \
                        rnd.choice(["quick and kind", "too slow",
                                    "solved - thanks"])
                    rs.write("R%05d,csat,%s,%d,T%05d,,,,%s,%s\n" % (
                        n, at, sc, n, rnd.choice(["en", "fi", "ms"]),
                        comment))
                    rs.write("N%05d,nps,%s,%d,T%05d,,,,en,\n" % (
                        n, at, rnd.choice([10, 9, 9, 8, 7, 6, 3]), n))
                    rs.write("C%05d,ces,%s,%d,T%05d,,,,en,\n" % (
                        n, at, rnd.choice([7, 6, 5, 5, 4, 2]), n))
    rs.write("SOLO1,csat,2026-03-20T10:00:00Z,5,,solo.star,tech,chat,en,"
             "one happy customer\n")
    rs.write("HOSTILE1,csat,2026-03-21T10:00:00Z,2,,\"%s\",tech,chat,en,"
             "\"%s\"\n" % (HOSTILE_AGENT.replace('"', '""'),
                           HOSTILE_COMMENT.replace('"', '""')))
    tk.close()
    rs.close()


PASSWORD = "correct horse 1"


def add_user(cxmeter, db, name, role, password=PASSWORD):
    """`cxmeter user add` with the password on standard input."""
    import subprocess
    p = subprocess.run([cxmeter, "user", "add", name, "--role", role,
                        "--db", db], input=password + "\n",
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stderr


def import_data(cxmeter, db, d):
    import subprocess
    for kind in ("agents", "tickets", "responses"):
        p = subprocess.run([cxmeter, "import", "--quiet", "--db", db, kind,
                            os.path.join(d, kind + ".csv")],
                           capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            raise RuntimeError("import %s: %s" % (kind, p.stderr))


class Client:
    """A cookie-keeping HTTP client of one server."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv
                                    for kv in self.cookies.items())
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
            h.setdefault("Content-Type",
                         "application/x-www-form-urlencoded")
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read().decode("utf-8", "replace")
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                value = rest.split(";", 1)[0]
                if "Max-Age=0" in v:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
        hdrs = {}
        for k, v in r.getheaders():
            hdrs.setdefault(k.lower(), []).append(v)
        c.close()
        return r.status, hdrs, data

    def get(self, path):
        return self.request("GET", path)

    def login_form(self):
        st, _, page = self.get("/login")
        m = re.search(r'name="csrf" value="([^"]*)"', page)
        return m.group(1) if m else ""

    def login(self, user, password, csrf=None, next_="/"):
        tok = self.login_form() if csrf is None else csrf
        return self.request("POST", "/login", {
            "csrf": tok, "username": user, "password": password,
            "next": next_})

    def csrf(self, path="/"):
        st, _, page = self.get(path)
        m = re.search(r'name="csrf" value="([^"]*)"', page)
        return m.group(1) if m else ""
