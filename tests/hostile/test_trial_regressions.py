#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_trial_regressions.py — what the hostile trial of issue 12 found
sound, kept so it stays sound: CRLF line ends, a UTF-8 BOM, quoted fields
spanning lines, invalid UTF-8 (rejected with reason, line and column),
impossible dates such as 2026-02-30 (rejected), duplicate ids (the later
valid row replaces the earlier), kill -9 during an import (nothing half
stored: tests/cli/kill_import.py, reused), two concurrent imports into one
store, and a full disk during an import (the store keeps exactly what it
held and stays reportable).
"""
import os
import resource
import signal
import subprocess
import sys
import types

import harness
from harness import test, WIDE, check_diags

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "cli"))
import kill_import  # noqa: E402  (tests/cli/kill_import.py)


def rows(db, sql):
    return harness.pgdb.store_sql(db, sql)


@test
def crlf_line_ends(c):
    c.write("t.csv", "ticket_id,created_at\r\nT1,2026-01-01T00:00:00Z\r\n"
            "T2,2026-01-02T00:00:00Z\r\n")
    r = c.import_("tickets", "t.csv")
    c.expect_rc(r, 0, "import")
    c.check(c.count("created") == 2, "two tickets created")
    # responses too, with a quoted comment holding a CRLF of its own, and
    # a last line without a line end
    c.write("r.csv", b"response_id,survey,responded_at,score,comment\r\n"
            b"R1,csat,2026-01-01T10:00:00Z,5,\"fine\r\nreally\"\r\n"
            b"R2,csat,2026-01-02T10:00:00Z,3,meh")
    r = c.import_("responses", "r.csv")
    c.expect_rc(r, 0, "responses with CRLF")
    f = c.figure("csat")
    c.check(isinstance(f, dict) and f.get("n") == 2
            and f.get("value") == 50.0, f"csat over CRLF rows: {f}")


@test
def utf8_bom(c):
    c.write("t.csv", b"\xef\xbb\xbfticket_id,created_at,channel\n"
            b"T1,2026-01-01T00:00:00Z,email\n")
    c.write("a.csv", b"\xef\xbb\xbfagent_id,team\nA1,north\n")
    c.expect_rc(c.import_("tickets", "t.csv"), 0, "tickets with a BOM")
    c.expect_rc(c.import_("agents", "a.csv"), 0, "agents with a BOM")
    j, r = c.report_json("--metrics", "created", "--by", "channel", *WIDE)
    c.check(j and [x.get("channel") for x in j["rows"]] == ["email"],
            "the BOM reached a header or value", r)
    c.check(rows(c.db, "SELECT agent_id FROM agents") == [("A1",)],
            "the BOM is in the first key")


@test
def quoted_fields_spanning_lines(c):
    c.write("r.csv", "response_id,survey,responded_at,score,comment\n"  # 1
            'R1,csat,2026-01-01T10:00:00Z,5,"line one\n'               # 2
            'line two, with a comma\n'                                  # 3
            'and ""quotes"""\n'                                         # 4
            "R2,csat,2026-01-01T11:00:00Z,9,bad score\n")              # 5
    r = c.import_("responses", "r.csv")
    c.expect_rc(r, 1, "one bad row after a spanning field")
    # the bad row is named by the physical line it starts on
    check_diags(c, r, "r.csv", [(5, {4}, "score", "score out of scale")])
    got = rows(c.db, "SELECT comment FROM responses")
    c.check(got == [('line one\nline two, with a comma\nand "quotes"',)],
            f"the spanning comment was not kept whole: {got}")
    # an unterminated quote is a rejected file, named by its start line
    c.write("u.csv", "ticket_id,created_at,topic\n"
            "T1,2026-01-01T00:00:00Z,ok\n"
            'T2,2026-01-01T00:00:00Z,"never closed\nT3,x,y\n')
    r = c.import_("tickets", "u.csv")
    c.check(r.rc == 1 and "u.csv:3" in r.err,
            "an unterminated quote is not named at line 3", r)


