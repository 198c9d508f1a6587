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
#   BENCH_REPORT the store-open report program (default build/bench_report,
#                bench/bench_report.c; `make bench` builds it)
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
BR=${BENCH_REPORT:-$(dirname "$CXM")/bench_report}
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
[ -x /usr/bin/time ] || need_apt+=(time)   # peak RSS
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
[ -x "$BR" ] || die "no bench_report program at $BR (make bench builds it, or set BENCH_REPORT)"

mkdir -p "$W"
W=$(cd "$W" && pwd)
TIMES=$W/times.tsv
META=$W/meta.json
PATHS=$W/paths.tsv
COLSEG=$W/colseg.tsv
printf 'size\top\tengine\trun\tseconds\trss_kb\trows\n' > "$TIMES"
: > "$PATHS"; : > "$COLSEG"

# tm [--rss] CMD...: runs CMD (stdout to $TM_OUT, default /dev/null); SECS =
# wall seconds of the whole process (bench.py run: posix_spawn to wait4, no
# shell or date(1) in the interval); with --rss under /usr/bin/time, RSS =
# peak RSS in KiB (else empty).
tm() {
    local rf=- out
    if [ "$1" = --rss ]; then rf=$W/rss.txt; shift; fi
    out=$(python3 "$here/bench.py" run "${TM_OUT:-/dev/null}" "$rf" "$@") || die "failed: $*"
    read -r SECS RSS <<< "$out"
}
rec() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$TIMES"; }
ms_of() { echo $(( $(date -u -d "$1" +%s) * 1000 )); }
PERIOD_Q="AND r.responded_ms >= $(ms_of "$FROM") AND r.responded_ms < $(ms_of "$TO")"

# query name → cxmeter --by and extra arguments, and the dims to compare.
declare -A BY=([month_channel]=month,channel [agent]=agent [week_team_channel]=week,team,channel)
declare -A PER=([month_channel]="" [agent]="" [week_team_channel]="$PERIOD_Q")
declare -A CXARGS=([month_channel]="" [agent]="" [week_team_channel]="--from $FROM --to $TO")
declare -A BRARGS=([month_channel]="" [agent]="" [week_team_channel]="$FROM $TO")
QUERIES="month_channel agent week_team_channel"

