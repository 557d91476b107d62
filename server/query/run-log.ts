/**
 * The audit log: one row per server run (cache hits too), written when the run starts and
 * completed when it ends. `GET /api/runs` reads it, and the built-in `cairn` connection
 * lets analysts query it.
 */
import { visibleRunsSql } from '../access/policy.js';
import type { Queryable } from '../store/index.js';

import type { RunStatus, RunView } from '../../src/lib/contract/connections.js';

export type { RunStatus, RunView };

interface Row {
  id: string;
  user_id: string | null;
  user_name: string | null;
  notebook_id: string | null;
  cell_id: string | null;
  connection_id: string;
  sql: string;
  params: unknown[] | string;
  status: RunStatus;
  started_at: Date | string;
  duration_ms: number | null;
  rows: string | number | null;
  truncated: boolean;
  bytes: string | number | null;
  result_hash: string | null;
  cache: 'hit' | 'miss';
  error: string | null;
  error_code: string | null;
}

const COLUMNS =
  'r.id, r.user_id, u.name as user_name, r.notebook_id, r.cell_id, r.connection_id, r.sql, r.params, r.status, r.started_at, r.duration_ms, r.rows, r.truncated, r.bytes, r.result_hash, r.cache, r.error, r.error_code';
/** Runs with their user's name. */
const FROM = 'query_runs r left join users u on u.id = r.user_id';

function toView(r: Row): RunView {
  return {
    id: r.id,
    userId: r.user_id,
    userName: r.user_name,
    notebookId: r.notebook_id,
    cellId: r.cell_id,
    connectionId: r.connection_id,
    sql: r.sql,
    params: typeof r.params === 'string' ? (JSON.parse(r.params) as unknown[]) : r.params,
    status: r.status,
    startedAt: (r.started_at instanceof Date ? r.started_at : new Date(r.started_at)).toISOString(),
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    rows: r.rows === null ? null : Number(r.rows),
    truncated: r.truncated,
    bytes: r.bytes === null ? null : Number(r.bytes),
    resultHash: r.result_hash,
    cache: r.cache,
    error: r.error,
    errorCode: r.error_code
  };
}

export interface RunStart {
  id: string;
  workspaceId: string;
  userId: string;
  notebookId: string | null;
  cellId: string | null;
  connectionId: string;
  sql: string;
  params: unknown[];
  startedAt: Date;
  cache: 'hit' | 'miss';
}

export interface RunEnd {
  status: Exclude<RunStatus, 'queued' | 'running'>;
  durationMs: number;
  rows: number;
  truncated: boolean;
  bytes: number;
  resultHash: string | null;
  error: string | null;
  /** Why it failed, for clients that act on it (`result_widened`: run it again). */
  errorCode?: string | null;
}

/** Whose eyes a listing is for: managers see the workspace's runs, others those of notebooks they read (server/access/policy.ts). */
export interface RunViewer {
  userId: string;
  manager: boolean;
}

export interface RunFilter {
  workspaceId: string;
  viewer: RunViewer;
  notebookId?: string;
  connectionId?: string;
  limit?: number;
}

export class RunLog {
  constructor(private readonly db: Queryable) {}

  async start(run: RunStart): Promise<void> {
    await this.db.query(
      `insert into query_runs (id, workspace_id, user_id, notebook_id, cell_id, connection_id, sql, params, status, started_at, cache)
       values ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $10)`,
      [run.id, run.workspaceId, run.userId, run.notebookId, run.cellId, run.connectionId, run.sql, JSON.stringify(run.params), run.startedAt.toISOString(), run.cache]
    );
  }

  async end(id: string, end: RunEnd): Promise<void> {
    await this.db.query(
      `update query_runs set status = $2, duration_ms = $3, rows = $4, truncated = $5, bytes = $6, result_hash = $7, error = $8, error_code = $9 where id = $1`,
      [id, end.status, end.durationMs, end.rows, end.truncated, end.bytes, end.resultHash, end.error, end.errorCode ?? null]
    );
  }

  async get(workspaceId: string, id: string): Promise<RunView | null> {
    const rows = await this.db.query<Row>(`select ${COLUMNS} from ${FROM} where r.workspace_id = $1 and r.id = $2`, [workspaceId, id]);
    return rows[0] ? toView(rows[0]) : null;
  }

  /** Newest first. */
  async list(filter: RunFilter): Promise<RunView[]> {
    const where = ['r.workspace_id = $1', visibleRunsSql(2, '$3')];
    const params: unknown[] = [filter.workspaceId, filter.viewer.userId, filter.viewer.manager];
    if (filter.notebookId) {
      params.push(filter.notebookId);
      where.push(`r.notebook_id = $${params.length}`);
    }
    if (filter.connectionId) {
      params.push(filter.connectionId);
      where.push(`r.connection_id = $${params.length}`);
    }
    params.push(Math.min(Math.max(filter.limit ?? 200, 1), 1000));
    const rows = await this.db.query<Row>(`select ${COLUMNS} from ${FROM} where ${where.join(' and ')} order by r.started_at desc, r.id limit $${params.length}`, params);
    return rows.map(toView);
  }

  /** Rows for the `cairn` connection's `runs` table, newest first, at most `limit`. */
  async export(workspaceId: string, viewer: RunViewer, limit: number): Promise<RunView[]> {
    const rows = await this.db.query<Row>(
      `select ${COLUMNS} from ${FROM} where r.workspace_id = $1 and ${visibleRunsSql(2, '$3')} order by r.started_at desc limit $4`,
      [workspaceId, viewer.userId, viewer.manager, limit]
    );
    return rows.map(toView);
  }

  /** Changes when a run starts or ends: the `cairn` connection reloads only then. */
  async version(workspaceId: string): Promise<string> {
    const rows = await this.db.query<{ n: string | number; latest: Date | string | null; done: string | number }>(
      `select count(*) as n, max(started_at) as latest, count(duration_ms) as done from query_runs where workspace_id = $1`,
      [workspaceId]
    );
    const r = rows[0];
    return `${r.n}/${r.done}/${r.latest ? new Date(r.latest).toISOString() : ''}`;
  }
}
