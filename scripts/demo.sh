#!/bin/sh
# make demo: generate two years of demo data, import it, print a report and
# the alerts the drop rule fires, create an admin login and serve the
# dashboard on it (Ctrl-C stops the server).
#   DEMO_SERVE=0   stop after printing the login (for tests and scripts)
#   DEMO_LISTEN    the server's address (127.0.0.1:8080)
set -eu
BUILD=${BUILD:-build}
DEMO_DIR=${DEMO_DIR:-demo-data}
DEMO_DB=${DEMO_DB:-demo.db}
DEMO_TICKETS=${DEMO_TICKETS:-100000}
DEMO_RULE=${DEMO_RULE:---metric csat --by team --drop --window week --alpha 0.0001}
DEMO_SERVE=${DEMO_SERVE:-1}
DEMO_LISTEN=${DEMO_LISTEN:-127.0.0.1:8080}
CXM=$BUILD/cxmeter

rm -rf "$DEMO_DIR" "$DEMO_DB" "$DEMO_DB-wal" "$DEMO_DB-shm" "$DEMO_DB-cols"
mkdir -p "$DEMO_DIR"
"$CXM" demo-data --seed 42 --tickets "$DEMO_TICKETS" --out "$DEMO_DIR"
for k in agents customers tickets responses orders selfservice agent_hours \
         reviews qa_scores; do
    "$CXM" import --db "$DEMO_DB" "$k" "$DEMO_DIR/$k.csv"
done
"$CXM" report --db "$DEMO_DB" --by quarter
"$CXM" report --db "$DEMO_DB" --metrics csat,nps,ces,fcr,art --by channel \
    --from 2026-08-01 --to 2026-11-01
# shellcheck disable=SC2086 # DEMO_RULE is a list of options
"$CXM" alert add --db "$DEMO_DB" $DEMO_RULE
echo "alerts fired over the demo's two years:"
"$CXM" alert check --db "$DEMO_DB" --from 2024-11-01 --at 2026-11-01

# A random password: 18 bytes of /dev/urandom, 24 characters of base64
# without the characters a shell or URL would quote.
PW=$(head -c 18 /dev/urandom | base64 | tr '+/' 'xy')
printf '%s\n' "$PW" | "$CXM" user add demo --role admin --db "$DEMO_DB"
echo
echo "dashboard: http://$DEMO_LISTEN/"
echo "login:     demo"
echo "password:  $PW"
if [ "$DEMO_SERVE" = 0 ]; then
    exit 0
fi
echo "serving $DEMO_DB on $DEMO_LISTEN (Ctrl-C stops it)"
exec "$CXM" serve --db "$DEMO_DB" --listen "$DEMO_LISTEN"
