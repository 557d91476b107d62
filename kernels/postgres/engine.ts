/**
 * The PostgreSQL engine: a pg.Pool per connection; each run checks out a client, opens a
 * (by default read-only) transaction with `statement_timeout`, describes the result,
 * then streams rows in PostgreSQL's binary format straight into Arrow batches:
 * - without parameters through `COPY (…) TO STDOUT (FORMAT binary)`,
 * - with parameters (COPY takes none) through the extended protocol with binary results,
 *   read off the socket and decoded by the same code (wire-query.ts), so both paths give
 *   the same Arrow.
 * Statements that cannot sit inside COPY or a subquery (EXPLAIN, SHOW, DML … RETURNING)
 * take the extended path too.
 */
import type { RecordBatch } from 'apache-arrow';
import pg from 'pg';
import { WiderResultNeeded, firstBatchHeld, resultStream, type Widening } from '../arrow/index.js';
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
import { quoteIdent } from '../sql-ident.js';
import { RowDecoder } from './binary-values.js';
import { describeQuery, lookupTypes } from './describe.js';
import { toQueryError, type ErrorContext, type SqlOrigin } from './errors.js';
import { WireQuery, copyMessage, extendedMessages } from './wire-query.js';
import { Session } from './session.js';
import { PRIVILEGES_SQL, reportPrivileges, type PrivilegeRow } from './privileges.js';
import { isWrappableQuery, trimStatementEnd } from './sql-text.js';
import { planColumns, unknownOids, type ColumnPlan } from './types.js';

/** A `kind: 'postgres'` connection's config (docs/api.md, Connections). */
export interface PostgresConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

/** Connecting (TCP, TLS, authentication) gives up after this long. */
const CONNECT_TIMEOUT_MS = 10_000;

export function createPostgresEngine(config: PostgresConfig, options: ServerEngineOptions): ServerEngine {
  return new PostgresEngine(config, options);
}

class PostgresEngine implements ServerEngine {
  readonly id: string;
  private readonly pool: pg.Pool;
  private readonly clientConfig: pg.ClientConfig;
  private readonly timeoutMs: number;
  private readonly readOnly: boolean;
  private readonly errors: ErrorContext;

  constructor(config: PostgresConfig, options: ServerEngineOptions) {
    this.id = options.id;
    this.timeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
    this.readOnly = options.readOnly ?? true;
    this.clientConfig = {
      host: config.host,
      port: config.port,
      database: config.database,
      user: config.user,
      password: config.password,
      application_name: 'cairn',
      keepAlive: true,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS
    };
    this.errors = {
      engine: this.id,
      host: config.host,
      port: config.port,
      password: config.password,
      statementTimeoutMs: this.timeoutMs,
      connectTimeoutMs: CONNECT_TIMEOUT_MS
    };
    // The connect timeout goes to each client only: given to the pool it would also fail
    // runs that merely wait for a free connection, and waiting is the queue's business.
    const clientConfig = this.clientConfig;
    class TimedClient extends pg.Client {
      constructor() {
        super(clientConfig);
      }
    }
    const { connectionTimeoutMillis: _, ...poolClientConfig } = clientConfig;
    this.pool = new pg.Pool({
      ...poolClientConfig,
      Client: TimedClient,
      max: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      idleTimeoutMillis: 30_000
    });
    // An idle connection that dies is dropped by the pool; the next checkout reconnects.
    this.pool.on('error', (err) => console.warn(`[postgres ${this.id}] idle connection closed: ${toQueryError(err, this.errors).message}`));
  }

  /**
   * Runs `sql`; the answer waits for the first batch, whose values choose the type of any
   * decimal column sized by its data (docs/types.md), and a value that does not fit it
   * within that batch redoes the run with the wider type (kernels/arrow/widening.ts).
   */
  run(sql: string, params: readonly unknown[], options: RunOptions = {}): Promise<RunResult> {
    return firstBatchHeld((widen) => this.attempt(sql, params, options, widen), options.widen);
  }

