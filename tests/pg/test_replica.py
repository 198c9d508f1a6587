#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_replica.py — reports read from a streaming replica (--read-db).

On the shared cluster of the fixture `pg` (started with a streaming
replica): a new database on the primary is loaded with the demo data
(all nine record kinds). Then:

- `report --read-db REPLICA` gives the same JSON as the report on the
  primary, once the replica has replayed the import;
- the report really reads the replica: with --db naming a store that does
  not exist and --read-db the replica, it still answers; so does
  CXMETER_READ_DB;
- `export` and `comments` take --read-db too;
- writing commands ignore --read-db/CXMETER_READ_DB and write to --db; a
  write aimed at the replica fails with exit 3 and the server's reason
  (a read-only transaction), and loses nothing on the primary.

Python 3 standard library only.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pgdb  # noqa: E402


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def cx(args, *a, rc=0, env=None):
    e = dict(os.environ)
    e.pop("CXMETER_READ_DB", None)
    e.update(env or {})
    p = subprocess.run([args.cxmeter] + list(a), capture_output=True,
                       text=True, timeout=300, env=e)
    if p.returncode != rc:
        fail("cxmeter %s: exit %d (want %d)\n%s" % (" ".join(a),
                                                   p.returncode, rc,
                                                   p.stderr))
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cxmeter", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    work = os.path.abspath(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    cx(args, "demo-data", "--tickets", "3000", "--days", "200", "--out",
       work)
    primary = pgdb.new_dsn("replica")
    replica = pgdb.replica_dsn(primary)
    kinds = ["agents", "customers", "tickets", "responses", "orders",
             "selfservice", "agent_hours", "reviews", "qa"]
    for kind in kinds:
        path = os.path.join(work, kind + ".csv")
        if os.path.exists(path):
            cx(args, "import", "--quiet", "--db", primary, kind, path)
    rep = ["report", "--format", "json", "--by", "month,team"]
    want = cx(args, *rep, "--db", primary).stdout
    if '"csat"' not in want:
        fail("the primary's report has no csat: " + want[:300])

    # The replica replays the import within seconds.
    got = None
    deadline = time.time() + 60
    while time.time() < deadline:
        p = subprocess.run([args.cxmeter] + rep + ["--db", primary,
                                                   "--read-db", replica],
                           capture_output=True, text=True, timeout=300)
        got = p.stdout
        if p.returncode == 0 and got == want:
            break
        time.sleep(0.5)
    if got != want:
        fail("the replica's report differs from the primary's")

    # It reads the replica: the --db store does not even exist.
    nowhere = "postgresql://postgres@127.0.0.1:1/none"
    p = cx(args, *rep, "--db", nowhere, "--read-db", replica)
    if p.stdout != want:
        fail("--read-db did not read the replica")
    p = cx(args, *rep, "--db", nowhere, env={"CXMETER_READ_DB": replica})
    if p.stdout != want:
        fail("CXMETER_READ_DB did not read the replica")
    exp_p = cx(args, "export", "answers", "--format", "csv", "--db",
               primary).stdout
    exp_r = cx(args, "export", "answers", "--format", "csv", "--db", nowhere,
               "--read-db", replica).stdout
    if exp_p != exp_r or not exp_p.startswith("invitation_id,"):
        fail("export answers from the replica differs from the primary")
    com_p = cx(args, "comments", "--format", "json", "--db", primary).stdout
    com_r = cx(args, "comments", "--format", "json", "--db", nowhere,
               "--read-db", replica).stdout
    if com_p != com_r:
        fail("comments from the replica differ from the primary")

    # Writes go to --db, whatever CXMETER_READ_DB says.
    extra = os.path.join(work, "extra.csv")
    with open(extra, "w") as f:
        f.write("response_id,survey,score,responded_at\n"
                "extra-1,csat,5,2026-01-05T10:00:00Z\n")
    cx(args, "import", "--quiet", "--db", primary, "responses", extra,
       env={"CXMETER_READ_DB": nowhere})
    # A write aimed at the replica fails cleanly: exit 3, the reason.
    extra2 = os.path.join(work, "extra2.csv")
    with open(extra2, "w") as f:
        f.write("response_id,survey,score,responded_at\n"
                "extra-2,csat,1,2026-01-05T10:00:00Z\n")
    p = cx(args, "import", "--quiet", "--db", replica, "responses", extra2,
           rc=3)
    if "read-only" not in p.stderr and "recovery" not in p.stderr:
        fail("a write to the replica did not say why: " + p.stderr)
    ids = subprocess.run(
        ["psql", "-XAtq", "-d", primary, "-c",
         "SELECT response_id FROM responses WHERE response_id LIKE 'extra-%'"],
        capture_output=True, text=True, timeout=60).stdout
    if "extra-1" not in ids or "extra-2" in ids:
        fail("the writes did not land where they should: extra-1 %s, "
             "extra-2 %s" % ("extra-1" in ids, "extra-2" in ids))
    print("ok: replica report equal to the primary's (%d bytes); writes "
          "stay on the primary" % len(want))


if __name__ == "__main__":
    main()
