/**
 * The one interface every execution engine speaks (README.md, "Engines sit behind one
 * interface"): DuckDB-WASM in the browser, DuckDB and PostgreSQL on the server. Results
 * are Apache Arrow record batches, streamed; adding a warehouse is adding one module that
 * implements this.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import type { Widening } from './arrow/widening.js';

/** Options for one run. */
export interface RunOptions {
  /** Aborting cancels the query on the engine, not only the stream. */
  signal?: AbortSignal;
  /** Stop after this many rows; the result says it was truncated. */
  rowLimit?: number;
  /**
   * Column types wider than the values would choose, from an earlier run of the same query
   * that met a value its type could not hold (docs/types.md; kernels/arrow/widening.ts).
   */
  widen?: Widening;
}

/** A running query's result: batches as the engine produces them. */
export interface RunResult {
  /** The result's Arrow schema, known before the first batch. */
  schema: Schema;
  /** Record batches in order; the iterator ends when the query does or throws its error. */
  batches: AsyncIterable<RecordBatch>;
  /** Resolves when the stream ended: rows delivered and whether `rowLimit` cut it short. */
  summary: Promise<{ rows: number; truncated: boolean }>;
}

/** A column as an engine's catalogue describes it. */
export interface ColumnInfo {
  name: string;
  type: string;
  nullable: boolean;
}

/** A table or view an engine can query. */
export interface TableInfo {
  schema: string;
  name: string;
  kind: 'table' | 'view';
  columns: ColumnInfo[];
  /** The engine's row estimate, when it keeps one. */
  rowEstimate: number | null;
}

/** An error raised by an engine, with where in the SQL it happened when the engine says. */
export class QueryError extends Error {
  constructor(
    message: string,
    /** The engine or connection that failed. */
    readonly engine: string,
    /** 0-based character offset into the SQL, when known. */
    readonly position: number | null = null
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

export interface Engine {
  /** A stable id: 'browser' for DuckDB-WASM, or a server connection id. */
  readonly id: string;
  /** Run `sql` with positional parameters bound as $1, $2, … (never spliced into the text). */
  run(sql: string, params: readonly unknown[], options?: RunOptions): Promise<RunResult>;
  /** The tables and columns this engine can see, for the schema browser and autocomplete. */
  schema(): Promise<TableInfo[]>;
  /** Release connections and workers. */
  close(): Promise<void>;
}

/** Settings every server connection has, whatever its kind. */
export interface ServerEngineOptions {
  /** The connection's id (the `engine` of the cells that use it). */
  id: string;
  /** Per statement, enforced by the database (`statement_timeout`, `max_statement_time`); default 60 s. */
  statementTimeoutMs?: number;
  /** Pool size: at most this many queries run at once on the connection; default 4. */
  maxConnections?: number;
  /** Run every query in a read-only transaction; default true. */
  readOnly?: boolean;
}

/** A right of the connected account that a read-only transaction does not contain. */
export interface DangerousPrivilege {
  /** As the database names it: `superuser`, `pg_read_server_files`, `FILE`, … */
  privilege: string;
  /** What it lets notebook SQL do despite read-only, in words for the connection form. */
  why: string;
}

/** What the connected account may do beyond reading its tables; empty for a least-privilege account. */
export interface PrivilegeReport {
  privileges: DangerousPrivilege[];
}

/** An engine the server runs against a warehouse: adds a connectivity check for "Test connection". */
export interface ServerEngine extends Engine {
  /** Connects and runs a trivial statement; rejects with a {@link QueryError} that says what failed. */
  ping(): Promise<void>;
  /**
   * The connected account's privileges that escape a read-only transaction (server files,
   * programs, settings). Engines without database accounts (DuckDB) leave it out, which
   * {@link privilegesOf} reads as none.
   */
  privileges?(): Promise<PrivilegeReport>;
}

/** `engine`'s privilege report; none for an engine that has no accounts. */
export async function privilegesOf(engine: ServerEngine): Promise<PrivilegeReport> {
  return engine.privileges ? engine.privileges() : { privileges: [] };
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_CONNECTIONS = 4;
