#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_schema_rules.py — the PostgreSQL schema is ready for Citus.

After `cxmeter migrate` on a new database of the shared cluster (fixture
`pg`), the live catalog must follow the rules of docs/scaling.md:

- every index of every table but the reference tables (workspaces,
  cxm_schema) — primary keys, unique constraints and plain indexes —
  has workspace_id as its first column;
- every such table has a primary key, except the append-only logs
  (clicks, unsubscribes, login_failures), whose rows have no identity of
  their own and which are read by an index on workspace_id first;
- every foreign key includes workspace_id on both sides;
- no column takes its default from a sequence (serial, nextval): a
  generated identity is the only numbering;
- every table named in docs/scaling.md's distribution calls exists, and
  every table that exists is named there.

Python 3 standard library only; psql for the catalog.
"""

import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pgdb  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
REFERENCE = {"workspaces", "cxm_schema"}
LOGS = {"clicks", "unsubscribes", "login_failures"}


def psql(dsn, sql):
    p = subprocess.run(["psql", "-XAtq", "-F", "\t", "-d", dsn, "-c", sql],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise SystemExit("FAIL: psql: " + p.stderr)
    return [line.split("\t") for line in p.stdout.splitlines() if line]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cxmeter", required=True)
    args = ap.parse_args()
    dsn = pgdb.new_dsn("rules")
    p = subprocess.run([args.cxmeter, "migrate", "--db", dsn],
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0 or not p.stdout.startswith("schema version "):
        raise SystemExit("FAIL: cxmeter migrate: %d %s %s" %
                         (p.returncode, p.stdout, p.stderr))
    # A second run finds the schema current and changes nothing.
    p2 = subprocess.run([args.cxmeter, "migrate", "--db", dsn],
                        capture_output=True, text=True, timeout=120)
    if p2.returncode != 0 or p2.stdout != p.stdout:
        raise SystemExit("FAIL: a second migrate: %s %s" % (p2.stdout,
                                                            p2.stderr))
    breaches = []
    tables = {r[0] for r in psql(dsn, """
        SELECT c.relname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')""")}
    if len(tables) < 20:
        breaches.append("only %d tables: %s" % (len(tables), sorted(tables)))

    # Every index (primary keys and unique constraints are ones too):
    # table, index, is primary, first key column.
    idx = psql(dsn, """
        SELECT t.relname, i.relname, x.indisprimary,
               coalesce(a.attname, '(expression)')
        FROM pg_index x
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        LEFT JOIN pg_attribute a ON a.attrelid = t.oid
             AND a.attnum = x.indkey[0]
        WHERE n.nspname = current_schema()""")
    has_pk = set()
    for table, index, primary, first in idx:
        if table in REFERENCE:
            continue
        if primary == "t":
            has_pk.add(table)
        if first != "workspace_id":
            breaches.append("%s: index %s starts with %s, not "
                            "workspace_id" % (table, index, first))
    for t in sorted(tables - REFERENCE - LOGS - has_pk):
        breaches.append("%s has no primary key" % t)

    # Foreign keys: workspace_id among the columns on both sides.
    for table, name, cols, refcols in psql(dsn, """
        SELECT t.relname, c.conname,
          (SELECT string_agg(a.attname, ',') FROM pg_attribute a
            WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)),
          (SELECT string_agg(a.attname, ',') FROM pg_attribute a
            WHERE a.attrelid = c.confrelid AND a.attnum = ANY (c.confkey))
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = current_schema() AND c.contype = 'f'"""):
        if "workspace_id" not in cols.split(",") or \
           "workspace_id" not in refcols.split(","):
            breaches.append("%s: foreign key %s (%s) -> (%s) lacks "
                            "workspace_id" % (table, name, cols, refcols))

    # No defaults from sequences (serial); identities are allowed.
    for table, col, default in psql(dsn, """
        SELECT c.relname, a.attname, pg_get_expr(d.adbin, d.adrelid)
        FROM pg_attrdef d
        JOIN pg_class c ON c.oid = d.adrelid
        JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema()"""):
        if "nextval" in default:
            breaches.append("%s.%s takes its default from a sequence: %s" %
                            (table, col, default))
    for (seq,) in psql(dsn, """
        SELECT s.relname FROM pg_class s
        JOIN pg_namespace n ON n.oid = s.relnamespace
        WHERE n.nspname = current_schema() AND s.relkind = 'S'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.objid = s.oid AND d.deptype = 'i')"""):
        breaches.append("sequence %s is no table's identity" % seq)

    # docs/scaling.md names every table once, and only tables that exist.
    doc = open(os.path.join(ROOT, "docs", "scaling.md")).read()
    named = set(re.findall(
        r"create_(?:distributed|reference)_table\('([a-z_]+)'", doc))
    for t in sorted(tables - named):
        breaches.append("docs/scaling.md does not distribute table %s" % t)
    for t in sorted(named - tables):
        breaches.append("docs/scaling.md distributes %s, which does not "
                        "exist" % t)

    if breaches:
        print("FAIL:\n  " + "\n  ".join(breaches), file=sys.stderr)
        sys.exit(1)
    print("ok: %d tables, %d unique indexes, all keyed by workspace_id "
          "first" % (len(tables), len(idx)))


if __name__ == "__main__":
    main()