  private async attempt(sql: string, params: readonly unknown[], options: RunOptions, widen: Widening): Promise<RunResult> {
    const { signal, rowLimit } = options;
    const session = await this.begin(signal);
    const origin: SqlOrigin = { sql, offset: 0 };
    let plans: ColumnPlan[];
    try {
      const columns = await session.statement(() => describeQuery(session.client, sql));
      const types = await session.statement(() => lookupTypes(session.client, unknownOids(columns)));
      plans = planColumns(columns, types, isWrappableQuery(sql) && columns.length > 0, widen);
    } catch (err) {
      await session.finish(err, false);
      throw signal?.aborted ? signal.reason : toQueryError(err, this.errors, origin);
    }

    const rows = new RowDecoder(plans, this.id);
    const wrappable = isWrappableQuery(sql) && plans.length > 0;
    const useCopy = params.length === 0 && wrappable;
    const casts = plans.some((p) => p.cast !== null);
    const limit = rowLimit === undefined ? null : rowLimit + 1; // one more than delivered: tells truncation
    let source: AsyncIterable<RecordBatch>;
    if (useCopy) {
      const query = wrapQuery(sql, plans, casts || limit !== null, limit);
      const prefix = 'COPY (';
      origin.offset = prefix.length + query.offset;
      source = wireBatches(session, copyMessage(`${prefix}${query.text}) TO STDOUT (FORMAT binary)`), rows, 'copy');
    } else {
      const query = wrappable && casts ? wrapQuery(sql, plans, true, null) : { text: sql, offset: 0 };
      origin.offset = query.offset;
      let message: Buffer;
      try {
        message = extendedMessages(query.text, params, plans.map((p) => p.format), limit ?? 0);
      } catch (err) {
        await session.finish(err, false);
        throw new QueryError(`cannot bind the parameters: ${(err as Error).message}`, this.id, null);
      }
      source = wireBatches(session, message, rows, 'rows');
    }
    return resultStream(rows.builder.schema, source, {
      rowLimit,
      signal,
      toError: (err) => toQueryError(err, this.errors, origin),
      release: (failure) => session.finish(failure, !this.readOnly)
    });
  }

  async schema(): Promise<TableInfo[]> {
    const session = await this.begin(undefined);
    let failure: unknown = null;
    try {
      const { rows } = await session.client.query<{
        schema: string;
        name: string;
        kind: string;
        estimate: number;
        column: string | null;
        type: string | null;
        nullable: boolean | null;
      }>(SCHEMA_SQL);
      const tables = new Map<string, TableInfo>();
      for (const r of rows) {
        const key = `${r.schema}\0${r.name}`;
        let t = tables.get(key);
        if (!t) {
          const view = r.kind === 'v' || r.kind === 'm';
          // reltuples is -1 for a table never vacuumed or analyzed; a view has no estimate.
          const rowEstimate = view || r.estimate < 0 ? null : Math.round(r.estimate);
          t = { schema: r.schema, name: r.name, kind: view ? 'view' : 'table', columns: [], rowEstimate };
          tables.set(key, t);
        }
        if (r.column !== null) t.columns.push({ name: r.column, type: r.type ?? '', nullable: r.nullable ?? true });
      }
      return [...tables.values()];
    } catch (err) {
      failure = err;
      throw toQueryError(err, this.errors);
    } finally {
      await session.finish(failure, false);
    }
  }

