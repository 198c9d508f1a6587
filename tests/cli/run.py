#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""run.py — black-box tests of the `cxmeter` command line.

Runs the built binary and checks exit statuses, stdout, and the stderr text
against SPEC §1 and §4, docs/report-semantics.md and the command-line
contract:

  cxmeter import [--db PATH] [--strict] KIND FILE...
      exit 0 every row imported; 1 a row rejected (good rows still stored
      unless --strict), a file unreadable, or a header lacks a required
      column; 2 usage; 3 store error. One diagnostic per bad row on stderr,
      `FILE:LINE:COL: COLUMN: reason` (COL is the 1-based CSV column, LINE
      the physical line the record starts on; a whole-row problem is
      `FILE:LINE: reason`). Summary on stdout: `imported 1,234 rows,
      rejected 5`.
  cxmeter report [--db PATH] [--metrics ..] [--by ..] [--from T] [--to T]
                 [--format table|json|csv]
  cxmeter demo-data --seed S --tickets N --out DIR
  cxmeter help | --help | CMD --help | --version

Every test has its own temporary directory and store; none depends on
another. Each test prints `ok` or `FAIL` with every failed check (the
command, its exit status, stdout and stderr). Python 3 standard library
only.

Usage: run.py --cxmeter PATH [--workdir DIR] [-v] [TEST...]
Exit status: 0 all passed, 1 a test failed, 2 the tests could not run.
"""

import argparse
import csv
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import traceback

CXMETER = None
WORKDIR = None
VERBOSE = False
ENGINE = None  # --engine pg: each test's store is a PostgreSQL database
TESTS = []

# A whole period wide enough for every test's data.
WIDE = ["--from", "2020-01-01", "--to", "2030-01-01"]


def test(fn):
    TESTS.append(fn)
    return fn


class Result:
    def __init__(self, argv, rc, out, err):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err

    def show(self):
        words = ["cxmeter"] + [shlex.quote(a) for a in self.argv]
        s = " ".join(words) + f"\n  exit {self.rc}"
        if self.out:
            s += "\n  stdout: " + clip(self.out).replace("\n", "\n          ")
        if self.err:
            s += "\n  stderr: " + clip(self.err).replace("\n", "\n          ")
        return s


def clip(s, n=1500):
    s = s.rstrip("\n")
    return s if len(s) <= n else s[:n] + f"... ({len(s) - n} more chars)"


class Ctx:
    """One test's temporary directory, its store and its failures."""

    def __init__(self, name):
        self.name = name
        self.dir = os.path.join(WORKDIR, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self._db = None
        self.failures = []
        self.shown = set()
        self.env = dict(os.environ)
        self.env.pop("CXMETER_DB", None)
        # Far from UTC on purpose: nothing may depend on the machine's zone.
        self.env["TZ"] = "Asia/Jakarta"
        self.env["LC_ALL"] = "C"

    @property
    def db(self):
        """The test's store: store.db in its directory, or with --engine
        pg a new database on the fixture pg's cluster (made on first use)."""
        if self._db is None:
            path = os.path.join(self.dir, "store.db")
            if ENGINE:
                sys.path.insert(0, os.path.join(os.path.dirname(
                    os.path.abspath(__file__)), "..", "pg"))
                import pgdb
                self._db = pgdb.dsn_for(ENGINE, path, "cli")
            else:
                self._db = path
        return self._db

    @db.setter
    def db(self, value):
        self._db = value

    def store_exists(self):
        """True once a command made the store (file or schema)."""
        if not ENGINE:
            return os.path.exists(self.db)
        import pgdb
        return pgdb.store_exists(self.db)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        if isinstance(data, str):
            data = data.encode("utf-8")
        with open(p, "wb") as f:
            f.write(data)
        return name

    def run(self, *argv, env=None, cwd=None):
        argv = [str(a) for a in argv]
        try:
            p = subprocess.run([CXMETER] + argv, cwd=cwd or self.dir,
                               env=env or self.env, capture_output=True,
                               timeout=120)
        except subprocess.TimeoutExpired:
            r = Result(argv, None, "", "(timed out after 120 s)")
            self.fail("command timed out", r)
            return r
        r = Result(argv, p.returncode, p.stdout.decode("utf-8", "replace"),
                   p.stderr.decode("utf-8", "replace"))
        if VERBOSE:
            print("    " + r.show().replace("\n", "\n    "))
        return r

    def fail(self, msg, r=None):
        if r is not None:
            if id(r) in self.shown:
                msg += "  (command above)"
            else:
                self.shown.add(id(r))
                msg += "\n" + r.show()
        self.failures.append(msg)

    def check(self, cond, msg, r=None):
        if not cond:
            self.fail(msg, r)
        return bool(cond)

    def expect_rc(self, r, rc, what=""):
        return self.check(r.rc == rc, f"{what}: expected exit {rc}, "
                          f"got {r.rc}" if what else
                          f"expected exit {rc}, got {r.rc}", r)

    # -- helpers on top of the binary ------------------------------------

    def import_(self, kind, *files, db=None, strict=False):
        argv = ["import", "--db", db or self.db]
        if strict:
            argv.append("--strict")
        return self.run(*argv, kind, *files)

    def report_json(self, *args, db=None, what="report"):
        """Runs report --format json; returns (parsed JSON or None, Result)."""
        r = self.run("report", "--db", db or self.db, "--format", "json",
                     *args)
        if not self.expect_rc(r, 0, what):
            return None, r
        try:
            return json.loads(r.out), r
        except ValueError as e:
            self.fail(f"{what}: output is not JSON ({e})", r)
            return None, r

    def figure(self, metric, *args, db=None, what=None):
        """The single-row figure of `metric` over WIDE (None when null);
        'ERR' when the report failed."""
        what = what or f"report of {metric}"
        j, r = self.report_json("--metrics", metric, *WIDE, *args, db=db,
                                what=what)
        if j is None:
            return "ERR"
        rows = j.get("rows")
        if not self.check(isinstance(rows, list) and len(rows) == 1,
                          f"{what}: expected exactly one row", r):
            return "ERR"
        if not self.check(metric in rows[0],
                          f"{what}: {metric} missing from the row", r):
            return "ERR"
        return rows[0][metric]

    def count(self, metric, db=None, what=None):
        """A count figure's value, None when the figure is null."""
        f = self.figure(metric, db=db, what=what)
        if f == "ERR" or f is None:
            return f
        return f.get("value")

    def expect_summary(self, r, imported, rejected, what="summary"):
        """stdout holds `imported N rows, rejected M` with thousands
        separators (an explanation in parentheses may follow)."""
        m = None
        for line in r.out.splitlines():
            m = SUMMARY.match(line.strip())
            if m:
                break
        if not self.check(m, f"{what}: no line `imported N rows, rejected "
                          f"M` on stdout", r):
            return
        want = (thousands(imported), thousands(rejected))
        self.check(m.group(1, 2) == want,
                   f"{what}: expected `imported {want[0]} rows, rejected "
                   f"{want[1]}`, got `{m.group(0)}`", r)


SUMMARY = re.compile(r"^imported (\S+) rows, rejected (\S+?)(?: \(.*\))?$")
DIAG = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?:(?P<col>\d+):)? "
                  r"(?P<rest>.*)$")


def thousands(n):
    return f"{n:,}"


def diags(err, file):
    """The diagnostic lines of stderr that name `file`, parsed:
    dicts with line, col (0 for the whole-row form), colname, reason."""
    out = []
    for raw in err.splitlines():
        m = DIAG.match(raw)
        if not m or m.group("file") != file:
            continue
        d = {"raw": raw, "line": int(m.group("line")),
             "col": int(m.group("col") or 0)}
        rest = m.group("rest")
        if d["col"]:
            name, sep, reason = rest.partition(": ")
            d["colname"], d["reason"] = (name, reason) if sep else ("", rest)
        else:
            d["colname"], d["reason"] = "", rest
        out.append(d)
    return out


def check_diags(c, r, file, want):
    """want: list of (line, {acceptable cols}, colname or None, label).
    Exactly one diagnostic per bad row, at the right line and column, the
    column's header name, and a non-empty reason."""
    got = diags(r.err, file)
    c.check(len(got) == len(want),
            f"expected {len(want)} diagnostics naming {file}, got "
            f"{len(got)}", r)
    by_line = {}
    for d in got:
        by_line.setdefault(d["line"], []).append(d)
    for line, cols, colname, label in want:
        ds = by_line.get(line, [])
        if not c.check(len(ds) == 1, f"{label}: expected one diagnostic "
                       f"`{file}:{line}:...`, got {len(ds)}", r):
            continue
        d = ds[0]
        c.check(d["col"] in cols, f"{label}: expected column "
                f"{' or '.join(map(str, sorted(cols)))}, got {d['col']} "
                f"in `{d['raw']}`", r)
        if d["col"] and colname is not None:
            c.check(d["colname"].lower() == colname,
                    f"{label}: expected the column name {colname}, got "
                    f"`{d['colname']}` in `{d['raw']}`", r)
        c.check(d["reason"].strip() != "",
                f"{label}: no reason in `{d['raw']}`", r)


