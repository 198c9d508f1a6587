#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""checksrc.py — the source rules a compiler does not check (STYLE.md §4.1).

  layers    a file in src/<room>/ includes only headers of its own room and
            of the rooms listed before it in ROOMS (arrows run one way);
            every folder of sources under src/ is a room;
  engine    only the SQLite engine (src/store/sqlite/, and the row-only
            test engine built on it, src/store/rowtest/) includes
            sqlite_int.h or <sqlite3.h>: the rest of the library reaches
            it through struct cxm__store_ops;
  cli       cli/ includes only the public headers (include/cxmeter/) and its
            own, never a header of src/;
  calls     the library never prints, exits or reads the environment or the
            locale (printf, puts, exit, getenv, setlocale …);
  exports   with a build directory: every symbol the library defines for
            others starts with cxm_ (public cxm_, internal cxm__).

Usage: checksrc.py SOURCE_DIR [BUILD_DIR]
Prints one line per breach, `file:line: rule: what`; exit 1 when there is
one, 0 otherwise.
"""

import os
import re
import subprocess
import sys

# The rooms of src/, lowest first: a room may use the rooms before it.
# Keep in step with CXM_ROOMS in CMakeLists.txt: a folder of sources
# under src/ that is no room fails (check_rooms_known).
ROOMS = ["core", "time", "stats", "ingest", "store", "store/sqlite",
         "store/rowtest", "store/pg", "report", "survey", "alert", "send", "http",
         "demo"]

# Known breaches being removed, as (file, header) pairs; a planted one is
# never among them. Each names why it is still here.
KNOWN = set()

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
FORBIDDEN_CALL = re.compile(
    r"(?<![\w.>])(printf|vprintf|fprintf|vfprintf|puts|fputs|putchar|"
    r"perror|exit|_exit|_Exit|abort|getenv|secure_getenv|setlocale)\s*\(")


def strip_comments_and_strings(text):
    """C text with comments and string/char literals blanked, lines kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + re.sub(r"[^\n]", " ", text[i + 1:j]) + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def room_of(path):
    """The room of a path under src/ (the longest matching), or None."""
    rel = os.path.dirname(path)
    best = None
    for r in ROOMS:
        if rel == r or rel.startswith(r + "/"):
            if best is None or len(r) > len(best):
                best = r
    return best


def sources(top, sub):
    for d, _, files in os.walk(os.path.join(top, sub)):
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                yield os.path.relpath(os.path.join(d, f), top)


def header_rooms(top):
    """Header name (as included) -> its room ("" for src/ itself)."""
    where = {}
    for p in sources(top, "src"):
        if p.endswith(".h"):
            inner = os.path.relpath(p, "src")
            room = room_of(inner) or ""
            where[os.path.basename(p)] = room
            where[inner] = room
    return where


def check_rooms_known(top, breaches):
    """Every folder of sources under src/ is a room of ROOMS."""
    seen = set()
    for p in sources(top, "src"):
        d = os.path.dirname(os.path.relpath(p, "src"))
        if d and d not in ROOMS and d not in seen:
            seen.add(d)
            breaches.append(f"{p}:1: layers: src/{d} is no room of ROOMS "
                            f"(scripts/checksrc.py, CXM_ROOMS in "
                            f"CMakeLists.txt)")


def check_layers(top, breaches):
    where = header_rooms(top)
    for p in sources(top, "src"):
        room = room_of(os.path.relpath(p, "src"))
        if room is None:
            continue  # src/internal.h, shared by every room
        text = open(os.path.join(top, p), encoding="utf-8").read()
        for m in INCLUDE.finditer(text):
            h = m.group(1)
            if h not in where:
                continue  # generated or public (cxmeter/…)
            hr = where[h]
            if hr == "" or hr == room:
                continue
            if ROOMS.index(hr) > ROOMS.index(room) and (p, h) not in KNOWN:
                line = text.count("\n", 0, m.start()) + 1
                breaches.append(f"{p}:{line}: layers: the {room} room "
                                f"includes {h} of the {hr} room, which "
                                f"comes after it")


