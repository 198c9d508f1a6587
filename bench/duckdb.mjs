// SPDX-License-Identifier: MIT
// DuckDB side of the cxmeter benchmark (bench/run.sh drives it).
//   node duckdb.mjs DATADIR LOADS RUNS OUTDIR PERIOD_SQL QUERY...
// LOADS times: a fresh in-memory instance; times the raw CSV load
// (sql/duckdb-import.sql) and the normalisation (sql/duckdb-normalise.sql).
// Then, in the last instance (data already loaded), each query RUNS times.
// The first run's result of each query is written to OUTDIR/duckdb-Q.csv
// for the equality check. Prints one JSON object of per-run seconds.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [dataDir, loadsArg, runsArg, outDir, period, ...queries] = process.argv.slice(2);
const runs = Number(runsArg), loads = Number(loadsArg);
const sql = (name) => readFileSync(join(here, 'sql', name), 'utf8')
  .replaceAll('@DIR@', dataDir).replaceAll('@PERIOD@', period);
const now = () => Number(process.hrtime.bigint()) / 1e9;
const statements = (text) => text.split(/;\s*\n/).map((s) => s.replace(/^\s*--.*$/gm, '').trim())
  .filter((s) => s.length);
const out = { load: [], normalise: [], queries: {} };
let con, db;
for (let i = 0; i < loads; i++) {
  // Free the previous load first: five 10M-ticket databases at once do not
  // fit in memory (the OOM killer ended this process on a 23 GiB machine).
  if (con) con.closeSync();
  if (db) db.closeSync();
  db = await DuckDBInstance.create(':memory:');
  con = await db.connect();
  let t0 = now();
  for (const s of statements(sql('duckdb-import.sql'))) await con.run(s);
  out.load.push(now() - t0);
  t0 = now();
  for (const s of statements(sql('duckdb-normalise.sql'))) await con.run(s);
  out.normalise.push(now() - t0);
}
const csvField = (v) => (v === null || v === undefined ? '' : String(v));
for (const q of queries) {
  const text = statements(sql(`duckdb-${q}.sql`))[0];
  out.queries[q] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    const reader = await con.runAndReadAll(text);
    const rows = reader.getRows();
    out.queries[q].push(now() - t0);
    if (i === 0) {
      const lines = [reader.columnNames().join(',')];
      for (const r of rows) lines.push(r.map(csvField).join(','));
      writeFileSync(join(outDir, `duckdb-${q}.csv`), lines.join('\n') + '\n');
    }
  }
}
console.log(JSON.stringify(out));
