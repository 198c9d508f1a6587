#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_restart.py — PostgreSQL restarts in the middle of a load.

Runs on a cluster of its own (scripts/pg-cluster.sh under --workdir),
because restarting the shared cluster of the fixture `pg` would fail the
tests that run beside it. The test:

1. starts `cxmeter serve --db postgresql://…` and 16 clients that POST
   distinct survey answers to /api/v1/responses;
2. restarts PostgreSQL on the same port in the middle of the load, twice:
   once cleanly (pg_ctl restart -m fast) and once as after a crash
   (-m immediate: no shutdown checkpoint, recovery from the WAL); this
   cluster runs with fsync and synchronous_commit on, unlike the shared
   one, so an acknowledged commit is on disk;
3. stops the server with SIGTERM.

Then it checks three things:
- every answer acknowledged with a 2xx is stored exactly once;
- nothing is stored that was not acknowledged, except answers whose reply
  was lost in flight, at most one per client;
- the same server process went on acknowledging answers after each
  restart: no node needs a restart.

A request that arrives while the database is down fails cleanly with a 5xx;
the client sends it again. Python 3 standard library only.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SCRIPT = os.path.join(ROOT, "scripts", "pg-cluster.sh")
PGBIN = os.environ.get("CXM_PGBIN", "/usr/lib/postgresql/15/bin")


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def run(*args, **kw):
    p = subprocess.run(list(args), capture_output=True, text=True,
                       timeout=kw.pop("timeout", 180), **kw)
    if p.returncode != 0:
        fail("%s: exit %d\n%s%s" % (" ".join(args), p.returncode, p.stdout,
                                    p.stderr))
    return p.stdout


def as_pg(*args):
    """Runs a PostgreSQL tool as the cluster's owner (postgres when root)."""
    if os.geteuid() == 0:
        return run("runuser", "-u", "postgres", "--", *args)
    return run(*args)


def psql(dsn, sql):
    return run("psql", "-XAtq", "-d", dsn, "-c", sql).strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cxmeter", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()

    work = os.path.abspath(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    cluster = os.path.join(work, "pg")
    run(SCRIPT, "start", cluster)
    proc = None
    data = os.path.join(cluster, "primary")
    pg_ctl = os.path.join(PGBIN, "pg_ctl")
    try:
        dsn = run(SCRIPT, "newdb", cluster, "restart").strip()
        # Durable commits on this cluster, as in production.
        psql(dsn, "ALTER SYSTEM SET fsync = on")
        psql(dsn, "ALTER SYSTEM SET synchronous_commit = on")
        psql(dsn, "ALTER SYSTEM SET full_page_writes = on")
        as_pg(pg_ctl, "-D", data, "-m", "fast", "-w", "-t", "60", "restart",
              "-l", os.path.join(cluster, "log", "restart.log"))
        if psql(dsn, "SHOW synchronous_commit") != "on":
            fail("synchronous_commit is not on after the restart")
        cx = [args.cxmeter]
        run(*cx, "survey", "add", "--template", "nps", "--db", dsn)
        token = run(*cx, "token", "create", "--name", "load", "--db",
                    dsn).strip()
        log = open(os.path.join(work, "serve.log"), "w+")
        proc = subprocess.Popen(cx + ["serve", "--db", dsn, "--listen",
                                      "127.0.0.1:0"],
                                stdout=subprocess.DEVNULL, stderr=log)
        port = None
        deadline = time.time() + 30
        while time.time() < deadline and port is None:
            with open(log.name) as f:
                m = re.search(r"listening on port (\d+)", f.read())
            if m:
                port = int(m.group(1))
            elif proc.poll() is not None:
                fail("serve exited early:\n" + open(log.name).read())
            else:
                time.sleep(0.05)
        if port is None:
            fail("serve did not start")

        acked, sent = [], set()
        acked_at = []  # (time, id) of each acknowledgement
        lock = threading.Lock()
        stop = threading.Event()
        failures = [0]

        def client(k):
            i = 0
            pending = None
            while not stop.is_set():
                rid = pending or "r%d-%d" % (k, i)
                if not pending:
                    i += 1
                body = json.dumps({"response_id": rid, "survey": "nps",
                                   "score": i % 11,
                                   "responded_at": "2026-05-01T12:00:00Z"})
                with lock:
                    sent.add(rid)
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port,
                                                   timeout=30)
                    c.request("POST", "/api/v1/responses", body,
                              {"Authorization": "Bearer " + token,
                               "Content-Type": "application/json"})
                    r = c.getresponse()
                    r.read()
                    c.close()
                    status = r.status
                except (OSError, http.client.HTTPException):
                    status = 0
                if 200 <= status < 300:
                    with lock:
                        acked.append(rid)
                        acked_at.append((time.time(), rid))
                    pending = None
                else:
                    # Not acknowledged: the same answer again, later.
                    with lock:
                        failures[0] += 1
                    pending = rid
                    time.sleep(0.05)

        threads = [threading.Thread(target=client, args=(k,))
                   for k in range(16)]
        for t in threads:
            t.start()
        restarts = []
        for mode in ("fast", "immediate"):
            time.sleep(2.0)
            restarts.append(time.time())
            as_pg(pg_ctl, "-D", data, "-m", mode, "-w", "-t", "60",
                  "restart", "-l", os.path.join(cluster, "log", "restart.log"))
        time.sleep(3.0)
        os.kill(proc.pid, signal.SIGTERM)
        rc = proc.wait(timeout=60)
        stop.set()
        for t in threads:
            t.join(60)
        proc = None
        if rc != 0:
            fail("serve exited %d after the restarts:\n%s" %
                 (rc, open(log.name).read()[-4000:]))

        stored = psql(dsn, "SELECT response_id FROM responses").split()
        dup = len(stored) - len(set(stored))
        if dup:
            fail("%d answers stored twice" % dup)
        missing = set(acked) - set(stored)
        if missing:
            fail("%d acknowledged answers lost, e.g. %s" %
                 (len(missing), sorted(missing)[:5]))
        extra = set(stored) - set(acked)
        if extra - sent:
            fail("stored answers nobody sent: %s" % sorted(extra - sent)[:5])
        if len(extra) > 16:
            fail("%d answers stored but never acknowledged" % len(extra))
        for i, t0 in enumerate(restarts):
            after = [rid for (t, rid) in acked_at if t > t0 + 0.5]
            if not after:
                fail("no answer was acknowledged after restart %d: the "
                     "server did not reconnect" % (i + 1))
        print("ok: %d acknowledged, %d stored, %d refused while the "
              "database was down, %d restarts" %
              (len(acked), len(stored), failures[0], len(restarts)))
    finally:
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()
        subprocess.run([SCRIPT, "stop", cluster, "--wipe"],
                       capture_output=True)


if __name__ == "__main__":
    main()
