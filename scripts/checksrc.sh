#!/bin/sh
# SPDX-License-Identifier: MIT
#
# checksrc.sh — checks of the source tree's shape that the compiler does not
# make. Each check is a function that prints what failed, one line a fault,
# and returns non-zero; the script runs them in order and fails when any
# failed. Run as a ctest (`ctest -R checksrc`) or by hand:
#
#   scripts/checksrc.sh [SOURCE_DIR [BUILD_DIR]]
#
# With BUILD_DIR, the library built there is checked for symbols without the
# cxm_ prefix too.
#
# Add a check: write check_<name>() and list it in CHECKS below.
set -u

ROOT=${1:-$(dirname "$0")/..}
BUILD=${2:-}
cd "$ROOT" || exit 2

CLI_MAX_FUNCTION_LINES=80

# Every function in cli/ is shorter than CLI_MAX_FUNCTION_LINES lines,
# counted from the line of its opening brace to that of its closing one
# (functions open with `{` alone in column 0, STYLE.md). A longer one is
# split into named steps: parse options, open, run, print.
check_cli_function_length() {
    awk -v max="$CLI_MAX_FUNCTION_LINES" '
        FNR == 1 { name = ""; start = 0 }
        /^[A-Za-z_].*\(/ && start == 0 {
            name = $0
            sub(/\(.*/, "", name)
            sub(/.*[ *]/, "", name)
        }
        /^\{/ { start = FNR }
        /^\}/ && start {
            n = FNR - start + 1
            if (n >= max) {
                printf "%s:%d: %s() is %d lines (cli/ functions stay under %d)\n",
                       FILENAME, start, name, n, max
                bad = 1
            }
            start = 0
        }
        END { exit bad }
    ' cli/*.c
}

# The rooms of src/ (layers), cli/ on the public API only (cli), no
# printing, exiting or getenv in the library (calls), and with BUILD the
# cxm_ prefix of every symbol the library defines for others (exports):
# scripts/checksrc.py, which says what each rule is.
check_rooms_and_symbols() {
    python3 scripts/checksrc.py . ${BUILD:+"$BUILD"}
}

CHECKS="cli_function_length rooms_and_symbols"

failed=0
for c in $CHECKS; do
    if "check_$c"; then
        echo "checksrc: $c: ok"
    else
        echo "checksrc: $c: FAILED"
        failed=1
    fi
done
exit $failed
