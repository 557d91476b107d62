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
import parquetWasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import { engineFile } from './engine-cache.js';

/** Where the assets are served from, for diagnostics and tests. */
export const ASSET_URLS = { duckdbWasm: ehWasmUrl, duckdbWorker: ehWorkerUrl, parquetWasm: parquetWasmUrl } as const;

let wasmBytes: Promise<Blob> | null = null;

/**
 * DuckDB's wasm, fetched once per page and kept in Cache Storage across visits
 * (engine-cache.ts). The page runs two instances (the data one and the parser's,
 * src/lib/kernel/host.ts) and each used to fetch the 34 MB file itself: at once, so neither
 * found it in the HTTP cache. Both now compile from this one copy, through a blob URL;
 * Chromium also shares the compiled code between workers with the same bytes. A failed
 * download is forgotten, so the next start retries it.
 *
 * The worker script (160 kB compressed, small enough for the HTTP cache to keep) is
 * started from its own URL: the app's CSP allows workers from `'self'` only, and allowing
 * `blob:` workers would let injected text run as script.
 */
function duckDbWasm(): Promise<Blob> {
  // The type lets the worker compile the blob while reading it (`instantiateStreaming`).
  wasmBytes ??= engineFile(ehWasmUrl, 'application/wasm', [ehWasmUrl]).catch((e: unknown) => {
    wasmBytes = null;
    throw e;
  });
  return wasmBytes;
}

/** A new DuckDB-WASM instance in its own worker, instantiated; `ms` is how long that took. Every instance shares one download of the wasm. */
export async function startDuckDb(): Promise<{ db: duckdb.AsyncDuckDB; ms: number }> {
  const t0 = performance.now();
  const features = await duckdb.getPlatformFeatures();
  if (!features.wasmExceptions) {
    throw new Error('This browser lacks WebAssembly exception handling, which the in-browser SQL engine needs. Use a current Chrome, Edge, Firefox or Safari.');
  }
  const wasm = duckDbWasm();
  const worker = new Worker(ehWorkerUrl);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  let url: string | null = null;
  try {
    url = URL.createObjectURL(await wasm);
    await db.instantiate(url);
  } catch (e) {
    worker.terminate();
    throw e;
  } finally {
    // The worker has read the blob once instantiated; the Blob itself stays for the other instance.
    if (url) URL.revokeObjectURL(url);
  }
  return { db, ms: performance.now() - t0 };
}

/** Initializes parquet-wasm from Cairn's copy of its module; its JS and wasm download only now, when a notebook first reads Parquet. */
export async function initParquet(): Promise<void> {
  const { default: initParquetWasm } = await import('parquet-wasm/esm');
  await initParquetWasm({ module_or_path: new URL(parquetWasmUrl, location.href) });
}