@test
def invalid_utf8_is_rejected_by_line_and_column(c):
    c.write("t.csv", b"ticket_id,created_at,channel,topic\n"            # 1
            b"T1,2026-01-01T00:00:00Z,email,billing\n"                  # 2
            b"T2,2026-01-01T00:00:00Z,em\xffail,billing\n"              # 3
            b"T3,2026-01-01T00:00:00Z,chat,bil\xc3\x28ling\n"           # 4
            b"T\xe2\x82,2026-01-01T00:00:00Z,chat,x\n"                  # 5
            b"T6,2026-01-01T00:00:00Z,chat,caf\xc3\xa9\n")              # 6
    r = c.import_("tickets", "t.csv")
    c.expect_rc(r, 1, "invalid UTF-8")
    check_diags(c, r, "t.csv", [(3, {3}, "channel", "invalid UTF-8"),
                                (4, {4}, "topic", "invalid UTF-8"),
                                (5, {1}, "ticket_id", "invalid UTF-8")])
    for d in harness.diags(r.err, "t.csv"):
        c.check("utf-8" in d["reason"].lower(),
                f"the reason does not say UTF-8: {d['raw']}", r)
    c.check(c.count("created") == 2, "the two valid rows not stored")
    got = rows(c.db, "SELECT topic FROM tickets WHERE ticket_id = 'T6'")
    c.check(got == [("caf\u00e9",)], f"valid UTF-8 changed: {got}")


@test
def impossible_dates_are_rejected(c):
    c.write("t.csv", "ticket_id,created_at,resolved_at\n"          # 1
            "T1,2026-02-30T00:00:00Z,\n"                           # 2
            "T2,2026-02-28T00:00:00Z,2026-02-30T10:00:00Z\n"       # 3
            "T3,2025-02-29,\n"                                     # 4
            "T4,2026-04-31T00:00:00Z,\n"                           # 5
            "T5,2026-01-01T24:00:01Z,\n"                           # 6
            "T6,2024-02-29T00:00:00Z,\n")                          # 7
    r = c.import_("tickets", "t.csv")
    c.expect_rc(r, 1, "impossible dates")
    check_diags(c, r, "t.csv", [(2, {2}, "created_at", "2026-02-30"),
                                (3, {3}, "resolved_at", "2026-02-30"),
                                (4, {2}, "created_at", "2025-02-29"),
                                (5, {2}, "created_at", "2026-04-31"),
                                (6, {2}, "created_at", "24:00:01")])
    c.check(rows(c.db, "SELECT ticket_id FROM tickets") == [("T6",)],
            "only the leap day of 2024 is a valid row")
    # the same in every kind's timestamp, and on the command line
    c.write("r.csv", "response_id,survey,responded_at,score\n"
            "R1,csat,2026-02-30T10:00:00Z,5\n")
    c.expect_rc(c.import_("responses", "r.csv"), 1, "responses 02-30")
    c.write("h.csv", "agent_id,date,hours\nA1,2026-02-30,8\n")
    c.expect_rc(c.import_("agent_hours", "h.csv"), 1, "agent_hours 02-30")
    r = c.run("report", "--db", c.db, "--from", "2026-02-30")
    c.expect_rc(r, 2, "--from 2026-02-30")


@test
def duplicate_ids_later_valid_row_replaces(c):
    c.write("t.csv", "ticket_id,created_at,channel\n"
            "T1,2026-01-01T00:00:00Z,email\n"
            "T1,2026-01-02T00:00:00Z,chat\n"          # replaces
            "T1,not-a-date,phone\n")                  # rejected: no effect
    r = c.import_("tickets", "t.csv")
    c.expect_rc(r, 1, "a rejected duplicate")
    got = rows(c.db, "SELECT ticket_id, channel FROM tickets")
    c.check(got == [("T1", "chat")], f"the later valid row: {got}")
    # across files and imports, answers too: the figure follows
    c.write("r1.csv", "response_id,survey,responded_at,score\n"
            "R1,csat,2026-01-05T10:00:00Z,1\nR2,csat,2026-01-05T10:00:00Z,5\n")
    c.write("r2.csv", "response_id,survey,responded_at,score\n"
            "R1,csat,2026-01-05T10:00:00Z,5\n")
    c.expect_rc(c.import_("responses", "r1.csv"), 0, "answers")
    c.expect_rc(c.import_("responses", "r2.csv"), 0, "R1 again")
    for rd in ("auto", "columns", "rows"):
        f = c.figure("csat", "--read", rd)
        c.check(isinstance(f, dict) and f.get("n") == 2
                and f.get("value") == 100.0,
                f"--read {rd}: csat after R1 replaced: {f}")


@test
def kill_9_during_import(c):
    """tests/cli/kill_import.py on a smaller file (the full one is the
    ctest cli_import_kill9)."""
    a = types.SimpleNamespace(cxmeter=harness.cli.CXMETER,
                              workdir=c.path("kill"), tickets=60000)
    try:
        kill_import.run(a)
    except SystemExit as e:
        if e.code not in (None, 0):
            c.fail(f"kill_import: {e.code}")


def demo(c, tickets):
    out = c.path("demo")
    r = c.run("demo-data", "--seed", "7", "--tickets", str(tickets),
              "--out", out)
    c.expect_rc(r, 0, "demo-data")
    return out


