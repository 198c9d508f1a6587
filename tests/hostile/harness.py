# SPDX-License-Identifier: MIT
"""harness.py — what every hostile-input test file shares.

Each tests/hostile/test_<class>.py holds the tests of one class of hostile
input (issue 12): it imports this module, marks its tests with @test and ends
with `sys.exit(harness.main(__doc__))`. The machinery (a test's directory and
store, running the binary, checks, diagnostics) is tests/cli/run.py's, so
both suites read alike: `c.run(...)`, `c.import_(...)`, `c.report_json(...)`,
`c.expect_rc(...)`, `c.check(...)`.

Usage: test_<class>.py --cxmeter PATH [--workdir DIR] [-v] [TEST...]
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "cli"))
import run as cli  # noqa: E402  (tests/cli/run.py)

TESTS = []
WIDE = cli.WIDE
diags = cli.diags
check_diags = cli.check_diags
rows_by = cli.rows_by


def test(fn):
    TESTS.append(fn)
    return fn


def main(doc):
    suite = os.path.splitext(os.path.basename(sys.argv[0]))[0]
    return cli.main(TESTS, suite, doc)