def rows_by(j, dim):
    return {row.get(dim): row for row in (j or {}).get("rows", [])}


# ---------------------------------------------------------------- help --

@test
def help_top_level(c):
    for argv in (["--help"], ["-h"], ["help"]):
        r = c.run(*argv)
        c.expect_rc(r, 0, " ".join(argv))
        c.check("usage:" in r.out.lower(), "no usage on stdout", r)
        for cmd in ("import", "report", "demo-data"):
            c.check(cmd in r.out, f"the top-level help does not list {cmd}",
                    r)


@test
def help_every_command(c):
    for cmd in ("import", "report", "demo-data"):
        for argv in ([cmd, "--help"], [cmd, "-h"], ["help", cmd]):
            r = c.run(*argv)
            c.expect_rc(r, 0, " ".join(argv))
            c.check(re.search(r"usage:\s*cxmeter " + re.escape(cmd),
                              r.out, re.I),
                    f"`usage: cxmeter {cmd}` not on stdout", r)


@test
def help_before_other_arguments(c):
    # --help wins even with a bad or missing rest of the command line
    r = c.run("report", "--metrics", "csat", "--help")
    c.expect_rc(r, 0, "report --metrics csat --help")
    c.check("usage:" in r.out.lower(), "no usage on stdout", r)
    r = c.run("import", "--help", "tickets")
    c.expect_rc(r, 0, "import --help tickets")


@test
def version(c):
    r = c.run("--version")
    c.expect_rc(r, 0, "--version")
    c.check(re.match(r"cxmeter \d+\.\d+\.\d+", r.out),
            "expected `cxmeter X.Y.Z` on stdout", r)


# --------------------------------------------------------- usage errors --

@test
def no_arguments_is_usage_error(c):
    r = c.run()
    c.expect_rc(r, 2, "no arguments")
    c.check((r.out + r.err).strip(), "nothing printed", r)


@test
def unknown_command(c):
    r = c.run("frobnicate")
    c.expect_rc(r, 2, "unknown command")
    c.check("frobnicate" in r.err, "stderr does not name the command", r)
    r = c.run("help", "frobnicate")
    c.expect_rc(r, 2, "help on an unknown command")
    c.check(r.err.strip(), "no message on stderr", r)


@test
def unknown_option(c):
    c.write("t.csv", "ticket_id,created_at\nT1,2026-01-01T00:00:00Z\n")
    for argv in (["--bogus"],
                 ["report", "--db", c.db, "--bogus"],
                 ["import", "--db", c.db, "--bogus", "tickets", "t.csv"],
                 ["demo-data", "--bogus", "--out", "d"],
                 ["report", "--db", c.db, "-x"]):
        r = c.run(*argv)
        c.expect_rc(r, 2, " ".join(argv))
        opt = "--bogus" if "--bogus" in argv else "-x"
        c.check(opt in r.err, f"stderr does not name {opt}", r)
    c.check(not os.path.exists(c.db),
            "the import with a bad option created the store")


@test
def import_usage_errors(c):
    c.write("t.csv", "ticket_id,created_at\nT1,2026-01-01T00:00:00Z\n")
    r = c.run("import", "--db", c.db)
    c.expect_rc(r, 2, "import without KIND and FILE")
    c.check(r.err.strip(), "no message on stderr", r)
    r = c.run("import", "--db", c.db, "tickets")
    c.expect_rc(r, 2, "import without FILE")
    r = c.run("import", "--db", c.db, "nosuchkind", "t.csv")
    c.expect_rc(r, 2, "import of an unknown kind")
    c.check("nosuchkind" in r.err, "stderr does not name the kind", r)
    r = c.run("import", "--db", c.db, "--db")
    c.expect_rc(r, 2, "--db without a value")


def small_store(c):
    c.write("t.csv", "ticket_id,created_at\nT1,2026-01-05T00:00:00Z\n")
    c.write("r.csv", "response_id,survey,responded_at,score,language\n"
            "R1,csat,2026-01-05T10:00:00Z,5,en\n")
    c.expect_rc(c.import_("tickets", "t.csv"), 0, "import tickets")
    c.expect_rc(c.import_("responses", "r.csv"), 0, "import responses")


@test
def report_unknown_metric(c):
    small_store(c)
    r = c.run("report", "--db", c.db, "--metrics", "csat,no_such_metric",
              "--format", "json")
    c.expect_rc(r, 2, "unknown metric")
    c.check("no_such_metric" in r.err, "stderr does not name the metric", r)
    c.check(not r.out.strip(), "a report was printed all the same", r)
    r = c.run("report", "--db", c.db, "--metrics", "nosuch")
    c.expect_rc(r, 2, "only an unknown metric")


@test
def report_other_usage_errors(c):
    small_store(c)
    cases = [
        (["--by", "month,nosuchdim"], "nosuchdim"),
        (["--format", "xml"], "xml"),
        (["--from", "not-a-date"], "not-a-date"),
        (["--to", "2026-02-30"], "2026-02-30"),
        (["--tz", "Nowhere/Atlantis"], "Nowhere/Atlantis"),
        (["unexpected-positional"], "unexpected-positional"),
    ]
    for extra, word in cases:
        r = c.run("report", "--db", c.db, "--metrics", "csat", *extra)
        c.expect_rc(r, 2, " ".join(extra))
        c.check(word in r.err, f"stderr does not name `{word}`", r)


@test
def report_from_after_to(c):
    small_store(c)
    r = c.run("report", "--db", c.db, "--metrics", "csat", "--from",
              "2026-02-01", "--to", "2026-01-01")
    c.expect_rc(r, 2, "--from after --to")
    c.check(r.err.strip(), "no message on stderr", r)
    c.check(not r.out.strip(), "a report was printed all the same", r)


# --------------------------------------------------------- bad input ----

# Line numbers below are physical lines (1 = the header). B8's quoted topic
# holds a newline, so every record after it starts one line further down;
# a line break is a control character, which a dimension value may not
# hold (SPEC Conventions, input hygiene), so B8 is rejected.
BAD_TICKETS = (
    b"ticket_id,created_at,resolved_at,contacts,reopened,channel,topic\n"  # 1
    b"G1,2026-01-05T09:00:00Z,2026-01-05T10:00:00Z,1,0,email,billing\n"   # 2
    b"B1,2026-13-05T09:00:00Z,,1,0,email,billing\n"                       # 3
    b"G2,2026-01-06 09:00:00,,2,false,chat,\n"                            # 4
    b"B2,2026-01-07T09:00:00Z,2026-01-06T09:00:00Z,1,0,chat,\n"           # 5
    b"B3,2026-01-07T10:00:00Z,,two,0,chat,\n"                             # 6
    b"B4,2026-01-07T11:00:00Z,,1,maybe,chat,\n"                           # 7
    b"B5,2026-01-07T12:00:00Z,,1,0\n"                                     # 8
    b"B8,2026-01-08T09:00:00+07:00,,1,yes,\"web\",\"multi\n"              # 9
    b"line topic\"\n"                                                     # 10
    b"B6,2026-01-08T10:00:00Z,,1,0,ch\xff\xfeat,\n"                       # 11
    b"G4,2026-01-09T09:00:00Z,2026-01-09T09:30:00Z,1,1,phone,\"a, b\"\n"  # 12
    b"B7,2026-01-09T10:00:00Z,,1,0,\"phone,unterminated\n"                # 13
    b"more text\n")                                                       # 14

BAD_TICKETS_WANT = [
    (3, {2}, "created_at", "bad timestamp"),
    (5, {3}, "resolved_at", "resolved_at before created_at"),
    (6, {4}, "contacts", "contacts not an integer"),
    (7, {5}, "reopened", "bad boolean"),
    (8, {0}, None, "wrong field count"),
    (9, {7}, "topic", "line break in a dimension value"),
    (11, {6}, "channel", "invalid UTF-8"),
    # The record's extent is unknown: the whole-row form, or the column
    # where the quote opens.
    (13, {0, 6}, "channel", "unterminated quote"),
]


@test
def import_bad_ticket_rows(c):
    c.write("tickets.csv", BAD_TICKETS)
    r = c.import_("tickets", "tickets.csv")
    c.expect_rc(r, 1, "import with rejected rows")
    check_diags(c, r, "tickets.csv", BAD_TICKETS_WANT)
    c.expect_summary(r, 3, 8)
    c.check(c.count("created") == 3,
            "expected the 3 good tickets stored (created = 3)")
    # G1 and G4 are resolved; the rejected B2 (resolved) is not stored
    res = c.figure("resolved")
    c.check(isinstance(res, dict) and res.get("value") == 2,
            f"expected resolved = 2 (G1, G4), got {res}")