@test
def concurrent_imports(c):
    """Two imports into one store at once: both complete, or one fails
    cleanly (exit 3 and a reason) and stores nothing; the totals are
    those of what completed."""
    d = demo(c, 20000)
    tickets = os.path.join(d, "tickets.csv")
    answers = os.path.join(d, "responses.csv")
    c.expect_rc(c.import_("agents", os.path.join(d, "agents.csv")), 0,
                "agents")
    procs = [subprocess.Popen([harness.cli.CXMETER, "import", "--db", c.db,
                               kind, f], cwd=c.dir, env=c.env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for kind, f in (("tickets", tickets), ("responses", answers))]
    outs = [p.communicate(timeout=300) for p in procs]
    # each file alone, into a store of its own, gives the rows it holds
    want = {}
    for kind, f in (("tickets", tickets), ("responses", answers)):
        db = c.path(f"alone-{kind}.db")
        c.expect_rc(c.import_(kind, f, db=db), 0, f"{kind} alone")
        want[kind] = rows(db, f"SELECT count(*) FROM {kind}")[0][0]
    for kind, p, (out, err) in zip(("tickets", "responses"), procs, outs):
        err = err.decode("utf-8", "replace")
        stored = rows(c.db, f"SELECT count(*) FROM {kind}")[0][0]
        if p.returncode == 0:
            c.check(stored == want[kind],
                    f"{kind}: exit 0 but {stored} of {want[kind]} stored")
        else:
            c.check(p.returncode == 3 and err.strip(),
                    f"{kind}: exit {p.returncode} without a store error: "
                    f"{err!r}")
            c.check(stored == 0, f"{kind}: failed but {stored} stored")
    if not harness.pgdb.is_pg(c.db):  # SQLite's own check of its file
        ok = rows(c.db, "PRAGMA integrity_check")[0][0]
        c.check(ok == "ok", f"integrity_check: {ok}")
    # the figures agree with the rows on every read path
    base, _ = c.report_json("--metrics", "created,csat,nps", "--read",
                            "rows", *WIDE)
    for rd in ("auto", "columns"):
        j, r = c.report_json("--metrics", "created,csat,nps", "--read", rd,
                             *WIDE)
        c.check(base and j and j["rows"] == base["rows"],
                f"--read {rd} differs from the rows after concurrent "
                f"imports", r)


def limit_file_size(n):
    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (n, n))
    return pre


@test
def full_disk_during_import(c):
    """An import whose writes fail (EFBIG past RLIMIT_FSIZE, as on a full
    disk): exit 3 with the reason, and the store holds exactly what it
    held before, and reports it. (SQLite's file only: a PostgreSQL
    server's disk is not the client's to fill.)"""
    if harness.pgdb.is_pg(c.db):
        return
    d = demo(c, 20000)
    c.expect_rc(c.import_("tickets", os.path.join(d, "tickets.csv")), 0,
                "tickets")
    before, _ = c.report_json("--metrics", "created,csat", "--by", "month",
                              *WIDE)
    # Room for less than the answers' write-ahead log: the store itself
    # (its ticket cells take more than the answers do) is no measure.
    size = min(sum(os.path.getsize(c.db + s) for s in ("", "-wal")
                   if os.path.exists(c.db + s)),
               os.path.getsize(os.path.join(d, "responses.csv")) // 2)
    counts = rows(c.db, "SELECT (SELECT count(*) FROM tickets),"
                        " (SELECT count(*) FROM responses)")
    p = subprocess.run([harness.cli.CXMETER, "import", "--db", c.db,
                        "responses", os.path.join(d, "responses.csv")],
                       cwd=c.dir, env=c.env, capture_output=True,
                       timeout=300, preexec_fn=limit_file_size(size + 65536))
    err = p.stderr.decode("utf-8", "replace")
    c.check(p.returncode == 3, f"import on a full disk: exit "
            f"{p.returncode}, stderr {err!r}")
    c.check(err.strip() and not err.rstrip().endswith(":"),
            f"no reason given: {err!r}")
    c.check(rows(c.db, "PRAGMA integrity_check")[0][0] == "ok",
            "the store is damaged")
    c.check(rows(c.db, "SELECT (SELECT count(*) FROM tickets),"
                       " (SELECT count(*) FROM responses)") == counts,
            "the store changed")
    after, r = c.report_json("--metrics", "created,csat", "--by", "month",
                             *WIDE)
    c.check(before and after and after["rows"] == before["rows"],
            "the report changed after the failed import", r)
    # with room again, the same import completes
    r = c.import_("responses", os.path.join(d, "responses.csv"))
    c.expect_rc(r, 0, "the import with room again")


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
