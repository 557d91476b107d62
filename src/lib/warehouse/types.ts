/** The API's shapes for connections and runs, as the browser reads them (server/connections/shapes.ts, server/query/run-log.ts). */
import type { TableInfo } from '../../../kernels/engine.js';

export type { TableInfo };

export type ConnectionKind = 'postgres' | 'mysql' | 'duckdb';

export interface ConnectionOptions {
  statementTimeoutMs: number;
  maxConnections: number;
  rowLimit: number;
  readOnly: boolean;
}

export interface ConnectionView {
  id: string;
  name: string;
  kind: ConnectionKind;
  config: { host?: string; port?: number; database?: string; user?: string; path?: string };
  hasPassword: boolean;
  options: ConnectionOptions;
  builtin: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ConnectionInput {
  name: string;
  kind: ConnectionKind;
  config: { host?: string; port?: number; database?: string; user?: string; password?: string; path?: string };
  options?: Partial<ConnectionOptions>;
}

export type RunStatus = 'queued' | 'running' | 'done' | 'error' | 'canceled';

export interface RunView {
  id: string;
  userId: string | null;
  notebookId: string | null;
  cellId: string | null;
  connectionId: string;
  sql: string;
  params: unknown[];
  status: RunStatus;
  startedAt: string;
  durationMs: number | null;
  rows: number | null;
  truncated: boolean;
  bytes: number | null;
  resultHash: string | null;
  cache: 'hit' | 'miss';
  error: string | null;
  /** While queued: runs ahead of it on the connection. */
  queuePosition?: number | null;
  /** While running: rows streamed so far. */
  rowsSoFar?: number;
}