# The two read paths timed per report: --read auto (rollups when they serve
# the report) and --read columns (the column scan), engine names in times.tsv.
declare -A ENGINE=([auto]=cxmeter-rollups [columns]=cxmeter-columns)
cx_args() { # Q READ: CXA = the report's arguments after the binary
    # shellcheck disable=SC2206
    CXA=(report --db "$DB" --metrics csat,nps,ces --by "${BY[$1]}" ${CXARGS[$1]}
         --format json --read "$2")
}
cx_check() { # Q READ OUT: untimed run with --explain; PATH_TAKEN, RSS
    cx_args "$1" "$2"
    /usr/bin/time -f %M -o "$W/rss.txt" "$CXM" "${CXA[@]}" --explain \
        > "$3" 2> "$W/explain.txt" || { cat "$W/explain.txt" >&2; die "failed: cxmeter ${CXA[*]}"; }
    PATH_TAKEN=$(sed -n 's/^cxmeter report: survey answers read from: //p' "$W/explain.txt" | tail -n 1)
    RSS=$(tail -n 1 "$W/rss.txt")
}
sq_query() { # Q OUT
    sed "s#@PERIOD@#${PER[$1]}#" "$here/sql/sqlite-$1.sql" | sqlite3 -csv -header "$SDB" > "$2"
}

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
            tm --rss "$CXM" import --db "$DB" "$k" "$D/$k.csv"
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
    # Column segments: blob bytes and answers (comment text is not in them);
    # the whole store beside them for comparison.
    bytes=$(stat -c %s "$DB"); [ -f "$DB-wal" ] && bytes=$(( bytes + $(stat -c %s "$DB-wal") ))
    sqlite3 -separator $'\t' "$DB" "SELECT $N, coalesce(sum(length(data)), 0), coalesce(sum(n) FILTER (WHERE data IS NOT NULL), 0), count(*), coalesce(sum(data IS NULL), 0), $bytes, $answers FROM col_answers" >> "$COLSEG"

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
    # cxmeter: each read path once with --explain (the path it took, and
    # its peak RSS under /usr/bin/time, recorded as a run "rss" without time).
    mkdir -p "$W/res-$N"
    for q in $QUERIES; do
        for r in auto columns; do
            cx_check "$q" "$r" "$W/res-$N/${ENGINE[$r]}-$q.json"
            printf '%s\t%s\t%s\t%s\n' "$N" "$q" "$r" "$PATH_TAKEN" >> "$PATHS"
            rec "$N" "$q" "${ENGINE[$r]}" rss "" "$RSS" "$answers"
            say "cxmeter report $q --read $r at $N: read from $PATH_TAKEN"
        done
        [ "$(awk -F'\t' -v n="$N" -v q="$q" '$1 == n && $2 == q && $3 == "columns" { print $4 }' "$PATHS")" = columns ] ||
            say "WARNING: --read columns did not read the column segments for $q at $N"
        sq_query "$q" "$W/res-$N/sqlite-$q.csv"
    done
    say "DuckDB: $RUNS loads + $RUNS runs of each query"
    # The week query's period is passed to node; the others have none.
    node "$here/duckdb.mjs" "$D" "$RUNS" "$RUNS" "$W/res-$N" "" month_channel agent > "$W/duckdb-$N-a.json"
    node "$here/duckdb.mjs" "$D" 1 "$RUNS" "$W/res-$N" "$PERIOD_Q" week_team_channel > "$W/duckdb-$N-b.json"
    fail=0
    for q in $QUERIES; do
        python3 "$here/bench.py" check "$q" "${BY[$q]}" "$W/res-$N/duckdb-$q.csv" \
            "$W/res-$N/sqlite-$q.csv" \
            "cxmeter-rollups=$W/res-$N/cxmeter-rollups-$q.json" \
            "cxmeter-columns=$W/res-$N/cxmeter-columns-$q.json" || fail=1
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

    # ---- 3b-d. Timed queries: cxmeter --read auto and --read columns (whole
    # process each), sqlite3 (process); and spawning true(1) the same way,
    # the floor of any whole-process time here.
    for q in $QUERIES; do
        sed "s#@PERIOD@#${PER[$q]}#" "$here/sql/sqlite-$q.sql" > "$W/sqlite-$q.sql"
        for i in $(seq "$RUNS"); do
            for r in auto columns; do
                cx_args "$q" "$r"
                BENCH_STDERR=$W/timing.txt tm "$CXM" "${CXA[@]}" --timing
                rec "$N" "$q" "${ENGINE[$r]}" "$i" "$SECS" "" "$answers"
                ms=$(sed -n 's/^cxmeter report: opened, computed and written in \([0-9.]*\) ms$/\1/p' "$W/timing.txt")
                [ -n "$ms" ] || die "no --timing line from cxmeter ${CXA[*]}"
                rec "$N" "$q" "${ENGINE[$r]}-inproc" "$i" "$(awk -v m="$ms" 'BEGIN { printf "%.6f", m / 1000 }')" "" "$answers"
            done
            tm sqlite3 -csv -header "$SDB" ".read $W/sqlite-$q.sql"
            rec "$N" "$q" sqlite3 "$i" "$SECS" "" "$answers"
            tm true
            rec "$N" process_start true "$i" "$SECS" "" 0
        done
        # The same report in a process that keeps the store open
        # (bench/bench_report.c): RUNS timed runs after a first one.
        for r in auto columns; do
            # shellcheck disable=SC2086
            out=$("$BR" "$DB" "$RUNS" "${BY[$q]}" "$r" ${BRARGS[$q]}) ||
                die "failed: $BR $DB $RUNS ${BY[$q]} $r"
            i=0
            for ms in $(sed 's/.*first run [0-9.]* ms;\(.*\) ms; median.*/\1/' <<< "$out"); do
                i=$((i + 1))
                rec "$N" "$q" "${ENGINE[$r]}-warm" "$i" "$(awk -v m="$ms" 'BEGIN { printf "%.6f", m / 1000 }')" "" "$answers"
            done
            [ "$i" -eq "$RUNS" ] || die "bench_report said: $out"
        done
        say "$q at $N: timed"
    done
    done_sizes="$done_sizes $N"
done
[ -n "$done_sizes" ] || die "no size was run"

