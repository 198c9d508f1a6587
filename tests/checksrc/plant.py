#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""plant.py — scripts/checksrc.py catches what it is for.

Copies src/, cli/ and include/ into a temporary tree, plants one breach at a
time (an upward include, a folder of sources that is no room, a cli/
include of src/, a printf and a getenv in the library) and requires checksrc.py to fail naming it; the clean copy
must pass.

Usage: plant.py SOURCE_DIR
"""
import os
import shutil
import subprocess
import sys
import tempfile

PLANTS = [
    ("src/core/buf.c", '#include "report_int.h"\n', "layers"),
    ("src/time/period.c", '#include "store_int.h"\n', "layers"),
    ("src/store/store.c", '#include "definitions_int.h"\n', "layers"),
    ("src/store/nowhere/x.c", '#include "internal.h"\n', "layers"),
    ("cli/main.c", '#include "record.h"\n', "cli"),
    ("src/survey/invite.c", '#include "sqlite_int.h"\n', "engine"),
    ("src/http/writer.c", "#include <sqlite3.h>\n", "engine"),
    ("src/stats/stat.c",
     "void cxm__planted(void);\nvoid cxm__planted(void) "
     "{ printf(\"x\"); }\n", "calls"),
    ("src/ingest/csv.c",
     "const char *cxm__planted2(void);\nconst char *cxm__planted2(void) "
     "{ return getenv(\"HOME\"); }\n", "calls"),
]


def run(top, tree):
    return subprocess.run([sys.executable,
                           os.path.join(top, "scripts", "checksrc.py"), tree],
                          capture_output=True, text=True)


def main():
    top = os.path.abspath(sys.argv[1])
    failed = 0
    with tempfile.TemporaryDirectory(prefix="cxm-checksrc-") as tmp:
        for d in ("src", "cli", "include"):
            shutil.copytree(os.path.join(top, d), os.path.join(tmp, d))
        r = run(top, tmp)
        if r.returncode != 0:
            print("the clean tree fails:\n" + r.stdout)
            failed += 1
        for path, text, rule in PLANTS:
            p = os.path.join(tmp, path)
            orig = None  # a new file (a folder that is no room)
            if os.path.exists(p):
                with open(p, encoding="utf-8") as f:
                    orig = f.read()
            else:
                os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "a", encoding="utf-8") as f:
                f.write(text)
            r = run(top, tmp)
            hit = any(line.startswith(path + ":") and f": {rule}:" in line
                      for line in r.stdout.splitlines())
            if r.returncode != 1 or not hit:
                print(f"FAIL: {rule} planted in {path} not caught "
                      f"(exit {r.returncode}):\n{r.stdout}")
                failed += 1
            else:
                print(f"ok: {rule} planted in {path} caught")
            if orig is None:
                os.remove(p)
            else:
                with open(p, "w", encoding="utf-8") as f:
                    f.write(orig)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
