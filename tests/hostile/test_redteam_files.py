#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_redteam_files.py — a file that cannot be read is named with the
system's reason (issue 12, item 8), on cases test_ingest_files.py does not
list: a directory given as FILE opens but cannot be read, and used to be
reported as a bare "read error", for generic and helpdesk imports."""
import os
import sys

import harness
from harness import test


@test
def directory_is_named(c):
    os.makedirs(os.path.join(c.dir, "exports"), exist_ok=True)
    for kind in ("tickets", "responses", "zendesk", "freshdesk"):
        r = c.import_(kind, "exports")
        c.expect_rc(r, 1, f"{kind}: a directory")
        c.check("exports: cannot open the file: Is a directory" in r.err,
                f"{kind}: the system's reason", r)
        c.check("read error" not in r.err, f"{kind}: no bare read "
                "error", r)


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