@test
def import_bad_response_scores(c):
    c.write("responses.csv",
            "response_id,survey,responded_at,score\n"   # 1
            "R1,csat,2026-01-05T09:00:00Z,5\n"          # 2 good
            "R2,csat,2026-01-05T10:00:00Z,6\n"          # 3 csat 1-5
            "R3,nps,2026-01-05T11:00:00Z,11\n"          # 4 nps 0-10
            "R4,ces,2026-01-05T12:00:00Z,0\n"           # 5 ces 1-7
            "R5,nps,2026-01-05T13:00:00Z,10\n"          # 6 good (top)
            "R6,ces,2026-01-05T14:00:00Z,7\n"           # 7 good (top)
            "R7,nps,2026-01-05T15:00:00Z,0\n"           # 8 good (bottom)
            "R8,csat,2026-01-05T16:00:00Z,1\n")         # 9 good (bottom)
    r = c.import_("responses", "responses.csv")
    c.expect_rc(r, 1, "import with scores outside their scale")
    check_diags(c, r, "responses.csv", [
        (3, {4}, "score", "csat 6 outside 1-5"),
        (4, {4}, "score", "nps 11 outside 0-10"),
        (5, {4}, "score", "ces 0 outside 1-7"),
    ])
    c.expect_summary(r, 5, 3)
    want = {"csat": (50.0, 2), "nps": (0.0, 2), "ces": (7.0, 1)}
    for m, (value, n) in want.items():
        f = c.figure(m)
        c.check(isinstance(f, dict) and f.get("n") == n
                and abs(f.get("value", 1e9) - value) < 0.01,
                f"{m}: expected value {value} with n {n} (scores outside "
                f"their scale not stored, never clamped), got {f}")


@test
def diag_line_is_record_start(c):
    c.write("t.csv",
            "ticket_id,created_at,topic,contacts\n"              # 1
            "T1,2026-01-01T00:00:00Z,\"multi\nline\",x\n"       # 2-3: col 4
            "T2,2026-01-01T00:00:00Z,a,1,extra\n"                # 4: 5 fields
            ",2026-01-01T00:00:00Z,a,1\n"                        # 5: no id
            "T4,2026-01-01T00:00:00Z,\"\n\n\",1\n"              # 6-8 good
            "T5,,a,1\n"                                          # 9: no time
            "T6,2026-01-01T00:00:00Z,a,3\n")                     # 10 good
    r = c.import_("tickets", "t.csv")
    c.expect_rc(r, 1, "import")
    check_diags(c, r, "t.csv", [
        (2, {4}, "contacts", "bad field after an embedded newline"),
        (4, {0}, None, "too many fields"),
        (5, {1}, "ticket_id", "required ticket_id empty"),
        (9, {2}, "created_at", "required created_at empty"),
    ])
    c.expect_summary(r, 2, 4)
    c.check(c.count("created") == 2, "expected created = 2 (T4, T6)")


@test
def import_custom_scale_bounds(c):
    c.write("r.csv",
            "response_id,survey,responded_at,score,scale\n"      # 1
            "R1,csat,2026-01-01T00:00:00Z,10,1-10\n"             # 2 good
            "R2,csat,2026-01-01T00:00:00Z,11,1-10\n"             # 3 above
            "R3,csat,2026-01-01T00:00:00Z,0,1-10\n"              # 4 below
            "R4,csat,2026-01-01T00:00:00Z,3,bogus\n"             # 5 scale
            "R5,csat,2026-01-01T00:00:00Z,4.5,\n"                # 6 integer
            "R6,ces,2026-01-01T00:00:00Z,5,1-5\n"                # 7 good
            "R7,csat,2026-01-01T00:00:00Z,1,1-10\n")             # 8 good
    r = c.import_("responses", "r.csv")
    c.expect_rc(r, 1, "import")
    check_diags(c, r, "r.csv", [
        (3, {4}, "score", "11 outside 1-10"),
        (4, {4}, "score", "0 outside 1-10"),
        (5, {5}, "scale", "not a scale"),
        (6, {4}, "score", "not an integer"),
    ])
    c.expect_summary(r, 3, 4)
    f = c.figure("csat")
    c.check(isinstance(f, dict) and f.get("value") == 50.0
            and f.get("n") == 2,
            f"expected csat 50 with n 2 (10 and 1 on 1-10), got {f}")


@test
def import_summary_thousands(c):
    lines = ["ticket_id,created_at"]
    for i in range(1234):
        lines.append(f"T{i},2026-01-{1 + i % 28:02d}T{i % 24:02d}:00:00Z")
    for i in range(5):
        lines.append(f"X{i},not a time")
    c.write("big.csv", "\n".join(lines) + "\n")
    r = c.import_("tickets", "big.csv")
    c.expect_rc(r, 1, "import with 5 bad rows")
    c.expect_summary(r, 1234, 5)
    c.check(len(diags(r.err, "big.csv")) == 5,
            "expected 5 diagnostics naming big.csv", r)
    c.check(c.count("created") == 1234, "expected created = 1234")


@test
def import_all_good(c):
    c.write("t.csv", "ticket_id,created_at\nT1,2026-01-01T00:00:00Z\n"
            "T2,2026-01-02T00:00:00Z\nT3,2026-01-03T00:00:00Z\n")
    r = c.import_("tickets", "t.csv")
    c.expect_rc(r, 0, "import of good rows")
    c.expect_summary(r, 3, 0)
    c.check(not diags(r.err, "t.csv"), "diagnostics for good rows", r)


@test
def import_header_missing_required_column(c):
    c.write("base.csv", "ticket_id,created_at\nT1,2026-01-01T00:00:00Z\n"
            "T2,2026-01-02T00:00:00Z\n")
    c.expect_rc(c.import_("tickets", "base.csv"), 0, "base import")
    c.write("nohdr.csv", "ticket_id,resolved_at,channel\n"
            "T3,2026-01-03T00:00:00Z,email\nT4,,chat\n")
    r = c.import_("tickets", "nohdr.csv")
    c.expect_rc(r, 1, "header without created_at")
    c.check("nohdr.csv" in r.err, "stderr does not name the file", r)
    c.check("created_at" in r.err, "stderr does not name created_at", r)
    c.check(c.count("created") == 2, "the store changed (expected 2)")
    # one transaction: a good file imported along with it is not stored
    c.write("good.csv", "ticket_id,created_at\nT5,2026-01-05T00:00:00Z\n")
    r = c.import_("tickets", "good.csv", "nohdr.csv")
    c.expect_rc(r, 1, "good file + header without created_at")
    c.check(c.count("created") == 2,
            "good.csv was stored although the import failed (expected 2)")
    # responses: each required column
    for col in ("response_id", "survey", "responded_at"):
        cols = [x for x in ("response_id", "survey", "responded_at", "score")
                if x != col]
        vals = {"response_id": "R1", "survey": "csat",
                "responded_at": "2026-01-01T00:00:00Z", "score": "5"}
        c.write(f"r_{col}.csv", ",".join(cols) + "\n"
                + ",".join(vals[x] for x in cols) + "\n")
        r = c.import_("responses", f"r_{col}.csv")
        c.expect_rc(r, 1, f"responses header without {col}")
        c.check(col in r.err, f"stderr does not name {col}", r)
    c.check(c.figure("csat") is None, "a response was stored")


@test
def import_missing_file(c):
    c.write("good.csv", "ticket_id,created_at\nT1,2026-01-01T00:00:00Z\n")
    r = c.import_("tickets", "does-not-exist.csv")
    c.expect_rc(r, 1, "a file that does not exist")
    c.check("does-not-exist.csv" in r.err, "stderr does not name the file",
            r)
    # one transaction: nothing of the readable file is stored either
    r = c.import_("tickets", "good.csv", "does-not-exist.csv")
    c.expect_rc(r, 1, "a good file and one that does not exist")
    c.check(c.count("created") is None,
            "good.csv was stored although the import failed")


@test
def import_strict(c):
    c.write("base.csv", "ticket_id,created_at\nT1,2026-01-01T00:00:00Z\n"
            "T2,2026-01-02T00:00:00Z\n")
    c.write("one_bad.csv", "ticket_id,created_at,contacts\n"
            "T3,2026-01-03T00:00:00Z,1\n"
            "T4,2026-01-04T00:00:00Z,1\n"
            "T5,2026-01-05T00:00:00Z,lots\n"           # line 4, column 3
            "T6,2026-01-06T00:00:00Z,2\n")
    # on an empty store
    r = c.import_("tickets", "one_bad.csv", strict=True)
    c.expect_rc(r, 1, "--strict with a bad row")
    check_diags(c, r, "one_bad.csv", [(4, {3}, "contacts", "contacts")])
    c.expect_summary(r, 0, 1, "--strict summary (nothing stored)")
    c.check(c.count("created") is None,
            "--strict stored rows although one was rejected")
    # on a store holding data: that data stays, nothing is added
    c.expect_rc(c.import_("tickets", "base.csv"), 0, "base import")
    r = c.import_("tickets", "one_bad.csv", strict=True)
    c.expect_rc(r, 1, "--strict with a bad row")
    c.check(c.count("created") == 2,
            "--strict changed the store (expected created = 2)")
    # without --strict the good rows go in
    r = c.import_("tickets", "one_bad.csv")
    c.expect_rc(r, 1, "the same file without --strict")
    c.expect_summary(r, 3, 1)
    c.check(c.count("created") == 5, "expected created = 5")


