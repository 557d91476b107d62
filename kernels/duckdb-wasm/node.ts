/**
 * DuckDB-WASM's asynchronous API in Node: the same `AsyncDuckDB` the browser drives, its
 * worker a `worker_threads` thread running the package's Node worker. For tests (and any
 * server code that wants the browser engine's exact behaviour). Node-only: not exported
 * from `index.ts`.
 *
 * The package's own route (the `web-worker` package) cannot load its CommonJS worker
 * (`module is not defined`), so the worker is started from a small CommonJS shim that maps
 * the Web Worker globals (`postMessage`, `onmessage`) onto `parentPort`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { AsyncDuckDB } from '@duckdb/duckdb-wasm';
import { initSync } from 'parquet-wasm/esm';

const require = createRequire(import.meta.url);

type Listener = (event: unknown) => void;

/** A `worker_threads` worker that looks like a Web Worker to `AsyncDuckDB`. */
class NodeWebWorker {
  private readonly worker: Worker;
  private readonly wrapped = new Map<Listener, (...args: unknown[]) => void>();

  constructor(script: string) {
    const shim = `
      const { parentPort } = require('node:worker_threads');
      globalThis.postMessage = (message, transfer) => parentPort.postMessage(message, transfer);
      parentPort.on('message', (data) => globalThis.onmessage && globalThis.onmessage({ data }));
      require(${JSON.stringify(script)});`;
    // The worker prints every failed request to the console: keep tests' output readable.
    this.worker = new Worker(shim, { eval: true, stdout: true, stderr: true });
    this.worker.stdout.resume();
    this.worker.stderr.resume();
    this.worker.unref();
  }

  postMessage(message: unknown, transfer?: Transferable[]): void {
    this.worker.postMessage(message, transfer as never);
  }

  addEventListener(type: string, listener: Listener): void {
    const event = type === 'close' ? 'exit' : type;
    const wrapped = type === 'message' ? (data: unknown) => listener({ data }) : (e: unknown) => listener(e);
    this.wrapped.set(listener, wrapped);
    this.worker.on(event, wrapped);
  }

  removeEventListener(type: string, listener: Listener): void {
    const wrapped = this.wrapped.get(listener);
    if (wrapped) this.worker.off(type === 'close' ? 'exit' : type, wrapped);
  }

  terminate(): void {
    void this.worker.terminate();
  }
}

/** A fresh, instantiated `AsyncDuckDB` (the `eh` build) in a worker thread. */
export async function createNodeDuckDb(): Promise<AsyncDuckDB> {
  const duckdb = require('@duckdb/duckdb-wasm') as typeof import('@duckdb/duckdb-wasm');
  const worker = new NodeWebWorker(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-eh.worker.cjs'));
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker as unknown as Worker & globalThis.Worker);
  await db.instantiate(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm'));
  return db;
}

/** Initializes parquet-wasm from its `.wasm` file on disk (the engine's `initParquet` in Node). */
export async function initParquetNode(): Promise<void> {
  initSync({ module: readFileSync(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')) });
}
