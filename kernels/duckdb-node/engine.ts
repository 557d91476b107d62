/**
 * The server-side DuckDB engine (`@duckdb/node-api`), main-thread half. DuckDB runs in a
 * worker thread (worker.ts) so a heavy query never blocks the server's event loop; this
 * side sends it SQL, receives Arrow IPC bytes per batch, decodes them into RecordBatches
 * and hands them out as a {@link RunResult}, acknowledging each batch taken so the worker
 * never runs far ahead of the reader. A worker that dies fails every pending run with a
 * clear error; the next run starts a fresh one.
 */
import { availableParallelism } from 'node:os';
import { decodeDuckDbError } from '../duckdb-wasm/errors.js';
import {
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  QueryError,
  type RunOptions,
  type RunResult,
  type ServerEngine,
  type ServerEngineOptions,
  type TableInfo
} from '../engine.js';
import { WiderResultNeeded, firstBatchHeld } from '../arrow/index.js';
import { RunChannel } from '../worker-engine/run-channel.js';
import { WorkerHandle, type Listener } from '../worker-engine/worker-handle.js';
import { defaultSamplesDir } from './samples.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';

/** A DuckDB connection's config: a database file (already resolved, see paths.ts), or none for in-memory with the samples. */
export interface DuckDbConfig {
  path?: string;
}

export interface DuckDbEngineOptions extends ServerEngineOptions {
  /** Where the sample files are; default: the `vega-datasets` package's `data/` folder. */
  samplesDir?: string;
  /** DuckDB's `memory_limit` for this database (locked: SQL cannot raise it); default {@link DEFAULT_MEMORY_LIMIT}. */
  memoryLimit?: string;
  /** DuckDB's `threads` for this database (locked); default {@link defaultThreads}. */
  threads?: number;
}

/** Per database: DuckDB's own default is 80% of the machine's memory, for each one. */
export const DEFAULT_MEMORY_LIMIT = '2GB';

/**
 * DuckDB takes every core by default; leaving one keeps the server's event loop (and
 * collaboration) responsive while a heavy query runs, and four is enough for the samples.
 */
export function defaultThreads(): number {
  return Math.min(4, Math.max(1, availableParallelism() - 1));
}

/** The DuckDB engine: a {@link ServerEngine} that can also take tables as Arrow IPC. */
export interface DuckDbEngine extends ServerEngine {
  /** (Re)creates table `name` from Arrow IPC stream or file bytes; the bytes are copied, not taken. */
  registerArrow(name: string, ipcBytes: Uint8Array): Promise<void>;
}

const ENTRY_URL = new URL('./worker.ts', import.meta.url).href;
const WORDING = { name: 'the DuckDB worker', initFailed: 'could not open the DuckDB database' };

type Handle = WorkerHandle<ToWorker, FromWorker>;

/** Held by {@link crashWorkerForTests}; not part of the engine's interface. */
const crashWorker = Symbol('crashWorker');

class DuckDbNodeEngine implements DuckDbEngine {
  readonly id: string;
  private readonly init: WorkerInit;
  private handle: Handle | null = null;
  private readonly retired = new Set<Handle>();
  private nextId = 1;
  private closed = false;

  constructor(config: DuckDbConfig, options: DuckDbEngineOptions) {
    this.id = options.id;
    this.init = {
      path: config.path ?? null,
      readOnly: options.readOnly ?? true,
      maxConnections: Math.max(1, options.maxConnections ?? DEFAULT_MAX_CONNECTIONS),
      statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      samplesDir: options.samplesDir ?? defaultSamplesDir(),
      memoryLimit: options.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
      threads: Math.max(1, options.threads ?? defaultThreads())
    };
  }

  /** The live worker, started (again) when there is none. */
  private async worker(): Promise<Handle> {
    if (this.closed) throw new QueryError('the DuckDB engine is closed', this.id);
    if (!this.handle || this.handle.dead) {
      // Two instances on one database file would both write it: the new worker opens the
      // file only once the old thread is gone. In memory there is nothing to share.
      if (this.handle && this.init.path !== null) await this.handle.exited;
      if (this.closed) throw new QueryError('the DuckDB engine is closed', this.id);
      if (!this.handle || this.handle.dead) {
        if (this.handle) this.retire(this.handle);
        this.handle = new WorkerHandle(ENTRY_URL, this.init, this.id, WORDING);
      }
    }
    const handle = this.handle;
    await handle.ready;
    // Closed while this waited for the worker to start: post nothing more (the worker refuses it too).
    if (this.closed) throw new QueryError('the DuckDB engine was closed', this.id);
    return handle;
  }

  /** A crashed worker's thread lives on until DuckDB's native work in flight ends; close() waits for it. */
  private retire(handle: Handle): void {
    this.retired.add(handle);
    void handle.exited.then(() => this.retired.delete(handle));
  }

  /**
   * Runs `sql`, answering once the first batch is in: a column whose type its values choose
   * (docs/types.md, "DuckDB (server)") has chosen by then, and a value that did not fit
   * within that batch has been redone with the wider type, unseen by the caller.
   */
  run(sql: string, params: readonly unknown[], options: RunOptions = {}): Promise<RunResult> {
    // The worker sends the schema with the first batch, so a misfit there rejects the start,
    // which firstBatchHeld redoes as well.
    return firstBatchHeld((widen) => this.start(sql, params, { ...options, widen }, false), options.widen ?? {});
  }

