/** The real DuckDB-WASM for Node tests: its synchronous ("blocking") build, instantiated from the package's own wasm files. */
import { createRequire } from 'node:module';
import * as duckdb from '@duckdb/duckdb-wasm/blocking';

const require = createRequire(import.meta.url);

/** A fresh, instantiated in-memory DuckDB-WASM. */
export async function blockingDuckDb(): Promise<duckdb.DuckDBBindings> {
  const bundles = {
    mvp: { mainModule: require.resolve('@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm'), mainWorker: '' },
    eh: { mainModule: require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm'), mainWorker: '' }
  };
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await db.instantiate();
  return db;
}