@test
def import_strict_all_good(c):
    c.write("t.csv", "ticket_id,created_at\nT1,2026-01-01T00:00:00Z\n")
    r = c.import_("tickets", "t.csv", strict=True)
    c.expect_rc(r, 0, "--strict with good rows")
    c.expect_summary(r, 1, 0)
    c.check(c.count("created") == 1, "expected created = 1")


@test
def reimport_is_idempotent(c):
    c.write("t.csv", "ticket_id,created_at,resolved_at,contacts\n"
            "T1,2026-01-01T00:00:00Z,2026-01-01T02:00:00Z,1\n"
            "T2,2026-01-02T00:00:00Z,,\n"
            "T3,2026-01-03T00:00:00Z,2026-01-04T00:00:00Z,3\n")
    c.write("r.csv", "response_id,survey,responded_at,score\n"
            "R1,csat,2026-01-01T05:00:00Z,5\nR2,csat,2026-01-02T05:00:00Z,2\n")
    args = ["--metrics", "created,resolved,backlog,fcr,art,csat", *WIDE]
    outs, summaries = [], []
    for i in range(2):
        r1 = c.import_("tickets", "t.csv")
        r2 = c.import_("responses", "r.csv")
        c.expect_rc(r1, 0, f"tickets import #{i + 1}")
        c.expect_rc(r2, 0, f"responses import #{i + 1}")
        summaries.append((r1.out, r2.out))
        j, _ = c.report_json(*args)
        outs.append(j)
    c.check(summaries[0] == summaries[1],
            f"the summaries differ: {summaries[0]!r} then {summaries[1]!r}")
    c.check(outs[0] == outs[1] and outs[0] is not None,
            f"the report changed after the same import:\n  {outs[0]}\n  "
            f"{outs[1]}")
    c.check(c.count("created") == 3, "expected created = 3")


@test
def later_row_replaces_earlier(c):
    # within one file: the second T1 wins
    c.write("same_file.csv", "ticket_id,created_at,resolved_at,channel\n"
            "T1,2026-01-05T00:00:00Z,,email\n"
            "T1,2026-01-05T00:00:00Z,2026-01-05T06:00:00Z,chat\n")
    c.expect_rc(c.import_("tickets", "same_file.csv"), 0, "import")
    c.check(c.count("created") == 1, "expected created = 1 (one T1)")
    c.check(c.count("resolved") == 1,
            "expected resolved = 1 (the later T1 is resolved)")
    j, _ = c.report_json("--metrics", "created", "--by", "channel", *WIDE)
    c.check(j is not None and set(rows_by(j, "channel")) == {"chat"},
            f"expected one row, channel chat (the later T1); got {j}")
    # across imports
    c.write("t1_email_open.csv", "ticket_id,created_at,resolved_at,channel\n"
            "T2,2026-01-06T00:00:00Z,,email\n")
    c.write("t1_phone_done.csv", "ticket_id,created_at,resolved_at,channel\n"
            "T2,2026-01-06T00:00:00Z,2026-01-06T01:00:00Z,phone\n")
    c.expect_rc(c.import_("tickets", "t1_email_open.csv"), 0, "import")
    c.check(c.count("resolved") == 1, "expected resolved = 1 before")
    c.expect_rc(c.import_("tickets", "t1_phone_done.csv"), 0, "import")
    c.check(c.count("created") == 2, "expected created = 2")
    c.check(c.count("resolved") == 2, "expected resolved = 2 after T2 "
            "was replaced by its resolved row")
    j, _ = c.report_json("--metrics", "created", "--by", "channel", *WIDE)
    c.check(j is not None and set(rows_by(j, "channel")) == {"chat",
                                                             "phone"},
            f"expected channels chat and phone only; got {j}")
    # a response replaced: csat goes from 0 to 100
    c.write("r_a.csv", "response_id,survey,responded_at,score\n"
            "R1,csat,2026-01-05T00:00:00Z,1\n")
    c.write("r_b.csv", "response_id,survey,responded_at,score\n"
            "R1,csat,2026-01-05T00:00:00Z,5\n")
    c.expect_rc(c.import_("responses", "r_a.csv"), 0, "import")
    f = c.figure("csat")
    c.check(isinstance(f, dict) and f.get("value") == 0.0, f"csat {f}")
    c.expect_rc(c.import_("responses", "r_b.csv"), 0, "import")
    f = c.figure("csat")
    c.check(isinstance(f, dict) and f.get("value") == 100.0
            and f.get("n") == 1,
            f"expected csat 100 with n 1 after the replacement, got {f}")


@test
def rejected_row_never_replaces(c):
    c.write("good.csv", "ticket_id,created_at,resolved_at,contacts,channel\n"
            "T1,2026-01-05T00:00:00Z,2026-01-05T03:00:00Z,1,email\n")
    c.expect_rc(c.import_("tickets", "good.csv"), 0, "import")
    c.write("bad.csv", "ticket_id,created_at,resolved_at,contacts,channel\n"
            "T1,2026-01-05T00:00:00Z,,many,chat\n")
    r = c.import_("tickets", "bad.csv")
    c.expect_rc(r, 1, "the bad replacement")
    c.check(c.count("resolved") == 1,
            "the rejected row replaced the stored T1 (resolved no longer 1)")
    j, _ = c.report_json("--metrics", "created", "--by", "channel", *WIDE)
    c.check(j is not None and set(rows_by(j, "channel")) == {"email"},
            f"expected channel email only (the stored T1); got {j}")
    # within one file: a good row, then a bad row with the same id
    c.write("mixed.csv", "ticket_id,created_at,resolved_at,contacts,channel\n"
            "T2,2026-01-06T00:00:00Z,,1,phone\n"
            "T2,2026-01-06T00:00:00Z,2026-01-05T00:00:00Z,1,web\n")
    r = c.import_("tickets", "mixed.csv")
    c.expect_rc(r, 1, "a good row, then a bad one with the same id")
    j, _ = c.report_json("--metrics", "created", "--by", "channel", *WIDE)
    c.check(j is not None and set(rows_by(j, "channel")) == {"email",
                                                             "phone"},
            f"expected channels email and phone; got {j}")
    # a response
    c.write("r.csv", "response_id,survey,responded_at,score\n"
            "R1,csat,2026-01-05T00:00:00Z,5\n")
    c.write("r_bad.csv", "response_id,survey,responded_at,score\n"
            "R1,csat,2026-01-05T00:00:00Z,9\n")
    c.expect_rc(c.import_("responses", "r.csv"), 0, "import")
    c.expect_rc(c.import_("responses", "r_bad.csv"), 1, "bad response")
    f = c.figure("csat_mean")
    c.check(isinstance(f, dict) and f.get("value") == 5.0,
            f"expected csat_mean 5 (the stored R1), got {f}")


# ------------------------------------------------------- CSV dialects ---

@test
def csv_bom(c):
    c.write("t.csv", b"\xef\xbb\xbfticket_id,created_at\n"
            b"T1,2026-01-01T00:00:00Z\nT2,2026-01-02T00:00:00Z\n")
    r = c.import_("tickets", "t.csv")
    c.expect_rc(r, 0, "a file with a UTF-8 BOM")
    c.expect_summary(r, 2, 0)
    c.check(c.count("created") == 2, "expected created = 2")


@test
def csv_crlf(c):
    # A CRLF inside quotes is one line: T3 starts on line 5. A line break
    # in a dimension value is a control character (SPEC Conventions), so
    # T2 is rejected, charged to its channel.
    c.write("t.csv", b"ticket_id,created_at,channel\r\n"              # 1
            b"T1,2026-01-01T00:00:00Z,email\r\n"                      # 2
            b"T2,2026-01-02T00:00:00Z,\"two\r\nlines\"\r\n"           # 3-4
            b"T3,2026-01-03T00:00:00Z,chat\r\n"                       # 5
            b"T4,yesterday,chat\r\n")                                 # 6
    r = c.import_("tickets", "t.csv")
    c.expect_rc(r, 1, "CRLF file with two bad rows")
    check_diags(c, r, "t.csv", [(3, {3}, "channel", "line break in a key"),
                                (6, {2}, "created_at", "bad timestamp")])
    c.expect_summary(r, 2, 2)
    j, _ = c.report_json("--metrics", "created", "--by", "channel", *WIDE)
    chans = set(rows_by(j, "channel"))
    c.check(chans == {"email", "chat"},
            f"expected channels email and chat (no stray CR); got "
            f"{sorted(chans)}")