  private async start(sql: string, params: readonly unknown[], options: RunOptions, internal: boolean): Promise<RunResult> {
    const { signal, rowLimit } = options;
    signal?.throwIfAborted();
    const handle = await this.worker();
    signal?.throwIfAborted();
    const id = this.nextId++;
    const channel = new RunChannel(handle, id, (m: Extract<FromWorker, { type: 'error' }>) => this.toError(m, sql));
    handle.post({ type: 'run', id, sql, params: [...params], rowLimit: rowLimit ?? null, internal, widen: { ...options.widen } });
    return channel.result(options);
  }

  private toError(message: Extract<FromWorker, { type: 'error' }>, sql: string): QueryError {
    if (message.widened) {
      // Rebuilt here as the class the query service and firstBatchHeld recognise; the
      // worker's message already says which column and why.
      return new WiderResultNeeded(this.id, message.widened.column, message.widened.widening, message.widened.reason);
    }
    if (message.reason === 'timeout') {
      const seconds = Number((this.init.statementTimeoutMs / 1000).toFixed(3));
      return new QueryError(`canceled: statement timeout of ${seconds} s`, this.id);
    }
    if (message.reason === 'canceled') return new QueryError('canceled', this.id);
    const info = decodeDuckDbError(message.message, sql);
    return new QueryError(info.message, this.id, info.position);
  }

  async registerArrow(name: string, ipcBytes: Uint8Array): Promise<void> {
    const handle = await this.worker();
    const id = this.nextId++;
    const bytes = ipcBytes.slice();
    await new Promise<void>((resolve, reject) => {
      const listener: Listener<FromWorker> = {
        message: (m) => {
          handle.unlisten(id, listener);
          if (m.type === 'done') resolve();
          else if (m.type === 'error') reject(new QueryError(decodeDuckDbError(m.message, '').message, this.id));
        },
        crash: reject
      };
      handle.listen(id, listener);
      handle.post({ type: 'register', id, name, bytes }, [bytes.buffer as ArrayBuffer]);
    });
  }

  /** Every row of an internal query, as objects. */
  private async rows(sql: string): Promise<Record<string, unknown>[]> {
    const result = await this.start(sql, [], {}, true);
    const rows: Record<string, unknown>[] = [];
    for await (const batch of result.batches) {
      for (const row of batch) rows.push(row!.toJSON() as Record<string, unknown>);
    }
    return rows;
  }

  async schema(): Promise<TableInfo[]> {
    // Tables and views of every attached database ("db.schema" outside the default one),
    // each with its columns in order; DuckDB's estimated_size is the row estimate.
    const rows = await this.rows(`
      with objects as (
        select database_name, schema_name, table_name as name, 'table' as kind, estimated_size as estimate
        from duckdb_tables() where not internal
        union all
        select database_name, schema_name, view_name, 'view', null
        from duckdb_views() where not internal
      )
      select
        case when o.database_name = current_database() then o.schema_name
             else o.database_name || '.' || o.schema_name end as schema,
        o.name, o.kind, o.estimate,
        c.column_name, c.data_type, c.is_nullable
      from objects o
      left join duckdb_columns() c
        on c.database_name = o.database_name and c.schema_name = o.schema_name and c.table_name = o.name
      order by schema, o.name, c.column_index`);
    const tables = new Map<string, TableInfo>();
    for (const row of rows) {
      const key = `${row.schema}\u0000${row.name}`;
      let table = tables.get(key);
      if (!table) {
        const estimate = row.estimate === null ? null : Number(row.estimate);
        table = { schema: String(row.schema), name: String(row.name), kind: row.kind === 'view' ? 'view' : 'table', columns: [], rowEstimate: estimate };
        tables.set(key, table);
      }
      if (row.column_name !== null) table.columns.push({ name: String(row.column_name), type: String(row.data_type), nullable: Boolean(row.is_nullable) });
    }
    return [...tables.values()];
  }

  async ping(): Promise<void> {
    await this.rows('select 1');
  }

  async close(): Promise<void> {
    this.closed = true;
    const handle = this.handle;
    this.handle = null;
    if (handle && !handle.dead) {
        // A thread terminated inside a native DuckDB call aborts the process: interrupt and
      // drain first (interrupted statements end within milliseconds).
      await handle.requestClose({ type: 'close' }, 30_000);
      handle.die(new QueryError('the DuckDB engine was closed', this.id));
      await handle.worker.terminate();
    } else if (handle) {
      this.retire(handle);
    }
    // A process that exits while a thread is still inside DuckDB can crash on the way out.
    await Promise.all([...this.retired].map((old) => old.exited));
  }

  /** Makes the worker throw an uncaught error, as a bug in it would (tests of crash recovery). */
  [crashWorker](): void {
    this.handle?.post({ type: 'crash' });
  }
}

/** A DuckDB engine for a connection `{kind: 'duckdb', config: {path}}` (no path: in-memory with the samples). */
export function createDuckDbEngine(config: DuckDbConfig, options: DuckDbEngineOptions): DuckDbEngine {
  return new DuckDbNodeEngine(config, options);
}

/** Test hook: makes `engine`'s worker thread crash with an uncaught error. */
export function crashWorkerForTests(engine: DuckDbEngine): void {
  if (engine instanceof DuckDbNodeEngine) engine[crashWorker]();
}
