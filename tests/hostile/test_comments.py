#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_comments.py — `cxmeter comments`: hostile text in open-ended
answers (a <script> element, spreadsheet formulas starting with = + - @,
tab or CR) comes back exactly as typed from JSON and CSV, inert: JSON
escapes < > & ' as \\u00XX, CSV quotes per RFC 4180 and puts a ' before a
formula; the filters select what they name; a survey submission's text
answer that explains no rating is listed beside the answers' comments, its
choice answers are not.
"""
import csv
import io
import json
import sys

import harness
from harness import pgdb, test

HOSTILE = [
    "<script>alert(1)</script> & 'quoted'",
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "+1 were great",
    "-2 stars, slow",
    "@SUM(A1:A9)",
    "\tstarts with a tab",
    "\rstarts with CR",
    "plain, with a comma and \"quotes\"\nand a second line",
]


def responses(c, name, rows):
    """rows: (id, survey, at, score, comment, ticket, agent, team)"""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    w.writerow(["response_id", "survey", "responded_at", "score", "comment",
                "ticket_id", "agent_id", "team"])
    for r in rows:
        w.writerow(r)
    c.write(name, out.getvalue())
    c.expect_rc(c.import_("responses", name), 0, "import responses")


def comments(c, *argv):
    r = c.run("comments", "--db", c.db, *argv)
    c.expect_rc(r, 0, "comments " + " ".join(argv))
    return r


def stored(c):
    rows = [(f"R{i}", "csat", f"2026-03-0{1 + i % 8}T10:00:00Z", 1 + i % 5,
             text, f"T{i}", f"agent{i % 2}", "")
            for i, text in enumerate(HOSTILE)]
    responses(c, "r.csv", rows)
    c.write("t.csv", "ticket_id,created_at,agent_id,team\n" +
            "".join(f"T{i},2026-03-01T09:00:00Z,agent{i % 2},"
                    f"team{i % 2}\n" for i in range(len(HOSTILE))))
    c.expect_rc(c.import_("tickets", "t.csv"), 0, "import tickets")


@test
def json_and_csv_escape_hostile_text(c):
    stored(c)
    r = comments(c, "--format", "json")
    c.check("<script>" not in r.out and "\\u003cscript\\u003e" in r.out and
            "& " not in r.out, "JSON does not escape < > &", r)
    try:
        got = json.loads(r.out)["comments"]
    except (ValueError, KeyError) as e:
        c.fail(f"not JSON: {e}", r)
        return
    c.check(sorted(x["comment"] for x in got) == sorted(HOSTILE),
            "JSON does not give the comments back as typed", r)
    one = [x for x in got if x["id"] == "R0"]
    c.check(one and one[0]["score"] == 1 and one[0]["ticket_id"] == "T0" and
            one[0]["agent_id"] == "agent0" and one[0]["team"] == "team0" and
            one[0]["responded_at"] == "2026-03-01T10:00:00Z" and
            one[0]["source"] == "responses",
            f"score, ticket, agent, team (from the ticket), time: {one}", r)
    r = comments(c, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.out, newline="")))
    c.check(len(rows) == len(HOSTILE), f"{len(rows)} CSV rows", r)
    for row in rows:
        want = HOSTILE[int(row["id"][1:])]
        formula = want[0] in "=+-@\t\r"
        c.check(row["comment"] == ("'" + want if formula else want),
                f"CSV cell {row['comment']!r} for {want!r}", r)
        c.check(row["agent_id"][0] not in "=+-@", "agent cell", r)
    r = comments(c)
    c.check(r.out.count("\n") == len(HOSTILE) + 1 and
            "second line" in r.out, "table: one line a comment", r)


@test
def filters_select_what_they_name(c):
    stored(c)

    def ids(*argv):
        r = comments(c, "--format", "json", *argv)
        try:
            return sorted(x["id"] for x in json.loads(r.out)["comments"])
        except (ValueError, KeyError):
            c.fail("not JSON", r)
            return []

    c.check(ids("--search", "SCRIPT") == ["R0"], "search, any case")
    c.check(ids("--agent", "agent1") == ["R1", "R3", "R5", "R7"], "agent")
    c.check(ids("--team", "team0") == ["R0", "R2", "R4", "R6"], "team")
    c.check(ids("--score-max", "2") == ["R0", "R1", "R5", "R6"],
            "score-max")
    c.check(ids("--from", "2026-03-03", "--to", "2026-03-05") ==
            ["R2", "R3"], "from/to")
    c.check(ids("--survey", "nps") == [], "survey")
    c.check(len(ids("--limit", "3")) == 3, "limit")
    r = c.run("comments", "--db", c.db, "--format", "xml")
    c.expect_rc(r, 2, "bad format")
    r = c.run("comments", "--db", c.db, "--from", "2026-03-05", "--to",
              "2026-03-01")
    c.expect_rc(r, 2, "from after to")


@test
def survey_submission_text_answers(c):
    """A submission of service-satisfaction: its rating's follow-up became
    the answer's comment (listed once); its free comment question is
    listed from the submission; its single choice is not."""
    c.expect_rc(c.run("survey", "add", "--template", "service-satisfaction",
                      "--db", c.db), 0, "survey add")
    ws, ver = pgdb.store_sql(c.db, "SELECT workspace_id, version FROM"
                             " surveys WHERE survey_id ="
                             " 'service-satisfaction'")[0]
    pgdb.store_sql(c.db, "INSERT INTO invitations (workspace_id,"
                   " invitation_id, token_hash, survey_id, survey_version,"
                   " language, ticket_id, customer_id, agent_id, team,"
                   " channel, created_at, expires_at) VALUES (?, 'INV1', ?,"
                   " 'service-satisfaction', ?, 'en', 'T9', 'C9', 'ann',"
                   " 'care', 'chat', 1772900000000, 1773900000000)",
                   ws, b"\x00", ver)
    answers = {"overall": 2, "channel": "=chat", "improve": "too slow",
               "comment": "=cmd|' /C calc'!A0 <b>bold</b>"}
    pgdb.store_sql(c.db, "INSERT INTO submissions (workspace_id,"
                   " invitation_id, first_at, updated_at, submitted_at, held,"
                   " edits, answers) VALUES (?, 'INV1', 1772900100000,"
                   " 1772900100000, 1772900100000, 0, 0, ?)",
                   ws, json.dumps(answers))
    responses(c, "r.csv", [("INV1:overall", "csat", "2026-03-07T16:15:00Z",
                            2, "too slow", "T9", "ann", "care")])
    r = comments(c, "--format", "json")
    try:
        got = json.loads(r.out)["comments"]
    except (ValueError, KeyError):
        c.fail("not JSON", r)
        return
    texts = sorted((x["source"], x["comment"]) for x in got)
    c.check(texts == [("responses", "too slow"),
                      ("submission", answers["comment"])],
            f"comments {texts}", r)
    sub = [x for x in got if x["source"] == "submission"]
    c.check(sub and sub[0]["id"] == "INV1:comment" and
            sub[0]["agent_id"] == "ann" and sub[0]["team"] == "care" and
            sub[0]["survey"] == "service-satisfaction" and
            sub[0]["score"] is None, f"submission comment {sub}", r)
    r = comments(c, "--format", "csv", "--team", "care")
    c.check("\"'=cmd|' /C calc'!A0 <b>bold</b>\"" in r.out or
            ",'=cmd|' /C calc'!A0 <b>bold</b>" in r.out,
            "the submission's formula is not escaped in CSV", r)
    c.check(comments(c, "--score-max", "3", "--format", "csv").out
            .count("\n") == 2, "score-max keeps the scored comment only")


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
