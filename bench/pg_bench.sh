#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pg_bench.sh — cxmeter on SQLite and on PostgreSQL, beside DuckDB, on the
# same demo data: import and report times, in one run (docs/performance.md,
# "PostgreSQL engine").
#
#   bench/pg_bench.sh                 sizes 1M and 10M tickets
#   BENCH_SIZES="100000" bench/pg_bench.sh
#
# It starts a private PostgreSQL 15 cluster (scripts/pg-cluster.sh) under
# BENCH_DIR with fsync and synchronous_commit on, as in production; each
# size gets a fresh database. Each report runs on both engines and must give
# byte-identical JSON before any time is printed. The PostgreSQL engine is
# timed twice: as a report reads it (its answer cells where they answer,
# sql/0003-cells.sql) and with --read rows (the push-down to the rows that
# it used before the cells). Environment:
#   BENCH_SIZES  ticket counts (default "1000000 10000000")
#   BENCH_RUNS   timed runs of each report; the median is printed (default 3)
#   BENCH_DIR    scratch directory (default bench/out-pg)
#   CXMETER      the binary (default build/cxmeter)
#   BENCH_DUCKDB 0: no DuckDB column (no npm, no node; default 1)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
SIZES=${BENCH_SIZES:-"1000000 10000000"}
RUNS=${BENCH_RUNS:-3}
W=${BENCH_DIR:-$here/out-pg}
CXM=${CXMETER:-$root/build/cxmeter}
FROM=2025-04-01
TO=2025-07-01

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'pg_bench: %s\n' "$*" >&2; exit 1; }
[ -x "$CXM" ] || die "no cxmeter at $CXM (make build, or set CXMETER)"
DUCK=${BENCH_DUCKDB:-1}
if [ "$DUCK" = 1 ] && [ ! -d "$here/node_modules/@duckdb/node-api" ]; then
    say "installing @duckdb/node-api (npm ci)"
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
mkdir -p "$W"
W=$(cd "$W" && pwd)
CL=$W/pg

# secs CMD...: wall seconds of CMD (stdout discarded) in $SECS.
secs() {
    SECS=$(python3 "$here/bench.py" run /dev/null - "$@" | awk '{ print $1 }') ||
        die "failed: $*"
}
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

"$root/scripts/pg-cluster.sh" start "$CL" >/dev/null
trap '"$root/scripts/pg-cluster.sh" stop "$CL" >/dev/null 2>&1 || true' EXIT
ADMIN=$(cat "$CL/dsn")
psql -XAtq -d "$ADMIN" -c "ALTER SYSTEM SET fsync = on" \
    -c "ALTER SYSTEM SET synchronous_commit = on" \
    -c "ALTER SYSTEM SET full_page_writes = on" \
    -c "ALTER SYSTEM SET shared_buffers = '2GB'" \
    -c "ALTER SYSTEM SET work_mem = '256MB'" \
    -c "ALTER SYSTEM SET max_wal_size = '8GB'"
"$root/scripts/pg-cluster.sh" stop "$CL" >/dev/null
"$root/scripts/pg-cluster.sh" start "$CL" >/dev/null
ADMIN=$(cat "$CL/dsn")
[ "$(psql -XAtq -d "$ADMIN" -c 'SHOW fsync')" = on ] || die "fsync is not on"

declare -A BY=([month_channel]=month,channel [agent]=agent
               [week_team_channel]=week,team,channel)
declare -A XARGS=([month_channel]="" [agent]=""
                  [week_team_channel]="--from $FROM --to $TO")
ms_of() { echo $(( $(date -u -d "$1" +%s) * 1000 )); }
PERIOD_Q="AND r.responded_ms >= $(ms_of "$FROM") AND r.responded_ms < $(ms_of "$TO")"
QUERIES="month_channel agent week_team_channel"

