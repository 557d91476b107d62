/**
 * The MySQL/MariaDB server engine: a mysql2 pool per connection, each statement a
 * server-side prepared statement streamed into Arrow batches (run.ts), with the session
 * made read-only, time-limited and UTC before every run.
 */
import mysql, { type Pool, type PoolConnection, type PoolOptions } from 'mysql2';
import { firstBatchHeld, resultStream, type Widening } from '../arrow/index.js';
import {
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  QueryError,
  type PrivilegeReport,
  type RunOptions,
  type RunResult,
  type ServerEngine,
  type ServerEngineOptions,
  type TableInfo
} from '../engine.js';
import { timeoutMessage, toQueryError, type ErrorContext } from './errors.js';
import { ParameterError, translateParams } from './params.js';
import { MysqlRun } from './run.js';
import { schemaQuery, tablesFromRows } from './schema.js';
import { flavourOf, sessionSql } from './session.js';
import { reportGrants } from './privileges.js';

/** Where and as whom to connect (docs/api.md, connection config for kind 'mysql'). */
export interface MysqlConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

/** Settings of a MySQL connection beyond those every server connection has. */
export interface MysqlEngineOptions extends ServerEngineOptions {
  /** Rows per Arrow batch (default DEFAULT_BATCH_ROWS); tests make it small to cross batch boundaries. */
  batchRows?: number;
}

/** How long to wait for a TCP connection and the handshake before calling the host unreachable. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Prepared statements kept per connection; each holds server memory and counts against max_prepared_stmt_count. */
const MAX_PREPARED_STATEMENTS = 32;
/** The client-side timer that backs up the server's statement timeout (MySQL's only covers SELECT). */
const TIMEOUT_BACKSTOP_MS = 2_000;

