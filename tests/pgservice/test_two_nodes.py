# SPDX-License-Identifier: MIT
"""test_two_nodes.py — two `cxmeter serve` nodes on one PostgreSQL
database (issue 17, "Several nodes"), with real parts: a real SMTP server
on 127.0.0.1 (tests/send/smtp_sink.py, slowed so that the two senders
overlap), the tests' private cluster (fixture pg, tests/pg/pgdb.py), and
the database read back with psql.

  outbox: N resolved tickets queue N invitations; both nodes' senders
          pump the shared outbox at once: the SMTP server receives each
          message exactly once, every row is 'sent' after one attempt.
  answers: each mail's one-click link is followed on both nodes at once
          (and again), from many threads: every answer is stored once,
          and the report counts N; the same answers posted to
          /api/v1/responses of both nodes at once are stored once each.
  sessions: a login on one node is a session on the other, the CSRF
          token of one node's page is good on the other, and a logout on
          one ends the session on both.

Usage: /usr/bin/python3 test_two_nodes.py --cxmeter PATH --workdir DIR
"""

import argparse
import concurrent.futures
import datetime
import email
import email.policy
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pg"))
sys.path.insert(0, os.path.join(HERE, "..", "http"))
import dashlib  # noqa: E402
import pgdb  # noqa: E402

ARGS = None
N = 120  # tickets, customers, invitations


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


class Sink:
    def __init__(self, folder, delay):
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        self.folder = folder
        self.proc = subprocess.Popen(
            ["/usr/bin/python3",
             os.path.join(HERE, "..", "send", "smtp_sink.py"), folder,
             "--delay", str(delay)], stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())

    def mails(self):
        out = []
        for name in sorted(os.listdir(self.folder)):
            if name.endswith(".eml"):
                with open(os.path.join(self.folder, name), "rb") as f:
                    out.append(email.message_from_bytes(
                        f.read(), policy=email.policy.default))
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)


