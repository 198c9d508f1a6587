# SPDX-License-Identifier: MIT
"""pgdb.py — a fresh database on the tests' private PostgreSQL cluster.

The ctests of the PostgreSQL engine share one cluster (scripts/pg-cluster.sh,
started by the fixture `pg` of tests/CMakeLists.txt under build/pg, named
by CXM_PG_DIR); each store they open is a database of its own. A cluster
that does not answer is a failure, never a skip.

Python 3 standard library only.
"""

import os
import subprocess

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SCRIPT = os.path.join(ROOT, "scripts", "pg-cluster.sh")


def cluster_dir():
    d = os.environ.get("CXM_PG_DIR")
    if not d:
        raise RuntimeError("CXM_PG_DIR is not set: run the PostgreSQL tests "
                           "through ctest (fixture pg) or set it to a folder "
                           "started with scripts/pg-cluster.sh start DIR")
    return d


def new_dsn(prefix="cxm"):
    """The DSN of a new, empty database (postgresql://…)."""
    p = subprocess.run([SCRIPT, "newdb", cluster_dir(), prefix],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("cannot create a PostgreSQL database: "
                           + p.stderr.strip())
    return p.stdout.strip()


def replica_dsn(dsn):
    """dsn's database on the streaming replica (started with --replica)."""
    with open(os.path.join(cluster_dir(), "replica-dsn")) as f:
        base = f.read().strip()
    return base.rsplit("/", 1)[0] + "/" + dsn.rsplit("/", 1)[1]


def dsn_for(engine, path, prefix="cxm"):
    """The DSN of a store for `engine`: the path (SQLite, engine None), the
    rowtest engine's "rowtest:PATH", or a new PostgreSQL database (pg)."""
    if not engine:
        return path
    if engine in ("pg", "postgresql"):
        return new_dsn(prefix)
    return f"{engine}:{path}"
