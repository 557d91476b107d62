/**
 * The bundled samples in the server's in-memory DuckDB, under their README.md names.
 * Parquet, CSV and JSON files become VIEWs over the files (DuckDB reads them natively, so
 * start-up costs nothing and the 3M-row Parquet file is scanned only when queried); the
 * one Arrow file (`flights_200k`) is loaded into a table, since DuckDB here has no Arrow
 * file reader.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { SAMPLES, type Sample } from '../samples.js';
import { quoteIdent } from '../sql-ident.js';
import { createTableFromArrow } from './arrow-input.js';

/** vega-datasets' `data/` folder, where the sample files are (its exports hide package.json; its main file is one folder down). */
export function defaultSamplesDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('vega-datasets')), '..', 'data');
}

/** A SQL string literal. */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function viewSql(sample: Sample, path: string): string | null {
  const reader = { parquet: 'read_parquet', csv: 'read_csv', json: 'read_json', arrow: null }[sample.format];
  return reader ? `CREATE OR REPLACE VIEW ${quoteIdent(sample.name)} AS SELECT * FROM ${reader}(${literal(path)})` : null;
}

/** Creates every sample in the database `connection` belongs to. */
export async function createSamples(connection: DuckDBConnection, samplesDir: string): Promise<void> {
  for (const sample of SAMPLES) {
    const path = join(samplesDir, sample.file);
    const sql = viewSql(sample, path);
    if (sql) await connection.run(sql);
    else await createTableFromArrow(connection, sample.name, await readFile(path));
  }
}
