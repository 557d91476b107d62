/**
 * The built-in `cairn` connection: Cairn's own audit log as read-only tables (`runs`,
 * `notebooks`, `connections`, `users`), so analysts can query and chart their usage like
 * any warehouse. The queries run on a server-side DuckDB in a worker thread over a copy
 * loaded from the store, never on the store itself: a heavy query then cannot stall the
 * store that collaboration writes to, and it has its own timeout and row cap.
 */
import { Bool, Field, Float64, Int64, TimestampMicrosecond, Utf8 } from 'apache-arrow';
import type { RunOptions, RunResult, ServerEngine, TableInfo } from '../../kernels/engine.js';
import { BatchBuilder, IpcStreamEncoder } from '../../kernels/arrow/index.js';
import { createDuckDbEngine } from '../../kernels/duckdb-node/index.js';
import type { Queryable } from '../store/index.js';
import type { RunLog, RunViewer } from '../query/run-log.js';
import { notebookAccessExpr, notebookAccessJoins } from '../access/policy.js';
import type { ConnectionOptions, ConnectionView } from './shapes.js';

export const CAIRN_CONNECTION_ID = 'cairn';

/** Tighter than a warehouse's defaults: this shares the machine with collaboration. */
export const CAIRN_OPTIONS: ConnectionOptions = { statementTimeoutMs: 10_000, maxConnections: 2, rowLimit: 100_000, readOnly: true, acceptPrivilegedAccount: false };

/** How many of the newest runs the `runs` table holds. */
const MAX_RUNS = 50_000;

export const CAIRN_VIEW: ConnectionView = {
  id: CAIRN_CONNECTION_ID,
  name: 'Cairn audit log',
  kind: 'duckdb',
  config: {},
  hasPassword: false,
  options: CAIRN_OPTIONS,
  access: 'editors',
  builtin: true,
  createdAt: new Date(0).toISOString(),
  updatedAt: new Date(0).toISOString()
};

const ts = () => new TimestampMicrosecond('UTC');
const f = (name: string, type: ConstructorParameters<typeof Field>[1]) => new Field(name, type, true);

type Column = [name: string, type: ConstructorParameters<typeof Field>[1], read: (row: Record<string, unknown>) => unknown];

const micros = (v: unknown) => (v === null || v === undefined ? null : BigInt(new Date(v as string).getTime()) * 1000n);
const big = (v: unknown) => (v === null || v === undefined ? null : BigInt(v as number));

/**
 * The tables: a store query (`$1` the workspace; with `perViewer`, `$2` the viewing user
 * and `$3` whether they manage it) and how each column reads. Users appear by name only,
 * never email.
 */
const TABLES: Record<string, { sql: string; perViewer?: boolean; columns: Column[] }> = {
  notebooks: {
    sql: `select n.id, n.title, n.created_by, n.created_at, n.updated_at, n.forked_from from notebooks n ${notebookAccessJoins(2)}
          where n.workspace_id = $1 and n.deleted_at is null and ($3 or ${notebookAccessExpr(2)} is not null)`,
    perViewer: true,
    columns: [
      ['id', new Utf8(), (r) => r.id],
      ['title', new Utf8(), (r) => r.title],
      ['created_by', new Utf8(), (r) => r.created_by],
      ['created_at', ts(), (r) => micros(r.created_at)],
      ['updated_at', ts(), (r) => micros(r.updated_at)],
      ['forked_from', new Utf8(), (r) => r.forked_from]
    ]
  },
  connections: {
    sql: 'select id, name, kind, created_at from connections where workspace_id = $1 and deleted_at is null',
    columns: [
      ['id', new Utf8(), (r) => r.id],
      ['name', new Utf8(), (r) => r.name],
      ['kind', new Utf8(), (r) => r.kind],
      ['created_at', ts(), (r) => micros(r.created_at)]
    ]
  },
  users: {
    sql: 'select u.id, u.name, m.role from users u join workspace_members m on m.user_id = u.id where m.workspace_id = $1',
    columns: [
      ['id', new Utf8(), (r) => r.id],
      ['name', new Utf8(), (r) => r.name],
      ['role', new Utf8(), (r) => r.role]
    ]
  }
};

const RUN_COLUMNS: Column[] = [
  ['id', new Utf8(), (r) => r.id],
  ['user_id', new Utf8(), (r) => r.userId],
  ['user_name', new Utf8(), (r) => r.userName],
  ['notebook_id', new Utf8(), (r) => r.notebookId],
  ['cell_id', new Utf8(), (r) => r.cellId],
  ['connection_id', new Utf8(), (r) => r.connectionId],
  ['sql', new Utf8(), (r) => r.sql],
  ['params', new Utf8(), (r) => JSON.stringify(r.params)],
  ['status', new Utf8(), (r) => r.status],
  ['started_at', ts(), (r) => micros(r.startedAt)],
  ['duration_ms', new Float64(), (r) => r.durationMs],
  ['rows', new Int64(), (r) => big(r.rows)],
  ['truncated', new Bool(), (r) => r.truncated],
  ['bytes', new Int64(), (r) => big(r.bytes)],
  ['result_hash', new Utf8(), (r) => r.resultHash],
  ['cache', new Utf8(), (r) => r.cache],
  ['error', new Utf8(), (r) => r.error],
  ['error_code', new Utf8(), (r) => r.errorCode]
];