@test
def csv_bom_and_crlf(c):
    c.write("r.csv", b"\xef\xbb\xbfresponse_id,survey,responded_at,score\r\n"
            b"R1,csat,2026-01-01T00:00:00Z,5\r\n"
            b"R2,csat,2026-01-02T00:00:00Z,4\r\n"
            b"R3,csat,2026-01-03T00:00:00Z,1\r\n")
    r = c.import_("responses", "r.csv")
    c.expect_rc(r, 0, "BOM + CRLF")
    f = c.figure("csat")
    c.check(isinstance(f, dict) and f.get("n") == 3
            and abs(f.get("value", 0) - 66.666667) < 0.01,
            f"expected csat 66.67 with n 3, got {f}")


@test
def csv_column_order_case_and_extra_columns(c):
    c.write("t.csv", "Channel,Extra_Col,CREATED_AT,Resolved_AT,notes,"
            "TICKET_ID\n"
            "email,x,2026-01-01T00:00:00Z,2026-01-01T01:00:00Z,\"a, b\",T1\n"
            "chat,y,2026-01-02T00:00:00Z,,,T2\n")
    r = c.import_("tickets", "t.csv")
    c.expect_rc(r, 0, "columns reordered, upper case, extra columns")
    c.expect_summary(r, 2, 0)
    c.check(c.count("created") == 2, "expected created = 2")
    c.check(c.count("resolved") == 1, "expected resolved = 1")
    j, _ = c.report_json("--metrics", "created", "--by", "channel", *WIDE)
    c.check(j is not None and set(rows_by(j, "channel")) == {"email",
                                                             "chat"},
            f"expected channels email and chat; got {j}")
    art = c.figure("art")
    c.check(isinstance(art, dict) and art.get("value") == 3600.0,
            f"expected art 3600 s, got {art}")
    c.write("r.csv", "SCORE,Comment,Survey,RESPONDED_AT,Response_Id\n"
            "5,great,CSAT,2026-01-01T00:00:00Z,R1\n"
            "2,meh,csat,2026-01-02T00:00:00Z,R2\n")
    r = c.import_("responses", "r.csv")
    c.expect_rc(r, 0, "responses with reordered, mixed-case columns")
    f = c.figure("csat")
    c.check(isinstance(f, dict) and f.get("value") == 50.0
            and f.get("n") == 2, f"expected csat 50 with n 2, got {f}")


# ------------------------------------------------------------- formats --

def formula_store(c):
    c.write("r.csv",
            "response_id,survey,responded_at,score,channel\n"
            "R1,csat,2026-01-01T00:00:00Z,5,email\n"
            "R2,csat,2026-01-02T00:00:00Z,5,"
            "\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"\n"
            "R3,csat,2026-01-03T00:00:00Z,1,@SUM(A1)\n"
            "R4,csat,2026-01-04T00:00:00Z,4,+cmd\n"
            "R5,csat,2026-01-05T00:00:00Z,2,-1+2\n"
            "R6,csat,2026-01-06T00:00:00Z,3,\"a,b\"\n")
    c.expect_rc(c.import_("responses", "r.csv"), 0, "import")


@test
def format_csv(c):
    formula_store(c)
    r = c.run("report", "--db", c.db, "--metrics", "csat", "--by", "channel",
              "--format", "csv", *WIDE)
    if not c.expect_rc(r, 0, "--format csv"):
        return
    rows = list(csv.reader(io.StringIO(r.out)))
    want_hdr = ["channel", "metric", "value", "n", "lo", "hi", "low_n",
                "median", "p90"]
    c.check(rows and rows[0] == want_hdr,
            f"expected the header {','.join(want_hdr)}", r)
    body = rows[1:]
    chans = {row[0]: row for row in body if row}
    want = {
        "email": 100.0,
        "'=HYPERLINK(\"http://evil.example\",\"x\")": 100.0,
        "'@SUM(A1)": 0.0,
        "'+cmd": 100.0,
        "'-1+2": 0.0,
        "a,b": 0.0,
    }
    c.check(set(chans) == set(want),
            f"expected the channel values {sorted(want)}, got "
            f"{sorted(chans)}", r)
    for ch, value in want.items():
        row = chans.get(ch)
        if not row or len(row) != len(want_hdr):
            continue
        c.check(row[1] == "csat", f"{ch}: metric column {row[1]!r}", r)
        try:
            ok = abs(float(row[2]) - value) < 0.01 and row[3] == "1"
        except ValueError:
            ok = False
        c.check(ok, f"{ch}: expected value {value} and n 1, got {row}", r)
    for row in body:
        c.check(not row or not row[0] or row[0][0] not in "=+-@\t\r",
                f"a dimension value starts with a formula character: "
                f"{row[0]!r}", r)


@test
def format_table(c):
    small_store(c)
    c.write("r2.csv", "response_id,survey,responded_at,score\n"
            "N1,nps,2026-01-05T11:00:00Z,10\nN2,csat,2026-01-05T12:00:00Z,2\n")
    c.expect_rc(c.import_("responses", "r2.csv"), 0, "import")
    for fmt in (["--format", "table"], []):
        r = c.run("report", "--db", c.db, "--metrics", "csat,nps", *fmt,
                  *WIDE)
        what = " ".join(fmt) or "the default format"
        if not c.expect_rc(r, 0, what):
            continue
        c.check(r.out.strip() and not r.out.lstrip().startswith("{"),
                f"{what}: expected a table, not JSON", r)
        c.check("csat" in r.out.lower(), f"{what}: csat not named", r)
        c.check("50" in r.out and "%" in r.out,
                f"{what}: expected csat 50 shown with %", r)


@test
def format_json_shape(c):
    small_store(c)
    j, r = c.report_json("--metrics", "csat,created", "--from", "2026-01-01",
                         "--to", "2026-02-01")
    if j is None:
        return
    c.check(j.get("from") == "2026-01-01T00:00:00Z"
            and j.get("to") == "2026-02-01T00:00:00Z"
            and j.get("tz") == "UTC" and j.get("by") == [],
            "from/to/tz/by as in SPEC §4", r)
    c.check(j.get("rows") == [{
        "csat": {"value": 100.0, "n": 1, "lo": j["rows"][0]["csat"]["lo"],
                 "hi": 100.0, "low_n": True},
        "created": {"value": 1}}] if j.get("rows") else False,
        "expected one row {csat: {...}, created: {value: 1}}", r)


# --------------------------------------------------- inapplicable dims --

@test
def metric_not_applicable_to_breakdown(c):
    c.write("t.csv", "ticket_id,created_at\nT1,2026-01-05T00:00:00Z\n"
            "T2,2026-01-06T00:00:00Z\n")
    c.write("r.csv", "response_id,survey,responded_at,score,language\n"
            "R1,csat,2026-01-05T10:00:00Z,5,en\n"
            "R2,csat,2026-01-05T11:00:00Z,1,vi\n")
    c.expect_rc(c.import_("tickets", "t.csv"), 0, "import")
    c.expect_rc(c.import_("responses", "r.csv"), 0, "import")
    r = c.run("report", "--db", c.db, "--metrics", "created", "--by",
              "language", "--format", "json", *WIDE)
    c.expect_rc(r, 2, "--metrics created --by language")
    c.check("created" in r.err, "stderr has no warning naming created", r)
    r = c.run("report", "--db", c.db, "--metrics", "csat,created", "--by",
              "language", "--format", "json", *WIDE)
    if not c.expect_rc(r, 0, "--metrics csat,created --by language"):
        return
    c.check("created" in r.err, "stderr has no warning naming created", r)
    try:
        j = json.loads(r.out)
    except ValueError:
        c.fail("output is not JSON", r)
        return
    rows = rows_by(j, "language")
    c.check(set(rows) == {"en", "vi"},
            f"expected rows en and vi, got {sorted(rows)}", r)
    for lang, row in rows.items():
        c.check("created" in row and row["created"] is None,
                f"{lang}: expected created null", r)
        c.check(isinstance(row.get("csat"), dict),
                f"{lang}: expected a csat figure", r)


# ---------------------------------------------------------- the store ---