class Node:
    """One `cxmeter serve` on the shared database."""

    def __init__(self, name, dsn, env):
        self.log = open(os.path.join(ARGS.workdir, name + ".log"), "w+")
        self.proc = subprocess.Popen(
            [ARGS.cxmeter, "serve", "--db", dsn, "--listen", "127.0.0.1:0"],
            stdout=subprocess.DEVNULL, stderr=self.log, env=env)
        deadline = time.time() + 30
        while time.time() < deadline:
            with open(self.log.name) as f:
                m = re.search(r"listening on port (\d+)", f.read())
            if m:
                self.port = int(m.group(1))
                return
            check(self.proc.poll() is None,
                  "%s exited early: %s" % (name, open(self.log.name).read()))
            time.sleep(0.05)
        raise Fail(name + " did not start")

    def get(self, path):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        c.close()
        return r.status

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            rc = self.proc.wait(timeout=60)
            check(rc == 0, "serve exited %d" % rc)
        text = open(self.log.name).read()
        check("Sanitizer" not in text and "runtime error" not in text,
              "sanitizer report in " + self.log.name)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--cxmeter", required=True)
    ap.add_argument("--workdir", required=True)
    ARGS = ap.parse_args()
    shutil.rmtree(ARGS.workdir, ignore_errors=True)
    os.makedirs(ARGS.workdir)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CXMETER_")}
    dsn = pgdb.new_dsn("twonodes")

    def cli(*args):
        p = subprocess.run([ARGS.cxmeter] + list(args) + ["--db", dsn],
                           capture_output=True, text=True, timeout=300,
                           env=env)
        check(p.returncode == 0, "cxmeter %s: exit %d, %s" %
              (" ".join(args), p.returncode, p.stderr))
        return p

    def sql(q):
        p = subprocess.run(["psql", dsn, "-AtXqc", q], capture_output=True,
                           text=True, timeout=60)
        check(p.returncode == 0, "psql: " + p.stderr)
        return p.stdout.strip()

    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    sink = Sink(os.path.join(ARGS.workdir, "mail"), 0.02)
    nodes = []
    try:
        cli("survey", "add", "--template", "support-csat")
        cli("config", "set", "serve.rate_per_minute", "0")
        cli("config", "set", "public_url", "http://127.0.0.1:1")
        cli("rule", "add", "--survey", "support-csat", "--channel", "email",
            "--delay", "0s")
        path = os.path.join(ARGS.workdir, "customers.csv")
        with open(path, "w") as f:
            f.write("customer_id,acquired_at,email,language\n")
            for i in range(N):
                f.write("C%d,2025-01-01T00:00:00Z,c%d@example.com,en\n"
                        % (i, i))
        cli("import", "customers", path)
        env["CXMETER_SMTP_URL"] = "smtp://127.0.0.1:%d" % sink.port
        env["CXMETER_SMTP_FROM"] = "Survey <survey@example.com>"
        nodes = [Node("node-a", dsn, env), Node("node-b", dsn, env)]

        # the outbox: N invitations, sent by two nodes, each once
        path = os.path.join(ARGS.workdir, "tickets.csv")
        with open(path, "w") as f:
            f.write("ticket_id,created_at,resolved_at,customer_id,agent_id\n")
            for i in range(N):
                f.write("T%d,%s,%s,C%d,A%d\n" % (
                    i, iso(now - datetime.timedelta(hours=3)),
                    iso(now - datetime.timedelta(hours=2)), i, i % 4))
        p = cli("import", "tickets", path)
        check("%d queued" % N in p.stderr, "import said " + p.stderr)
        deadline = time.time() + 180
        while time.time() < deadline and len(sink.mails()) < N:
            time.sleep(0.2)
        time.sleep(3)  # nothing more comes
        mails = sink.mails()
        to = [m["To"] for m in mails]
        check(len(mails) == N, "%d mails, got %d" % (N, len(mails)))
        check(len(set(to)) == N, "a message sent twice: %d addresses"
              % len(set(to)))
        rows = sql("SELECT status, attempts, count(*) FROM outbox"
                   " WHERE kind = 'invite' GROUP BY 1, 2")
        check(rows == "sent|1|%d" % N, "outbox: " + rows)
        check(sql("SELECT count(DISTINCT claimed_at) > 1 FROM outbox"
                  " WHERE kind = 'invite'")
              == "t", "one node sent alone")

        # answers: every one-click link on both nodes at once, twice
        jobs = []
        for k, m in enumerate(mails):
            text = m.get_body(("plain",)).get_content()
            links = re.findall(r"http://\S+/s/[A-Za-z0-9_-]+\?score=\d+",
                               text)
            check(len(links) == 5, "five score links")
            u = urllib.parse.urlparse(links[k % 5])
            for node in nodes + nodes:
                jobs.append((node, u.path + "?" + u.query))
        with concurrent.futures.ThreadPoolExecutor(16) as ex:
            statuses = list(ex.map(lambda j: j[0].get(j[1]), jobs))
        check(all(s == 200 for s in statuses),
              "one-click statuses %s" % sorted(set(statuses)))
        check(sql("SELECT count(*) FROM responses") == str(N),
              "answers stored: " + sql("SELECT count(*) FROM responses"))
        check(sql("SELECT count(*) FROM submissions") == str(N),
              "submissions: " + sql("SELECT count(*) FROM submissions"))
        rep = json.loads(cli("report", "--metrics", "csat", "--format",
                             "json").stdout)
        n = rep["rows"][0]["csat"]["n"]
        check(n == N, "the report counts %s answers" % n)
        # each submission committed its answer cells (sql/0003): none
        # left dirty, and the report reads the cells, as the rows say
        check(sql("SELECT count(*) FROM answer_cells_dirty") == "0",
              "answer cells left dirty by the submissions")
        cells = sql("SELECT coalesce(sum(c), 0) FROM answer_cells,"
                    " unnest(counts) AS c WHERE grain = 1 AND cube = 0")
        check(cells == str(N), "the answer cells count %s answers" % cells)
        p = cli("report", "--metrics", "csat", "--format", "json",
                "--explain")
        check("answers read from: rollups (" in p.stderr,
              "the report did not read the cells: " + p.stderr)
        rows = cli("report", "--metrics", "csat", "--format", "json",
                   "--read", "rows").stdout
        check(json.loads(rows) == json.loads(p.stdout),
              "the cells and the rows differ")
        # the API: the same answers posted to both nodes at once, twice
        token = cli("token", "create", "--name", "two").stdout.strip()

        def post(job):
            node, body = job
            c = http.client.HTTPConnection("127.0.0.1", node.port,
                                           timeout=60)
            c.request("POST", "/api/v1/responses", json.dumps(body),
                      {"Authorization": "Bearer " + token,
                       "Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            c.close()
            return r.status
        answers = [[{"response_id": "api-%d-%d" % (k, i), "survey": "csat",
                     "responded_at": iso(now - datetime.timedelta(hours=1)),
                     "score": 1 + i % 5} for i in range(5)]
                   for k in range(20)]
        jobs = [(node, a) for a in answers for node in nodes + nodes]
        with concurrent.futures.ThreadPoolExecutor(16) as ex:
            statuses = list(ex.map(post, jobs))
        check(all(s == 201 for s in statuses),
              "API statuses %s" % sorted(set(statuses)))
        got = sql("SELECT count(*) FROM responses"
                  " WHERE response_id LIKE 'api-%'")
        check(got == "100", "API answers stored: " + got)

        # sessions and CSRF tokens across nodes
        rc, err = dashlib.add_user(ARGS.cxmeter, dsn, "lead", "admin")
        check(rc == 0, "user add: " + err)
        a = dashlib.Client(nodes[0].port)
        st, _, _ = a.login("lead", dashlib.PASSWORD)
        check(st == 303 and a.cookies, "login on node A: %d" % st)
        b = dashlib.Client(nodes[1].port)
        b.cookies = dict(a.cookies)
        check(b.get("/")[0] == 200, "node B does not know A's session")
        tok = b.csrf()
        st, _, _ = a.request("POST", "/logout", {"csrf": tok})
        check(st == 303, "logout on A with B's form token: %d" % st)
        check("cxm_session" in b.cookies, "B keeps the old session cookie")
        st, _, _ = b.get("/")
        check(st == 303, "the session lives on at B after logout: %d" % st)

        # the data version (sql/0004): node B's answer moves the version
        # node A's report cache reads, so A's next page counts it; a login
        # (a session row) moves nothing
        c = dashlib.Client(nodes[0].port)

        def version():
            return sql("SELECT coalesce(max(version), 0) FROM data_versions")
        v0 = version()
        st, _, _ = c.login("lead", dashlib.PASSWORD)
        check(st == 303, "login on node A: %d" % st)
        check(version() == v0, "a login moved the data version")

        def csat_n():
            st, _, page = c.get("/?period=all")
            check(st == 200, "overview on A: %d" % st)
            return int(re.search(r'data-metric="csat" data-value="[^"]+" '
                                 r'data-n="(\d+)"', page).group(1))
        n0 = csat_n()
        check(csat_n() == n0, "A's page twice")
        st = post((nodes[1], {"response_id": "api-b-1", "survey": "csat",
                              "responded_at": iso(now - datetime.timedelta(
                                  hours=1)), "score": 5}))
        check(st == 201, "answer posted to B: %d" % st)
        check(int(version()) > int(v0), "B's answer left the version")
        check(csat_n() == n0 + 1, "A's page misses B's answer")

        print("ok two_nodes: %d mails, each once; %d answers through two "
              "nodes, each stored once; 100 API answers posted twice to both, each "
              "stored once; sessions and CSRF tokens good on both nodes; "
              "B's answer on A's next page" % (N, N))
    finally:
        for node in nodes:
            node.stop()
        sink.stop()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Fail as e:
        print("FAIL two_nodes: %s" % e)
        sys.exit(1)
