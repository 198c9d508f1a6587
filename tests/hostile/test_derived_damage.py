#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_derived_damage.py — a damaged derived form never changes a figure
(issue 12, item 2).

Survey answers are also kept in derived forms: the column segment file
beside the store (<store>-cols), and inside the store the rollup cells
(rollup_answers), the column segments (col_answers) and their
dictionary (col_dict). Each carries a checksum; a damaged one is rebuilt from the store, or read around (the
rows serve), with a warning on stderr — never a different figure, never
an error with an empty reason. The truth is `--read rows`."""
import os
import random
import shutil
import sqlite3
import sys

import harness
from harness import test

METRICS = "csat,csat_mean,nps,ces,ces_agree"
BYS = ("month", "team,channel", "agent")


def small_store(c):
    """About fifty answers over three months, three teams, five agents,
    three channels, three surveys; some answers take agent, team and
    channel from their ticket."""
    rnd = random.Random(12)
    agents = [("a%d" % i, "team%d" % (i % 3)) for i in range(5)]
    chans = ("web", "chat", "phone")
    tickets = ["ticket_id,created_at,agent_id,team,channel,topic"]
    answers = ["response_id,survey,responded_at,score,scale,ticket_id,"
               "agent_id,team,channel,language"]
    for i in range(50):
        month, day = 1 + i % 3, 1 + (i * 7) % 28
        agent, team = agents[rnd.randrange(len(agents))]
        chan = chans[rnd.randrange(3)]
        tickets.append(f"T{i},2026-{month:02d}-{day:02d}T08:00:00Z,{agent},"
                       f"{team},{chan},topic{i % 4}")
        survey, scale, lo, hi = (("csat", "1-5", 1, 5), ("nps", "0-10", 0, 10),
                                 ("ces", "1-7", 1, 7))[i % 3]
        own = i % 4 != 0  # else the ticket's agent, team and channel
        answers.append(
            f"R{i},{survey},2026-{month:02d}-{day:02d}T12:{i % 60:02d}:00Z,"
            f"{rnd.randint(lo, hi)},{scale},T{i},"
            + (f"{agent},{team},{chan}," if own else ",,,")
            + ("en" if i % 2 else "de"))
    c.write("tickets.csv", "\n".join(tickets) + "\n")
    c.write("responses.csv", "\n".join(answers) + "\n")
    c.expect_rc(c.import_("tickets", "tickets.csv"), 0, "import tickets")
    c.expect_rc(c.import_("responses", "responses.csv"), 0,
                "import responses")


def report(c, db, by, read):
    return c.run("report", "--db", db, "--format", "json", "--metrics",
                 METRICS, "--by", by, "--read", read, *harness.WIDE)


def truth(c, db=None):
    out = {}
    for by in BYS:
        r = report(c, db or c.db, by, "rows")
        c.expect_rc(r, 0, f"--read rows --by {by}")
        c.check('"n": ' in r.out, f"--by {by}: no figure with data", r)
        out[by] = r.out
    return out


def no_empty_reason(c, r, what):
    """A failure names its reason: `store error: ` is never the end."""
    if r.rc not in (0, None):
        last = r.err.strip().splitlines()[-1] if r.err.strip() else ""
        c.check(last and not last.rstrip().endswith(":"),
                f"{what}: an error without a reason", r)


@test
def segment_file_every_byte(c):
    """Every byte of <store>-cols flipped in turn (the file put back each
    time): the same JSON as --read rows with --read columns and auto, exit
    0, and a warning naming the file whenever it was rebuilt."""
    small_store(c)
    want = truth(c)
    cols = c.db + "-cols"
    with open(cols, "rb") as f:
        good = f.read()
    c.check(0 < len(good) < 4096, f"{cols}: {len(good)} bytes, expected a "
            "small file")
    bad_figures = 0
    for i in range(len(good)):
        damaged = bytearray(good)
        damaged[i] ^= 0x5A if i % 2 else 0x01
        # One report a byte (the breakdowns in turn: one process each, so
        # that the test stays short under the sanitizers), and every
        # eighth byte also under --read auto.
        runs = [(BYS[i % len(BYS)], "columns")]
        if i % 8 == 0:
            runs.append((BYS[(i // 8) % len(BYS)], "auto"))
        for by, read in runs:
            with open(cols, "wb") as f:
                f.write(damaged)
            r = report(c, c.db, by, read)
            what = f"byte {i} flipped, --by {by} --read {read}"
            no_empty_reason(c, r, what)
            if not c.expect_rc(r, 0, what):
                continue
            if r.out != want[by]:
                bad_figures += 1
                if bad_figures <= 3:
                    c.fail(f"{what}: figures differ from --read rows", r)
            with open(cols, "rb") as f:
                now = f.read()
            if now != bytes(damaged):
                c.check(now == good, f"{what}: rebuilt unlike the good file")
                c.check("warning:" in r.err and "-cols" in r.err and
                        "damaged" in r.err,
                        f"{what}: the file was rebuilt without a warning", r)
    c.check(bad_figures == 0, f"{bad_figures} reports with other figures")
    with open(cols, "wb") as f:
        f.write(good)


CELL_KEY = ("grain", "cube", "t", "survey", "scale_min", "scale_max",
            "agent_id", "team", "channel", "language", "topic")


def damage_cases(db):
    """(what, SQL, args) that each damage one stored derived value: bytes
    of a rollup cell's histogram, its count, a dimension, a segment's bytes
    and count, a segment turned into text."""
    rnd = random.Random(3)
    con = sqlite3.connect(db)
    cells = con.execute("SELECT " + ", ".join(CELL_KEY) + ", length(hist)"
                        " FROM rollup_answers").fetchall()
    segs = con.execute("SELECT t, length(data) FROM col_answers").fetchall()
    con.close()
    where = " AND ".join(f"{k} = ?" for k in CELL_KEY)
    cases = []
    for cell in rnd.sample(cells, min(len(cells), 8)):
        key, size = cell[:-1], cell[-1]
        i = rnd.randrange(size)
        cases += [
            (f"cell {key}: hist byte {i}",
             f"UPDATE rollup_answers SET hist = substr(hist, 1, {i}) ||"
             f" x'{rnd.randrange(1, 256):02x}' || substr(hist, {i + 2})"
             f" WHERE {where}", key),
            (f"cell {key}: hist counts moved",
             "UPDATE rollup_answers SET hist = substr(hist, 9) ||"
             f" substr(hist, 1, 8) WHERE {where}", key),
            (f"cell {key}: n + 1",
             f"UPDATE rollup_answers SET n = n + 1 WHERE {where}", key),
            (f"cell {key}: team renamed",
             f"UPDATE rollup_answers SET team = team || 'x' WHERE {where}",
             key)]
    for t, size in segs:
        for i in rnd.sample(range(size), min(size, 6)):
            cases.append((f"segment {t}: byte {i}",
                          "UPDATE col_answers SET data ="
                          f" CAST(substr(data, 1, {i}) ||"
                          f" x'{rnd.randrange(1, 256):02x}' ||"
                          f" substr(data, {i + 2}) AS BLOB) WHERE t = ?",
                          (t,)))
        cases += [(f"segment {t}: n + 1",
                   "UPDATE col_answers SET n = n + 1 WHERE t = ?", (t,)),
                  (f"segment {t}: text",
                   "UPDATE col_answers SET data = 'garbage' WHERE t = ?",
                   (t,))]
    # A dictionary entry renamed: every answer of that agent, team or
    # channel would be counted under another name.
    for col in (1, 2, 3):
        cases.append((f"segment dictionary: column {col} renamed",
                      "UPDATE col_dict SET value = value || 'x'"
                      " WHERE col = ? AND id = 0", (col,)))
    # Every cell damaged: whichever cells a report reads are damaged.
    cases.append(("every cell: n + 1",
                  "UPDATE rollup_answers SET n = n + 1", ()))
    return cases


@test
def store_cells_and_segments(c):
    """Rollup cells and column segments damaged inside the store (python
    sqlite3): every read path gives the figures of --read rows, with a
    warning naming what was damaged; never an error without a reason."""
    small_store(c)
    want = truth(c)
    db = c.path("damaged.db")
    for what, sql, args in damage_cases(c.db):
        shutil.copy(c.db, db)
        for extra in ("-cols",):
            if os.path.exists(c.db + extra):
                shutil.copy(c.db + extra, db + extra)
        con = sqlite3.connect(db)
        changed = con.execute(sql, args).rowcount
        con.commit()
        con.close()
        if not c.check(changed >= 1, f"{what}: nothing damaged"):
            continue
        warned = False
        # Cells are read by --read auto, segments by --read columns.
        reads = ("columns",) if what.startswith("segment") else ("auto",)
        for by in BYS:
            for read in reads:
                r = report(c, db, by, read)
                w = f"{what}, --by {by} --read {read}"
                no_empty_reason(c, r, w)
                if c.expect_rc(r, 0, w):
                    c.check(r.out == want[by],
                            f"{w}: figures differ from --read rows", r)
                warned = warned or "damaged" in r.err
        # A cell is read only by the reports its cube and grain serve (a
        # damaged day cell is never read here); every report of --read
        # columns reads every segment.
        if what.startswith(("segment", "every cell")):
            c.check(warned, f"{what}: no report warned of the damage")


@test
def import_mends_damage(c):
    """An import over a damaged cell or segment neither fails nor carries
    the damage on into a sum: it counts every derived form again, and the
    reports after it read them without a warning."""
    small_store(c)
    c.write("more.csv", "response_id,survey,responded_at,score,scale\n"
            "X1,csat,2026-02-10T10:00:00Z,5,1-5\n")
    c.write("replace.csv", "response_id,survey,responded_at,score,scale\n"
            "R1,csat,2026-02-10T10:00:00Z,2,1-5\n")
    cases = [
        ("append over a damaged year cell", "more.csv",
         "UPDATE rollup_answers SET n = n + 7 WHERE grain = 2"),
        ("append over a damaged segment", "more.csv",
         "UPDATE col_answers SET data = CAST(substr(data, 1, 30) ||"
         " x'07' || substr(data, 32) AS BLOB)"),
        ("append over a damaged dictionary", "more.csv",
         "UPDATE col_dict SET value = 'zz' WHERE col = 2 AND id = 0"),
        ("recount over a damaged month cell", "replace.csv",
         "UPDATE rollup_answers SET hist = substr(hist, 9) ||"
         " substr(hist, 1, 8) WHERE grain = 1"),
    ]
    for what, csv_name, sql in cases:
        db = c.path("m.db")
        for p in (db, db + "-cols", db + "-wal", db + "-shm"):
            if os.path.exists(p):
                os.remove(p)
        shutil.copy(c.db, db)
        con = sqlite3.connect(db)
        c.check(con.execute(sql).rowcount >= 1, f"{what}: nothing damaged")
        con.commit()
        con.close()
        r = c.import_("responses", csv_name, db=db)
        no_empty_reason(c, r, what)
        c.expect_rc(r, 0, what)
        want = truth(c, db)
        for by in BYS:
            for read in ("auto", "columns"):
                rr = report(c, db, by, read)
                w = f"{what}: --by {by} --read {read}"
                if c.expect_rc(rr, 0, w):
                    c.check(rr.out == want[by], f"{w}: figures differ", rr)
                    c.check("damaged" not in rr.err,
                            f"{w}: still damaged after the import", rr)


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
