/**
 * The page's browser engine: one DuckDB-WASM instance per page, started on first use, in
 * a Web Worker, with the samples and the notebook's files loaded as cells first read them.
 * Parsing (`sqlParser`) has its own small instance, so the dependency graph works as soon
 * as a notebook opens without starting — or waiting behind — the data instance; both
 * compile from one download of DuckDB's wasm (src/lib/kernel/bundle.ts).
 *
 * Browser-only; the heavy modules (DuckDB-WASM, parquet-wasm, their wasm files) load
 * lazily, so importing this costs a page nothing until a query runs.
 */
import { errorMessage } from '../api-client.js';
import { Table, type RecordBatch } from 'apache-arrow';
import type { TableInfo } from '$kernels/engine.js';
import type { SqlParser } from '$kernels/graph/index.js';
import type { DuckDbWasmEngine, NotebookFiles, TableInput } from '$kernels/duckdb-wasm/index.js';
import { updateStatus, type KernelStatus } from './status.js';

/** How to run one query into a table. */
export interface QueryOptions {
  signal?: AbortSignal;
  /** Stop after this many rows; the answer says it was truncated. */
  rowLimit?: number;
  /** Bound to `$1`, `$2`, …; never spliced into the SQL. */
  params?: readonly unknown[];
  /** Shown with the query's progress in `kernelStatus` (a cell id, say). */
  label?: string;
  /** Rows received so far, after each batch. */
  onRows?: (rows: number) => void;
}

/** A finished query. */
export interface QueryResult {
  table: Table;
  truncated: boolean;
  rows: number;
  /** Wall time from sending the query to its last batch. */
  ms: number;
}

/** The browser engine as the notebook uses it. */
export interface Kernel {
  /** The engine itself, for streaming (`engine.run`) and anything not wrapped here. */
  readonly engine: DuckDbWasmEngine;
  /** Runs `sql` into one Arrow table, stopping at `rowLimit` rows. Rejects with a `QueryError` (with `position`) or the abort reason. */
  query(sql: string, options?: QueryOptions): Promise<QueryResult>;
  /** Loads, once, the samples and the current notebook's files among `names`; other names are ignored. */
  ensureSources(names: readonly string[]): Promise<void>;
  /** Makes `value` (Arrow IPC bytes, an Arrow table or an array of objects) the table `name`, replacing any before. */
  registerTable(name: string, value: TableInput): Promise<void>;
  /** Drops the table or view `name`, if there is one. */
  dropTable(name: string): Promise<void>;
  /** The tables `sql` reads (same as {@link sqlParser}). */
  tableNames(sql: string): Promise<string[]>;
  /** Tables and columns, for the schema browser and autocomplete. */
  schema(): Promise<TableInfo[]>;
  /** The open notebook's `files` map (table name → file); call whenever it changes. */
  setFiles(files: NotebookFiles): void;
}

let kernel: Promise<Kernel> | null = null;
let parser: Promise<SqlParser> | null = null;
let files: NotebookFiles = {};
/** The notebook whose files are read: the server serves a file to readers of a notebook holding it. */
let filesNotebookId: string | null = null;
let nextQueryId = 1;

/** The page's kernel, started on the first call; a failed start is retried on the next. */
export function getKernel(): Promise<Kernel> {
  kernel ??= startKernel().catch((e: unknown) => {
    kernel = null;
    const message = errorMessage(e);
    updateStatus((s) => ({ ...s, phase: 'failed', error: `The in-browser SQL engine did not start: ${message}` }));
    throw e;
  });
  return kernel;
}

/** True once `getKernel` has been called (the data instance is started or starting). */
export function kernelStarted(): boolean {
  return kernel !== null;
}

/**
 * Start the engine and the parser in the background once the page is idle, so an edit or
 * a run finds them ready; a page showing painted results never waits for this. A failed
 * start is on `kernelStatus` (and retried by the next use).
 */
