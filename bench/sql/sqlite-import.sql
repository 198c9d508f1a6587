-- sqlite3 CLI: raw CSV load into a fresh file (all columns TEXT, header
-- names as column names). Timed as "import (raw load)". @DIR@ is replaced
-- by bench/run.sh.
.bail on
.import --csv @DIR@/agents.csv agents_raw
.import --csv @DIR@/customers.csv customers_raw
.import --csv @DIR@/tickets.csv tickets_raw
.import --csv @DIR@/responses.csv responses_raw