@test
def db_in_unwritable_place(c):
    c.write("t.csv", "ticket_id,created_at\nT1,2026-01-05T00:00:00Z\n")
    c.write("afile", "x")
    places = [os.path.join(c.dir, "no", "such", "dir", "x.db"),
              os.path.join(c.dir, "afile", "x.db"),
              c.dir]
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        ro = c.path("readonly")
        os.makedirs(ro)
        os.chmod(ro, 0o555)
        places.append(os.path.join(ro, "x.db"))
    for db in places:
        r = c.run("import", "--db", db, "tickets", "t.csv")
        c.expect_rc(r, 3, f"import --db {db}")
        c.check(r.err.strip(), "no message on stderr", r)
        r = c.run("report", "--db", db, "--metrics", "created")
        c.expect_rc(r, 3, f"report --db {db}")
    c.write("garbage.db", b"this is not an SQLite database\n" * 100)
    r = c.run("report", "--db", c.path("garbage.db"), "--metrics", "created")
    c.expect_rc(r, 3, "report on a file that is not a store")


@test
def cxmeter_db_env(c):
    c.write("work/t.csv", "ticket_id,created_at\nT1,2026-01-05T00:00:00Z\n")
    work = c.path("work")
    env = dict(c.env)
    env["CXMETER_DB"] = c.path("env.db")
    r = c.run("import", "tickets", "t.csv", env=env, cwd=work)
    c.expect_rc(r, 0, "import with CXMETER_DB")
    c.check(os.path.exists(c.path("env.db")), "CXMETER_DB file not created")
    c.check(not os.path.exists(os.path.join(work, "cxmeter.db")),
            "./cxmeter.db created although CXMETER_DB is set")
    r = c.run("report", "--format", "json", "--metrics", "created", *WIDE,
              env=env, cwd=work)
    c.expect_rc(r, 0, "report with CXMETER_DB")
    c.check('"created": {"value": 1}' in r.out.replace("\n", ""),
            "report did not read CXMETER_DB", r)
    # --db wins over CXMETER_DB
    r = c.run("import", "--db", c.path("other.db"), "tickets", "t.csv",
              env=env, cwd=work)
    c.expect_rc(r, 0, "import --db with CXMETER_DB set")
    c.check(os.path.exists(c.path("other.db")), "--db file not created")
    # neither: ./cxmeter.db
    r = c.run("import", "tickets", "t.csv", cwd=work)
    c.expect_rc(r, 0, "import without --db or CXMETER_DB")
    c.check(os.path.exists(os.path.join(work, "cxmeter.db")),
            "./cxmeter.db not created")


@test
def demo_data(c):
    r = c.run("demo-data", "--seed", "2", "--tickets", "60", "--out", "d1")
    c.expect_rc(r, 0, "demo-data")
    kinds = ["tickets", "responses", "customers", "orders", "selfservice",
             "agents", "agent_hours", "reviews", "qa_scores"]
    for k in kinds:
        c.check(os.path.isfile(c.path(f"d1/{k}.csv")), f"d1/{k}.csv missing")
    r = c.run("demo-data", "--seed", "2", "--tickets", "60", "--out", "d2")
    c.expect_rc(r, 0, "demo-data again")
    for k in kinds:
        try:
            with open(c.path(f"d1/{k}.csv"), "rb") as a, \
                    open(c.path(f"d2/{k}.csv"), "rb") as b:
                c.check(a.read() == b.read(),
                        f"{k}.csv differs between two runs with seed 2")
        except OSError:
            pass
    r = c.import_("tickets", "d1/tickets.csv")
    c.expect_rc(r, 0, "import of the demo tickets")
    c.check(c.count("created") == 60, "expected created = 60")
    r = c.run("demo-data", "--seed", "2")
    c.expect_rc(r, 2, "demo-data without --out")


# ---------------------------------------------------------------- main --

# ------------------------------------------------------------ definitions --
# `cxmeter definitions show|set|history` and how each definition changes a
# report (docs/report-semantics.md, "Definitions"). Every expected number
# is worked out by hand in the comment above it.

MARCH = ["--from", "2026-03-01", "--to", "2026-04-01"]


def defs_set(c, *kv, by="tester", note=None, what=None):
    argv = ["definitions", "--db", c.db, "set", *kv, "--by", by]
    if note:
        argv += ["--note", note]
    r = c.run(*argv)
    c.expect_rc(r, 0, what or "definitions set " + " ".join(kv))
    return r


def value_of(c, metric, *args, what=None):
    """`metric`'s value over March (None when null, 'ERR' on failure)."""
    j, r = c.report_json("--metrics", metric, *MARCH, *args,
                         what=what or metric)
    if j is None or len(j.get("rows", [])) != 1:
        return "ERR"
    f = j["rows"][0].get(metric)
    return None if f is None else f.get("value")


def close(a, b):
    return isinstance(a, (int, float)) and abs(a - b) < 0.01


@test
def definitions_help(c):
    for argv in (["definitions", "--help"], ["definitions", "-h"],
                 ["help", "definitions"], ["definitions", "set", "--help"]):
        r = c.run(*argv)
        c.expect_rc(r, 0, " ".join(argv))
        c.check(re.search(r"usage:\s*cxmeter definitions", r.out),
                "`usage: cxmeter definitions` not on stdout", r)
        c.check("fcr.rule" in r.out and "calendar." in r.out,
                "the help does not list the keys", r)
    r = c.run("--help")
    c.check("definitions" in r.out, "the top-level help lacks definitions",
            r)


@test
def definitions_show_set_history(c):
    r = c.run("definitions", "--db", c.db, "show")
    c.expect_rc(r, 3, "show without a store")
    c.check(f"no store at {c.db}" in r.err, "the missing store not named", r)
    c.write("t.csv", "ticket_id,created_at\nT1,2026-01-05T00:00:00Z\n")
    c.expect_rc(c.import_("tickets", "t.csv"), 0, "import")
    r = c.run("definitions", "--db", c.db, "show")
    c.expect_rc(r, 0, "show with nothing set")
    c.check("version 1" in r.out and "top2" in r.out
            and "contacts" in r.out, "expected version 1, the defaults", r)
    r = defs_set(c, "csat.satisfied", "5", "fcr.rule", "one_touch",
                 by="ana", note="match Zendesk")
    c.check("version 2" in r.out, "set does not name the new version", r)
    c.check("csat.satisfied: top2 -> 5" in r.out
            and "fcr.rule: contacts -> one_touch" in r.out,
            "set does not list what changed", r)
    env = dict(c.env, USER="bo")
    r = c.run("definitions", "--db", c.db, "set", "ces.agree", "6,7",
              env=env)
    c.expect_rc(r, 0, "set without --by")
    r = c.run("definitions", "--db", c.db, "show", "--format", "json")
    c.expect_rc(r, 0, "show --format json")
    try:
        j = json.loads(r.out)
    except ValueError:
        j = {}
        c.fail("show --format json is not JSON", r)
    c.check(j.get("version") == 3 and j.get("set_by") == "bo"
            and j.get("csat.satisfied") == "5"
            and j.get("ces.agree") == "6,7"
            and j.get("fcr.rule") == "one_touch"
            and j.get("fcr.repeat_days") == 7
            and j.get("rating.agent") == "response"
            and re.match(r"\d{4}-\d\d-\d\dT", j.get("set_at") or ""),
            "expected version 3 set by $USER with every setting", r)
    r = c.run("definitions", "--db", c.db, "show", "--version", "2",
              "--format", "json")
    j = json.loads(r.out) if r.rc == 0 else {}
    c.check(j.get("version") == 2 and j.get("set_by") == "ana"
            and j.get("note") == "match Zendesk"
            and j.get("ces.agree") == "above_mid",
            "show --version 2: the version as it was stored", r)
    r = c.run("definitions", "--db", c.db, "show", "--version", "1",
              "--format", "json")
    j = json.loads(r.out) if r.rc == 0 else {}
    c.check(j.get("version") == 1 and j.get("csat.satisfied") == "top2"
            and j.get("set_by") is None, "version 1: the SPEC defaults", r)
    r = c.run("definitions", "--db", c.db, "history")
    c.expect_rc(r, 0, "history")
    lines = r.out.splitlines()
    c.check(any(l.startswith("version 1") for l in lines)
            and any(l.startswith("version 2") and "by ana: match Zendesk"
                    in l for l in lines)
            and any(l.startswith("version 3") and "by bo" in l
                    for l in lines)
            and "  ces.agree: above_mid -> 6,7" in lines,
            "history: every version with who, why and what changed", r)
    r = c.run("definitions", "--db", c.db, "history", "--format", "json")
    j = json.loads(r.out) if r.rc == 0 else []
    c.check([v.get("version") for v in j] == [1, 2, 3],
            "history --format json: one element per version", r)


