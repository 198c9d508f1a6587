#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_exit_codes.py — every command's exit status comes from one mapping
(SPEC §4: 0 ok, 1 bad input, 2 usage error, 3 store error; issue 13):

- a version or survey the store does not hold, a template or benchmark that
  is not there, is bad input (1); a key, command, subcommand, metric or
  time zone this program does not know is a usage error (2);
- standard output that cannot be written (a full disk, a closed pipe) is a
  store/system error (3) with the system's reason on stderr, for every
  command that writes on standard output, never bad input nor a silent
  death by SIGPIPE.
"""
import os
import subprocess
import sys

import harness
from harness import test


def small_store(c):
    c.write("t.csv", "ticket_id,created_at,channel\n"
            "T1,2026-01-05T00:00:00Z,email\nT2,2026-01-06T00:00:00Z,chat\n")
    c.write("r.csv", "response_id,survey,responded_at,score,ticket_id\n"
            "R1,csat,2026-01-05T10:00:00Z,5,T1\n"
            "R2,nps,2026-01-07T10:00:00Z,9,T1\n")
    c.expect_rc(c.import_("tickets", "t.csv"), 0, "import tickets")
    c.expect_rc(c.import_("responses", "r.csv"), 0, "import answers")
    c.expect_rc(c.run("benchmark", "set", "csat", "80", "--label", "peers",
                      "--db", c.db), 0, "benchmark set")
    c.expect_rc(c.run("survey", "add", "--template", "ces", "--db", c.db),
                0, "survey add")


def expect(c, argv, rc, says):
    r = c.run(*argv)
    what = " ".join(argv[:3])
    c.expect_rc(r, rc, what)
    c.check(says in r.err, f"{what}: stderr does not say '{says}'", r)


@test
def not_found_is_bad_input(c):
    small_store(c)
    db = ["--db", c.db]
    for argv, says in [
            (["report", "--definitions", "99", *db], "no definitions version 99"),
            (["definitions", "show", "--version", "99", *db],
             "no definitions version 99"),
            (["survey", "show", "nosuch", *db], "no survey 'nosuch'"),
            (["survey", "show", "ces", "--version", "9", *db],
             "no version 9 of survey 'ces'"),
            (["survey", "remove", "nosuch", *db], "no survey 'nosuch'"),
            (["survey", "add", "--template", "nosuch", *db],
             "no template 'nosuch'"),
            (["survey", "show", "--template", "nosuch"],
             "no template 'nosuch'"),
            (["benchmark", "remove", "nps", *db], "no benchmark of nps")]:
        expect(c, argv, 1, says)


@test
def unknown_name_is_usage_error(c):
    small_store(c)
    db = ["--db", c.db]
    for argv, says in [
            (["frobnicate"], "unknown command 'frobnicate'"),
            (["help", "frobnicate"], "no command 'frobnicate'"),
            (["definitions", "set", "no.such.key", "1", *db], "no.such.key"),
            (["definitions", "frobnicate", *db], "unknown subcommand"),
            (["config", "get", "no.such.key", *db], "unknown key"),
            (["config", "set", "no.such.key", "1", *db], "unknown key"),
            (["benchmark", "frobnicate", *db], "unknown subcommand"),
            (["benchmark", "set", "nosuch", "1", "--label", "x", *db],
             "unknown metric 'nosuch'"),
            (["report", "--metrics", "nosuch", *db], "unknown metric"),
            (["report", "--by", "nosuch", *db], "unknown breakdown"),
            (["report", "--tz", "Nowhere/Atlantis", *db],
             "unknown time zone 'Nowhere/Atlantis'"),
            (["import", "nosuch", "t.csv", *db], "unknown record kind"),
            (["survey", "frobnicate", *db], "usage")]:
        expect(c, argv, 2, says)


def writers(c):
    """Every command that prints on standard output, on a store holding
    something of each kind."""
    db = ["--db", c.db]
    c.write("s.json", c.run("survey", "show", "--template", "ces").out)
    c.write("t2.csv", "ticket_id,created_at\nT9,2026-01-08T00:00:00Z\n")
    return [
        ["--help"], ["--version"], ["help", "report"],
        *[[cmd, "--help"] for cmd in ("import", "report", "demo-data",
                                      "benchmark", "definitions", "config",
                                      "survey")],
        ["report", *db], ["report", "--format", "json", *db],
        ["report", "--format", "csv", "--by", "channel", *db],
        ["definitions", "show", *db],
        ["definitions", "show", "--format", "json", *db],
        ["definitions", "history", *db],
        ["definitions", "history", "--format", "json", *db],
        ["definitions", "set", "fcr.repeat_days", "3", *db],
        ["benchmark", "list", *db],
        ["benchmark", "set", "nps", "10", "--label", "x", *db],
        ["config", "list", *db], ["config", "get", "import.earliest", *db],
        ["config", "set", "import.horizon_years", "20", *db],
        ["survey", "templates"], ["survey", "list", *db],
        ["survey", "show", "ces", *db], ["survey", "check", "s.json"],
        ["survey", "show", "--template", "nps"],
        ["import", "tickets", "t2.csv", *db],
    ]


def run_to(c, argv, stdout):
    p = subprocess.run([harness.cli.CXMETER] + argv, cwd=c.dir, env=c.env,
                       stdout=stdout, stderr=subprocess.PIPE, timeout=120)
    return harness.cli.Result(argv, p.returncode, "",
                              p.stderr.decode("utf-8", "replace"))


@test
def full_stdout_is_a_store_error(c):
    if not os.path.exists("/dev/full"):
        print("    (no /dev/full here: skipped)")
        return
    small_store(c)
    for argv in writers(c):
        with open("/dev/full", "wb") as full:
            r = run_to(c, argv, full)
        what = " ".join(argv[:2])
        c.expect_rc(r, 3, f"{what} > /dev/full")
        c.check("cannot write to standard output: No space left on device"
                in r.err, f"{what} > /dev/full: names the reason", r)


@test
def closed_pipe_is_a_store_error(c):
    small_store(c)
    for argv in writers(c):
        rd, wr = os.pipe()
        os.close(rd)
        try:
            r = run_to(c, argv, wr)
        finally:
            os.close(wr)
        what = " ".join(argv[:2])
        c.check(r.rc == 3, f"{what} | (closed): expected exit 3, got "
                f"{r.rc}{' (killed by SIGPIPE)' if r.rc == -13 else ''}", r)
        c.check("cannot write to standard output: Broken pipe" in r.err,
                f"{what} | (closed): names the reason", r)


@test
def written_stdout_is_ok(c):
    small_store(c)
    for argv in writers(c):
        r = c.run(*argv)
        c.expect_rc(r, 0, " ".join(argv[:2]))
        c.check(r.out.strip(), f"{' '.join(argv[:2])}: prints nothing", r)


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