ENGINE_INCLUDE = re.compile(
    r'^\s*#\s*include\s+[<"](sqlite_int\.h|sqlite3\.h)[>"]', re.M)


PG_INCLUDE = re.compile(
    r'^\s*#\s*include\s+[<"](pg_int\.h|libpq-fe\.h)[>"]', re.M)


def check_engine(top, breaches):
    for p in sources(top, "src"):
        # The row-only test engine stores its rows through the SQLite
        # engine's hooks (one file, one schema) and is built on it.
        if room_of(os.path.relpath(p, "src")) in ("store/sqlite",
                                                  "store/rowtest"):
            continue
        text = open(os.path.join(top, p), encoding="utf-8").read()
        for m in ENGINE_INCLUDE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            breaches.append(f"{p}:{line}: engine: includes {m.group(1)} "
                            f"outside the SQLite engine (use the hooks of "
                            f"struct cxm__store_ops)")
    for p in sources(top, "src"):
        # The PostgreSQL engine's connection and libpq stay in its room.
        if room_of(os.path.relpath(p, "src")) == "store/pg":
            continue
        text = open(os.path.join(top, p), encoding="utf-8").read()
        for m in PG_INCLUDE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            breaches.append(f"{p}:{line}: engine: includes {m.group(1)} "
                            f"outside the PostgreSQL engine (use the hooks "
                            f"of struct cxm__store_ops)")


def check_cli(top, breaches):
    where = header_rooms(top)
    for p in sources(top, "cli"):
        text = open(os.path.join(top, p), encoding="utf-8").read()
        for m in INCLUDE.finditer(text):
            h = m.group(1)
            if h in where or h == "internal.h" or h.startswith(("src/",
                                                                 "../src")):
                line = text.count("\n", 0, m.start()) + 1
                breaches.append(f"{p}:{line}: cli: includes {h} of the "
                                f"library's src/ (the program uses the "
                                f"public API only)")


def check_calls(top, breaches):
    for p in sources(top, "src"):
        if not p.endswith(".c"):
            continue
        text = strip_comments_and_strings(
            open(os.path.join(top, p), encoding="utf-8").read())
        for m in FORBIDDEN_CALL.finditer(text):
            before = text[max(0, m.start() - 40):m.start()]
            if "format(" in before or "__attribute__" in before:
                continue
            line = text.count("\n", 0, m.start()) + 1
            breaches.append(f"{p}:{line}: calls: the library calls "
                            f"{m.group(1)}() (it returns codes and "
                            f"messages; the program prints and exits)")


def check_exports(build, breaches):
    lib = os.path.join(build, "libcxmeter.a")
    if not os.path.exists(lib):
        breaches.append(f"{lib}: exports: no library to check (build first)")
        return
    out = subprocess.run(["nm", "-g", "--defined-only", lib],
                         capture_output=True, text=True, check=True).stdout
    obj = "?"
    for line in out.splitlines():
        if line.endswith(":"):
            obj = line[:-1]
            continue
        parts = line.split()
        if len(parts) != 3:
            continue
        name = parts[2]
        if not name.startswith("cxm_"):
            breaches.append(f"{obj}: exports: {name} is defined for other "
                            f"files without the cxm_ prefix")


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip().split("\n\n")[-2], file=sys.stderr)
        return 2
    top = os.path.abspath(sys.argv[1])
    breaches = []
    check_rooms_known(top, breaches)
    check_layers(top, breaches)
    check_engine(top, breaches)
    check_cli(top, breaches)
    check_calls(top, breaches)
    if len(sys.argv) == 3:
        check_exports(os.path.abspath(sys.argv[2]), breaches)
    for b in breaches:
        print(b)
    print(f"checksrc: {len(breaches)} breach(es)", file=sys.stderr)
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
