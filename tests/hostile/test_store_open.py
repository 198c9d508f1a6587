#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_store_open.py — the store a command is pointed at (issue 12, items 8
and 9): a reading command (report, definitions show|history, benchmark
list, survey list|show|remove) opens an existing store only and names a
missing one; config get|list show the defaults where there is no store and
make none; an empty
CXMETER_DB or --db is a usage error; every failure to open says why, in the
system's words; and a store the user cannot write (a read-only directory, a
read-only file) is still reported on, by every read path, with the same
figures as where it can be written.

The tests of permissions run the command as an unprivileged user when they
run as root (root ignores permission bits): `setpriv` to nobody. Where that
is not possible they say so and pass.
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import contextlib

import harness
from harness import test, WIDE

READ_PATHS = ("auto", "columns", "rows")


def small_store(c, db=None):
    db = db or c.db
    c.write("t.csv", "ticket_id,created_at,channel\n"
            "T1,2026-01-05T00:00:00Z,email\nT2,2026-01-06T00:00:00Z,chat\n")
    c.write("r.csv", "response_id,survey,responded_at,score,ticket_id\n"
            "R1,csat,2026-01-05T10:00:00Z,5,T1\n"
            "R2,csat,2026-01-06T10:00:00Z,2,T2\n"
            "R3,nps,2026-01-07T10:00:00Z,9,T1\n")
    c.expect_rc(c.import_("tickets", "t.csv", db=db), 0, "import tickets")
    c.expect_rc(c.import_("responses", "r.csv", db=db), 0, "import answers")


# ------------------------------------------------- a store that is not there

@test
def reading_commands_need_an_existing_store(c):
    typo = c.path("typo.db")
    for argv in (["report", "--db", typo],
                 ["report", "--db", typo, "--format", "json", *WIDE],
                 ["definitions", "show", "--db", typo],
                 ["definitions", "history", "--db", typo],
                 ["benchmark", "list", "--db", typo],
                 ["benchmark", "remove", "csat", "--db", typo],
                 ["survey", "list", "--db", typo],
                 ["survey", "show", "ces", "--db", typo],
                 ["survey", "remove", "ces", "--db", typo]):
        r = c.run(*argv)
        c.expect_rc(r, 3, " ".join(argv[:2]))
        c.check(f"no store at {typo}" in r.err,
                "stderr does not say `no store at PATH`", r)
        c.check(not r.out.strip(), "something printed on stdout", r)
    c.check(not os.path.exists(typo), "a reading command created the store")
    # the default store, ./cxmeter.db, the same
    r = c.run("report")
    c.expect_rc(r, 3, "report without a store in the directory")
    c.check("no store at cxmeter.db" in r.err, "the default not named", r)
    c.check(not os.path.exists(c.path("cxmeter.db")),
            "report created ./cxmeter.db")


@test
def config_reads_the_defaults_without_making_a_store(c):
    """config get and list read an existing store, and show the defaults
    where there is none, making none; set and unset make one."""
    typo = c.path("typo.db")
    r = c.run("config", "get", "import.horizon_years", "--db", typo)
    c.expect_rc(r, 0, "config get without a store")
    c.check(r.out.strip() == "10", "the default of import.horizon_years", r)
    r = c.run("config", "list", "--db", typo)
    c.expect_rc(r, 0, "config list without a store")
    c.check("import.earliest" in r.out and "1970-01-01" in r.out
            and "(default)" in r.out, "the defaults listed", r)
    r = c.run("config", "list", "--db", "sqlite:" + typo)
    c.expect_rc(r, 0, "config list of sqlite:PATH without a store")
    c.check(not os.path.exists(typo), "config get or list created the store")
    r = c.run("config", "list")
    c.expect_rc(r, 0, "config list without ./cxmeter.db")
    c.check(not os.path.exists(c.path("cxmeter.db")),
            "config list created ./cxmeter.db")
    r = c.run("config", "get", "import.earliest", "--db", c.path("no/dir.db"))
    c.expect_rc(r, 0, "config get of a path in no directory")
    r = c.run("config", "unset", "import.earliest", "--db", typo)
    c.expect_rc(r, 0, "config unset makes the store")
    c.check(os.path.exists(typo), "config unset made no store")
    db2 = c.path("set.db")
    r = c.run("config", "set", "import.horizon_years", "20", "--db", db2)
    c.expect_rc(r, 0, "config set makes the store")
    r = c.run("config", "get", "import.horizon_years", "--db", db2)
    c.check(r.rc == 0 and r.out.strip() == "20", "config get reads it", r)
    # An existing store that cannot be opened is still an error.
    c.write("junk.db", "this is not a database, only some text\n" * 200)
    r = c.run("config", "list", "--db", c.path("junk.db"))
    c.expect_rc(r, 3, "config list of a file that is no store")
    c.check("not a database" in r.err, "says why", r)


