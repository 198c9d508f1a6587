#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""kill -9 in the middle of `cxmeter import` (SPEC 1: one transaction per
import): afterwards the store passes PRAGMA integrity_check, still holds
what earlier imports stored, and holds either none or all of the killed
import's rows, never part of them. Then the same import run to its end
stores every row, so the store is still usable.

The kill is timed by the store's state, not by the clock: the script waits
until the write-ahead log has grown (rows are being written, not committed)
and then kills. It does this a few times; at least one kill must land
before the commit, or the test proves nothing and fails.
"""
import argparse
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

ROUNDS = 3


def count(db, table):
    con = sqlite3.connect(db)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        n = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()
    return ok, n


def indexes(db):
    """The schema's indexes: a bulk import drops and recreates the table's
    secondary indexes inside its transaction, so a kill must leave them."""
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT name, sql FROM sqlite_schema"
                           " WHERE type = 'index' ORDER BY name").fetchall()
    finally:
        con.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cxmeter", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--tickets", type=int, default=300000)
    run(ap.parse_args())


def run(a):
    """The test on a.cxmeter, a.workdir, a.tickets (an argparse namespace
    or anything with those attributes; tests/hostile reuses it). Exits
    (SystemExit with the reason) on a failure."""
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    data = os.path.join(a.workdir, "data")
    os.makedirs(data)
    subprocess.run([a.cxmeter, "demo-data", "--seed", "5", "--tickets",
                    str(a.tickets), "--out", data], check=True,
                   stdout=subprocess.DEVNULL)
    db = os.path.join(a.workdir, "store.db")
    wal = db + "-wal"
    subprocess.run([a.cxmeter, "import", "--db", db, "agents",
                    os.path.join(data, "agents.csv")], check=True,
                   stdout=subprocess.DEVNULL)
    _, n_agents = count(db, "agents")
    assert n_agents > 0
    schema = indexes(db)
    assert any(name == "tickets_created" for name, _ in schema)

    killed_before_commit = 0
    for r in range(ROUNDS):
        p = subprocess.Popen([a.cxmeter, "import", "--db", db, "tickets",
                              os.path.join(data, "tickets.csv")],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        # Wait until the import is writing (WAL past 1 MiB per round).
        threshold = (r + 1) << 20
        while p.poll() is None:
            try:
                if os.path.getsize(wal) > threshold:
                    break
            except FileNotFoundError:
                pass
            time.sleep(0.002)
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
        rc = p.wait()
        ok, n = count(db, "tickets")
        _, agents_now = count(db, "agents")
        print(f"round {r}: exit {rc}, tickets stored {n}, integrity {ok}")
        if ok != "ok":
            sys.exit(f"integrity_check after the kill: {ok}")
        if agents_now != n_agents:
            sys.exit(f"agents changed: {n_agents} -> {agents_now}")
        if indexes(db) != schema:
            sys.exit(f"indexes after the kill: {indexes(db)}")
        if n not in (0, a.tickets):
            sys.exit(f"half an import: {n} of {a.tickets} tickets stored")
        if n == 0 and rc == -signal.SIGKILL:
            killed_before_commit += 1
        if n:
            # The import committed before the kill: start afresh.
            for f in (db, wal, db + "-shm", db + "-cols"):
                if os.path.exists(f):
                    os.remove(f)
            subprocess.run([a.cxmeter, "import", "--db", db, "agents",
                            os.path.join(data, "agents.csv")], check=True,
                           stdout=subprocess.DEVNULL)
    if not killed_before_commit:
        sys.exit("no kill landed before the commit: nothing was tested")

    subprocess.run([a.cxmeter, "import", "--db", db, "tickets",
                    os.path.join(data, "tickets.csv")], check=True,
                   stdout=subprocess.DEVNULL)
    ok, n = count(db, "tickets")
    if ok != "ok" or n != a.tickets:
        sys.exit(f"after a full import: integrity {ok}, {n} tickets")
    if indexes(db) != schema:
        sys.exit(f"indexes after a full import: {indexes(db)}")
    print(f"ok: {killed_before_commit} kill(s) mid-import left nothing;"
          f" the full import then stored {n} tickets")
    shutil.rmtree(a.workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
