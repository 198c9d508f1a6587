# SPDX-License-Identifier: MIT
"""harness.py — what every hostile-input test file shares.

Each tests/hostile/test_<class>.py holds the tests of one class of hostile
input (issue 12): it imports this module, marks its tests with @test and ends
with `sys.exit(harness.main(__doc__))`. The machinery (a test's directory and
store, running the binary, checks, diagnostics) is tests/cli/run.py's, so
both suites read alike: `c.run(...)`, `c.import_(...)`, `c.report_json(...)`,
`c.expect_rc(...)`, `c.check(...)`.

Usage: test_<class>.py --cxmeter PATH [--workdir DIR] [--engine pg] [-v]
       [TEST...]
(--engine pg: each test's store is a database on the fixture pg's cluster;
tests/hostile/CMakeLists.txt registers hostile_<class>_pg for the classes
that hold on both engines.)
"""

import os
import resource
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "cli"))
import run as cli  # noqa: E402  (tests/cli/run.py)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pg"))
import pgdb  # noqa: E402,F401  (a store's SQL on either engine: --engine pg)

TESTS = []
WIDE = cli.WIDE
diags = cli.diags
check_diags = cli.check_diags
rows_by = cli.rows_by


def sanitized():
    """True for an AddressSanitizer build, which reserves terabytes of
    address space: the limit is left off there (the timeout stays)."""
    with open(cli.CXMETER, "rb") as f:
        return b"__asan_init" in f.read()


def limited(c, *argv, limit_as=200 << 20, timeout=20):
    """Runs cxmeter under RLIMIT_AS and a timeout; a Result."""
    argv = [str(a) for a in argv]

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit_as, limit_as))

    try:
        p = subprocess.run([cli.CXMETER] + argv, cwd=c.dir, env=c.env,
                           capture_output=True, timeout=timeout,
                           preexec_fn=None if sanitized() else cap)
    except subprocess.TimeoutExpired:
        r = cli.Result(argv, None, "", f"(timed out after {timeout} s)")
        c.fail("command timed out", r)
        return r
    return cli.Result(argv, p.returncode, p.stdout.decode("utf-8", "replace"),
                      p.stderr.decode("utf-8", "replace"))


def test(fn):
    TESTS.append(fn)
    return fn


def main(doc):
    suite = os.path.splitext(os.path.basename(sys.argv[0]))[0]
    return cli.main(TESTS, suite, doc)