@test
def writing_commands_create_the_store(c):
    small_store(c)
    c.check(c.count("created") == 2, "import into a new store")
    db2 = c.path("new2.db")
    r = c.run("benchmark", "set", "csat", "80", "--label", "industry",
              "--db", db2)
    c.expect_rc(r, 0, "benchmark set on a new store")
    r = c.run("definitions", "set", "fcr.repeat_days", "3", "--db",
              c.path("new3.db"))
    c.expect_rc(r, 0, "definitions set on a new store")


@test
def empty_store_names_are_usage_errors(c):
    small_store(c)
    env = dict(c.env, CXMETER_DB="")
    for argv in (["report"], ["import", "tickets", "t.csv"],
                 ["definitions", "show"], ["benchmark", "list"],
                 ["survey", "list"], ["survey", "add", "--template", "ces"],
                 ["config", "list"], ["config", "set", "import.earliest",
                                      "2000-01-01"]):
        r = c.run(*argv, env=env)
        c.expect_rc(r, 2, "CXMETER_DB='' " + " ".join(argv))
        c.check("CXMETER_DB" in r.err, "stderr does not name CXMETER_DB", r)
    c.check(not os.path.exists(c.path("cxmeter.db")),
            "an empty CXMETER_DB fell back to ./cxmeter.db")
    # --db wins over an empty CXMETER_DB
    r = c.run("report", "--db", c.db, "--metrics", "created", *WIDE,
              env=env)
    c.expect_rc(r, 0, "--db with CXMETER_DB=''")
    for argv in (["report", "--db", ""], ["import", "--db", "", "tickets",
                                          "t.csv"]):
        r = c.run(*argv)
        c.expect_rc(r, 2, "--db ''")
        c.check("--db" in r.err, "stderr does not name --db", r)


@test
def open_errors_carry_the_reason(c):
    c.write("junk.db", "this is not a database, only some text\n" * 200)
    c.write("empty.db", "")
    os.makedirs(c.path("adir.db"))
    cases = [
        (["import", "--db", c.path("no/such/dir/x.db"), "tickets", "t.csv"],
         "No such file or directory"),
        (["report", "--db", c.path("junk.db")], "not a database"),
        (["report", "--db", c.path("empty.db")], "not a cxmeter store"),
        (["report", "--db", c.path("adir.db")], "Is a directory"),
        (["import", "--db", c.path("adir.db"), "tickets", "t.csv"],
         "cannot open the store"),
    ]
    c.write("t.csv", "ticket_id,created_at\nT1,2026-01-05T00:00:00Z\n")
    for argv, why in cases:
        r = c.run(*argv)
        c.expect_rc(r, 3, " ".join(argv[:3]))
        c.check(why in r.err, f"stderr does not say `{why}`", r)
        c.check(not r.err.rstrip().endswith(":"),
                "the message ends with an empty reason", r)
        c.check(argv[2] in r.err, "stderr does not name the store", r)


# -------------------------------------------------- as a user without rights

