/**
 * DuckDB-WASM and parquet-wasm as Cairn serves them: the `.wasm` modules and the worker
 * script are imported with Vite's `?url`, so the build emits them as Cairn's own assets
 * (no CDN; works offline). Browser-only: import this module lazily.
 *
 * The `eh` bundle (WebAssembly exception handling; every current browser) is used
 * directly rather than through `selectBundle`: given `mvp` and `eh`, `selectBundle` only
 * falls back to `mvp` on a browser without wasm exceptions, and picks `coi` only on a
 * cross-origin-isolated page, which Cairn is not. Shipping `mvp` too would add another
 * 35 MB asset for browsers Cairn does not support; such a browser gets a clear error.
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWasmUrl from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import initParquetWasm from 'parquet-wasm/esm';
import parquetWasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';

/** Where the assets are served from, for diagnostics and tests. */
export const ASSET_URLS = { duckdbWasm: ehWasmUrl, duckdbWorker: ehWorkerUrl, parquetWasm: parquetWasmUrl } as const;

/** A new DuckDB-WASM instance in its own worker, instantiated; `ms` is how long that took. */
export async function startDuckDb(): Promise<{ db: duckdb.AsyncDuckDB; ms: number }> {
  const t0 = performance.now();
  const features = await duckdb.getPlatformFeatures();
  if (!features.wasmExceptions) {
    throw new Error('This browser lacks WebAssembly exception handling, which the in-browser SQL engine needs. Use a current Chrome, Edge, Firefox or Safari.');
  }
  const worker = new Worker(ehWorkerUrl);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  try {
    await db.instantiate(new URL(ehWasmUrl, location.href).href);
  } catch (e) {
    worker.terminate();
    throw e;
  }
  return { db, ms: performance.now() - t0 };
}

/** Initializes parquet-wasm from Cairn's copy of its module. */
export async function initParquet(): Promise<void> {
  await initParquetWasm({ module_or_path: new URL(parquetWasmUrl, location.href) });
}