/** A {@link ServerEngine} for a MySQL or MariaDB database. */
export function createMysqlEngine(config: MysqlConfig, options: MysqlEngineOptions): ServerEngine {
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const readOnly = options.readOnly ?? true;
  const ctx: ErrorContext = {
    engine: options.id,
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    statementTimeoutMs
  };
  const connectOptions = {
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.database || undefined,
    connectTimeout: CONNECT_TIMEOUT_MS
  };
  const pool: Pool = mysql.createPool({
    ...connectOptions,
    connectionLimit: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    maxIdle: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    idleTimeout: 60_000,
    enableKeepAlive: true,
    // Lossless raw forms, parsed in types.ts: BIGINT and DECIMAL as text, dates as text
    // (mysql2 would otherwise build Dates in the process's local time zone), JSON as text.
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    dateStrings: true,
    jsonStrings: true,
    // Date parameters are sent as UTC, matching the session's time_zone.
    timezone: 'Z',
    // One statement per run; a prepared statement refuses several anyway.
    multipleStatements: false,
    maxPreparedStatements: MAX_PREPARED_STATEMENTS,
    charset: 'UTF8MB4_UNICODE_CI'
  } satisfies PoolOptions);
  pool.on('connection', (conn) => {
    // A pool connection removes itself from the pool on its first error; a later error
    // on a dead socket must not become an unhandled 'error' event that ends the process.
    conn.on('error', () => undefined);
  });

  function acquire(signal?: AbortSignal): Promise<PoolConnection> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        settled = true;
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      pool.getConnection((err, conn) => {
        signal?.removeEventListener('abort', onAbort);
        if (settled) {
          // The run was cancelled while it waited for a connection.
          conn?.release();
          return;
        }
        settled = true;
        if (err) reject(toQueryError(err, ctx));
        else resolve(conn);
      });
    });
  }

  function query(conn: PoolConnection, sql: string): Promise<void> {
    return new Promise((resolve, reject) => conn.query(sql, (e) => (e ? reject(e) : resolve())));
  }

  /** Re-asserts the session settings and, when read-only, opens the run's read-only transaction. */
  async function prepareSession(conn: PoolConnection): Promise<void> {
    const handshake = (conn as unknown as { _handshakePacket?: { serverVersion?: string } })._handshakePacket;
    const flavour = flavourOf(handshake?.serverVersion ?? '');
    await query(conn, sessionSql(flavour, { statementTimeoutMs, readOnly }));
    if (readOnly) await query(conn, 'START TRANSACTION READ ONLY');
  }

  /** KILL QUERY on a fresh connection: the pool's may all be busy, and this must not wait behind them. */
  function kill(threadId: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const killer = mysql.createConnection(connectOptions);
      killer.on('error', () => undefined);
      killer.query(`KILL QUERY ${Number(threadId)}`, (e) => {
        killer.destroy();
        // ER_NO_SUCH_THREAD: the statement and its connection are already gone.
        if (e && e.code !== 'ER_NO_SUCH_THREAD') reject(e);
        else resolve();
      });
    });
  }

  /**
   * The result's schema is the one its first batch's values chose (wide decimals), and a
   * value that misfits within that batch (a zero date) redoes the run invisibly with the
   * wider form (docs/types.md, "Exact decimals whose size is not known up front").
   */
  function run(sql: string, params: readonly unknown[], runOptions: RunOptions = {}): Promise<RunResult> {
    return firstBatchHeld((widening) => runOnce(sql, params, runOptions, widening), runOptions.widen ?? {});
  }

  async function runOnce(sql: string, params: readonly unknown[], runOptions: RunOptions, widening: Widening): Promise<RunResult> {
    const { signal, rowLimit } = runOptions;
    signal?.throwIfAborted();
    let statement: { sql: string; values: unknown[] };
    try {
      statement = translateParams(sql, params);
    } catch (e) {
      if (e instanceof ParameterError) throw new QueryError(e.message, options.id, e.position);
      throw e;
    }
    const toError = (e: unknown) => toQueryError(e, ctx, sql);
    const conn = await acquire(signal);
    try {
      await prepareSession(conn);
    } catch (e) {
      conn.destroy();
      throw signal?.aborted ? signal.reason : toError(e);
    }
    const mysqlRun = new MysqlRun(conn, {
      sql: statement.sql,
      values: statement.values.map(toParameter),
      kill,
      endTransaction: readOnly ? 'ROLLBACK' : null,
      // User locks (GET_LOCK) belong to the session, not the transaction: a lock taken by
      // one run must not stay held by the pooled connection while others wait on it.
      // RELEASE_ALL_LOCKS exists in MySQL 5.7 and MariaDB 10.5; where it fails the
      // connection is destroyed instead, which releases them too.
      resetSession: 'SELECT RELEASE_ALL_LOCKS()',
      batchRows: options.batchRows,
      engine: options.id,
      widening
    });
    const onAbort = () => mysqlRun.fail(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const backstop = setTimeout(() => {
      if (!mysqlRun.finished) mysqlRun.fail(new QueryError(timeoutMessage(statementTimeoutMs), options.id));
    }, statementTimeoutMs + TIMEOUT_BACKSTOP_MS);
    const release = async () => {
      clearTimeout(backstop);
      signal?.removeEventListener('abort', onAbort);
      await mysqlRun.close();
    };
    let schema;
    try {
      schema = await mysqlRun.schema;
    } catch (e) {
      await release();
      throw signal?.aborted ? signal.reason : toError(e);
    }
    return resultStream(schema, mysqlRun.batches(), { rowLimit, signal, toError, release });
  }

  async function schema(): Promise<TableInfo[]> {
    const conn = await acquire();
    try {
      await prepareSession(conn);
      const { sql, values } = schemaQuery(config.database || null);
      const rows = await new Promise<unknown[][]>((resolve, reject) =>
        conn.execute({ sql, values, rowsAsArray: true }, (e, result) => (e ? reject(e) : resolve(result as unknown as unknown[][])))
      );
      if (readOnly) await query(conn, 'ROLLBACK');
      conn.release();
      return tablesFromRows(rows);
    } catch (e) {
      conn.destroy();
      throw toQueryError(e, ctx);
    }
  }

  async function ping(): Promise<void> {
    const conn = await acquire();
    try {
      await query(conn, 'SELECT 1');
      conn.release();
    } catch (e) {
      conn.destroy();
      throw toQueryError(e, ctx);
    }
  }

  /** The account's global grants, on a pooled connection (SHOW GRANTS answers for the session's own account). */
  async function privileges(): Promise<PrivilegeReport> {
    const conn = await acquire();
    try {
      const rows = await new Promise<unknown[][]>((resolve, reject) =>
        conn.query({ sql: 'SHOW GRANTS', rowsAsArray: true }, (e, result) => (e ? reject(e) : resolve(result as unknown as unknown[][])))
      );
      conn.release();
      return reportGrants(rows.map((row) => String(row[0])));
    } catch (e) {
      conn.destroy();
      throw toQueryError(e, ctx);
    }
  }

  async function close(): Promise<void> {
    await new Promise<void>((resolve) => pool.end(() => resolve()));
  }

  return { id: options.id, run, schema, ping, privileges, close };
}

/** Values as mysql2 binds them: no `undefined`, Uint8Array as Buffer (sent as a BLOB, not text). */
function toParameter(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value;
}