# ---- Where the time goes: month x channel reports at the smallest size run,
# --read columns (the scan) and --read auto (rollups), each repeated so that
# the short processes give enough samples.
P=$(echo $done_sizes | awk '{ print $1 }')
PROF=$W/profile.txt
: > "$PROF"
prof_loop() { # READ TIMES: a shell running the month x channel report TIMES times
    echo "for i in \$(seq $2); do '$CXM' report --db '$PDB' --metrics csat,nps,ces --by month,channel --format json --read $1 >/dev/null; done"
}
if [ "$PROFILE" != 0 ]; then
    if perf stat -e instructions true >/dev/null 2>&1; then
        PDB=$W/cxmeter-$P.db
        for r in "columns 10" "auto 50"; do
            set -- $r
            say "profiling $2 month x channel reports --read $1 at $P tickets with perf"
            perf record -q -F 999 -g -o "$W/perf-$1.data" -- sh -c "$(prof_loop "$1" "$2")" >/dev/null 2>&1 || true
            { echo "perf record -F 999 -g, $2 × cxmeter report --by month,channel --read $1, $P tickets;"
              echo "perf report --no-children --sort dso,symbol (self time, top entries):"
              echo
              perf report -i "$W/perf-$1.data" --stdio --no-children --sort dso,symbol 2>/dev/null \
                  | grep -E '^ +[0-9.]+%' | sed 's/ *- *- *$//' | head -n 20 || true
              echo
              echo "by shared object (--sort dso):"
              perf report -i "$W/perf-$1.data" --stdio --no-children --sort dso 2>/dev/null \
                  | grep -E '^ +[0-9.]+%' | sed 's/ *- *- *$//' | head -n 8 || true
              echo; } >> "$PROF"
        done
    elif command -v valgrind >/dev/null; then
        say "perf unavailable: callgrind on 100k tickets"
        D1=$W/data-100000; DB1=$W/cxmeter-100000.db
        [ -f "$D1/.done" ] || { mkdir -p "$D1"; "$CXM" demo-data --seed 1 --tickets 100000 --out "$D1" >/dev/null; touch "$D1/.done"; }
        rm -f "$DB1"*
        for k in agents customers tickets responses; do "$CXM" import --db "$DB1" "$k" "$D1/$k.csv" >/dev/null 2>&1; done
        for r in columns auto; do
            valgrind --tool=callgrind --callgrind-out-file="$W/callgrind-$r.out" "$CXM" report --db "$DB1" \
                --metrics csat,nps,ces --by month,channel --format json --read $r >/dev/null 2>&1 || true
            { echo "valgrind --tool=callgrind, cxmeter report --by month,channel --read $r, 100000 tickets (Ir, self):"
              echo; callgrind_annotate "$W/callgrind-$r.out" 2>/dev/null | grep -E '^ *[0-9,]+ ' | head -n 20 || true
              echo; } >> "$PROF"
        done
    fi
fi

# ---- 5. Table and docs/performance.md.
python3 - "$META" "$PATHS" "$COLSEG" <<'PY'
import csv, json, sys
paths, colseg = {}, {}
for n, q, how, took in csv.reader(open(sys.argv[2]), delimiter="\t"):
    paths.setdefault(n, {}).setdefault(q, {})[how] = took
for r in csv.reader(open(sys.argv[3]), delimiter="\t"):
    colseg[r[0]] = dict(zip(("bytes", "n", "segments", "null_segments", "store_bytes",
                             "answers"), map(int, r[1:])))
json.dump({"paths": paths, "colseg": colseg}, open(sys.argv[1], "w"), indent=1)
PY
python3 "$here/bench.py" table "$TIMES" "$META" "$W/results.md" "$W/targets.md"
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
exact) before any time was kept — cxmeter through both read paths timed.

Seconds are medians of whole processes for cxmeter and sqlite3 (spawn to
exit, start-up included) and of the query alone for DuckDB. For imports,
"cxmeter s" is the four \`cxmeter import\` processes. For reports, "cxmeter
s" is \`cxmeter report --read auto\` (rollups, else column segments, else
rows; the path it took, from \`--explain\`, is named in the operation) and
"cxmeter columns s" is \`--read columns\` (the column segments counted on
two threads: the scan path). The peak RSS of a report is "auto / columns".
"cxmeter in-process ms" (auto / columns) is what the same timed runs said
of themselves with \`report --timing\`: from opening the store to the JSON
written, without process start-up and exit. "cxmeter store open ms"
(auto / columns) is the same report computed and formatted again and again
by \`bench/bench_report.c\` in one process that has opened the store once,
as a server or a program embedding the library would: the median of
$RUNS runs after a first. That is the figure comparable to DuckDB's, which
times the query inside a running process on a table already in memory.

HDR
cat "$W/results.md"
cat <<MID

## Targets (project issue #3)

MID
cat "$W/targets.md"
cat <<PRF

## Where the time goes

\`\`\`
$(cat "$PROF")
\`\`\`
PRF
[ -f "$here/performance-notes.md" ] && cat "$here/performance-notes.md"
} > "$DOC"
say "wrote $DOC"
