#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""run.py — the golden tests: every directory here is one case.

A case directory holds the input CSVs, a `cmd` file and `expected.json`.
`cmd` lists cxmeter commands, one a line, without the program name and
without `--db` (blank lines and `#` comments are ignored):

    import responses responses.csv
    report --metrics csat --format json

Each case gets a fresh store in its own temporary directory; every line is
run as `cxmeter WORD --db STORE REST...` with the case directory as the
working directory. `import` lines must exit 0; the last line must be a
`report` that exits 0 and prints JSON, which is compared with
expected.json (the top-level `definitions` object only when expected.json
has one): the same keys (exactly), the same strings, booleans and
nulls, the same array lengths and order, numbers to within 0.01. A number
written as an integer in expected.json (counts, `n`) must also be a JSON
integer in the output (docs/report-semantics.md: counts are integers). A
mismatch prints the differing paths and a unified diff.

A case directory with a file `pending` is skipped with a visible
`SKIP (pending: <the file's text>)` line (`--include-pending` runs it all
the same). The values in expected.json are computed by hand; each case's
README.md shows the arithmetic.

Usage: run.py --cxmeter PATH [--workdir DIR] [--include-pending] [CASE...]
Exit status: 0 every case passed (or was skipped), 1 a case failed, 2 the
tests could not be run.
"""

import argparse
import difflib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pg"))
import pgdb  # noqa: E402 (tests/pg: the PostgreSQL engine's databases)
TOL = 0.01


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def compare(exp, act, path, errors):
    """Appends one message per difference to errors; returns `act` with
    every number that is within tolerance replaced by the expected one, so
    a diff of the two shows only the real differences."""
    if isinstance(exp, dict):
        if not isinstance(act, dict):
            errors.append(f"{path}: expected an object, got {json.dumps(act)}")
            return act
        out = {}
        for k in exp:
            if k not in act:
                errors.append(f"{path}.{k}: missing")
        for k in act:
            if k not in exp:
                errors.append(f"{path}.{k}: unexpected key "
                              f"(value {json.dumps(act[k])})")
                out[k] = act[k]
            else:
                out[k] = compare(exp[k], act[k], f"{path}.{k}", errors)
        return out
    if isinstance(exp, list):
        if not isinstance(act, list):
            errors.append(f"{path}: expected an array, got {json.dumps(act)}")
            return act
        if len(exp) != len(act):
            errors.append(f"{path}: expected {len(exp)} elements, "
                          f"got {len(act)}")
        out = []
        for i, a in enumerate(act):
            if i < len(exp):
                out.append(compare(exp[i], a, f"{path}[{i}]", errors))
            else:
                out.append(a)
        return out
    if is_num(exp):
        if not is_num(act):
            errors.append(f"{path}: expected {json.dumps(exp)}, "
                          f"got {json.dumps(act)}")
            return act
        if abs(exp - act) > TOL:
            errors.append(f"{path}: expected {exp}, got {act} "
                          f"(tolerance {TOL})")
            return act
        if isinstance(exp, int) and not isinstance(act, int):
            errors.append(f"{path}: expected the integer {exp}, "
                          f"got {json.dumps(act)}")
            return act
        return exp
    # strings, booleans, null: exact, type included (true is not 1)
    if type(exp) is not type(act) or exp != act:
        errors.append(f"{path}: expected {json.dumps(exp)}, "
                      f"got {json.dumps(act)}")
    return act


def dump(v):
    return json.dumps(v, indent=1, ensure_ascii=False).splitlines()


def read_cmd(case_dir):
    lines = []
    with open(os.path.join(case_dir, "cmd"), encoding="utf-8") as f:
        for raw in f:
            s = raw.strip()
            if s and not s.startswith("#"):
                lines.append(shlex.split(s))
    return lines


def run_case(name, case_dir, cxmeter, workdir, engine=None):
    """Returns a list of failure messages (empty when the case passed)."""
    tmp = os.path.join(workdir, name)
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    db = os.path.join(tmp, "store.db")
    env = dict(os.environ)
    env.pop("CXMETER_DB", None)
    # A local zone far from UTC: buckets and the printed period must not
    # depend on the machine's TZ (SPEC §2: UTC unless the report asks).
    env["TZ"] = "Asia/Jakarta"
    env["LC_ALL"] = "C"
    cmds = read_cmd(case_dir)
    if not cmds or cmds[-1][0] != "report":
        return ["cmd: the last line must be a report command"]
    dsn = pgdb.dsn_for(engine, db, "golden")
    for words in cmds:
        argv = [cxmeter, words[0], "--db", dsn] + words[1:]
        shown = "cxmeter " + " ".join(shlex.quote(w) for w in words)
        try:
            p = subprocess.run(argv, cwd=case_dir, env=env,
                               capture_output=True, timeout=120)
        except subprocess.TimeoutExpired:
            return [f"{shown}: timed out"]
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        if p.returncode != 0:
            return [f"{shown}: exit {p.returncode}, expected 0",
                    "stdout: " + out.strip(), "stderr: " + err.strip()]
        if words[0] != "report":
            continue
        try:
            actual = json.loads(out)
        except ValueError as e:
            return [f"{shown}: output is not JSON ({e})", out]
        with open(os.path.join(case_dir, "expected.json"),
                  encoding="utf-8") as f:
            expected = json.load(f)
        # Every report names its definitions (docs/report-semantics.md);
        # a case checks them only when its expected.json has the key.
        if isinstance(actual, dict) and "definitions" not in expected:
            actual.pop("definitions", None)
        errors = []
        shown_act = compare(expected, actual, "$", errors)
        if errors:
            diff = difflib.unified_diff(dump(expected), dump(shown_act),
                                        f"{name}/expected.json",
                                        f"{name}: {shown}", lineterm="")
            errors.append("\n".join(diff))
            if err.strip():
                errors.append("stderr: " + err.strip())
        return errors
    return []


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cxmeter", required=True, help="the cxmeter binary")
    ap.add_argument("--workdir", help="where the temporary stores go "
                    "(default: a fresh temporary directory)")
    ap.add_argument("--include-pending", action="store_true",
                    help="run the cases marked pending too")
    ap.add_argument("--engine", help="the store's engine as a DSN prefix "
                    "(rowtest: the row-only test engine; pg: a new database on "
                    "the tests' PostgreSQL cluster, CXM_PG_DIR); default "
                    "sqlite")
    ap.add_argument("cases", nargs="*", help="only these cases")
    a = ap.parse_args()

    cxmeter = os.path.abspath(a.cxmeter)
    if not os.access(cxmeter, os.X_OK):
        print(f"run.py: {cxmeter} is not an executable", file=sys.stderr)
        return 2
    own_tmp = None
    if a.workdir:
        workdir = os.path.abspath(a.workdir)
        os.makedirs(workdir, exist_ok=True)
    else:
        workdir = own_tmp = tempfile.mkdtemp(prefix="cxm-golden-")

    names = sorted(d for d in os.listdir(HERE)
                   if os.path.isfile(os.path.join(HERE, d, "cmd")))
    if a.cases:
        unknown = set(a.cases) - set(names)
        if unknown:
            print(f"run.py: no such case: {', '.join(sorted(unknown))}",
                  file=sys.stderr)
            return 2
        names = [n for n in names if n in a.cases]

    passed, failed, skipped = [], [], []
    for name in names:
        case_dir = os.path.join(HERE, name)
        pending = os.path.join(case_dir, "pending")
        if os.path.exists(pending) and not a.include_pending:
            with open(pending, encoding="utf-8") as f:
                why = " ".join(f.read().split()) or "pending"
            print(f"{name}: SKIP (pending: {why})")
            skipped.append(name)
            continue
        errors = run_case(name, case_dir, cxmeter, workdir, a.engine)
        if errors:
            print(f"{name}: FAIL")
            for e in errors:
                print("    " + e.replace("\n", "\n    "))
            failed.append(name)
        else:
            print(f"{name}: ok")
            passed.append(name)

    print(f"golden: {len(passed)} passed, {len(failed)} failed, "
          f"{len(skipped)} skipped")
    if own_tmp and not failed:
        shutil.rmtree(own_tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
