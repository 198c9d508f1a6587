#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_ingest_currency.py — money in one currency starts at import: an
order's currency is an ISO 4217 code (three ASCII letters, stored upper
case: `usd` is USD, ` eur ` is EUR); anything else (`NOTACURRENCY`, `US`,
`U$D`, `€`, digits) is a rejected row naming the currency column. An order
without a currency is kept, in a group of its own ("")."""
import sqlite3
import sys
import harness
from harness import test, check_diags


@test
def currency_codes_are_checked(c):
    c.write("o.csv", "order_id,customer_id,ordered_at,amount,currency\n"  # 1
            "G1,C1,2026-01-05T09:00:00Z,10,USD\n"                        # 2
            "G2,C1,2026-01-05T09:00:00Z,20,eur\n"                        # 3
            "G3,C1,2026-01-05T09:00:00Z,30, Idr \n"                      # 4
            "G4,C1,2026-01-05T09:00:00Z,40,\n"                           # 5
            "B1,C1,2026-01-05T09:00:00Z,50,NOTACURRENCY\n"               # 6
            "B2,C1,2026-01-05T09:00:00Z,60,US\n"                         # 7
            "B3,C1,2026-01-05T09:00:00Z,70,U$D\n"                        # 8
            "B4,C1,2026-01-05T09:00:00Z,80,\u20ac\n"                     # 9
            "B5,C1,2026-01-05T09:00:00Z,90,840\n"                        # 10
            "B6,C1,2026-01-05T09:00:00Z,99,US D\n")                      # 11
    r = c.import_("orders", "o.csv")
    c.expect_rc(r, 1, "bad currencies")
    check_diags(c, r, "o.csv", [(n, {5}, "currency", f"line {n}")
                                for n in range(6, 12)])
    for d in harness.diags(r.err, "o.csv"):
        c.check("ISO 4217" in d["reason"],
                f"the reason names ISO 4217: {d['raw']}", r)
    c.expect_summary(r, 4, 6)
    with sqlite3.connect(c.db) as db:
        got = dict(db.execute("SELECT order_id, currency FROM orders"))
    c.check(got == {"G1": "USD", "G2": "EUR", "G3": "IDR", "G4": None},
            f"stored upper case, no currency kept as none: {got}")


@test
def rejected_order_never_replaces(c):
    c.write("a.csv", "order_id,customer_id,ordered_at,amount,currency\n"
            "O1,C1,2026-01-05T09:00:00Z,10,USD\n")
    c.write("b.csv", "order_id,customer_id,ordered_at,amount,currency\n"
            "O1,C1,2026-01-05T09:00:00Z,1000000,XXXX\n")
    c.expect_rc(c.import_("orders", "a.csv"), 0, "first import")
    c.expect_rc(c.import_("orders", "b.csv"), 1, "bad currency")
    with sqlite3.connect(c.db) as db:
        got = list(db.execute("SELECT amount, currency FROM orders"))
    c.check(got == [(10.0, "USD")], f"O1 unchanged: {got}")


if __name__ == "__main__":
    sys.exit(harness.main(__doc__))
