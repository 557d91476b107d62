/**
 * The browser engine: DuckDB-WASM behind the {@link Engine} interface. It drives an
 * `AsyncDuckDB` (a worker in the browser, a worker thread in Node), so the same class
 * runs in the page and in Node tests against the real DuckDB build.
 *
 * Every run gets a connection of its own: `cancelSent` cancels that run and nothing else,
 * and concurrent cells never queue behind each other's pending query. The catalog is
 * shared (one in-memory database), so a table one run creates is visible to the next;
 * what is per connection (temp tables, `SET`) lasts one run.
 */
import type { AsyncDuckDB, AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import type { AsyncRecordBatchStreamReader, RecordBatch } from 'apache-arrow';
import { QueryError, type ColumnInfo, type Engine, type RunOptions, type RunResult, type TableInfo } from '../engine.js';
import { DuckDbSqlParser } from '../graph/duckdb-sql-parser.js';
import type { SqlParser } from '../graph/sql-deps.js';
import { toIpcStream, type TableInput } from './arrow-input.js';
import { resultStream } from '../arrow/result-stream.js';
import { KeyedLock, PRIVATE_PREFIX, dropTableOrView, replaceTable } from './catalog.js';
import { ENGINE_ID, toQueryError } from './errors.js';
import { toBindValues } from './params.js';
import type { ParquetInit } from './parquet.js';
import { SourceLoader, type NotebookFiles, type SourceFetch, type SourceProgress } from './sources.js';
import { OfflineTableNames, createOfflineParser } from './table-names.js';

export interface DuckDbWasmEngineOptions {
  /**
   * An empty DuckDB instance for `tableNames`; the engine turns its external access off.
   * Without one, parsing uses a separate connection to the data instance (and binding a
   * file-reading function there may open the file).
   */
  parserDb?: AsyncDuckDB;
  /** A parser made elsewhere (the browser host shares one); takes precedence over `parserDb`. */
  parser?: SqlParser;
  /** Fetches sample and file bytes (`/samples/<file>`, `/api/files/<hash>`). Without it, `ensureSources` fails. */
  fetch?: SourceFetch;
  /** Initializes parquet-wasm (browser: `init(wasmUrl)`; Node: `initSync(bytes)`). Without it, Parquet sources fail. */
  initParquet?: ParquetInit;
  /** Told as sources fetch and load. */
  onSourceProgress?: (progress: SourceProgress) => void;
}

/** {@link RunOptions} plus a progress hook. */
export interface WasmRunOptions extends RunOptions {
  /** Called after each batch with the rows delivered so far. */
  onRows?: (rows: number) => void;
}

/** DuckDB-WASM as a Cairn {@link Engine}, plus what notebooks need: sources, cell tables, parsing. */
export class DuckDbWasmEngine implements Engine, SqlParser {
  readonly id = ENGINE_ID;
  private readonly lock = new KeyedLock();
  private readonly sources: SourceLoader;
  private parser: Promise<SqlParser> | null = null;
  private readonly open = new Set<AsyncDuckDBConnection>();
  /** A connection opened ahead of the next run (see `connect`). */
  private spare: Promise<AsyncDuckDBConnection> | null = null;
  private closed = false;

  constructor(
    /** The instance that holds the data; the engine does not own its worker until `close`. */
    readonly db: AsyncDuckDB,
    private readonly options: DuckDbWasmEngineOptions = {}
  ) {
    const fetchSource: SourceFetch = options.fetch ?? (() => Promise.reject(new Error('this engine has no fetch for sources')));
    this.sources = new SourceLoader(db, this.lock, { fetch: fetchSource, initParquet: options.initParquet, onProgress: options.onSourceProgress });
  }

  /** Runs `sql` with `params` bound to `$1`, `$2`, …; batches stream as DuckDB produces them. */
  async run(sql: string, params: readonly unknown[] = [], options: WasmRunOptions = {}): Promise<RunResult> {
    const { signal, rowLimit, onRows } = options;
    this.assertOpen();
    signal?.throwIfAborted();
    const values = toBindValues(params);
    const conn = await this.connect();
    let reader: AsyncRecordBatchStreamReader | null = null;
    let closeStatement: (() => Promise<void>) | null = null;
    const cancel = () => void conn.cancelSent().catch(() => undefined);
    signal?.addEventListener('abort', cancel, { once: true });
    const release = async () => {
      signal?.removeEventListener('abort', cancel);
      await closeStatement?.().catch(() => undefined);
      await this.disconnect(conn);
    };
    try {
      if (values.length === 0) {
        // A pending query: DuckDB runs it in steps, and `cancelSent` stops it between them.
        reader = await conn.send(sql, true);
      } else {
        const statement = await conn.prepare(sql);
        closeStatement = () => statement.close();
        reader = await statement.send(...values);
      }
      // The schema is read from the first message; it is gone once the reader is done.
      await reader.open();
      signal?.throwIfAborted();
    } catch (e) {
      await release();
      if (signal?.aborted) throw signal.reason;
      throw toQueryError(e, sql);
    }

    const stream = reader;
    // Stopping early (row cap, a consumer that quits) cancels the pending query in DuckDB.
    const source: AsyncIterable<RecordBatch> = {
      [Symbol.asyncIterator]: () => {
        const batches = stream[Symbol.asyncIterator]();
        return {
          next: () => batches.next(),
          return: async () => {
            await stream.cancel().catch(() => undefined);
            return { done: true as const, value: undefined };
          }
        };
      }
    };
    return resultStream(stream.schema, source, { rowLimit, signal, onRows, toError: (e) => toQueryError(e, sql), release });
  }

  /** Tables and views in the database (not DuckDB's own, not the engine's private ones). */
  async schema(): Promise<TableInfo[]> {
    this.assertOpen();
    const conn = await this.connect();
    try {
      const result = await conn.query(`
        select c.schema_name, c.table_name, c.column_name, c.data_type, c.is_nullable,
               v.view_name is not null as is_view, t.estimated_size
        from duckdb_columns() c
        left join duckdb_tables() t
          on t.database_name = c.database_name and t.schema_name = c.schema_name and t.table_name = c.table_name
        left join duckdb_views() v
          on v.database_name = c.database_name and v.schema_name = c.schema_name and v.view_name = c.table_name
        where c.database_name in (current_database(), 'temp') and not c.internal
          and c.schema_name not in ('information_schema', 'pg_catalog')
          and not starts_with(c.table_name, '${PRIVATE_PREFIX}')
        order by c.schema_name, c.table_name, c.column_index`);
      const tables = new Map<string, TableInfo>();
      for (const row of result.toArray() as Array<Record<string, unknown>>) {
        const key = `${row.schema_name}.${row.table_name}`;
        let table = tables.get(key);
        if (!table) {
          const estimate = row.estimated_size;
          table = {
            schema: String(row.schema_name),
            name: String(row.table_name),
            kind: row.is_view ? 'view' : 'table',
            columns: [],
            rowEstimate: estimate === null || estimate === undefined ? null : Number(estimate)
          };
          tables.set(key, table);
        }
        const column: ColumnInfo = { name: String(row.column_name), type: String(row.data_type), nullable: Boolean(row.is_nullable) };
        table.columns.push(column);
      }
      return [...tables.values()];
    } catch (e) {
      throw toQueryError(e, '');
    } finally {
      await this.disconnect(conn);
    }
  }

  /**
   * Makes `value` the table `name` (Arrow IPC bytes, an Arrow table, or an array of plain
   * objects), replacing a table or view of that name atomically. Calls for one name apply
   * in call order.
   */
  async registerTable(name: string, value: TableInput): Promise<void> {
    this.assertOpen();
    if (!name) throw new QueryError('A table needs a name', ENGINE_ID);
    // Converted now, so the caller may change or reuse `value` as soon as this returns.
    const ipc = toIpcStream(value);
    await this.lock.run(name, async () => {
      try {
        await replaceTable(this.db, name, (conn, temp) => conn.insertArrowFromIPCStream(ipc, { name: temp, create: true }));
      } catch (e) {
        throw toQueryError(e, '');
      }
      // A cell result now owns the name: a source of that name must load again if asked for.
      this.sources.forget(name);
    });
  }

  /** Drops the table or view `name` if it exists. */
  async dropTable(name: string): Promise<void> {
    this.assertOpen();
    await this.lock.run(name, async () => {
      try {
        await dropTableOrView(this.db, name);
      } catch (e) {
        throw toQueryError(e, '');
      }
      this.sources.forget(name);
    });
  }

  /**
   * Loads, on first use, the samples and the notebook's files among `names` (files shadow
   * samples); names that are neither are ignored. Rejects with a {@link QueryError}.
   */
  ensureSources(names: readonly string[], files: NotebookFiles = {}): Promise<void> {
    this.assertOpen();
    return this.sources.ensure(names, files);
  }

  /** The tables `sql` reads (DuckDB's own parser; CTE names excluded). Rejects with a `SqlAnalysisError`. */
  async tableNames(sql: string): Promise<string[]> {
    this.assertOpen();
    this.parser ??= this.makeParser().catch((e: unknown) => {
      this.parser = null;
      throw e;
    });
    return (await this.parser).tableNames(sql);
  }

  /** Closes every connection and terminates the worker(s). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const conn of [...this.open]) await this.closeConnection(conn);
    await this.db.terminate();
    if (this.options.parserDb && this.options.parserDb !== this.db) await this.options.parserDb.terminate();
  }

  private async makeParser(): Promise<SqlParser> {
    if (this.options.parser) return this.options.parser;
    const { parserDb } = this.options;
    if (parserDb && parserDb !== this.db) return createOfflineParser(parserDb);
    // No separate instance: a connection of its own on the data instance, external access as it is.
    return new DuckDbSqlParser(new OfflineTableNames(await this.db.connect()));
  }

  /**
   * A connection for one run: the spare one when it is ready, else a new one. Opening one is
   * two round trips to the worker (connect, then the setting below), paid between runs rather
   * than at the start of the next (bench/browser-sql).
   */
  private async connect(): Promise<AsyncDuckDBConnection> {
    const spare = this.spare;
    this.spare = null;
    if (spare) {
      const conn = await spare.catch(() => null);
      if (conn && this.open.has(conn)) return conn;
    }
    return this.openConnection();
  }

  private async openConnection(): Promise<AsyncDuckDBConnection> {
    const conn = await this.db.connect();
    this.open.add(conn);
    try {
      // Errors as JSON carry a position; the setting is per connection.
      await conn.query('set errors_as_json = true');
    } catch (e) {
      await this.closeConnection(conn);
      throw toQueryError(e, '');
    }
    return conn;
  }

  private async closeConnection(conn: AsyncDuckDBConnection): Promise<boolean> {
    if (!this.open.delete(conn)) return false;
    await conn.close().catch(() => undefined);
    return true;
  }

  /** Closes a run's connection (its temp tables and settings go with it) and readies the next one. */
  private async disconnect(conn: AsyncDuckDBConnection): Promise<void> {
    if (!(await this.closeConnection(conn))) return;
    if (!this.closed && !this.spare) {
      const spare = this.openConnection();
      spare.catch(() => undefined);
      this.spare = spare;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new QueryError('The browser engine is closed', ENGINE_ID);
  }
}
