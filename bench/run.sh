#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cxmeter benchmark: cxmeter vs DuckDB (in-memory) vs the sqlite3 CLI on the
# same demo data, after checking that all three compute the same numbers.
# See bench/README.md. Environment:
#   BENCH_SIZES  ticket counts (default "1000000 10000000")
#   BENCH_RUNS   timed runs per operation, the median is reported (default 5)
#   BENCH_DIR    scratch directory (default bench/out)
#   BENCH_FROM / BENCH_TO  the quarter of the week × team × channel report
#                (default 2025-04-01 / 2025-07-01)
#   CXMETER      the binary (default build/cxmeter, as `make bench` builds it)
#   BENCH_PROFILE=0  skip the perf/callgrind profile
#   BENCH_DOC    where the results go (default docs/performance.md)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
SIZES=${BENCH_SIZES:-"1000000 10000000"}
RUNS=${BENCH_RUNS:-5}
W=${BENCH_DIR:-$here/out}
FROM=${BENCH_FROM:-2025-04-01}
TO=${BENCH_TO:-2025-07-01}
CXM=${CXMETER:-$root/build/cxmeter}
DOC=${BENCH_DOC:-$root/docs/performance.md}
PROFILE=${BENCH_PROFILE:-1}
CMDLINE="${BENCH_CMDLINE:-$0}"
BENCH_LOAD_START=$(uptime | sed "s/.*load average/load average/")

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# ---- 1. Dependencies (idempotent).
need_apt=()
command -v sqlite3 >/dev/null || need_apt+=(sqlite3)
command -v node >/dev/null || need_apt+=(nodejs)
command -v npm >/dev/null || need_apt+=(npm)
[ -x /usr/bin/time ] || need_apt+=(time)
command -v python3 >/dev/null || need_apt+=(python3)
if [ ${#need_apt[@]} -gt 0 ]; then
    say "installing ${need_apt[*]}"
    SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq "${need_apt[@]}"
fi
if [ ! -d "$here/node_modules/@duckdb/node-api" ]; then
    say "installing @duckdb/node-api (npm ci)"
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
[ -x "$CXM" ] || die "no cxmeter binary at $CXM (make build, or set CXMETER)"

mkdir -p "$W"
W=$(cd "$W" && pwd)
TIMES=$W/times.tsv
META=$W/meta.json
printf 'size\top\tengine\trun\tseconds\trss_kb\trows\n' > "$TIMES"

# tm CMD...: runs CMD (stdout to $TM_OUT, default /dev/null); SECS = wall seconds, RSS = peak RSS in KiB.
tm() {
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -f %M -o "$W/rss.txt" "$@" > "${TM_OUT:-/dev/null}" || die "failed: $*"
    t1=$(date +%s%N)
    SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", (b - a) / 1e9 }')
    RSS=$(tail -n 1 "$W/rss.txt")
}
rec() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$TIMES"; }
ms_of() { echo $(( $(date -u -d "$1" +%s) * 1000 )); }
PERIOD_Q="AND r.responded_ms >= $(ms_of "$FROM") AND r.responded_ms < $(ms_of "$TO")"

# query name → cxmeter --by and extra arguments, and the dims to compare.
declare -A BY=([month_channel]=month,channel [agent]=agent [week_team_channel]=week,team,channel)
declare -A PER=([month_channel]="" [agent]="" [week_team_channel]="$PERIOD_Q")
declare -A CXARGS=([month_channel]="" [agent]="" [week_team_channel]="--from $FROM --to $TO")
QUERIES="month_channel agent week_team_channel"

cx_report() { # Q OUT
    # shellcheck disable=SC2086
    "$CXM" report --db "$DB" --metrics csat,nps,ces --by "${BY[$1]}" ${CXARGS[$1]} \
        --format json > "$2"
}
sq_query() { # Q OUT
    sed "s#@PERIOD@#${PER[$1]}#" "$here/sql/sqlite-$1.sql" | sqlite3 -csv -header "$SDB" > "$2"
}

bpa=; bpa_size=
done_sizes=
for N in $SIZES; do
    D=$W/data-$N
    DB=$W/cxmeter-$N.db
    SDB=$W/sqlite-$N.db
    # ---- 2. Data. ~1.3 kB of disk per ticket (CSVs + both stores).
    need_kb=$(( N * 13 / 10 ))
    [ -f "$D/.done" ] || need_kb=$(( need_kb + N * 45 / 100 ))
    avail_kb=$(df -Pk "$W" | awk 'NR == 2 { print $4 }')
    if [ "$avail_kb" -lt "$need_kb" ]; then
        say "SKIPPING $N tickets: needs ~$(( need_kb / 1048576 )) GiB free in $W, $(( avail_kb / 1048576 )) GiB available"
        continue
    fi
    if [ ! -f "$D/.done" ]; then
        say "generating $N tickets into $D"
        rm -rf "$D"; mkdir -p "$D"
        "$CXM" demo-data --seed 1 --tickets "$N" --out "$D" >/dev/null
        touch "$D/.done"
    fi

    # ---- 3a. Import: cxmeter into a fresh durable SQLite store.
    cx_imp=()
    for i in $(seq "$RUNS"); do
        rm -f "$DB" "$DB-wal" "$DB-shm"
        tot=0; rmax=0
        for k in agents customers tickets responses; do
            tm "$CXM" import --db "$DB" "$k" "$D/$k.csv"
            tot=$(awk -v a="$tot" -v b="$SECS" 'BEGIN { printf "%.6f", a + b }')
            [ "$RSS" -gt "$rmax" ] && rmax=$RSS
        done
        say "cxmeter import $N run $i: $tot s"
        cx_imp+=("$i $tot $rmax")
    done
    # Row counts (the store holds exactly the accepted rows).
    rows=$(sqlite3 "$DB" "SELECT (SELECT count(*) FROM agents) + (SELECT count(*) FROM customers) + (SELECT count(*) FROM tickets) + (SELECT count(*) FROM responses)" 2>/dev/null || echo 0)
    answers=$(sqlite3 "$DB" "SELECT count(*) FROM responses" 2>/dev/null || echo 0)
    for x in "${cx_imp[@]}"; do
        set -- $x
        rec "$N" import cxmeter "$1" "$2" "$3" "$rows"
    done
    if [ -z "$bpa" ] || [ "$N" -eq 10000000 ]; then
        bytes=$(stat -c %s "$DB"); [ -f "$DB-wal" ] && bytes=$(( bytes + $(stat -c %s "$DB-wal") ))
        bpa=$(awk -v a="$bytes" -v b="$answers" 'BEGIN { printf "%.1f", a / b }'); bpa_size=$N
    fi

    # ---- 3a. Import: sqlite3 CLI .import into a fresh file, then normalise.
    for i in $(seq "$RUNS"); do
        rm -f "$SDB"
        sed "s#@DIR@#$D#g" "$here/sql/sqlite-import.sql" > "$W/sqlite-import.sql"
        tm sqlite3 "$SDB" ".read $W/sqlite-import.sql"
        rec "$N" import sqlite3 "$i" "$SECS" "" "$rows"
        tm sqlite3 "$SDB" ".read $here/sql/sqlite-normalise.sql"
        rec "$N" normalise sqlite3 "$i" "$SECS" "" "$rows"
        say "sqlite3 import $N run $i: done"
    done

    # ---- 4. Equality check (untimed runs), DuckDB timed runs meanwhile.
    mkdir -p "$W/res-$N"
    for q in $QUERIES; do
        cx_report "$q" "$W/res-$N/cxmeter-$q.json"
        sq_query "$q" "$W/res-$N/sqlite-$q.csv"
    done
    say "DuckDB: $RUNS loads + $RUNS runs of each query"
    # The week query's period is passed to node; the others have none.
    node "$here/duckdb.mjs" "$D" "$RUNS" "$RUNS" "$W/res-$N" "" month_channel agent > "$W/duckdb-$N-a.json"
    node "$here/duckdb.mjs" "$D" 1 "$RUNS" "$W/res-$N" "$PERIOD_Q" week_team_channel > "$W/duckdb-$N-b.json"
    fail=0
    for q in $QUERIES; do
        python3 "$here/bench.py" check "$q" "${BY[$q]}" "$W/res-$N/cxmeter-$q.json" \
            "$W/res-$N/duckdb-$q.csv" "$W/res-$N/sqlite-$q.csv" || fail=1
    done
    [ "$fail" -eq 0 ] || die "the engines disagree at $N tickets: no timings are reported (see above)"
    python3 - "$W/duckdb-$N-a.json" "$W/duckdb-$N-b.json" "$N" "$rows" "$answers" >> "$TIMES" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
n, rows, answers = sys.argv[3:6]
for i, s in enumerate(a["load"]):  # the loads of the first process
    print("%s\timport\tduckdb\t%d\t%.6f\t\t%s" % (n, i + 1, s, rows))
for i, s in enumerate(a["normalise"]):
    print("%s\tnormalise\tduckdb\t%d\t%.6f\t\t%s" % (n, i + 1, s, rows))
for src in (a, b):
    for q, ts in src["queries"].items():
        for i, s in enumerate(ts):
            print("%s\t%s\tduckdb\t%d\t%.6f\t\t%s" % (n, q, i + 1, s, answers))
PY

    # ---- 3b-d. Timed queries: cxmeter (whole process), sqlite3 (process).
    for q in $QUERIES; do
        sed "s#@PERIOD@#${PER[$q]}#" "$here/sql/sqlite-$q.sql" > "$W/sqlite-$q.sql"
        for i in $(seq "$RUNS"); do
            # shellcheck disable=SC2086
            tm "$CXM" report --db "$DB" --metrics csat,nps,ces --by "${BY[$q]}" \
                ${CXARGS[$q]} --format json
            rec "$N" "$q" cxmeter "$i" "$SECS" "$RSS" "$answers"
            tm sqlite3 -csv -header "$SDB" ".read $W/sqlite-$q.sql"
            rec "$N" "$q" sqlite3 "$i" "$SECS" "" "$answers"
        done
        say "$q at $N: timed"
    done
    done_sizes="$done_sizes $N"
done
[ -n "$done_sizes" ] || die "no size was run"

# ---- Where the time goes: one report at the smallest size run.
P=$(echo $done_sizes | awk '{ print $1 }')
PROF=$W/profile.txt
: > "$PROF"
if [ "$PROFILE" != 0 ]; then
    if perf stat -e instructions true >/dev/null 2>&1; then
        say "profiling one month x channel report at $P tickets with perf"
        perf record -q -F 999 -g -o "$W/perf.data" -- "$CXM" report --db "$W/cxmeter-$P.db" \
            --metrics csat,nps,ces --by month,channel --format json >/dev/null 2>&1 || true
        { echo "perf record -F 999 -g, cxmeter report --by month,channel, $P tickets;"
          echo "perf report --no-children --sort dso,symbol (self time, top entries):"
          echo
          perf report -i "$W/perf.data" --stdio --no-children --sort dso,symbol 2>/dev/null \
              | grep -E '^ +[0-9.]+%' | sed 's/ *- *- *$//' | head -n 20 || true; } > "$PROF"
    elif command -v valgrind >/dev/null; then
        say "perf unavailable: callgrind on 100k tickets"
        D1=$W/data-100000; DB1=$W/cxmeter-100000.db
        [ -f "$D1/.done" ] || { mkdir -p "$D1"; "$CXM" demo-data --seed 1 --tickets 100000 --out "$D1" >/dev/null; touch "$D1/.done"; }
        rm -f "$DB1"*
        for k in agents customers tickets responses; do "$CXM" import --db "$DB1" "$k" "$D1/$k.csv" >/dev/null 2>&1; done
        valgrind --tool=callgrind --callgrind-out-file="$W/callgrind.out" "$CXM" report --db "$DB1" \
            --metrics csat,nps,ces --by month,channel --format json >/dev/null 2>&1 || true
        { echo "valgrind --tool=callgrind, cxmeter report --by month,channel, 100000 tickets (Ir, self):"
          echo; callgrind_annotate "$W/callgrind.out" 2>/dev/null | grep -E '^ *[0-9,]+ ' | head -n 20 || true; } > "$PROF"
    fi
fi

# ---- 5. Table and docs/performance.md.
python3 - "$META" "$bpa" "$bpa_size" <<'PY'
import json, sys
json.dump({"bytes_per_answer": float(sys.argv[2] or 0), "bpa_size": int(sys.argv[3] or 0)}, open(sys.argv[1], "w"))
PY
python3 "$here/bench.py" table "$TIMES" "$META" "$W/results.md"
{
cat <<HDR
# Performance

Generated by \`bench/run.sh\` (\`make bench\`); see bench/README.md for what
each number means and how to rerun. Do not edit the results by hand: rerun.

- Date: $(date -u '+%Y-%m-%d %H:%M UTC')
- Command: \`$CMDLINE\` (BENCH_SIZES="$SIZES" BENCH_RUNS=$RUNS; medians of $RUNS runs)
- cxmeter: \`$CXM\` ($(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$root" && git diff --quiet HEAD -- src include 2>/dev/null || echo ' + uncommitted changes'))
- DuckDB: @duckdb/node-api $(node -p "require('$here/node_modules/@duckdb/node-api/package.json').version") (Node $(node --version)); sqlite3 CLI $(sqlite3 --version | cut -d' ' -f1)
- Machine: $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM, $(uname -sr)
- Load (uptime) at the start: ${BENCH_LOAD_START:-?}; at the end: $(uptime | sed 's/.*load average/load average/')
  (other builds were running on this machine: absolute times are noisy)
- Data: \`cxmeter demo-data --seed 1 --tickets N\`; quarter of the week report: [$FROM, $TO)

## Results

All three engines gave the same figures (same groups, value to 0.01, n
exact) before any time was kept.

HDR
sed -n '/^| tickets/,/^$/p' "$W/results.md"
cat <<MID

## Targets (project issue #3)

MID
sed -n '/^| target/,$p' "$W/results.md"
cat <<PRF

## Where the time goes

\`\`\`
$(cat "$PROF")
\`\`\`
PRF
[ -f "$here/performance-notes.md" ] && cat "$here/performance-notes.md"
} > "$DOC"
say "wrote $DOC"
