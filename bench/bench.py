#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Helpers of bench/run.sh (standard library only).

  bench.py check Q DIMS CXMETER.json DUCKDB.csv SQLITE.csv
      Equality check of one report across the three engines: same groups
      (with data), value to 0.01, n exact. Exit 1 and print the first
      differences otherwise.
  bench.py table TIMES.tsv META.json OUT.md
      Median table to stdout and the results section of docs/performance.md.
"""
import csv, json, statistics, sys

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


def check(q, dims, cxj, dkc, sqc):
    dims = dims.split(",")
    sets = {"cxmeter": load_cx(cxj, dims), "duckdb": load_csv(dkc, dims),
            "sqlite3": load_csv(sqc, dims)}
    diffs = []
    ref = sets["sqlite3"]
    for name in ("duckdb", "cxmeter"):
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
    print("check %s: %d figures equal across cxmeter, DuckDB, sqlite3" %
          (q, len(ref)))
    return 0


OPS = [("import", "import (4 CSVs)"), ("normalise", "normalise (typed tables)"),
       ("month_channel", "report month x channel"), ("agent", "report by agent"),
       ("week_team_channel", "report week x team x channel, 1 quarter")]


def fmt(x, nd=3):
    return "-" if x is None else ("%.*f" % (nd, x))


def table(times, meta, out_md):
    rows = list(csv.DictReader(open(times), delimiter="\t"))
    meta = json.load(open(meta))
    med, rss, nrows = {}, {}, {}
    for r in rows:
        key = (int(r["size"]), r["op"], r["engine"])
        med.setdefault(key, []).append(float(r["seconds"]))
        if r["rss_kb"]:
            rss[key] = max(rss.get(key, 0), int(r["rss_kb"]))
        nrows[(int(r["size"]), r["op"])] = int(r["rows"])
    med = {k: statistics.median(v) for k, v in med.items()}
    sizes = sorted({k[0] for k in med})
    head = ("| tickets | operation | rows | cxmeter s | DuckDB s | sqlite3 s | "
            "cxmeter/DuckDB | cxmeter/sqlite3 | cxmeter rows/s | DuckDB rows/s"
            " | sqlite3 rows/s | cxmeter peak RSS MiB |")
    lines = [head, "|" + "---|" * head.count("|")[:-1] if False else
             "|" + "---|" * (head.count("|") - 1)]
    ratios = {}
    for n in sizes:
        for op, label in OPS:
            c, d, s = (med.get((n, op, e)) for e in ("cxmeter", "duckdb", "sqlite3"))
            if c is None and d is None and s is None:
                continue
            nr = nrows.get((n, op), 0)
            rc = c / d if c and d else None
            rs = c / s if c and s else None
            ratios[(n, op)] = (rc, rs)
            rate = (lambda t: "%.0f" % (nr / t) if t and op in ("import", "normalise") else "-")
            r = rss.get((n, op, "cxmeter"))
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                "{:,}".format(n), label, "{:,}".format(nr), fmt(c), fmt(d), fmt(s),
                fmt(rc, 2), fmt(rs, 2), rate(c), rate(d), rate(s),
                fmt(r / 1024, 1) if r else "-"))
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
            rc = ratios.get((n, op), (None, None))[0]
            row("%s, %s tickets, scan path" % (op, "{:,}".format(n)),
                "≥ 10× faster than DuckDB (cxmeter/DuckDB ≤ 0.10)",
                "cxmeter/DuckDB = %s (%s than DuckDB)" % (
                    fmt(rc, 2), "%.1f× slower" % rc if rc and rc > 1 else
                    ("%.1f× faster" % (1 / rc) if rc else "?")),
                None if rc is None else rc <= 0.10)
        row("%s from rollups" % op, "≤ 5 ms", "no rollups yet (whole report process: %s s at %s)" % (
            fmt(med.get((big, op, "cxmeter"))), "{:,}".format(big)), False)
    for n in sizes:
        c, d, s = (med.get((n, "import", e)) for e in ("cxmeter", "duckdb", "sqlite3"))
        if c and d:
            row("import rate, %s tickets" % "{:,}".format(n), "≥ DuckDB CSV→in-memory",
                "cxmeter %.2f× DuckDB's rate" % (d / c), d / c >= 1)
        if c and s:
            row("import rate, %s tickets" % "{:,}".format(n), "≥ 3× sqlite3 .import",
                "cxmeter %.2f× sqlite3's rate" % (s / c), s / c >= 3)
    bpa = meta.get("bytes_per_answer")
    row("bytes per answer, columnar cache", "≤ 16", "no columnar cache yet; SQLite store: %s bytes per answer (whole store / answers, %s tickets)" % (
        fmt(bpa, 0) if bpa else "?", "{:,}".format(meta.get("bpa_size", 0))), False)
    if 10000000 in sizes:
        r = max(rss.get((10000000, op, "cxmeter"), 0) for op, _ in OPS[2:])
        row("peak RSS of a 10M report", "≤ 1 GiB", "%.1f MiB" % (r / 1024), r <= 1 << 20)
        c1 = med.get((1000000, "month_channel", "cxmeter"))
        c10 = med.get((10000000, "month_channel", "cxmeter"))
        if c1 and c10:
            row("10M/1M time ratio (month × channel report)", "≤ 11", "%.2f" % (c10 / c1), c10 / c1 <= 11)
    else:
        r = max(rss.get((big, op, "cxmeter"), 0) for op, _ in OPS[2:])
        row("peak RSS of a 10M report", "≤ 1 GiB", "not run at 10M; %.1f MiB at %s" % (r / 1024, "{:,}".format(big)), None)
        row("10M/1M time ratio", "≤ 11", "not run at 10M", None)
    tt = "| target | issue's target | measured | status |\n|---|---|---|---|\n" + "\n".join(t)
    print()
    print(tt)
    open(out_md, "w").write(text + "\n\n" + tt + "\n")


if __name__ == "__main__":
    if sys.argv[1] == "check":
        sys.exit(check(*sys.argv[2:7]))
    if sys.argv[1] == "table":
        table(*sys.argv[2:5])
