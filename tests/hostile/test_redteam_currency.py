#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_redteam_currency.py — money in one currency, with --compare
previous too (issue 12, item 6), on cases test_report_currency.py does
not list.

A month of 20 USD after a month of 10 EUR is no change of +10: amounts in
two currencies are never compared, in any format, for revenue and
revenue_at_risk alike. Two months in one currency still are.
"""
import csv
import io
import sys

import harness
from harness import test

SPAN = ["--by", "month", "--from", "2026-01-01", "--to", "2026-05-01",
        "--compare", "previous"]


def store(c):
    c.write("o.csv", "order_id,customer_id,ordered_at,amount,currency\n"
            "O1,C1,2026-01-05T00:00:00Z,10,EUR\n"
            "O2,C2,2026-02-05T00:00:00Z,20,USD\n"
            "O3,C3,2026-03-05T00:00:00Z,30,USD\n"
            "O4,C4,2026-04-05T00:00:00Z,40,\n")
    c.write("c.csv", "customer_id,acquired_at,churned_at\n"
            "C1,2025-01-01T00:00:00Z,2026-01-20T00:00:00Z\n"
            "C2,2025-01-01T00:00:00Z,2026-02-20T00:00:00Z\n"
            "C3,2025-01-01T00:00:00Z,2026-03-20T00:00:00Z\n"
            "C4,2025-01-01T00:00:00Z,2026-04-20T00:00:00Z\n")
    c.expect_rc(c.import_("orders", "o.csv"), 0, "orders")
    c.expect_rc(c.import_("customers", "c.csv"), 0, "customers")


@test
def no_change_across_currencies(c):
    store(c)
    j, r = c.report_json("--metrics", "revenue,revenue_at_risk", *SPAN)
    if not j:
        return
    rows = harness.rows_by(j, "month")
    for m in ("revenue", "revenue_at_risk"):
        for month in ("2026-02", "2026-04"):
            f = rows[month][m]
            c.check(f["previous"] is None and f["change"] is None,
                    f"{month} {m}: another currency than the month "
                    f"before, no previous or change: {f}", r)
        f = rows["2026-03"][m]
        c.check(f["previous"] == {"value": 20.0, "n": 1} and
                f["change"] == 10.0, f"2026-03 {m}: USD after USD, "
                f"+10: {f}", r)
    r = c.run("report", "--db", c.db, "--metrics", "revenue", *SPAN)
    feb = [ln for ln in r.out.splitlines() if ln.startswith("2026-02")]
    c.check(feb and "prev -" in feb[0] and "+10" not in feb[0],
            "table: no change from EUR to USD", r)
    r = c.run("report", "--db", c.db, "--metrics", "revenue", "--format",
              "csv", *SPAN)
    lines = {ln["month"]: ln for ln in csv.DictReader(io.StringIO(r.out))}
    c.check(lines["2026-02"]["change"] == "" and
            lines["2026-02"]["previous"] == "", "CSV: no change", r)


@test
def no_previous_beside_several_currencies(c):
    """A month in EUR and USD after a month in EUR has no one value to set
    beside the previous one: no previous, no change, in JSON, on each
    CSV line (the USD line showed the EUR month's 10 as its previous) and
    in the table (which showed a change of +0.0)."""
    store(c)
    c.write("o2.csv", "order_id,customer_id,ordered_at,amount,currency\n"
            "O9,C9,2026-02-06T00:00:00Z,7,EUR\n")
    c.expect_rc(c.import_("orders", "o2.csv"), 0, "orders")
    j, r = c.report_json("--metrics", "revenue", *SPAN)
    if j:
        f = harness.rows_by(j, "month")["2026-02"]["revenue"]
        c.check(f["value"] is None and f["previous"] is None and
                f["change"] is None, f"JSON: {f}", r)
    r = c.run("report", "--db", c.db, "--metrics", "revenue", "--format",
              "csv", *SPAN)
    feb = [ln for ln in csv.DictReader(io.StringIO(r.out))
           if ln["month"] == "2026-02"]
    c.check(len(feb) == 2 and all(ln["previous"] == "" and
                                  ln["change"] == "" for ln in feb),
            f"CSV: no previous on either currency's line: {feb}", r)
    r = c.run("report", "--db", c.db, "--metrics", "revenue", *SPAN)
    feb = [ln for ln in r.out.splitlines() if ln.startswith("2026-02")]
    c.check(feb and "prev -" in feb[0] and "+0.0" not in feb[0],
            "table: no invented change", r)


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