export function warmEngine(): void {
  const start = () => {
    getKernel().catch((e: unknown) => console.warn('The in-browser SQL engine did not start in the background', e));
    sqlParser.tableNames('select 1').catch((e: unknown) => console.warn('The SQL parser did not start in the background', e));
  };
  if (typeof requestIdleCallback === 'function') requestIdleCallback(start, { timeout: 2000 });
  else setTimeout(start, 0);
}

/** DuckDB's own parser for the dependency graph, on a small instance of its own (started on first use). */
export const sqlParser: SqlParser = {
  async tableNames(sql: string): Promise<string[]> {
    parser ??= startParser().catch((e: unknown) => {
      parser = null;
      throw e;
    });
    return (await parser).tableNames(sql);
  }
};

/** Records the open notebook's `files` map (and its id) without starting the engine. */
export function setNotebookFiles(next: NotebookFiles, notebookId: string | null = null): void {
  files = next;
  filesNotebookId = notebookId;
}

/** A file's URL names the notebook it is read through (server/access/rules.ts, the file rule). */
function withNotebook(url: string): string {
  if (!filesNotebookId || !url.startsWith('/api/files/')) return url;
  return `${url}${url.includes('?') ? '&' : '?'}notebook=${encodeURIComponent(filesNotebookId)}`;
}

async function startParser(): Promise<SqlParser> {
  const [{ startDuckDb }, { createOfflineParser }] = await Promise.all([import('./bundle.js'), import('$kernels/duckdb-wasm/index.js')]);
  const { db } = await startDuckDb();
  return createOfflineParser(db);
}

async function startKernel(): Promise<Kernel> {
  updateStatus((s) => ({ ...s, phase: 'starting', error: null }));
  const [{ startDuckDb, initParquet }, { DuckDbWasmEngine }] = await Promise.all([import('./bundle.js'), import('$kernels/duckdb-wasm/index.js')]);
  const { db, ms } = await startDuckDb();
  const engine = new DuckDbWasmEngine(db, {
    parser: sqlParser,
    // Same-origin with the session cookie: `/samples/…` is public, `/api/files/…` is not.
    fetch: (url) => fetch(withNotebook(url), { credentials: 'same-origin' }),
    initParquet,
    onSourceProgress: (p) => updateStatus((s) => ({ ...s, sources: { ...s.sources, [p.name]: p } }))
  });
  updateStatus((s) => ({ ...s, phase: 'ready', instantiateMs: Math.round(ms) }));

  return {
    engine,
    query: (sql, options = {}) => runToTable(engine, sql, options),
    ensureSources: (names) => engine.ensureSources(names, files),
    registerTable: (name, value) => engine.registerTable(name, value),
    dropTable: (name) => engine.dropTable(name),
    tableNames: (sql) => sqlParser.tableNames(sql),
    schema: () => engine.schema(),
    setFiles: setNotebookFiles
  };
}

/** Progress reaches the store at most this often per query. */
const PROGRESS_MS = 100;

async function runToTable(engine: DuckDbWasmEngine, sql: string, options: QueryOptions): Promise<QueryResult> {
  const id = nextQueryId++;
  const t0 = performance.now();
  let lastReport = 0;
  const setRows = (rows: number) => updateStatus((s) => ({ ...s, queries: s.queries.map((q) => (q.id === id ? { ...q, rows } : q)) }));
  updateStatus((s) => ({ ...s, queries: [...s.queries, { id, label: options.label ?? null, rows: 0, startedAt: Date.now() }] }));
  try {
    const result = await engine.run(sql, options.params ?? [], {
      signal: options.signal,
      rowLimit: options.rowLimit,
      onRows: (rows) => {
        options.onRows?.(rows);
        const now = performance.now();
        if (now - lastReport >= PROGRESS_MS) {
          lastReport = now;
          setRows(rows);
        }
      }
    });
    const batches: RecordBatch[] = [];
    for await (const batch of result.batches) batches.push(batch);
    const { rows, truncated } = await result.summary;
    const table = batches.length > 0 ? new Table(batches) : new Table(result.schema);
    return { table, truncated, rows, ms: performance.now() - t0 };
  } finally {
    updateStatus((s) => ({ ...s, queries: s.queries.filter((q) => q.id !== id) }));
  }
}

export type { KernelStatus };
