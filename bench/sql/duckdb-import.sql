-- DuckDB: raw CSV → in-memory tables (all columns VARCHAR; DuckDB's parallel
-- CSV reader, quoted newlines allowed). Timed as "import (raw load)".
CREATE TABLE agents_raw AS SELECT * FROM read_csv('@DIR@/agents.csv', header = true, all_varchar = true);
CREATE TABLE customers_raw AS SELECT * FROM read_csv('@DIR@/customers.csv', header = true, all_varchar = true);
CREATE TABLE tickets_raw AS SELECT * FROM read_csv('@DIR@/tickets.csv', header = true, all_varchar = true);
CREATE TABLE responses_raw AS SELECT * FROM read_csv('@DIR@/responses.csv', header = true, all_varchar = true);
