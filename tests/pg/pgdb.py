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
PSQL = "/usr/lib/postgresql/15/bin/psql"


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


def psql(dsn, sql):
    """The rows of `sql` on dsn, unaligned, columns split by "|"; raises
    RuntimeError with the server's reason."""
    p = subprocess.run([PSQL, "-X", "-A", "-t", "-F", "|", "-v",
                        "ON_ERROR_STOP=1", "-d", dsn, "-c", sql],
                       capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError(f"psql {dsn}: {p.stderr.strip()}")
    return p.stdout


def is_pg(db):
    """True when db names a PostgreSQL store (a DSN), not an SQLite file."""
    return db.startswith(("postgresql://", "postgres://"))


def _literal(v):
    """v as an SQL literal (the tests' own values, never user input)."""
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (bytes, bytearray)):
        return "'\\x" + bytes(v).hex() + "'::bytea"
    return "'" + str(v).replace("'", "''") + "'"


def _bind(sql, params):
    """sql with each ? outside quotes replaced by the next literal."""
    out, it, quote = [], iter(params), None
    for ch in sql:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            ch = _literal(next(it))
        out.append(ch)
    return "".join(out)


def store_sql(db, sql, *params):
    """The rows (tuples) of sql on the store db, either engine: SQLite
    through the sqlite3 module, PostgreSQL through psql (a SELECT's rows
    come back typed as JSON: numbers as numbers, NULL as None). The tests
    read and age the stores' service tables with it; ? marks a parameter
    and the tables' names and columns are alike in both dialects (but for
    workspace_id's place: name the columns)."""
    if not is_pg(db):
        import sqlite3
        con = sqlite3.connect(db, timeout=30)
        try:
            rows = con.execute(sql, params).fetchall()
            con.commit()
            return rows
        finally:
            con.close()
    import json
    q = _bind(sql, params)
    if not q.lstrip().upper().startswith("SELECT"):
        psql(db, q)
        return []
    text = psql(db, "SELECT coalesce(json_agg(q), '[]') FROM (" + q + ") q")
    rows = json.loads(text, object_pairs_hook=lambda kv: tuple(
        _bytea(v) for _, v in kv))
    return [tuple(r) for r in rows]


def _bytea(v):
    """A bytea's JSON text (\\x and hex digits) as bytes, as sqlite3
    gives a BLOB; any other value as it is."""
    if isinstance(v, str) and v.startswith("\\x") and all(
            c in "0123456789abcdef" for c in v[2:]):
        return bytes.fromhex(v[2:])
    return v


def store_exists(db):
    """True once a command made the store: the file (SQLite) or the
    schema's version table in the database (PostgreSQL)."""
    if not is_pg(db):
        return os.path.exists(db)
    return psql(db, "SELECT to_regclass('cxm_schema') IS NOT NULL").strip() == "t"


def store_text(db):
    """Everything the store keeps, as text: the SQLite file's bytes, or
    pg_dump's dump of the database (to check a secret is kept nowhere)."""
    if not is_pg(db):
        with open(db, "rb") as f:
            return f.read().decode("latin-1")
    p = subprocess.run([os.path.join(os.path.dirname(PSQL), "pg_dump"),
                        "-d", db], capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError(f"pg_dump {db}: {p.stderr.strip()}")
    return p.stdout
