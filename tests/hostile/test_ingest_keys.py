#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_ingest_keys.py — keys are what they look like (SPEC Conventions,
input hygiene): ids and other key values are trimmed like headers (" T1",
"T1 " and "T1" are one ticket), agent_hours' date is the calendar day
whatever time is written (one key, the later row replaces), and a control
character (NUL included) in a key or dimension value is a rejected row
naming the column, so topics "a\\0b" and "a" never merge. Free text
(comment, question, review text) keeps tabs and line breaks and refuses
other control characters."""
import sys
import harness
from harness import test, check_diags, rows_by, WIDE


@test
def ids_are_trimmed(c):
    c.write("t.csv", "ticket_id,created_at,channel,team\n"
            '" T1",2026-01-05T09:00:00Z,email, Support\n'
            '"T1 ",2026-01-05T09:00:00Z,email,Support \n'
            "T1,2026-01-05T09:00:00Z,chat,Support\n"
            "\tT2\t,2026-01-05T09:00:00Z, web ,\" Support \"\n")
    r = c.import_("tickets", "t.csv")
    c.expect_rc(r, 0, "import")
    c.check(c.count("created") == 2, "T1 three times is one ticket, + T2")
    j, _ = c.report_json("--metrics", "created", "--by", "team", *WIDE)
    c.check(set(rows_by(j, "team")) == {"Support"},
            f"team values are trimmed: {sorted(rows_by(j, 'team'))}")
    j, _ = c.report_json("--metrics", "created", "--by", "channel", *WIDE)
    c.check(set(rows_by(j, "channel")) == {"chat", "web"},
            f"T1 is the last row (chat); T2 web: "
            f"{sorted(rows_by(j, 'channel'))}")
    # A response's ticket_id finds the ticket whatever the spaces.
    c.write("r.csv", "response_id,survey,responded_at,score,ticket_id\n"
            "R1,csat,2026-01-05T10:00:00Z,5,\" T1 \"\n"
            " R1 ,csat,2026-01-05T10:00:00Z,4,T1\n")
    r = c.import_("responses", "r.csv")
    c.expect_rc(r, 0, "responses")
    j, _ = c.report_json("--metrics", "csat", "--by", "channel", *WIDE)
    rows = rows_by(j, "channel")
    c.check(set(rows) == {"chat"} and rows["chat"]["csat"]["n"] == 1,
            f"one answer (R1 replaced), taking T1's channel: {rows}")


@test
def blank_required_key_is_missing(c):
    c.write("t.csv", "ticket_id,created_at\n"
            '"   ",2026-01-05T09:00:00Z\n'
            "T1,2026-01-05T09:00:00Z\n")
    r = c.import_("tickets", "t.csv")
    c.expect_rc(r, 1, "a blank id")
    check_diags(c, r, "t.csv", [(2, {1}, "ticket_id", "blank id")])


@test
def agent_hours_date_is_the_day(c):
    c.write("t.csv", "ticket_id,created_at,resolved_at,agent_id\n"
            "T1,2026-01-07T09:00:00Z,2026-01-07T10:00:00Z,A1\n"
            "T2,2026-01-07T09:00:00Z,2026-01-07T11:00:00Z,A1\n")
    c.write("h.csv", "agent_id,date,hours\n"
            "A1,2026-01-07,8\n"
            "A1,2026-01-07T10:00:00Z,4\n"
            " A1 ,2026-01-07 23:30:00-05:00,2\n")
    c.expect_rc(c.import_("tickets", "t.csv"), 0, "tickets")
    r = c.import_("agent_hours", "h.csv")
    c.expect_rc(r, 0, "hours")
    f = c.figure("agent_productivity", "--from", "2026-01-01", "--to",
                 "2026-02-01")
    c.check(isinstance(f, dict) and f.get("hours") == 2.0
            and f.get("per_hour") == 1.0,
            f"one key for A1 on 2026-01-07: the last row's 2 hours, "
            f"per_hour 2 tickets / 2 h = 1.0; got {f}")


@test
def nul_never_merges_values(c):
    c.write("t.csv", b"ticket_id,created_at,topic\n"            # 1
            b"T1,2026-01-05T09:00:00Z,a\n"                       # 2
            b"T2,2026-01-05T09:00:00Z,a\x00b\n"                  # 3
            b"T3,2026-01-05T09:00:00Z,\"a\x00\"\n"               # 4
            b"T\x004,2026-01-05T09:00:00Z,c\n")                  # 5
    r = c.import_("tickets", "t.csv")
    c.expect_rc(r, 1, "NUL in values")
    check_diags(c, r, "t.csv", [(3, {3}, "topic", "NUL in topic"),
                                (4, {3}, "topic", "NUL at the end"),
                                (5, {1}, "ticket_id", "NUL in an id")])
    for d in harness.diags(r.err, "t.csv"):
        c.check("control character" in d["reason"],
                f"the reason names the control character: {d['raw']}", r)
    j, _ = c.report_json("--metrics", "created", "--by", "topic", *WIDE)
    rows = rows_by(j, "topic")
    c.check(set(rows) == {"a"} and rows["a"]["created"]["value"] == 1,
            f"only T1's topic a: {rows}")


# kind, header, good row, bad rows with (column, name); \x01 SOH, \x1b ESC,
# \x7f DEL, \xc2\x85 NEL (C1).
CONTROL = [
    ("tickets", "ticket_id,created_at,agent_id,team,channel,status,tags",
     "G,2026-01-05T09:00:00Z,A1,T,email,open,x",
     [("B1,2026-01-05T09:00:00Z,A\x1b[31m1,T,email,open,x", 3, "agent_id"),
      ("B2,2026-01-05T09:00:00Z,A1,T\x01,email,open,x", 4, "team"),
      ("B3,2026-01-05T09:00:00Z,A1,T,em\x7fail,open,x", 5, "channel"),
      ("B4,2026-01-05T09:00:00Z,A1,T,email,op\x0ben,x", 6, "status"),
      ("B5,2026-01-05T09:00:00Z,A1,T,email,open,x\x00", 7, "tags")]),
    ("responses", "response_id,survey,responded_at,score,language,agent_id",
     "G,csat,2026-01-05T09:00:00Z,5,en,A1",
     [("B1,cs\x00at,2026-01-05T09:00:00Z,5,en,A1", 2, "survey"),
      ("B2,csat,2026-01-05T09:00:00Z,5,e\u0085n,A1", 5, "language")]),
    ("customers", "customer_id,acquired_at,segment,country",
     "G,2026-01-05T09:00:00Z,smb,ID",
     [("B1,2026-01-05T09:00:00Z,sm\x02b,ID", 3, "segment")]),
    ("orders", "order_id,customer_id,ordered_at,amount,currency",
     "G,C1,2026-01-05T09:00:00Z,10,USD",
     [("B1,C\x001,2026-01-05T09:00:00Z,10,USD", 2, "customer_id")]),
    ("selfservice", "session_id,started_at,kind,topic",
     "G,2026-01-05T09:00:00Z,faq,billing",
     [("B1,2026-01-05T09:00:00Z,f\x1baq,billing", 3, "kind"),
      ("B2,2026-01-05T09:00:00Z,faq,bil\x00ling", 4, "topic")]),
    ("agents", "agent_id,team", "A1,T",
     [("A\x002,T", 1, "agent_id")]),
    ("reviews", "review_id,posted_at,rating,source",
     "G,2026-01-05T09:00:00Z,5,g2",
     [("B1,2026-01-05T09:00:00Z,5,g\x7f2", 4, "source")]),
    ("qa_scores", "ticket_id,reviewer,score", "T1,R1,90",
     [("T1,R\x1b2,90", 2, "reviewer")]),
]


@test
def control_characters_in_keys_and_dimensions(c):
    for kind, header, good, bads in CONTROL:
        lines = [header, good] + [b for b, _, _ in bads]
        f = c.write(f"{kind}.csv", "\n".join(lines) + "\n")
        r = c.import_(kind, f)
        c.expect_rc(r, 1, f"{kind}: control characters")
        check_diags(c, r, f, [(3 + i, {col}, name, f"{kind} {name}")
                              for i, (_, col, name) in enumerate(bads)])
        c.expect_summary(r, 1, len(bads), f"{kind} summary")
        c.check("\x1b" not in r.err and "\x00" not in r.err,
                f"{kind}: no raw control character on stderr", r)


@test
def free_text_keeps_tabs_and_line_breaks(c):
    c.write("r.csv", b"response_id,survey,responded_at,score,comment,"
            b"question\n"                                           # 1
            b"G1,csat,2026-01-05T09:00:00Z,5,\"fine\tthanks\r\n"
            b"bye\",How was it?\n"                                  # 2-3
            b"B1,csat,2026-01-05T09:00:00Z,5,bad\x00cut,q\n"        # 4
            b"B2,csat,2026-01-05T09:00:00Z,5,\x1b[2Jclear,q\n"      # 5
            b"B3,csat,2026-01-05T09:00:00Z,5,ok,q\x07\n")           # 6
    r = c.import_("responses", "r.csv")
    c.expect_rc(r, 1, "control characters in free text")
    check_diags(c, r, "r.csv", [(4, {5}, "comment", "NUL in comment"),
                                (5, {5}, "comment", "ESC in comment"),
                                (6, {6}, "question", "BEL in question")])
    c.expect_summary(r, 1, 3)
    c.write("v.csv", b"review_id,posted_at,rating,text\n"
            b"G1,2026-01-05T09:00:00Z,5,\"line one\nline two\"\n"
            b"B1,2026-01-05T09:00:00Z,5,nul\x00here\n")
    r = c.import_("reviews", "v.csv")
    check_diags(c, r, "v.csv", [(4, {4}, "text", "NUL in review text")])


@test
def helpdesk_keys(c):
    c.write("z.csv", b"Id,Created at,Group,Via,Assignee\n"       # 1
            b" 7 ,2026-01-05 09:00,Tier 1,Email,Ann\n"           # 2
            b"7,2026-01-05 09:00,Tier 1,Email,Ann\n"             # 3
            b"8,2026-01-05 09:00,Tier\x011,Email,Ann\n"          # 4
            b"9,2026-01-05 09:00,Tier 1,E\x00mail,Ann\n")        # 5
    r = c.import_("zendesk", "z.csv")
    c.expect_rc(r, 1, "zendesk keys")
    check_diags(c, r, "z.csv", [(4, {3}, "group", "SOH in group"),
                                (5, {4}, "via", "NUL in via")])
    c.check(c.count("created") == 1, "ids 7 and ' 7 ' are one ticket")


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