function toIpc(columns: Column[], rows: Record<string, unknown>[]): Uint8Array {
  const builder = new BatchBuilder(columns.map(([name, type]) => f(name, type)), Math.max(rows.length, 1));
  const encoder = new IpcStreamEncoder(builder.schema);
  const parts = [encoder.start()];
  for (const row of rows) {
    const batch = builder.appendRow(columns.map(([, , read]) => read(row)));
    if (batch) parts.push(encoder.encode(batch));
  }
  const last = builder.flush();
  if (last) parts.push(encoder.encode(last));
  parts.push(encoder.end());
  return Buffer.concat(parts);
}

type DuckDbEngine = ReturnType<typeof createDuckDbEngine>;

/** The `cairn` connection of one workspace. */
class CairnEngine implements ServerEngine {
  readonly id = CAIRN_CONNECTION_ID;
  private loaded = '';
  private loading: Promise<void> | null = null;

  constructor(
    private readonly engine: DuckDbEngine,
    private readonly db: Queryable,
    private readonly runs: RunLog,
    private readonly workspaceId: string,
    private readonly viewer: RunViewer
  ) {}

  async run(sql: string, params: readonly unknown[], options?: RunOptions): Promise<RunResult> {
    await this.refresh();
    return this.engine.run(sql, params, options);
  }

  async schema(): Promise<TableInfo[]> {
    await this.refresh();
    const names = new Set(['runs', ...Object.keys(TABLES)]);
    return (await this.engine.schema()).filter((t) => names.has(t.name));
  }

  async ping(): Promise<void> {
    await this.engine.ping();
  }

  async close(): Promise<void> {
    await this.engine.close();
  }

  /** Reloads the tables when the log changed since the last load; concurrent callers share one load. */
  private async refresh(): Promise<void> {
    while (this.loading) await this.loading;
    const version = await this.runs.version(this.workspaceId);
    if (version === this.loaded) return;
    this.loading = (async () => {
      const runs = await this.runs.export(this.workspaceId, this.viewer, MAX_RUNS);
      await this.engine.registerArrow('runs', toIpc(RUN_COLUMNS, runs as unknown as Record<string, unknown>[]));
      for (const [name, table] of Object.entries(TABLES)) {
        const params = table.perViewer ? [this.workspaceId, this.viewer.userId, this.viewer.manager] : [this.workspaceId];
        const rows = await this.db.query<Record<string, unknown>>(table.sql, params);
        await this.engine.registerArrow(name, toIpc(table.columns, rows));
      }
      this.loaded = version;
    })().finally(() => (this.loading = null));
    await this.loading;
  }
}

/**
 * One `cairn` engine per workspace for its managers, and one per other member (each sees
 * only the runs and notebooks they may read), made on first use.
 */
export class CairnConnections {
  private readonly engines = new Map<string, CairnEngine>();
  private readonly lastUsed = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly db: Queryable,
    private readonly runs: RunLog,
    /** An engine unused this long is closed (each is a worker with its own DuckDB); the next query opens it again. */
    private readonly idleMs = 5 * 60_000
  ) {
    this.sweeper = setInterval(() => this.closeIdle(), Math.min(60_000, idleMs));
    this.sweeper.unref();
  }

  engineFor(workspaceId: string, viewer: RunViewer): ServerEngine {
    const key = viewer.manager ? `${workspaceId}\u0000*` : `${workspaceId}\u0000${viewer.userId}`;
    this.lastUsed.set(key, Date.now());
    let engine = this.engines.get(key);
    if (!engine) {
      const duck = createDuckDbEngine(
        {},
        {
          id: CAIRN_CONNECTION_ID,
          statementTimeoutMs: CAIRN_OPTIONS.statementTimeoutMs,
          maxConnections: CAIRN_OPTIONS.maxConnections,
          readOnly: true,
          // One per workspace, on the machine collaboration runs on: smaller than a warehouse's.
          memoryLimit: '1GB',
          threads: 2
        }
      );
      this.engines.set(key, (engine = new CairnEngine(duck, this.db, this.runs, workspaceId, viewer)));
    }
    return engine;
  }

  /** How many engines are open (for tests). */
  get size(): number {
    return this.engines.size;
  }

  /** Close the engines nobody asked for in `idleMs`; a query runs for at most its 10 s timeout. */
  closeIdle(now = Date.now()): void {
    for (const [key, engine] of this.engines) {
      if (now - (this.lastUsed.get(key) ?? 0) < this.idleMs) continue;
      this.engines.delete(key);
      this.lastUsed.delete(key);
      engine.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...this.engines.values()];
    this.engines.clear();
    await Promise.all(all.map((e) => e.close()));
  }
}
