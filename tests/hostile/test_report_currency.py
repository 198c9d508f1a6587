#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_report_currency.py — money in one currency (issue 12, item 6).

`revenue` and `revenue_at_risk` are reported per currency and never added
across currencies (SPEC §2 Conventions): JSON `by_currency` beside a
`value` that is the amount only when the row has one currency (null
otherwise), a CSV line per currency, the table listing each. Codes the
importer would now refuse (NOTACURRENCY) are written straight into the
store: an old store must not add them in either.
"""
import csv
import io
import sqlite3
import sys

import harness
from harness import test, WIDE


def store(c):
    c.write("customers.csv", "customer_id,acquired_at,churned_at\n"
            "C1,2025-01-01T00:00:00Z,2026-03-01T00:00:00Z\n"
            "C2,2025-01-01T00:00:00Z,\n")
    c.write("orders.csv", "order_id,customer_id,ordered_at,amount,currency\n"
            "O1,C1,2026-01-05T00:00:00Z,100,USD\n"
            "O2,C1,2026-01-06T00:00:00Z,50,EUR\n"
            "O3,C2,2026-01-07T00:00:00Z,25,EUR\n")
    c.expect_rc(c.import_("customers", "customers.csv"), 0, "customers")
    c.expect_rc(c.import_("orders", "orders.csv"), 0, "orders")


def revenue(c, *args):
    j, r = c.report_json("--metrics", "revenue,revenue_at_risk", *args)
    return (j["rows"] if j else []), r


@test
def two_currencies_are_not_added(c):
    store(c)
    rows, r = revenue(c, *WIDE)
    if not rows:
        return
    f = rows[0]["revenue"]
    c.check(f["value"] is None, f"no sum over USD and EUR: {f}", r)
    c.check(f["by_currency"] == {"EUR": {"value": 75.0, "n": 2},
                                 "USD": {"value": 100.0, "n": 1}},
            f"per currency: {f.get('by_currency')}", r)
    c.check(f.get("currency") is None and f.get("n") == 3, "n 3", r)
    risk = rows[0]["revenue_at_risk"]
    c.check(risk["value"] is None and
            risk["by_currency"] == {"EUR": {"value": 50.0, "n": 1},
                                    "USD": {"value": 100.0, "n": 1}},
            f"revenue_at_risk per currency: {risk}", r)


@test
def one_currency_has_its_value(c):
    store(c)
    rows, r = revenue(c, "--from", "2026-01-07", "--to", "2026-01-08")
    if rows:
        f = rows[0]["revenue"]
        c.check(f["value"] == 25.0 and f["currency"] == "EUR",
                f"one currency: 25 EUR, got {f}", r)


@test
def csv_and_table_per_currency(c):
    store(c)
    r = c.run("report", "--db", c.db, "--metrics", "revenue", "--format",
              "csv", *WIDE)
    if c.expect_rc(r, 0, "csv"):
        lines = list(csv.DictReader(io.StringIO(r.out)))
        got = {(ln["currency"], ln["value"], ln["n"]) for ln in lines}
        c.check(got == {("EUR", "75.0", "2"), ("USD", "100.0", "1")},
                f"a line per currency: {got}", r)
    r = c.run("report", "--db", c.db, "--metrics", "revenue", *WIDE)
    if c.expect_rc(r, 0, "table"):
        line = [ln for ln in r.out.splitlines() if ln.startswith("revenue")]
        c.check(line and "EUR 75.0" in line[0] and "USD 100.0" in line[0]
                and "175" not in line[0], "the table lists each", r)


@test
def stored_junk_code_is_its_own_currency(c):
    store(c)
    db = sqlite3.connect(c.db)
    db.execute("INSERT INTO orders (workspace_id, order_id, customer_id,"
               " ordered_at, amount, currency) VALUES (1, 'O9', 'C2',"
               " 1767916800000, 7, 'NOTACURRENCY')")
    db.commit()
    db.close()
    rows, r = revenue(c, *WIDE)
    if rows:
        f = rows[0]["revenue"]
        c.check(f["value"] is None and
                f["by_currency"].get("NOTACURRENCY") == {"value": 7.0,
                                                         "n": 1} and
                f["by_currency"].get("EUR") == {"value": 75.0, "n": 2},
                f"NOTACURRENCY kept apart: {f}", r)


@test
def compare_needs_one_currency(c):
    store(c)
    rows, r = revenue(c, "--by", "month", "--compare", "previous",
                      "--from", "2025-12-01", "--to", "2026-02-01")
    by = {row["month"]: row for row in rows}
    jan = by.get("2026-01", {}).get("revenue")
    c.check(jan and jan["value"] is None and jan["change"] is None,
            f"no change of a sum over currencies: {jan}", r)


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
