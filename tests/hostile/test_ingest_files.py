#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_ingest_files.py — mistakes in the input file are named: a UTF-16
or UTF-32 file (with or without a byte order mark) or a doubled UTF-8 BOM
gets a message naming the encoding, a ';', tab or '|' separated file one
naming the separator (not "missing column"); a column named twice is a
header error; `-` is standard input; an open error carries the system's
reason; a file of many bad rows shows the first 100 diagnostics and a count
of the rest; the limits (4 MiB a row, 4096 fields) are in --help and the
man page. Generic kinds and helpdesk exports alike."""
import os
import subprocess
import sys
import harness
from harness import test

TICKETS = "ticket_id,created_at\nT1,2026-01-05T09:00:00Z\n"
ZENDESK = "Id,Created at\n1,2026-01-05 09:00\n"


def one_file_error(c, kind, name, data, words, what):
    c.write(name, data)
    r = c.import_(kind, name, db=c.path(f"{name}.db"))
    c.expect_rc(r, 1, what)
    err = r.err.lower()
    c.check(all(w.lower() in err for w in words),
            f"{what}: stderr names {words}", r)
    c.check("lacks the required column" not in r.err,
            f"{what}: not reported as a missing column", r)
    c.check("imported 0 rows" in r.out, f"{what}: nothing stored", r)


@test
def encodings_are_named(c):
    for kind, text in (("tickets", TICKETS), ("zendesk", ZENDESK)):
        cases = [
            ("u16le_bom", b"\xff\xfe" + text.encode("utf-16-le"),
             ["UTF-16", "little-endian"]),
            ("u16be_bom", b"\xfe\xff" + text.encode("utf-16-be"),
             ["UTF-16", "big-endian"]),
            ("u16le", text.encode("utf-16-le"), ["UTF-16"]),
            ("u16be", text.encode("utf-16-be"), ["UTF-16"]),
            ("u32le", b"\xff\xfe\x00\x00" + text.encode("utf-32-le"),
             ["UTF-32"]),
            ("bom2", b"\xef\xbb\xbf\xef\xbb\xbf" + text.encode(),
             ["two UTF-8 byte order marks"]),
        ]
        for name, data, words in cases:
            one_file_error(c, kind, f"{kind}_{name}.csv", data, words,
                           f"{kind} {name}")
    # One BOM is fine.
    c.write("bom1.csv", b"\xef\xbb\xbf" + TICKETS.encode())
    c.expect_rc(c.import_("tickets", "bom1.csv"), 0, "one BOM")


@test
def separators_are_named(c):
    for kind, text in (("tickets", TICKETS), ("zendesk", ZENDESK)):
        one_file_error(c, kind, f"{kind}_semi.csv", text.replace(",", ";"),
                       ["';'"], f"{kind} ';' separated")
        one_file_error(c, kind, f"{kind}_tab.csv", text.replace(",", "\t"),
                       ["tab"], f"{kind} tab separated")


@test
def duplicate_header_columns(c):
    c.write("t.csv", "ticket_id,created_at,channel,Channel \n"
            "T1,2026-01-05T09:00:00Z,email,chat\n")
    r = c.import_("tickets", "t.csv")
    c.expect_rc(r, 1, "a column named twice")
    c.check("twice" in r.err and "channel" in r.err.lower(),
            "the message names the column and says twice", r)
    c.check("imported 0 rows" in r.out, "nothing stored", r)
    c.write("t2.csv", "ticket_id,created_at,ticket_id\n"
            "T1,2026-01-05T09:00:00Z,T2\n")
    r = c.import_("tickets", "t2.csv")
    c.expect_rc(r, 1, "the id named twice")
    c.write("z.csv", "Id,Created at,Group,group\n"
            "1,2026-01-05 09:00,a,b\n")
    r = c.import_("zendesk", "z.csv")
    c.expect_rc(r, 1, "zendesk: a column read twice")
    c.check("twice" in r.err, "zendesk: says twice", r)


@test
def dash_is_standard_input(c):
    for kind, text in (("tickets", TICKETS), ("zendesk", ZENDESK)):
        argv = [harness.cli.CXMETER, "import", "--db", c.db, kind, "-"]
        p = subprocess.run(argv, input=text.encode(), capture_output=True,
                           env=c.env, cwd=c.dir, timeout=60)
        c.check(p.returncode == 0 and b"imported 1 rows" in p.stdout,
                f"{kind} from stdin: exit {p.returncode}, "
                f"{p.stdout!r} {p.stderr!r}")


@test
def open_error_carries_the_reason(c):
    r = c.import_("tickets", "no-such-file.csv")
    c.expect_rc(r, 1, "missing file")
    c.check("No such file or directory" in r.err,
            "the system's reason is given", r)
    r = c.import_("zendesk", "no-such-file.csv")
    c.check("No such file or directory" in r.err, "zendesk too", r)


@test
def many_bad_rows_are_summed_up(c):
    rows = ["ticket_id,created_at"] + [f"T{i},bad" for i in range(5000)]
    c.write("t.csv", "\n".join(rows) + "\n")
    r = c.import_("tickets", "t.csv")
    c.expect_rc(r, 1, "5,000 bad rows")
    lines = [x for x in r.err.splitlines() if x.startswith("t.csv:")]
    c.check(len(lines) == 100, f"the first 100 shown, got {len(lines)}", r)
    c.check("4,900 more" in r.err, "then a count of the other 4,900", r)
    c.expect_summary(r, 0, 5000)
    r = c.run("import", "--db", c.db, "--max-errors", "0", "tickets",
              "t.csv")
    lines = [x for x in r.err.splitlines() if x.startswith("t.csv:")]
    c.check(len(lines) == 5000, f"--max-errors 0 shows all, {len(lines)}")


@test
def limits_are_documented(c):
    r = c.run("import", "--help")
    c.expect_rc(r, 0, "import --help")
    c.check("4 MiB" in r.out and "4096" in r.out,
            "import --help states the row and field limits", r)
    c.check("-" in r.out and "standard input" in r.out,
            "import --help says - is standard input", r)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "docs", "cxmeter.1")) as f:
        man = f.read()
    c.check("4\\ MiB" in man or "4 MiB" in man, "the man page: 4 MiB")
    c.check("4096" in man, "the man page: 4096 fields")
    c.check("config" in man and "import.horizon_years" in man,
            "the man page documents cxmeter config")


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
