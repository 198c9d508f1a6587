# SPDX-License-Identifier: MIT
"""run_survey.py — the survey in a real browser (ctest browser_survey).

Makes a fresh store, starts `cxmeter serve` on 127.0.0.1 and a free port,
creates an API token and two NPS invitations by `POST /api/v1/invitations`
(one in Finnish, one in English), runs test_survey.js in Debian's chromium
with their links, then checks the store: `cxmeter report --by language`
has one Finnish answer (the edit to 10 replaced the 9) and one English
answer sent with JavaScript off; the typed text is kept as typed.

Exits 77 (ctest: skipped) only when /usr/bin/chromium or the playwright-core
of tests/browser/node_modules is missing; `make deps` installs both.

--engine pg: the store is a PostgreSQL database (ctest browser_survey_pg).

Usage: run_survey.py --cxmeter PATH --workdir DIR --screens DIR [--engine pg]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "http"))
import test_serve  # noqa: E402  (the Server of the HTTP tests)

SKIP = 77


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cxmeter", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--screens", required=True)
    ap.add_argument("--engine", default=None,
                    help="pg: a PostgreSQL store (default: SQLite)")
    args = ap.parse_args()

    chromium = os.environ.get("CXM_CHROMIUM", "/usr/bin/chromium")
    pw = os.path.join(HERE, "node_modules", "playwright-core")
    if not os.access(chromium, os.X_OK):
        print("SKIP: %s is missing (Debian package chromium; `make deps` "
              "installs it)" % chromium)
        return SKIP
    if not os.path.isdir(pw):
        print("SKIP: %s is missing (`make deps` or "
              "scripts/install-node-deps.sh installs it)" % pw)
        return SKIP
    node = shutil.which("node") or shutil.which("nodejs")
    if not node:
        print("FAIL: node is missing (scripts/install-deps.sh installs it)")
        return 1

    test_serve.ARGS = types.SimpleNamespace(
        cxmeter=os.path.abspath(args.cxmeter), workdir=args.workdir,
        engine=args.engine, verbose=True)
    os.makedirs(args.workdir, exist_ok=True)
    s = test_serve.Server("browser_survey", templates=("nps",))
    try:
        fi, fi_path = s.invite(language="fi", ticket_id="T-1",
                               customer_id="C-1", agent_id="A-1",
                               team="Helsinki", channel="email")
        en, en_path = s.invite(language="en", team="Jakarta", channel="chat")
        p = subprocess.run(
            [node, os.path.join(HERE, "test_survey.js"),
             "--url", fi["link"], "--url-nojs", en["link"],
             "--cxmeter", test_serve.ARGS.cxmeter, "--db", s.db,
             "--screens", os.path.abspath(args.screens)],
            timeout=240)
        test_serve.check(p.returncode == 0,
                         "test_survey.js exited %d" % p.returncode)

        # The store after the browser: one Finnish answer of 10 (the edit
        # replaced the 9), one English 7, both with their reasons.
        rep = s.report("--by", "language", "--metrics", "nps")
        by = {r["language"]: r["nps"] for r in rep["rows"]}
        test_serve.check(by["fi"]["n"] == 1 and by["fi"]["value"] == 100.0,
                         "report fi: %s" % by)
        test_serve.check(by["en"]["n"] == 1 and by["en"]["value"] == 0.0,
                         "report en: %s" % by)
        rows = s.sql("SELECT language, score, comment, team FROM responses"
                     " ORDER BY language")
        test_serve.check(
            [r[:2] + r[3:] for r in rows] == [("en", 7, "Jakarta"),
                                               ("fi", 10, "Helsinki")],
            "rows: %s" % rows)
        test_serve.check("<script>window.__xss=1;" in rows[1][2],
                         "the Finnish reason kept as typed: %r" % rows[1][2])
        ans = json.loads(s.cli("export", "answers", "--format", "json"))
        test_serve.check(len(ans["answers"]) == 2, "export: %s" % ans)
        print("ok: the store has one answer of 10 (fi) and one of 7 (en); "
              "screenshots in %s" % args.screens)
    except test_serve.Fail as e:
        print("FAIL: %s" % e)
        return 1
    finally:
        s.close()  # stops the server whatever happened
    return 0


if __name__ == "__main__":
    sys.exit(main())
