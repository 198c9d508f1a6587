#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""cluster.py — the tests' private PostgreSQL cluster answers.

A database of its own per test (pgdb.new_dsn), written on the primary and
read back from the streaming replica. Fails (never skips) when the
cluster the fixture `pg` started does not answer.

Python 3 standard library only.
Usage: cluster.py  (with CXM_PG_DIR set, as ctest sets it)
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pgdb  # noqa: E402

PSQL = "/usr/lib/postgresql/15/bin/psql"


def psql(dsn, sql):
    p = subprocess.run([PSQL, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                        "-d", dsn, "-c", sql], capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError(f"psql {dsn}: {p.stderr.strip()}")
    return p.stdout.strip()


def main():
    a, b = pgdb.new_dsn("cluster"), pgdb.new_dsn("cluster")
    if a == b:
        raise RuntimeError("two databases with one name")
    psql(a, "CREATE TABLE t (workspace_id bigint, v text);"
            " INSERT INTO t VALUES (1, 'x')")
    if psql(b, "SELECT count(*) FROM pg_tables WHERE tablename = 't'") != "0":
        raise RuntimeError("the databases are not separate")
    r = pgdb.replica_dsn(a)
    for _ in range(100):
        try:
            if psql(r, "SELECT v FROM t") == "x":
                break
        except RuntimeError:
            pass
        time.sleep(0.1)
    else:
        raise RuntimeError("the replica never showed the primary's row")
    if psql(r, "SELECT pg_is_in_recovery()") != "t":
        raise RuntimeError("the replica is not a standby")
    print("cluster: primary, database per test and replica answer")


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
