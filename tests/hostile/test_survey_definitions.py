#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_survey_definitions.py — survey definitions through the command line
(issue 14, docs/survey.md): `cxmeter survey add FILE|list|show ID|remove
ID|templates`. A bad definition, of any kind of fault, is refused with FILE,
the JSON path and the reason, exit 1, and nothing is stored (not even a new
store file); re-adding an id makes its next version and older versions stay
readable; `show` prints canonical JSON that adds back unchanged; the shipped
templates are listed with their five languages and install."""
import json
import os
import subprocess
import sys
import harness
from harness import pgdb, test

LANGS = ["en", "ms", "id", "vi", "fi"]
TEMPLATES = ["ces", "churn-prevention", "customer-communication",
             "event-feedback", "feature-adoption", "market-research", "nps",
             "onboarding", "post-purchase", "service-satisfaction",
             "support-csat"]


def texts(en, fi=None):
    return {"en": en, "fi": fi or en + " (fi)"}


def definition(**over):
    d = {
        "id": "after-call",
        "kind": "csat",
        "languages": ["en", "fi"],
        "title": texts("After your call", "Puhelusi jälkeen"),
        "questions": [
            {"id": "score", "type": "rating", "scale": "1-5",
             "metric": "csat", "required": True,
             "text": texts("How satisfied are you?",
                           "Kuinka tyytyväinen olet?")},
            {"id": "better", "type": "text",
             "show_if": {"question": "score", "min": 1, "max": 3},
             "text": texts("What could we have done better?",
                           "Mitä olisimme voineet tehdä paremmin?")},
            {"id": "channel", "type": "single_choice",
             "text": texts("How did you reach us?"),
             "options": [{"id": "phone", "text": texts("Phone")},
                         {"id": "chat", "text": texts("Chat")}]},
        ],
    }
    d.update(over)
    return d


def write_json(c, name, obj):
    return c.write(name, json.dumps(obj, ensure_ascii=False, indent=1))


def survey(c, *args):
    return c.run("survey", *args, "--db", c.db)


def stored_rows(c):
    if not c.store_exists():
        return None
    return pgdb.store_sql(c.db, "SELECT survey_id, version, removed_at IS"
                          " NULL FROM surveys ORDER BY 1, 2")


def shown(c, sid, *extra):
    r = survey(c, "show", sid, *extra)
    if not c.expect_rc(r, 0, f"show {sid}"):
        return None
    try:
        return json.loads(r.out)
    except ValueError:
        c.fail("show prints JSON", r)
        return None


@test
def add_list_show_remove(c):
    write_json(c, "s.json", definition())
    r = survey(c, "add", "s.json")
    c.expect_rc(r, 0, "add")
    c.check("added after-call version 1" in r.out, "add says version 1", r)
    r = survey(c, "list")
    c.expect_rc(r, 0, "list")
    line = [ln for ln in r.out.splitlines() if ln.startswith("after-call")]
    c.check(len(line) == 1 and "csat" in line[0] and "en fi" in line[0]
            and "After your call" in line[0], "list row", r)
    j = shown(c, "after-call")
    if j:
        c.check(j["version"] == 1 and j["kind"] == "csat"
                and j["default_language"] == "en"
                and [q["id"] for q in j["questions"]]
                == ["score", "better", "channel"]
                and j["questions"][1]["show_if"]
                == {"question": "score", "min": 1, "max": 3}
                and j["title"]["fi"] == "Puhelusi jälkeen",
                f"show gives the definition back: {j}")
    r = survey(c, "remove", "after-call")
    c.expect_rc(r, 0, "remove")
    r = survey(c, "list")
    c.check("after-call" not in r.out, "removed survey not listed", r)
    r = survey(c, "show", "after-call")
    c.expect_rc(r, 1, "show of a removed survey")
    c.check("no survey 'after-call'" in r.err, "says which", r)
    r = survey(c, "remove", "after-call")
    c.expect_rc(r, 1, "second remove")
    # Its version stays for the answers given under it.
    c.check(stored_rows(c) == [("after-call", 1, 0)],
            f"version kept, marked removed: {stored_rows(c)}")
    r = survey(c, "show", "after-call", "--version", "1")
    c.expect_rc(r, 0, "show --version 1 after remove")


@test
def readd_makes_next_version(c):
    write_json(c, "v1.json", definition())
    c.expect_rc(survey(c, "add", "v1.json"), 0, "add v1")
    # The same file again: nothing new.
    r = survey(c, "add", "v1.json")
    c.expect_rc(r, 0, "add again")
    c.check("unchanged after-call version 1" in r.out, "unchanged", r)
    d = definition()
    d["questions"][0]["text"]["en"] = "How happy are you?"
    write_json(c, "v2.json", d)
    r = survey(c, "add", "v2.json")
    c.expect_rc(r, 0, "add v2")
    c.check("replaced after-call version 2" in r.out, "version 2", r)
    j1, j2 = shown(c, "after-call", "--version", "1"), shown(c, "after-call")
    if j1 and j2:
        c.check(j1["questions"][0]["text"]["en"] == "How satisfied are you?"
                and j2["questions"][0]["text"]["en"] == "How happy are you?"
                and j2["version"] == 2, "both versions readable")
    # show's canonical JSON adds back as the same version.
    r = survey(c, "show", "after-call")
    c.write("shown.json", r.out)
    r = survey(c, "add", "shown.json")
    c.check(r.rc == 0 and "unchanged after-call version 2" in r.out,
            "canonical JSON re-adds unchanged", r)
    # After a remove the numbering goes on.
    c.expect_rc(survey(c, "remove", "after-call"), 0, "remove")
    r = survey(c, "add", "v1.json")
    c.check(r.rc == 0 and "version 3" in r.out, "re-added as version 3", r)
    r = survey(c, "show", "after-call", "--version", "9")
    c.expect_rc(r, 1, "an unknown version")


# (name, definition or raw text, path, reason): each refused alone.
def bad_definitions():
    d = definition()
    cases = []

    def case(name, path, reason, mutate=None, raw=None):
        dd = json.loads(json.dumps(d))
        if mutate:
            mutate(dd)
        cases.append((name, raw if raw is not None else dd, path, reason))

    def q(i, **kv):
        def m(dd):
            dd["questions"][i].update(kv)
        return m

    def add_q(qq):
        return lambda dd: dd["questions"].append(qq)

    # The issue's own example, word for word.
    case("scale_0_11", "questions[2].scale", "0-11 is not a scale",
         lambda dd: dd["questions"].__setitem__(
             2, {"id": "r2", "type": "rating", "scale": "0-11",
                 "text": texts("x")}))
    case("scale_words", "questions[0].scale", "is not a scale",
         q(0, scale="one to five"))
    case("nps_on_1_5", "questions[0].scale", "an nps rating is on 0-10",
         q(0, metric="nps"))
    case("csat_two_points", "questions[0].scale", "at least three points",
         q(0, scale="1-2"))
    case("nps_survey_no_rating", "questions",
         "needs a rating question for nps",
         lambda dd: dd.update(kind="nps", questions=dd["questions"][1:2]
                              and [{"id": "t", "type": "text",
                                    "text": texts("x")}]))
    case("missing_language", "questions[1].text.fi", "missing",
         lambda dd: dd["questions"][1]["text"].pop("fi"))
    case("extra_language", "title.vi", "not one of the survey's languages",
         lambda dd: dd["title"].update(vi="Tiêu đề"))
    case("empty_text", "questions[2].options[1].text.en", "empty",
         lambda dd: dd["questions"][2]["options"][1]["text"].update(en=" "))
    case("control_char", "title.en", "control character",
         lambda dd: dd["title"].update(en="a\u0001b"))
    case("unknown_member", "questions[0].colour", "unknown member",
         q(0, colour="red"))
    case("member_of_other_type", "questions[1].options",
         "a text question has no options", q(1, options=[]))
    case("bad_type", "questions[1].type", "is not a question type",
         q(1, type="essay"))
    case("bad_kind", "kind", "is not a kind",
         lambda dd: dd.update(kind="ces7"))
    case("bad_id", "id", "is not a survey id",
         lambda dd: dd.update(id="After Call"))
    case("duplicate_question", "questions[2].id",
         "\"score\" is already the id of questions[0]", q(2, id="score"))
    case("duplicate_option", "questions[2].options[1].id",
         "already the id of options[0]",
         lambda dd: dd["questions"][2]["options"][1].update(id="phone"))
    case("one_option", "questions[2].options", "2 to 50 options",
         lambda dd: dd["questions"][2]["options"].pop())
    case("follow_up_before", "questions[1].show_if.question",
         "no earlier question",
         lambda dd: dd["questions"].reverse())
    case("follow_up_out_of_scale", "questions[1].show_if.max",
         "6 is outside 1 to 5",
         q(1, show_if={"question": "score", "min": 1, "max": 6}))
    case("follow_up_bad_option", "questions[3].show_if.any_of[0]",
         "\"fax\" is not an option of channel",
         add_q({"id": "w", "type": "text", "text": texts("w"),
                "show_if": {"question": "channel", "any_of": ["fax"]}}))
    case("bad_language_code", "languages[1]", "is not a language code",
         lambda dd: dd.update(languages=["en", "Finnish"]))
    case("default_not_listed", "default_language", "is not one of",
         lambda dd: dd.update(default_language="vi"))
    case("no_questions", "questions", "1 to 100 questions",
         lambda dd: dd.update(questions=[]))
    case("not_an_object", "", "a survey definition is a JSON object",
         raw="[1, 2, 3]")
    return cases


@test
def bad_definitions_refused_with_path_and_nothing_stored(c):
    for name, d, path, reason in bad_definitions():
        f = name + ".json"
        if isinstance(d, str):
            c.write(f, d)
        else:
            write_json(c, f, d)
        r = survey(c, "add", f)
        c.expect_rc(r, 1, name)
        head = f"{f}: {path}: " if path else f"{f}: "
        line = r.err.split(head, 1)[1] if head in r.err else ""
        c.check(reason in line.split("\n")[0],
                f"{name}: stderr names '{head}' ...{reason}...", r)
        c.check(len(r.err.strip().splitlines()) == 1,
                f"{name}: one line of diagnosis", r)
        c.check(r.out == "", f"{name}: nothing on stdout", r)
        # Refused before the store is touched: not even created.
        c.check(not c.store_exists(), f"{name}: no store created", r)
        r = c.run("survey", "check", f)
        c.check(r.rc == 1 and head in r.err and reason in r.err,
                f"{name}: check agrees", r)
    # With a store holding version 1, a bad version 2 changes nothing.
    write_json(c, "good.json", definition())
    c.expect_rc(survey(c, "add", "good.json"), 0, "good add")
    for name, d, path, reason in bad_definitions():
        if isinstance(d, dict) and d.get("id") == "after-call":
            r = survey(c, "add", name + ".json")
            c.expect_rc(r, 1, f"{name} over a stored survey")
    c.check(stored_rows(c) == [("after-call", 1, 1)],
            f"still only version 1: {stored_rows(c)}")


@test
def not_json_named_by_line_and_column(c):
    c.write("dup.json", '{"id": "a",\n  "id": "b"}')
    r = survey(c, "add", "dup.json")
    c.expect_rc(r, 1, "duplicate member")
    c.check("dup.json:2:" in r.err and "duplicate" in r.err, "line 2", r)
    c.write("trunc.json", '{"id": "a",\n "kind": [')
    r = survey(c, "add", "trunc.json")
    c.expect_rc(r, 1, "truncated")
    c.check("trunc.json:2:" in r.err and "not valid JSON" in r.err,
            "line and reason", r)
    c.write("latin1.json", b'{"id": "caf\xe9"}')
    r = survey(c, "add", "latin1.json")
    c.expect_rc(r, 1, "not UTF-8")
    c.write("empty.json", "")
    r = survey(c, "add", "empty.json")
    c.expect_rc(r, 1, "empty file")
    c.write("nul.json", b'{"id": "a"}\x00{}')
    r = survey(c, "add", "nul.json")
    c.expect_rc(r, 1, "NUL byte")
    big = definition(kind="custom")
    big["title"]["en"] = "x" * 1500
    big["questions"] = [{"id": f"q{i}", "type": "text",
                         "text": texts("y" * 1900)} for i in range(100)]
    big["intro"] = texts("z" * 1900)
    write_json(c, "big.json", big)
    big_bytes = os.path.getsize(c.path("big.json"))
    c.write("huge.json", b" " * (1024 * 1024) + b"{}")
    r = survey(c, "add", "huge.json")
    c.expect_rc(r, 1, "over 1 MiB")
    c.check("larger than" in r.err, "says too large", r)
    r = survey(c, "add", "missing.json")
    c.expect_rc(r, 1, "missing file")
    c.check("missing.json" in r.err, "names the file", r)
    c.check(not c.store_exists(), "no store created")
    r = survey(c, "add", "big.json")
    c.check(r.rc == 0, f"a large ({big_bytes} bytes) valid definition", r)


@test
def stdin_definition(c):
    text = json.dumps(definition())
    p = subprocess.run([harness.cli.CXMETER, "survey", "add", "--db", c.db,
                        "-"], input=text.encode(), capture_output=True,
                       env=c.env, cwd=c.dir, timeout=60)
    c.check(p.returncode == 0 and b"added after-call" in p.stdout,
            f"add - reads stdin: {p.returncode} {p.stdout!r} {p.stderr!r}")


@test
def templates_listed_and_installable(c):
    r = c.run("survey", "templates")
    c.expect_rc(r, 0, "templates")
    rows = {ln.split()[0]: ln for ln in r.out.splitlines()[1:] if ln.strip()}
    c.check(sorted(rows) == TEMPLATES, f"every template listed: {sorted(rows)}",
            r)
    for t, ln in rows.items():
        c.check(" ".join(LANGS) in ln, f"{t}: five languages", r)
    for t in TEMPLATES:
        r = c.run("survey", "show", "--template", t)
        c.expect_rc(r, 0, f"show --template {t}")
        try:
            j = json.loads(r.out)
        except ValueError:
            c.fail(f"{t}: JSON", r)
            continue
        c.check(j["languages"] == LANGS and j["id"] == t, f"{t}: header")
        for q in j["questions"]:
            for lang in LANGS:
                c.check(q["text"].get(lang), f"{t}.{q['id']}: {lang} text")
        r = survey(c, "add", "--template", t)
        c.check(r.rc == 0 and f"added {t} version 1" in r.out,
                f"add --template {t}", r)
    r = survey(c, "list")
    listed = [ln.split()[0] for ln in r.out.splitlines()[1:] if ln.strip()]
    c.check(listed == TEMPLATES, f"all installed: {listed}", r)
    j = shown(c, "nps")
    if j:
        score, reason = j["questions"][0], j["questions"][1]
        c.check(score["scale"] == "0-10" and score["metric"] == "nps"
                and reason["type"] == "text"
                and reason["show_if"] == {"question": "score", "min": 0,
                                          "max": 10},
                "nps asks for the reason after every score")
    j = shown(c, "ces")
    if j:
        c.check(j["questions"][0]["scale"] == "1-7"
                and "easy" in j["questions"][0]["text"]["en"], "ces 1-7")
    j = shown(c, "customer-communication")
    if j:
        c.check(len(j["questions"]) >= 12, "the twelve groups")
    r = survey(c, "add", "--template", "nope")
    c.expect_rc(r, 1, "unknown template")
    c.check("no template 'nope'" in r.err, "says so", r)


@test
def documented_example_is_valid(c):
    """docs/survey.md's complete example adds as it is written."""
    import re
    doc = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                       "docs", "survey.md")
    with open(doc, encoding="utf-8") as f:
        m = re.search(r"```json\n(.*?)```", f.read(), re.S)
    if not c.check(m, "docs/survey.md has a JSON example"):
        return
    c.write("example.json", m.group(1))
    r = survey(c, "add", "example.json")
    c.check(r.rc == 0 and "added after-call version 1" in r.out,
            "the example is a valid definition", r)


@test
def usage_errors(c):
    for argv in (["survey"], ["survey", "frob"], ["survey", "add"],
                 ["survey", "show"], ["survey", "list", "extra"],
                 ["survey", "remove", "a", "b"],
                 ["survey", "show", "x", "--version", "0"],
                 ["survey", "show", "x", "--version", "two"],
                 ["survey", "list", "--template", "nps"],
                 ["survey", "add", "f.json", "--template", "nps"]):
        r = c.run(*argv, "--db", c.db)
        c.expect_rc(r, 2, " ".join(argv))
    r = c.run("survey", "--help")
    c.expect_rc(r, 0, "--help")
    c.check("show_if" in r.out and "templates" in r.out, "help text", r)


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
