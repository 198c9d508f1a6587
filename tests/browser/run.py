# SPDX-License-Identifier: MIT
"""run.py — runs one browser test (tests/browser/test_<name>.js) against a
real `cxmeter serve` on 127.0.0.1 and a free port, on a store with the
dashboard's test data (tests/http/dashlib.py) and the accounts lead
(admin) and viewer. The test gets, in its environment: CXM_URL, CXM_USER,
CXM_PASSWORD, CXM_DB, CXM_WORK (a folder for its files), CXM_CXMETER and
CXM_SHOTS (the screenshot folder). --engine pg: the store is a PostgreSQL
database of the fixture pg's cluster (ctest browser_<name>_pg).

Exit 77 (skipped) when chromium or tests/browser/node_modules is missing.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "http"))
import dashlib  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "..", "pg"))
import pgdb  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cxmeter", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--screenshots", required=True)
    ap.add_argument("--engine", default=None,
                    help="pg: a PostgreSQL store (default: SQLite)")
    a = ap.parse_args()
    chromium = os.environ.get("CXM_CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(chromium) or not os.path.isdir(
            os.path.join(HERE, "node_modules", "playwright-core")) or \
            not shutil.which("node"):
        print("skipped: chromium, node or tests/browser/node_modules missing "
              "(scripts/install-deps.sh, scripts/install-node-deps.sh)")
        return 77
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    os.makedirs(a.screenshots, exist_ok=True)
    db = pgdb.dsn_for(a.engine, os.path.join(a.workdir, "t.db"), "browser")
    data = os.path.join(a.workdir, "data")
    dashlib.write_data(data)
    dashlib.import_data(a.cxmeter, db, data)
    for u, r in (("lead", "admin"), ("viewer", "viewer")):
        rc, err = dashlib.add_user(a.cxmeter, db, u, r)
        if rc:
            print("user add: " + err)
            return 1
    log = open(os.path.join(a.workdir, "serve.log"), "w+")
    proc = subprocess.Popen([a.cxmeter, "serve", "--db", db, "--listen",
                             "127.0.0.1:0"], stdout=subprocess.DEVNULL,
                            stderr=log)
    try:
        port = None
        deadline = time.time() + 20
        while time.time() < deadline and port is None:
            with open(log.name) as f:
                m = re.search(r"listening on port (\d+)", f.read())
            if m:
                port = int(m.group(1))
            elif proc.poll() is not None:
                print("serve exited early")
                return 1
            else:
                time.sleep(0.05)
        if port is None:
            print("serve did not start")
            return 1
        env = dict(os.environ, CXM_URL="http://127.0.0.1:%d" % port,
                   CXM_USER="lead", CXM_PASSWORD=dashlib.PASSWORD,
                   CXM_DB=db, CXM_WORK=os.path.abspath(a.workdir),
                   CXM_CXMETER=os.path.abspath(a.cxmeter),
                   CXM_SHOTS=os.path.abspath(a.screenshots))
        p = subprocess.run(["node", a.test], env=env, timeout=240)
        return p.returncode
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        log.close()


if __name__ == "__main__":
    sys.exit(main())
