#!/usr/bin/env bash
# serve_bench.sh — `cxmeter serve` under wrk (issue 14, item 7), beside a
# bare libmicrohttpd server answering 204 (bench/bench_mhd204.c), in one
# run on one machine:
#
#   1. bench_mhd204: GET / -> 204, nothing else (the baseline);
#   2. cxmeter serve on a fresh store:
#      a. POST /api/v1/responses, one new answer a request (distinct
#         response_id, bench/serve_answers.lua): each 201 comes after the
#         answer's transaction committed with synchronous=FULL;
#      b. GET /s/TOKEN, the survey page of an invitation;
#      c. GET /healthz (routing, logging, no store);
#   then the server is stopped (SIGTERM) and the rows are counted: every
#   201 must be a stored row (a request still in flight when wrk stopped
#   may be stored unanswered: at most one a connection).
#
# Prints a table (answers/s, p50, p99, ratio to the 204 rate) and writes
# it to $BENCH_DIR/serve.md. Needs wrk (Debian package) and a build with
# -DCXM_BENCH=ON (bench_mhd204 beside cxmeter).
#
#   bench/serve_bench.sh
#   BENCH_DURATION=30s BENCH_CONNECTIONS=64 bench/serve_bench.sh
#
# Variables: CXMETER (build/cxmeter), BENCH_MHD204 (beside CXMETER),
# BENCH_DURATION (10s), BENCH_CONNECTIONS (64), BENCH_WRK_THREADS (2),
# BENCH_SERVE_ARGS (extra `cxmeter serve` options, e.g. "--threads 64"),
# BENCH_DIR (bench/out/serve; the store is made there, on disk).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
CXM=${CXMETER:-$root/build/cxmeter}
BARE=${BENCH_MHD204:-$(dirname "$CXM")/bench_mhd204}
DUR=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-64}
WT=${BENCH_WRK_THREADS:-2}
W=${BENCH_DIR:-$here/out/serve}
read -r -a SERVE_ARGS <<< "${BENCH_SERVE_ARGS:-}"

say() { echo "serve_bench: $*" >&2; }
die() { say "$*"; exit 1; }
command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk)"
[ -x "$CXM" ] || die "$CXM is missing (build first)"
[ -x "$BARE" ] || die "$BARE is missing (configure with -DCXM_BENCH=ON)"

rm -rf "$W"
mkdir -p "$W"
DB=$W/serve.db
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# start NAME CMD...: runs CMD with stderr to $W/NAME.log, sets PID and
# PORT from its "listening on port N" line.
start() {
    local name=$1
    shift
    "$@" 2> "$W/$name.log" > /dev/null &
    PID=$!
    PIDS+=("$PID")
    for _ in $(seq 200); do
        PORT=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$W/$name.log" | head -n 1)
        [ -n "$PORT" ] && return 0
        kill -0 "$PID" 2>/dev/null || die "$name exited: $(cat "$W/$name.log")"
        sleep 0.05
    done
    die "$name did not start"
}

stop() { kill -TERM "$1"; wait "$1" || true; }

