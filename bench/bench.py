#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Helpers of bench/run.sh (standard library only).

  bench.py run OUT RSSFILE|- CMD...
      Runs CMD (stdout to OUT) and prints "SECONDS RSS_KB": the wall time of
      the whole process, from just before posix_spawn to wait4's return.
      With RSSFILE, CMD runs under `/usr/bin/time -f %M -o RSSFILE` for its
      peak RSS (the wrapper adds its own exec to the time); with -, CMD is
      spawned directly and RSS_KB is empty (a vfork child's peak RSS would
      include this Python process).
  bench.py check Q DIMS DUCKDB.csv SQLITE.csv NAME=CXMETER.json...
      Equality check of one report across the engines: same groups (with
      data), value to 0.01, n exact, for every cxmeter output given (one
      per read path). Exit 1 and print the first differences otherwise.
  bench.py table TIMES.tsv META.json RESULTS.md TARGETS.md
      Median table and targets table (stdout, and the two files that
      run.sh puts in docs/performance.md).
"""
import csv, json, os, statistics, sys, time

METRICS = ("csat", "nps", "ces")


def load_cx(path, dims):
    out = {}
    for row in json.load(open(path))["rows"]:
        key = tuple(row[d] for d in dims)
        for m in METRICS:
            f = row.get(m)
            if f is not None and f.get("n"):
                out[key + (m,)] = (f["value"], f["n"])
    return out


def load_csv(path, dims):
    out = {}
    for row in csv.DictReader(open(path, newline="")):
        key = tuple(row[d] for d in dims)
        for m in METRICS:
            n = int(row[m + "_n"] or 0)
            if n:
                out[key + (m,)] = (float(row[m]), n)
    return out


def check(q, dims, dkc, sqc, *cx):
    dims = dims.split(",")
    sets = {"duckdb": load_csv(dkc, dims), "sqlite3": load_csv(sqc, dims)}
    for arg in cx:
        name, path = arg.split("=", 1)
        sets[name] = load_cx(path, dims)
    diffs = []
    ref = sets["sqlite3"]
    for name in [k for k in sets if k != "sqlite3"]:
        got = sets[name]
        for k in sorted(set(ref) | set(got)):
            a, b = ref.get(k), got.get(k)
            if a is None or b is None or a[1] != b[1] or abs(a[0] - b[0]) > 0.01:
                diffs.append("%s: %s %s: sqlite3 %s, %s %s" % (
                    q, name, "/".join(map(str, k)), a, name, b))
    if diffs:
        print("BENCH CHECK FAILED for %s: %d differences; first ones:" %
              (q, len(diffs)), file=sys.stderr)
        for d in diffs[:15]:
            print("  " + d, file=sys.stderr)
        return 1
    print("check %s: %d figures equal across %s" %
          (q, len(ref), ", ".join(k for k in sets)))
    return 0


def run(out, rssfile, *cmd):
    argv = list(cmd)
    if rssfile != "-":
        argv = ["/usr/bin/time", "-f", "%M", "-o", rssfile] + argv
    fa = [(os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    if os.environ.get("BENCH_STDERR"):  # the command's stderr, kept
        fa.append((os.POSIX_SPAWN_OPEN, 2, os.environ["BENCH_STDERR"],
                   os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644))
    t0 = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=fa)
    _, status, _ = os.wait4(pid, 0)
    secs = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        print("bench.py run: %s exited with %d" % (" ".join(cmd),
              os.waitstatus_to_exitcode(status)), file=sys.stderr)
        return 1
    rss = ""
    if rssfile != "-":
        rss = open(rssfile).read().split()[-1]
    print("%.6f %s" % (secs, rss))
    return 0


OPS = [("import", "import (4 CSVs)"), ("normalise", "normalise (typed tables)"),
       ("month_channel", "report month x channel"), ("agent", "report by agent"),
       ("week_team_channel", "report week x team x channel, 1 quarter")]


def fmt(x, nd=3):
    return "-" if x is None else ("%.*f" % (nd, x))


REPORTS = [op for op, _ in OPS[2:]]
# cxmeter's engines in times.tsv: "cxmeter" (import), and per report the two
# read paths the benchmark forces: --read auto (rollups when they serve the
# report) and --read columns (the column scan).
AUTO, COLS = "cxmeter-rollups", "cxmeter-columns"
# The same runs' own figure (`report --timing`: store opened, report
# computed and written, inside the process), like DuckDB's in-process times.
INPROC = "-inproc"
# The same report computed again and again in one process that keeps the
# store open (bench/bench_report.c), as a server or embedding program
# would: the library's own cost, like DuckDB's query on its loaded table.
WARM = "-warm"


def n_(n):
    return "{:,}".format(n)


def ratio_words(r):
    if not r:
        return "?"
    return "%.1f× slower" % r if r > 1 else "%.1f× faster" % (1 / r)


def table(times, meta, out_md, targets_md):
    rows = list(csv.DictReader(open(times), delimiter="\t"))
    meta = json.load(open(meta))
    med, rss, nrows = {}, {}, {}
    for r in rows:
        key = (int(r["size"]), r["op"], r["engine"])
        if r["rss_kb"]:
            rss[key] = max(rss.get(key, 0), int(r["rss_kb"]))
        if r["seconds"]:  # rss-only rows (run "rss") have no time
            med.setdefault(key, []).append(float(r["seconds"]))
        nrows[(int(r["size"]), r["op"])] = int(r["rows"])
    med = {k: statistics.median(v) for k, v in med.items()}
    sizes = sorted({k[0] for k in med})
    paths = meta.get("paths", {})

    def took(n, op, how):
        return paths.get(str(n), {}).get(op, {}).get(how, "?")

    head = ("| tickets | operation | rows | cxmeter s | cxmeter columns s | DuckDB s"
            " | sqlite3 s | cxmeter/DuckDB | cxmeter/sqlite3 | columns/DuckDB"
            " | columns/sqlite3 | cxmeter rows/s | DuckDB rows/s | sqlite3 rows/s"
            " | cxmeter peak RSS MiB | cxmeter in-process ms"
            " | cxmeter store open ms |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for n in sizes:
        for op, label in OPS:
            rep = op in REPORTS
            c = med.get((n, op, AUTO if rep else "cxmeter"))
            k = med.get((n, op, COLS)) if rep else None
            d, s = med.get((n, op, "duckdb")), med.get((n, op, "sqlite3"))
            if c is None and k is None and d is None and s is None:
                continue
            nr = nrows.get((n, op), 0)
            ratio = (lambda x, y: x / y if x and y else None)
            rate = (lambda t: "%.0f" % (nr / t) if t and not rep else "-")
            if rep:
                ra, rk = rss.get((n, op, AUTO)), rss.get((n, op, COLS))
                mem = "%s / %s" % (fmt(ra / 1024 if ra else None, 1),
                                   fmt(rk / 1024 if rk else None, 1))
                ia, ik = (med.get((n, op, e + INPROC)) for e in (AUTO, COLS))
                inproc = "%s / %s" % (fmt(ia * 1000 if ia else None, 1),
                                      fmt(ik * 1000 if ik else None, 1))
                wa, wk = (med.get((n, op, e + WARM)) for e in (AUTO, COLS))
                warm = "%s / %s" % (fmt(wa * 1000 if wa else None, 2),
                                    fmt(wk * 1000 if wk else None, 2))
                label = "%s (auto: %s)" % (label, took(n, op, "auto"))
            else:
                r = rss.get((n, op, "cxmeter"))
                mem = fmt(r / 1024, 1) if r else "-"
                inproc = warm = "-"
            lines.append("| %s |" % " | ".join([
                n_(n), label, n_(nr), fmt(c), fmt(k), fmt(d), fmt(s),
                fmt(ratio(c, d), 2), fmt(ratio(c, s), 2), fmt(ratio(k, d), 2),
                fmt(ratio(k, s), 2), rate(c), rate(d), rate(s), mem, inproc, warm]))
    text = "\n".join(lines)
    print(text)

    # Targets of the project issue next to the measurements.
    t = []
    big = max(sizes)

    def row(name, target, measured, ok):
        t.append("| %s | %s | %s | %s |" % (name, target, measured,
                 "n/a" if ok is None else ("met" if ok else "**MISSED**")))
    for op in ("month_channel", "agent"):
        for n in sizes:
            d = med.get((n, op, "duckdb"))
            # The scan path three ways: whole process, its own --timing,
            # with the store open (bench_report).
            for suffix, how, both, nd in (
                    ("", "(`--read columns`, read: %s)" % took(n, op, "columns"),
                     "", 3),
                    (INPROC, "in-process (`--timing`)", " (both in-process)", 3),
                    (WARM, "store open (`bench_report`)",
                     " (both in a process holding the data)", 4)):
                k = med.get((n, op, COLS + suffix))
                rc = k / d if k and d else None
                row("%s, %s tickets, scan path%s %s" % (
                    op, n_(n), "" if not suffix else ",", how),
                    "≥ 10× faster than DuckDB (columns/DuckDB ≤ 0.10)",
                    "%s s vs DuckDB %s s%s: columns/DuckDB = %s (%s than "
                    "DuckDB)" % (fmt(k, nd), fmt(d), both,
                                 fmt(rc, nd - 1), ratio_words(rc)),
                    None if rc is None else
                    (rc <= 0.10 and took(n, op, "columns") == "columns"))
        for n in sizes:
            tr = med.get((n, "process_start", "true"))
            path = took(n, op, "auto")
            # From rollups three ways, as the scan path above.
            for suffix, how, what, nd in (
                    ("", "(`--read auto`, read: %s)" % path,
                     "the whole `cxmeter report` process, start-up included "
                     "(exec, opening the store, reading the %s, JSON out); "
                     "spawning `true` the same way: %s ms" % (
                         path, fmt(tr * 1000 if tr else None, 1)), 1),
                    (INPROC, "in-process (`--timing`)",
                     "from opening the store to the JSON written (the same "
                     "runs)", 1),
                    (WARM, "store open (`bench_report`)",
                     "to compute and format the report in a process that "
                     "keeps the store open (a server, an embedding program)",
                     2)):
                c = med.get((n, op, AUTO + suffix))
                row("%s, %s tickets, from rollups%s %s" % (
                    op, n_(n), "" if not suffix else ",", how), "≤ 5 ms",
                    "%s ms%s %s" % (fmt(c * 1000 if c else None, nd),
                                    ":" if not suffix else "", what),
                    None if c is None else
                    (c <= 0.005 and path.startswith("rollups")))
    for n in sizes:
        c, d, s = (med.get((n, "import", e)) for e in ("cxmeter", "duckdb", "sqlite3"))
        if c and d:
            row("import rate, %s tickets" % n_(n), "≥ DuckDB CSV→in-memory",
                "cxmeter %.2f× DuckDB's rate" % (d / c), d / c >= 1)
        if c and s:
            row("import rate, %s tickets" % n_(n), "≥ 3× sqlite3 .import",
                "cxmeter %.2f× sqlite3's rate" % (s / c), s / c >= 3)
    for n in sizes:
        cs = meta.get("colseg", {}).get(str(n))
        if not cs or not cs.get("n"):
            row("bytes per answer, columnar cache, %s tickets" % n_(n), "≤ 16",
                "no column segments found", False)
            continue
        bpa = cs["bytes"] / cs["n"]
        extra = (", %d of them NULL (the report reads the rows)" % cs["null_segments"]
                 if cs["null_segments"] else "")
        row("bytes per answer, columnar cache, %s tickets" % n_(n), "≤ 16",
            "%.2f: sum(length(data)) / sum(n) of col_answers = %s bytes / %s "
            "answers in %d month segments%s; comment text is not in the "
            "segments (SQLite store for comparison: %.0f bytes per answer)" % (
                bpa, n_(cs["bytes"]), n_(cs["n"]), cs["segments"], extra,
                cs["store_bytes"] / max(cs["answers"], 1)),
            bpa <= 16)
    keys = [(op, e) for op in REPORTS for e in (AUTO, COLS)]
    ten = 10000000
    if ten in sizes:
        r, who = max((rss.get((ten, op, e), 0), (op, e)) for op, e in keys)
        row("peak RSS of a 10M report", "≤ 1 GiB",
            "%.1f MiB (largest of the 3 reports × 2 paths: %s, %s)" % (
                r / 1024, who[0], who[1]), r <= 1 << 20)
    else:
        r, who = max((rss.get((big, op, e), 0), (op, e)) for op, e in keys)
        row("peak RSS of a 10M report", "≤ 1 GiB",
            "not run at 10M; %.1f MiB at %s (largest of the 3 reports × 2 "
            "paths: %s, %s)" % (r / 1024, n_(big), who[0], who[1]), None)
    one = 1000000
    if ten in sizes and one in sizes:
        for op, e in [("import", "cxmeter")] + keys:
            c1, c10 = med.get((one, op, e)), med.get((ten, op, e))
            if c1 and c10:
                row("10M/1M time ratio, %s (%s)" % (op, e), "≤ 11",
                    "%.2f (%s s / %s s)" % (c10 / c1, fmt(c10), fmt(c1)),
                    c10 / c1 <= 11)
    else:
        row("10M/1M time ratio, every operation", "≤ 11", "not run at both 1M and 10M", None)
    tt = "| target | issue's target | measured | status |\n|---|---|---|---|\n" + "\n".join(t)
    print()
    print(tt)
    open(out_md, "w").write(text + "\n")
    open(targets_md, "w").write(tt + "\n")


if __name__ == "__main__":
    if sys.argv[1] == "check":
        sys.exit(check(*sys.argv[2:]))
    if sys.argv[1] == "run":
        sys.exit(run(*sys.argv[2:]))
    if sys.argv[1] == "table":
        table(*sys.argv[2:6])