def unprivileged(c):
    """argv prefix that runs a command as a user the permission bits apply
    to, or None when there is no such way here."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if not setpriv:
        return None
    pre = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    try:
        p = subprocess.run(pre + [harness.cli.CXMETER, "--version"],
                           capture_output=True, timeout=30)
        # nogroup may be named nobody
        if p.returncode != 0:
            pre[2] = "--regid=nobody"
            p = subprocess.run(pre + [harness.cli.CXMETER, "--version"],
                               capture_output=True, timeout=30)
    except OSError:
        return None
    return pre if p.returncode == 0 else None


@contextlib.contextmanager
def open_dir(c):
    """A directory the unprivileged user can reach (the test's own may sit
    under one only its owner may enter), removed afterwards."""
    base = tempfile.mkdtemp(prefix="cxm-hostile-")
    try:
        os.chmod(base, 0o755)
        yield base
    finally:
        for root, dirs, _ in os.walk(base):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
        shutil.rmtree(base, ignore_errors=True)


def run_as(c, pre, *argv):
    argv = [str(a) for a in argv]
    p = subprocess.run(pre + [harness.cli.CXMETER] + argv, cwd=c.dir,
                       env=c.env, capture_output=True, timeout=120)
    return harness.cli.Result(argv, p.returncode,
                              p.stdout.decode("utf-8", "replace"),
                              p.stderr.decode("utf-8", "replace"))


def reports(c, pre, db, extra=()):
    """{read path: (rc, parsed JSON or None, Result)} of one report."""
    out = {}
    for rd in READ_PATHS:
        r = run_as(c, pre, "report", "--db", db, "--format", "json",
                   "--metrics", "csat,nps,created", "--by", "channel",
                   "--read", rd, *WIDE, *extra)
        try:
            j = json.loads(r.out) if r.rc == 0 else None
        except ValueError:
            j = None
        out[rd] = (r.rc, j, r)
    return out


def check_same_as(c, got, want, what):
    for rd, (rc, j, r) in got.items():
        if not c.expect_rc(r, 0, f"{what}, --read {rd}"):
            continue
        c.check(j is not None and j.get("rows") == want,
                f"{what}, --read {rd}: figures differ from the writable "
                f"store's: {want}", r)


def unprivileged_test(fn):
    """A test run in a directory the unprivileged user can reach, as
    fn(c, pre, base); passes with a note where no user can be dropped to."""
    def run(c):
        pre = unprivileged(c)
        if pre is None:
            print("    (no way to drop root here: permission test skipped)")
            return
        with open_dir(c) as base:
            fn(c, pre, base)
    run.__name__ = fn.__name__
    return test(run)


def store_in(c, base, sub):
    """A small store in base/sub: (its directory, its path, the writable
    store's report rows, or None when that report failed)."""
    d = os.path.join(base, sub)
    os.makedirs(d)
    db = os.path.join(d, "store.db")
    small_store(c, db)
    want, _ = c.report_json("--metrics", "csat,nps,created", "--by",
                            "channel", *WIDE, db=db)
    return d, db, (want or {}).get("rows")


@unprivileged_test
def read_only_directory(c, pre, base):
    ro, db, want = store_in(c, base, "ro")
    if want is None:
        return
    for f in os.listdir(ro):
        if f != "store.db":
            os.remove(os.path.join(ro, f))   # no -wal, no -cols
    os.chmod(ro, 0o555)
    check_same_as(c, reports(c, pre, db), want,
                  "read-only directory, no WAL")
    c.check(sorted(os.listdir(ro)) == ["store.db"],
            f"files appeared in the read-only directory: {os.listdir(ro)}")
    for argv in (["definitions", "show"], ["definitions", "history"],
                 ["benchmark", "list"]):
        r = run_as(c, pre, *argv, "--db", db)
        c.expect_rc(r, 0, " ".join(argv) + " on a read-only store")
    # writes fail cleanly, naming the reason
    for argv in (["import", "--db", db, "tickets", "t.csv"],
                 ["benchmark", "remove", "csat", "--db", db]):
        r = run_as(c, pre, *argv)
        c.expect_rc(r, 3, " ".join(argv[:2]) + " on a read-only store")
        c.check("Permission denied" in r.err or "read-only" in r.err,
                "no reason given", r)


@unprivileged_test
def read_only_directory_with_a_writer_open(c, pre, base):
    """The WAL and its index exist (a writer has the store open): a reader
    that cannot write them still reads, the writer's commits included."""
    ro = os.path.join(base, "ro")
    os.makedirs(ro)
    db = os.path.join(ro, "store.db")
    small_store(c, db)
    con = sqlite3.connect(db)
    try:
        con.execute("UPDATE responses SET score = 4 WHERE response_id = 'R2'")
        con.commit()
        c.check(os.path.exists(db + "-wal"), "no WAL while a writer is open")
        want, r = c.report_json("--metrics", "csat,nps,created", "--by",
                                "channel", *WIDE, db=db)
        os.chmod(ro, 0o555)
        if want is not None:
            check_same_as(c, reports(c, pre, db), want["rows"],
                          "read-only directory, WAL present")
            chat = harness.rows_by(want, "channel").get("chat", {})
            c.check((chat.get("csat") or {}).get("value") == 100.0,
                    "the writer's commit is not in the report", r)
    finally:
        con.close()


@unprivileged_test
def read_only_file(c, pre, base):
    """A store file the user may not write, in a directory they may: read
    read-only (the column file cache may be written beside it)."""
    d, db, want = store_in(c, base, "mine")
    os.remove(db + "-cols")
    os.chmod(db, 0o444)
    os.chmod(d, 0o777)
    if want is not None:
        check_same_as(c, reports(c, pre, db), want, "read-only file")
    r = run_as(c, pre, "import", "--db", db, "tickets", "t.csv")
    c.expect_rc(r, 3, "import into a read-only file")
    c.check("read-only" in r.err, "the reason is not given", r)


@unprivileged_test
def read_only_store_with_stale_derived_forms(c, pre, base):
    """Rollups and column segments behind the rows (an answer changed
    outside an import): a read-only report cannot bring them up to date,
    so it reads the rows, and its figures are the rows'."""
    ro = os.path.join(base, "ro")
    os.makedirs(ro)
    db = os.path.join(ro, "store.db")
    small_store(c, db)
    con = sqlite3.connect(db)
    con.execute("PRAGMA recursive_triggers=ON")
    con.execute("UPDATE responses SET score = 1 WHERE response_id = 'R1'")
    con.commit()
    dirty = con.execute("SELECT count(*) FROM rollup_dirty").fetchone()[0]
    con.close()
    c.check(dirty > 0, "the change did not leave the rollups dirty")
    os.chmod(ro, 0o555)
    for rd, (rc, j, r) in reports(c, pre, db).items():
        if not c.expect_rc(r, 0, f"--read {rd}"):
            continue
        email = harness.rows_by(j, "channel").get("email", {})
        csat = email.get("csat") or {}
        c.check(csat.get("value") == 0.0 and csat.get("n") == 1,
                f"--read {rd}: email csat is not the rows' 0.0 of 1", r)


@unprivileged_test
def unreadable_store_says_permission_denied(c, pre, base):
    db = os.path.join(base, "store.db")
    small_store(c, db)
    os.chmod(db, 0)
    r = run_as(c, pre, "report", "--db", db)
    c.expect_rc(r, 3, "report on an unreadable store")
    c.check("Permission denied" in r.err, "the reason is not given", r)
    locked = os.path.join(base, "locked")
    os.makedirs(locked)
    os.chmod(locked, 0o555)
    r = run_as(c, pre, "import", "--db", os.path.join(locked, "x.db"),
               "tickets", "t.csv")
    c.expect_rc(r, 3, "import into a directory not writable")
    c.check("Permission denied" in r.err, "the reason is not given", r)


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