# run NAME URL [SCRIPT ARGS...]: wrk with the common options (and the Lua
# SCRIPT given ARGS) into $W/NAME.wrk.
run() {
    local name=$1 url=$2 script=()
    shift 2
    if [ $# -gt 0 ]; then
        script=(-s "$1")
        shift
    fi
    say "$name: wrk -t$WT -c$CONNS -d$DUR --latency ${script[*]} $url${1:+ -- (token) ${*:2}}"
    wrk -t"$WT" -c"$CONNS" -d"$DUR" --latency "${script[@]}" "$url" ${1:+--} "$@" > "$W/$name.wrk"
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

# 0. What one fdatasync of a 4 KiB write costs on this disk now: the floor
# of a durable commit (200 of them, p50 and p99 in ms).
FSYNC=$(python3 - "$W" <<'PY'
import os, sys, time
p = os.path.join(sys.argv[1], "fsync.tmp")
fd = os.open(p, os.O_WRONLY | os.O_CREAT, 0o644)
ts = []
for i in range(200):
    os.pwrite(fd, b"x" * 4096, (i % 16) * 4096)
    t = time.perf_counter()
    os.fdatasync(fd)
    ts.append((time.perf_counter() - t) * 1e3)
os.close(fd)
os.unlink(p)
ts.sort()
print("%.2f %.2f" % (ts[100], ts[197]))
PY
)

# 1. The baseline.
start mhd204 "$BARE" 0
run bare_204 "http://127.0.0.1:$PORT/"
stop "$PID"

# 2. cxmeter serve on a fresh store.
"$CXM" survey add --template nps --db "$DB" > /dev/null
"$CXM" config set serve.rate_per_minute 0 --db "$DB" > /dev/null
TOKEN=$("$CXM" token create --name bench --db "$DB")
start serve "$CXM" serve --db "$DB" --listen 127.0.0.1:0 "${SERVE_ARGS[@]}"
SPID=$PID
BASE=http://127.0.0.1:$PORT
LINK=$(curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"survey":"nps","language":"fi"}' "$BASE/api/v1/invitations" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["link"])')
run answers "$BASE/api/v1/responses" "$here/serve_answers.lua" "$TOKEN" b
run survey_page "$LINK"
run healthz "$BASE/healthz"
stop "$SPID"
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$W" "$DB" "$CONNS" "$DUR" "$WT" "$LOAD0" "$LOAD1" "${SERVE_ARGS[*]:-}" "$FSYNC" <<'PY'
import os, re, sqlite3, sys
W, db, conns, dur, wt, load0, load1, sargs, fsync = sys.argv[1:10]
conns = int(conns)

def ms(v):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", v)
    x = float(m.group(1))
    return x * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[m.group(2)]

def parse(name):
    t = open(os.path.join(W, name + ".wrk")).read()
    r = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)),
         "n": int(re.search(r"(\d+) requests in", t).group(1)),
         "p50": ms(re.search(r"^\s+50%\s+(\S+)", t, re.M).group(1)),
         "p99": ms(re.search(r"^\s+99%\s+(\S+)", t, re.M).group(1))}
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    r["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: (.*)", t)
    r["errors"] = m.group(1) if m else "none"
    m = re.search(r"not_201 (\d+)", t)
    r["not201"] = int(m.group(1)) if m else None
    return r

res = {k: parse(k) for k in ("bare_204", "answers", "survey_page", "healthz")}
con = sqlite3.connect(db)
rows, distinct = con.execute(
    "SELECT count(*), count(DISTINCT response_id) FROM responses").fetchone()
con.close()
a = res["answers"]
acked = a["n"] - a["non2xx"]
log = open(os.path.join(W, "serve.log")).read()
m = re.search(r"group commit: (\d+) changes in (\d+) transactions", log)
jobs, batches = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
base = res["bare_204"]["rps"]
names = {"bare_204": "bare libmicrohttpd, 204 (baseline)",
         "answers": "POST /api/v1/responses, durable answer",
         "survey_page": "GET /s/TOKEN, survey page",
         "healthz": "GET /healthz"}
out = ["| %s | requests/s | p50 ms | p99 ms | of the 204 rate |" % (
           "%d connections, wrk -t%s -d%s" % (conns, wt, dur)),
       "|---|---:|---:|---:|---:|"]
for k, r in res.items():
    out.append("| %s | %.0f | %.2f | %.2f | %.0f %% |" % (
        names[k], r["rps"], r["p50"], r["p99"], 100 * r["rps"] / base))
ok_rate = a["rps"] >= 0.5 * base
ok_p99 = a["p99"] < 10
ok_rows = (a["not201"] == 0 and a["non2xx"] == 0 and distinct == rows and
           acked <= rows <= acked + conns)
out += ["",
        "- answers: %d acknowledged (201), %d rows stored, %d distinct ids; "
        "%s" % (acked, rows, distinct,
                "every 201 is a stored row" if ok_rows else "MISMATCH"),
        "- group commit: %d changes in %d transactions (%.1f a commit)" % (
            jobs, batches, jobs / batches if batches else 0),
        "- target durable answers >= 50 %% of the 204 rate: %s (%.0f %%); "
        "p99 < 10 ms: %s (%.2f ms)" % ("met" if ok_rate else "NOT met",
                                       100 * a["rps"] / base,
                                       "met" if ok_p99 else "NOT met",
                                       a["p99"]),
        "- socket errors: answers %s; load average %s at the start, %s at "
        "the end; %d cores" % (a["errors"], load0, load1, os.cpu_count()),
        "- fdatasync of 4 KiB on this disk before the run: p50 %s ms, "
        "p99 %s ms" % tuple(fsync.split()),
        "- serve options: %s" % (sargs or "(defaults)")]
text = "\n".join(out) + "\n"
open(os.path.join(W, "serve.md"), "w").write(text)
print(text, end="")
sys.exit(0 if ok_rows else 1)
PY