@test
def definitions_usage_and_bad_values(c):
    for argv, rc in ((["definitions"], 2), (["definitions", "frob"], 2),
                     (["definitions", "set", "csat.satisfied"], 2),
                     (["definitions", "set", "nope", "1"], 2),
                     (["definitions", "show", "--version", "x"], 2),
                     (["definitions", "show", "--format", "csv"], 2),
                     (["definitions", "history", "--version", "2"], 2),
                     (["definitions", "set", "fcr.rule", "bogus"], 1),
                     (["definitions", "set", "fcr.repeat_days", "0"], 1),
                     (["definitions", "set", "calendar.support",
                       "tz=Nowhere/Land; hours=mon 09:00-17:00"], 1),
                     (["definitions", "show", "--version", "7"], 1),
                     (["report", "--definitions", "7", *MARCH], 1),
                     (["report", "--definitions", "x", *MARCH], 2)):
        r = c.run(argv[0], "--db", c.db, *argv[1:])
        c.expect_rc(r, rc, " ".join(argv))
        c.check(r.err.strip(), "no message on stderr", r)
    r = c.run("definitions", "--db", c.db, "set", "fcr.rule", "bogus")
    c.check("fcr.rule" in r.err and "one_touch" in r.err,
            "the message names the key and what it takes", r)
    # A refused set stores nothing: still only version 1.
    r = c.run("definitions", "--db", c.db, "history", "--format", "json")
    c.check(r.rc == 0 and len(json.loads(r.out)) == 1,
            "a refused set stored a version", r)


@test
def report_names_definitions(c):
    small_store(c)
    j, r = c.report_json("--metrics", "csat", *WIDE)
    d = (j or {}).get("definitions") or {}
    c.check(d.get("version") == 1 and d.get("csat.satisfied") == "top2"
            and d.get("fcr.rule") == "contacts",
            "JSON: definitions version 1 and its settings", r)
    defs_set(c, "exclude.status", "spam")
    j, r = c.report_json("--metrics", "csat", *WIDE)
    d = (j or {}).get("definitions") or {}
    c.check(d.get("version") == 2 and d.get("exclude.status") == "spam"
            and d.get("set_by") == "tester",
            "JSON: the current definitions, version 2", r)
    j, r = c.report_json("--metrics", "csat", "--definitions", "1", *WIDE)
    c.check(((j or {}).get("definitions") or {}).get("version") == 1,
            "--definitions 1: computed with and named version 1", r)
    r = c.run("report", "--db", c.db, "--metrics", "csat", *WIDE)
    c.check(r.rc == 0 and "definitions version 2" in r.out.splitlines()[0],
            "table: the header line names the version", r)
    r = c.run("report", "--db", c.db, "--metrics", "csat", "--format", "csv",
              *WIDE)
    lines = r.out.splitlines()
    c.check(r.rc == 0 and lines[:2] == [
        "# definitions version 2", "metric,value,n,lo,hi,low_n,median,p90"],
        "CSV: a first comment line names version 2", r)


@test
def definitions_csat_and_ces_points(c):
    c.write("r.csv", "response_id,survey,responded_at,score,scale\n"
            "S1,csat,2026-03-02T10:00:00Z,5,\nS2,csat,2026-03-02T10:00:00Z,5,\n"
            "S3,csat,2026-03-02T10:00:00Z,4,\nS4,csat,2026-03-02T10:00:00Z,4,\n"
            "S5,csat,2026-03-02T10:00:00Z,3,\n"
            "E1,ces,2026-03-03T10:00:00Z,7,1-7\nE2,ces,2026-03-03T10:00:00Z,6,1-7\n"
            "E3,ces,2026-03-03T10:00:00Z,5,1-7\nE4,ces,2026-03-03T10:00:00Z,4,1-7\n"
            "E5,ces,2026-03-03T10:00:00Z,4,1-5\n")
    c.expect_rc(c.import_("responses", "r.csv"), 0, "import")
    # Default: 4–5 of 5 answers = 80 %; satisfied = 5 only: 2/5 = 40 %.
    v = value_of(c, "csat")
    c.check(close(v, 80.0), f"csat by default: expected 80, got {v}")
    defs_set(c, "csat.satisfied", "5")
    v = value_of(c, "csat")
    c.check(close(v, 40.0), f"csat.satisfied=5: expected 40, got {v}")
    # CES agree by default: 5–7 of 1–7 (7, 6, 5) and 4–5 of 1–5 (4) = 4/5
    # = 80 %; agree = 6,7: 7 and 6 = 2/5 = 40 %. The mean is unchanged.
    v = value_of(c, "ces_agree")
    c.check(close(v, 80.0), f"ces_agree by default: expected 80, got {v}")
    defs_set(c, "ces.agree", "6,7")
    v = value_of(c, "ces_agree")
    c.check(close(v, 40.0), f"ces.agree=6,7: expected 40, got {v}")
    v = value_of(c, "ces")
    c.check(close(v, 5.2), f"ces mean: expected 26/5 = 5.2, got {v}")
    # The earlier versions still give the earlier figures.
    v = value_of(c, "csat", "--definitions", "1")
    c.check(close(v, 80.0), f"--definitions 1: expected 80, got {v}")


FCR_TICKETS = (
    "ticket_id,created_at,resolved_at,customer_id,contacts,replies,reopened\n"
    "T1,2026-03-01T10:00:00Z,2026-03-02T10:00:00Z,C1,1,3,0\n"
    "T2,2026-03-05T10:00:00Z,2026-03-06T10:00:00Z,C1,2,1,0\n"
    "T3,2026-03-10T10:00:00Z,2026-03-11T10:00:00Z,C2,1,0,0\n"
    "T4,2026-03-20T10:00:00Z,2026-03-21T10:00:00Z,C2,1,1,1\n")


@test
def definitions_fcr_rules(c):
    c.write("t.csv", FCR_TICKETS)
    c.expect_rc(c.import_("tickets", "t.csv"), 0, "import")
    # contacts (SPEC): T1 yes, T2 no (2 contacts), T3 yes, T4 no
    # (reopened) = 50 %.
    v = value_of(c, "fcr")
    c.check(close(v, 50.0), f"fcr contacts: expected 50, got {v}")
    # one_touch: fewer than 2 replies: T1 no (3), T2, T3, T4 yes = 75 %.
    defs_set(c, "fcr.rule", "one_touch")
    v = value_of(c, "fcr")
    c.check(close(v, 75.0), f"fcr one_touch: expected 75, got {v}")
    # repeat_contact, 7 days: T1 no (T2 of C1 created 03-05, within
    # [03-01, 03-02 + 7 d]); T2 yes; T3 yes (T4 created 03-20 is after
    # 03-11 + 7 d = 03-18); T4 no (reopened) = 50 %.
    defs_set(c, "fcr.rule", "repeat_contact")
    v = value_of(c, "fcr")
    c.check(close(v, 50.0), f"fcr repeat_contact 7 d: expected 50, got {v}")
    # 10 days: T3's window ends 03-21, T4 (03-20) is a repeat: 1/4 = 25 %.
    defs_set(c, "fcr.repeat_days", "10")
    v = value_of(c, "fcr")
    c.check(close(v, 25.0), f"fcr repeat_contact 10 d: expected 25, got {v}")


@test
def definitions_exclusions(c):
    c.write("t.csv", "ticket_id,created_at,status,tags\n"
            "T1,2026-03-02T10:00:00Z,solved,\n"
            "T2,2026-03-02T11:00:00Z,Spam,\n"
            "T3,2026-03-02T12:00:00Z,solved,vip auto_resolved\n"
            "T4,2026-03-02T13:00:00Z,merged,\n")
    c.write("r.csv", "response_id,survey,responded_at,score,ticket_id\n"
            "R1,csat,2026-03-03T10:00:00Z,5,T1\n"
            "R2,csat,2026-03-03T10:00:00Z,1,T2\n"
            "R3,csat,2026-03-03T10:00:00Z,1,T3\n")
    c.expect_rc(c.import_("tickets", "t.csv"), 0, "import tickets")
    c.expect_rc(c.import_("responses", "r.csv"), 0, "import responses")
    v = value_of(c, "created")
    c.check(v == 4, f"created by default: expected 4, got {v}")
    # Status (case-insensitive): T2 and T4 go; the answer about T2 too:
    # csat 1 of 2 answers (R1 5, R3 1) = 50 %.
    defs_set(c, "exclude.status", "spam,merged")
    v = value_of(c, "created")
    c.check(v == 2, f"exclude.status spam,merged: expected 2, got {v}")
    v = value_of(c, "csat")
    c.check(close(v, 50.0), f"csat without spam: expected 50, got {v}")
    # Tag auto_resolved (T3, tags space-separated) goes as well: 1 ticket,
    # csat 1/1 = 100 %.
    defs_set(c, "exclude.tags", "auto_resolved")
    v = value_of(c, "created")
    c.check(v == 1, f"exclude.tags auto_resolved: expected 1, got {v}")
    v = value_of(c, "csat")
    c.check(close(v, 100.0), f"csat: expected 100, got {v}")


