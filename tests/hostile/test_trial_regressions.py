#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_trial_regressions.py — what the hostile trial of issue 12 found
sound, kept so it stays sound."""
import sys
import harness
from harness import test


@test
def crlf_line_ends(c):
    c.write("t.csv", "ticket_id,created_at\r\nT1,2026-01-01T00:00:00Z\r\n"
            "T2,2026-01-02T00:00:00Z\r\n")
    r = c.import_("tickets", "t.csv")
    c.expect_rc(r, 0, "import")
    c.check(c.count("created") == 2, "two tickets created")


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