  /** A fresh connection (not a pooled one, which would not re-check the credentials) running `select 1`. */
  async ping(): Promise<void> {
    const client = new pg.Client(this.clientConfig);
    client.on('error', () => undefined); // reported by connect/query below
    try {
      await client.connect();
      await client.query('select 1');
    } catch (err) {
      throw toQueryError(err, this.errors);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Superuser and the server-file roles, read on a fresh connection as {@link ping} does. */
  async privileges(): Promise<PrivilegeReport> {
    const client = new pg.Client(this.clientConfig);
    client.on('error', () => undefined); // reported by connect/query below
    try {
      await client.connect();
      const { rows } = await client.query<PrivilegeRow>(PRIVILEGES_SQL);
      return reportPrivileges(rows[0]!);
    } catch (err) {
      throw toQueryError(err, this.errors);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Checks out a client (abortable while waiting for one) and opens the run's transaction. */
  private async begin(signal: AbortSignal | undefined): Promise<Session> {
    signal?.throwIfAborted();
    let client: pg.PoolClient;
    try {
      client = await abortable(this.pool.connect(), signal, (c) => c.release());
    } catch (err) {
      throw signal?.aborted ? signal.reason : toQueryError(err, this.errors);
    }
    const session = new Session(client, (pid) => this.cancelBackend(pid), signal);
    try {
      // One round trip; SET LOCAL ends with the transaction, so the pooled session is unchanged.
      await session.statement(() =>
        client.query(`${this.readOnly ? 'BEGIN READ ONLY' : 'BEGIN'}; SET LOCAL statement_timeout = ${Math.max(0, Math.round(this.timeoutMs))}`)
      );
    } catch (err) {
      await session.finish(err, false);
      throw signal?.aborted ? signal.reason : toQueryError(err, this.errors);
    }
    return session;
  }

  /** `pg_cancel_backend` on a connection of its own: the pool may be full, and the run's own connection is busy. */
  private async cancelBackend(pid: number): Promise<void> {
    const client = new pg.Client(this.clientConfig);
    client.on('error', () => undefined); // reported by connect/query below
    try {
      await client.connect();
      await client.query('select pg_cancel_backend($1)', [pid]);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/**
 * `select c1, c2::text … from (<sql>) as q(c1, c2, …) [limit n]`: casts the columns that
 * have no binary decoder, renames columns so duplicate names work, and caps the rows.
 * `offset` is where the user's SQL starts, for mapping error positions back.
 */
function wrapQuery(sql: string, plans: readonly ColumnPlan[], wrap: boolean, limit: number | null): { text: string; offset: number } {
  const body = trimStatementEnd(sql);
  if (!wrap) return { text: body, offset: 0 };
  const names = plans.map((_, i) => quoteIdent(`c${i + 1}`));
  const select = plans.map((p, i) => castColumn(names[i]!, p.cast)).join(', ');
  const prefix = `select ${select} from (\n`;
  // The newline before ')' ends a trailing `-- comment` in the user's SQL.
  const text = `${prefix}${body}\n) as q(${names.join(', ')})${limit === null ? '' : ` limit ${limit}`}`;
  return { text, offset: prefix.length };
}

/**
 * A column with its plan's cast. To text, a value goes through its type's output function
 * (what psql prints): `format('%s', …)` does that, where `::text` may pick a cast of its
 * own (inet's adds the netmask: `::1/128` for `::1`).
 */
function castColumn(name: string, cast: string | null): string {
  if (cast === null) return name;
  if (cast === 'text') return `case when ${name} is null then null else format('%s', ${name}) end`;
  return `${name}::${cast}`;
}

/** Batches as the socket delivers them; a consumer that stops early has the statement finished or cancelled, and the connection drained. */
async function* wireBatches(session: Session, message: Buffer, rows: RowDecoder, format: 'copy' | 'rows'): AsyncGenerator<RecordBatch> {
  session.started();
  const query = new WireQuery(message, rows, format);
  session.client.query(query as never);
  let ended = false;
  try {
    for (;;) {
      let batch: RecordBatch | null;
      try {
        batch = await query.next();
      } catch (err) {
        // A widening leaves the statement running: the finally below cancels and drains it.
        if (!(err instanceof WiderResultNeeded)) ended = true;
        throw err;
      }
      if (batch === null) {
        ended = true;
        return;
      }
      yield batch;
    }
  } finally {
    if (!ended) {
      query.discard();
      await session.stop(async () => {
        while ((await query.next()) !== null);
      });
    }
    session.ended();
  }
}

/** `promise`, or the signal's reason when it aborts first; a value that arrives too late goes to `dispose`. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined, dispose: (value: T) => void): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      settled = true;
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (settled) dispose(value);
        else resolve(value);
      },
      (err) => {
        signal.removeEventListener('abort', onAbort);
        if (!settled) reject(err);
      }
    );
  });
}

/** Tables, views, materialized views and foreign tables outside the system schemas, with their columns in order. */
const SCHEMA_SQL = `
select n.nspname as schema, c.relname as name, c.relkind as kind, c.reltuples::float8 as estimate,
       a.attname as column, pg_catalog.format_type(a.atttypid, a.atttypmod) as type, not a.attnotnull as nullable
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where c.relkind in ('r', 'p', 'v', 'm', 'f')
  and not c.relispartition
  and n.nspname not in ('pg_catalog', 'information_schema')
  and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp\\_%'
  and pg_catalog.has_schema_privilege(n.oid, 'USAGE')
order by n.nspname, c.relname, a.attnum`;