@test
def definitions_exclusions_zendesk_tags(c):
    # Zendesk's Tags column (space-separated) feeds exclude.tags: of three
    # March tickets, Z1 is tagged spam; its Good rating goes with it, so
    # csat = good/(good+bad) over Z2 (Good) and Z3 (Bad) = 50 %.
    c.write("z.csv", "Id,Requester id,Created at,Solved at,Satisfaction "
            "Score,Status,Tags\n"
            "Z1,c1,2026-03-02 10:00:00,2026-03-02 11:00:00,Good,Solved,"
            "spam vip\n"
            "Z2,c2,2026-03-03 10:00:00,2026-03-03 11:00:00,Good,Solved,vip\n"
            "Z3,c3,2026-03-04 10:00:00,2026-03-04 11:00:00,Bad,Solved,\n")
    c.expect_rc(c.import_("zendesk", "z.csv"), 0, "import zendesk")
    v = value_of(c, "created")
    c.check(v == 3, f"created by default: expected 3, got {v}")
    v = value_of(c, "csat")
    c.check(close(v, 66.67), f"csat by default: expected 66.67, got {v}")
    defs_set(c, "exclude.tags", "spam")
    v = value_of(c, "created")
    c.check(v == 2, f"exclude.tags spam: expected 2, got {v}")
    v = value_of(c, "csat")
    c.check(close(v, 50.0), f"csat without spam: expected 50, got {v}")


@test
def definitions_rating_agent(c):
    c.write("t.csv", "ticket_id,created_at,agent_id\n"
            "T1,2026-03-02T10:00:00Z,A1\n")
    c.write("r.csv", "response_id,survey,responded_at,score,ticket_id,"
            "agent_id\n"
            "R1,csat,2026-03-03T10:00:00Z,5,T1,A2\n"
            "R2,csat,2026-03-03T10:00:00Z,1,T1,\n")
    c.expect_rc(c.import_("tickets", "t.csv"), 0, "import tickets")
    c.expect_rc(c.import_("responses", "r.csv"), 0, "import responses")

    def by_agent():
        j, r = c.report_json("--metrics", "csat", "--by", "agent", *MARCH)
        return {row["agent"]: (row["csat"]["value"], row["csat"]["n"])
                for row in (j or {}).get("rows", []) if row.get("csat")}
    # response: R1 is A2's (100 %, n 1); R2 has no agent, takes T1's: A1
    # (0 %, n 1).
    got = by_agent()
    c.check(got == {"A1": (0.0, 1), "A2": (100.0, 1)},
            f"rating.agent response: expected A1 0/1, A2 1/1, got {got}")
    # ticket_assignee: both are A1's: 1 of 2 = 50 %.
    defs_set(c, "rating.agent", "ticket_assignee")
    got = by_agent()
    c.check(got == {"A1": (50.0, 2)},
            f"rating.agent ticket_assignee: expected A1 1/2, got {got}")


@test
def definitions_business_hours(c):
    # Team support in Jakarta, mon-fri 09:00-17:00, holiday Thu 03-19.
    # T1: Fri 03-13 16:00 WIB to Mon 03-23 10:00 WIB = 9 d 18 h calendar
    # = 842,400 s; business: Fri 1 h + Mon-Wed 24 h + Fri 8 h + Mon 1 h
    # = 34 h = 122,400 s (the weekends and the holiday count nothing).
    # First response Mon 03-16 10:00 WIB: calendar 2 d 18 h = 237,600 s;
    # business Fri 1 h + Mon 1 h = 7,200 s. T2 (team sales, no calendar)
    # has calendar time only.
    c.write("t.csv", "ticket_id,created_at,first_response_at,resolved_at,"
            "team\n"
            "T1,2026-03-13T16:00:00+07:00,2026-03-16T10:00:00+07:00,"
            "2026-03-23T10:00:00+07:00,support\n"
            "T2,2026-03-02T09:00:00+07:00,,2026-03-02T10:00:00+07:00,sales\n")
    c.expect_rc(c.import_("tickets", "t.csv"), 0, "import")
    j, r = c.report_json("--metrics", "art,frt", *MARCH)
    row = (j or {}).get("rows", [{}])[0]
    c.check(row.get("art") and "business_value" not in row["art"],
            "no calendar: no business time", r)
    defs_set(c, "calendar.support", "tz=Asia/Jakarta; hours=mon-fri "
             "09:00-17:00; holidays=2026-03-19")
    j, r = c.report_json("--metrics", "art,frt", *MARCH)
    row = (j or {}).get("rows", [{}])[0]
    art, frt = row.get("art") or {}, row.get("frt") or {}
    c.check(close(art.get("value"), (842400 + 3600) / 2)
            and art.get("n") == 2, f"art calendar time: {art}", r)
    c.check(close(art.get("business_value"), 122400)
            and art.get("business_n") == 1,
            f"art business: expected 122400 s over 1 ticket, got {art}", r)
    c.check(close(frt.get("business_value"), 7200)
            and close(frt.get("value"), 237600),
            f"frt business: expected 7200 s (calendar 237600), got {frt}",
            r)
    r = c.run("report", "--db", c.db, "--metrics", "art", "--format", "csv",
              *MARCH)
    rows = list(csv.DictReader(l for l in io.StringIO(r.out)
                               if not l.startswith("#")))
    c.check(r.rc == 0 and rows and rows[0].get("metric") == "art" and
            close(float(rows[0].get("business_value") or "nan"), 122400)
            and rows[0].get("business_n") == "1",
            "CSV: the business time in the columns JSON names", r)


@test
def report_explain_and_timing(c):
    c.write("r.csv", "response_id,survey,responded_at,score,channel\n"
            "R1,csat,2026-03-02T09:00:00Z,5,email\n"
            "R2,csat,2026-03-03T09:00:00Z,2,chat\n")
    c.expect_rc(c.import_("responses", "r.csv"), 0, "import")
    for how in ("auto", "columns", "rows"):
        r = c.run("report", "--db", c.db, "--metrics", "csat", "--by",
                  "channel", "--read", how, "--explain", "--timing",
                  *MARCH)
        c.expect_rc(r, 0, f"report --read {how} --explain --timing")
        # March holds every answer: the all-time cells serve.
        want = "rollups (all time)" if how == "auto" else how
        c.check(f"cxmeter report: survey answers read from: {want}\n"
                in r.err, f"--read {how}: --explain names {want}", r)
        c.check(re.search(r"^cxmeter report: opened, computed and written "
                          r"in [0-9]+\.[0-9]{3} ms$", r.err, re.M),
                f"--read {how}: --timing line", r)
    r = c.run("report", "--db", c.db, "--metrics", "csat", *MARCH)
    c.check(r.rc == 0 and r.err == "", "no --explain, --timing: quiet", r)


def main(tests=None, suite="cli", doc=None):
    """Runs `tests` (default: this file's) as the suite `suite`; other test
    files (tests/hostile/) import this module and call it with theirs."""
    global CXMETER, WORKDIR, VERBOSE, ENGINE
    tests = TESTS if tests is None else tests
    ap = argparse.ArgumentParser(description=(doc or __doc__).split("\n")[0])
    ap.add_argument("--cxmeter", required=True)
    ap.add_argument("--workdir", help="default: a fresh temporary directory")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print every command and its output")
    ap.add_argument("--engine", default=None,
                    help="pg: each test's store on PostgreSQL (default: "
                    "an SQLite file)")
    ap.add_argument("tests", nargs="*", help="only these tests")
    a = ap.parse_args()
    CXMETER = os.path.abspath(a.cxmeter)
    VERBOSE = a.verbose
    ENGINE = a.engine
    if not os.access(CXMETER, os.X_OK):
        print(f"run.py: {CXMETER} is not an executable", file=sys.stderr)
        return 2
    own = None
    if a.workdir:
        WORKDIR = os.path.abspath(a.workdir)
        os.makedirs(WORKDIR, exist_ok=True)
    else:
        WORKDIR = own = tempfile.mkdtemp(prefix=f"cxm-{suite}-")
    names = [t.__name__ for t in tests]
    unknown = set(a.tests) - set(names)
    if unknown:
        print(f"run.py: no such test: {', '.join(sorted(unknown))}",
              file=sys.stderr)
        return 2
    failed = []
    for t in tests:
        if a.tests and t.__name__ not in a.tests:
            continue
        c = Ctx(t.__name__)
        try:
            t(c)
        except Exception:
            c.fail("the test raised:\n" + traceback.format_exc())
        if c.failures:
            failed.append(t.__name__)
            print(f"{t.__name__}: FAIL")
            for f in c.failures:
                print("    " + f.replace("\n", "\n    "))
        else:
            print(f"{t.__name__}: ok")
    n = len(a.tests) if a.tests else len(tests)
    print(f"{suite}: {n - len(failed)} passed, {len(failed)} failed"
          + (f" ({', '.join(failed)})" if failed else ""))
    if own and not failed:
        shutil.rmtree(own, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
