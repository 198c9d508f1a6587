# SPDX-License-Identifier: MIT
"""run_unit.py PROGRAM — runs a cmocka program of the PostgreSQL engine's
service hooks (tests/unit/test_pg_service.c) on a new database of the
tests' private cluster (fixture pg, tests/pg/pgdb.py), named to it by
CXM_TEST_PG_DSN. A cluster that does not answer fails the test."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pg"))
import pgdb  # noqa: E402


def main():
    env = dict(os.environ, CXM_TEST_PG_DSN=pgdb.new_dsn("svc"))
    p = subprocess.run([sys.argv[1]], env=env)
    # every test skipped would mean the DSN did not reach the program
    sys.exit(p.returncode)


if __name__ == "__main__":
    main()