printf '| tickets | step | cxmeter SQLite | cxmeter PostgreSQL | PostgreSQL --read rows | DuckDB (in memory) |\n'
printf '|---:|---|---:|---:|---:|---:|\n'
for N in $SIZES; do
    D=$W/data-$N
    if [ ! -f "$D/.done" ]; then
        say "generating $N tickets"
        rm -rf "$D"; mkdir -p "$D"
        "$CXM" demo-data --seed 1 --tickets "$N" --out "$D" >/dev/null
        touch "$D/.done"
    fi
    SQ=$W/sqlite-$N.db
    rm -f "$SQ" "$SQ-wal" "$SQ-shm" "$SQ-cols"
    PG=$("$root/scripts/pg-cluster.sh" newdb "$CL" bench)
    tsq=0; tpg=0
    for k in agents customers tickets responses; do
        secs "$CXM" import --quiet --db "$SQ" "$k" "$D/$k.csv"
        tsq=$(awk -v a="$tsq" -v b="$SECS" 'BEGIN { printf "%.3f", a + b }')
        secs "$CXM" import --quiet --db "$PG" "$k" "$D/$k.csv"
        tpg=$(awk -v a="$tpg" -v b="$SECS" 'BEGIN { printf "%.3f", a + b }')
    done
    say "import $N: sqlite $tsq s, postgresql $tpg s"
    if [ "$DUCK" = 1 ]; then
        node "$here/duckdb.mjs" "$D" 1 "$RUNS" "$W" "" month_channel agent > "$W/duck-a.json"
        node "$here/duckdb.mjs" "$D" 1 "$RUNS" "$W" "$PERIOD_Q" week_team_channel > "$W/duck-b.json"
        tdk=$(python3 -c 'import json,sys; print("%.3f" % (json.load(open(sys.argv[1]))["load"][0] + json.load(open(sys.argv[1]))["normalise"][0]))' "$W/duck-a.json")
    else
        tdk=-
    fi
    printf '| %s | import (agents, customers, tickets, responses) | %s s | %s s | | %s s |\n' "$N" "$tsq" "$tpg" "$tdk"
    for q in $QUERIES; do
        # shellcheck disable=SC2206
        args=(report --metrics csat,nps,ces --by "${BY[$q]}" ${XARGS[$q]} --format json)
        "$CXM" "${args[@]}" --db "$SQ" > "$W/sq-$q.json"
        "$CXM" "${args[@]}" --db "$PG" > "$W/pg-$q.json"
        cmp -s "$W/sq-$q.json" "$W/pg-$q.json" ||
            die "$q at $N: the PostgreSQL report differs from SQLite's ($W/sq-$q.json, $W/pg-$q.json)"
        "$CXM" "${args[@]}" --read rows --db "$PG" > "$W/pgrows-$q.json"
        cmp -s "$W/sq-$q.json" "$W/pgrows-$q.json" ||
            die "$q at $N: the PostgreSQL rows differ from SQLite's ($W/sq-$q.json, $W/pgrows-$q.json)"
        msq=$(for i in $(seq "$RUNS"); do secs "$CXM" "${args[@]}" --db "$SQ"; echo "$SECS"; done | median)
        mpg=$(for i in $(seq "$RUNS"); do secs "$CXM" "${args[@]}" --db "$PG"; echo "$SECS"; done | median)
        mpr=$(for i in $(seq "$RUNS"); do secs "$CXM" "${args[@]}" --read rows --db "$PG"; echo "$SECS"; done | median)
        mdk=-
        [ "$DUCK" = 1 ] && mdk=$(python3 -c 'import json,sys
for p in sys.argv[1:3]:
    d = json.load(open(p))["queries"]
    if sys.argv[3] in d:
        t = sorted(d[sys.argv[3]]); print("%.3f" % t[(len(t) - 1) // 2])' "$W/duck-a.json" "$W/duck-b.json" "$q")
        printf '| %s | report --by %s%s | %.3f s | %.3f s | %.3f s | %s s |\n' "$N" "${BY[$q]}" \
            "${XARGS[$q]:+ (one quarter)}" "$msq" "$mpg" "$mpr" "$mdk"
    done
    psql -XAtq -d "$ADMIN" -c "DROP DATABASE IF EXISTS \"${PG##*/}\"" || true
done
say "load average at the end: $(uptime | sed 's/.*load average: //')"
