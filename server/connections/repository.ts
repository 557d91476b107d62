/** Connections in the store: rows in, {@link ConnectionView}s and engine settings out. */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../store/index.js';
import { openSecret, sealSecret } from './secrets.js';
import { ConnectionOptions, splitSecret, type ConnectionAccess, type ConnectionKind, type ConnectionView, type PublicConfig } from './shapes.js';
import { parseConnectionAccess } from '../access/rules.js';

interface Row {
  id: string;
  workspace_id: string;
  name: string;
  kind: ConnectionKind;
  config: PublicConfig | string;
  secret: string | null;
  statement_timeout_ms: number;
  max_connections: number;
  row_limit: number;
  read_only: boolean;
  accept_privileged_account: boolean;
  access: ConnectionAccess | string;
  created_at: Date | string;
  updated_at: Date | string;
}

/** Everything an engine needs, password included: server-internal, never serialized to a client. */
export interface ConnectionSettings {
  id: string;
  workspaceId: string;
  kind: ConnectionKind;
  config: PublicConfig & { password?: string };
  options: ConnectionOptions;
  /** Changes whenever the row does: engines made from older settings are replaced. */
  version: string;
}

const COLUMNS =
  'id, workspace_id, name, kind, config, secret, statement_timeout_ms, max_connections, row_limit, read_only, accept_privileged_account, access, created_at, updated_at';

function iso(v: Date | string): string {
  return (v instanceof Date ? v : new Date(v)).toISOString();
}

function optionsOf(row: Row): ConnectionOptions {
  return {
    statementTimeoutMs: row.statement_timeout_ms,
    maxConnections: row.max_connections,
    rowLimit: Number(row.row_limit),
    readOnly: row.read_only,
    acceptPrivilegedAccount: row.accept_privileged_account
  };
}

function configOf(row: Row): PublicConfig {
  return typeof row.config === 'string' ? (JSON.parse(row.config) as PublicConfig) : row.config;
}

function toView(row: Row): ConnectionView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    config: configOf(row),
    hasPassword: row.secret !== null,
    options: optionsOf(row),
    access: parseConnectionAccess(row.access),
    builtin: false,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at)
  };
}

export class ConnectionRepository {
  constructor(
    private readonly db: Queryable,
    private readonly secretKey: Buffer
  ) {}

  async list(workspaceId: string): Promise<ConnectionView[]> {
    const rows = await this.db.query<Row>(`select ${COLUMNS} from connections where workspace_id = $1 and deleted_at is null order by lower(name)`, [workspaceId]);
    return rows.map(toView);
  }

  /** Names, kinds and public configs of the workspace's live connections among `ids`. */
  async names(workspaceId: string, ids: string[]): Promise<{ id: string; name: string; kind: ConnectionKind; config: PublicConfig }[]> {
    if (ids.length === 0) return [];
    const marks = ids.map((_, i) => `$${i + 2}`).join(', ');
    const rows = await this.db.query<Pick<Row, 'id' | 'name' | 'kind' | 'config'>>(
      `select id, name, kind, config from connections where workspace_id = $1 and id in (${marks}) and deleted_at is null order by lower(name)`,
      [workspaceId, ...ids]
    );
    return rows.map((row) => ({ id: row.id, name: row.name, kind: row.kind, config: configOf(row as Row) }));
  }

  async get(workspaceId: string, id: string): Promise<ConnectionView | null> {
    const row = await this.row(workspaceId, id);
    return row ? toView(row) : null;
  }

  /** The settings with the password opened, for building an engine. */
  async settings(workspaceId: string, id: string): Promise<ConnectionSettings | null> {
    const row = await this.row(workspaceId, id);
    if (!row) return null;
    const config: ConnectionSettings['config'] = { ...configOf(row) };
    if (row.secret !== null) config.password = openSecret(this.secretKey, row.secret, row.id);
    return { id: row.id, workspaceId: row.workspace_id, kind: row.kind, config, options: optionsOf(row), version: iso(row.updated_at) };
  }

  async create(
    workspaceId: string,
    userId: string,
    input: { name: string; kind: ConnectionKind; config: Record<string, unknown>; options: ConnectionOptions; access?: ConnectionAccess }
  ): Promise<ConnectionView> {
    const id = randomUUID();
    const { publicConfig, password } = splitSecret(input.config);
    const sealed = password === null ? null : sealSecret(this.secretKey, password, id);
    const o = input.options;
    const rows = await this.db.query<Row>(
      `insert into connections (id, workspace_id, name, kind, config, secret, statement_timeout_ms, max_connections, row_limit, read_only, accept_privileged_account, created_by, access)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning ${COLUMNS}`,
      [
        id, workspaceId, input.name, input.kind, JSON.stringify(publicConfig), sealed, o.statementTimeoutMs, o.maxConnections, o.rowLimit, o.readOnly,
        o.acceptPrivilegedAccount, userId, JSON.stringify(input.access ?? 'editors')
      ]
    );
    return toView(rows[0]);
  }

  /** Saves a merged connection; `password` undefined keeps the sealed one, null removes it. */
  async update(
    workspaceId: string,
    id: string,
    next: { name: string; config: PublicConfig; password: string | null | undefined; options: ConnectionOptions; access: ConnectionAccess }
  ): Promise<ConnectionView | null> {
    const sealed = next.password === undefined ? undefined : next.password === null ? null : sealSecret(this.secretKey, next.password, id);
    const o = ConnectionOptions.parse(next.options);
    const rows = await this.db.query<Row>(
      `update connections set name = $3, config = $4, statement_timeout_ms = $5, max_connections = $6, row_limit = $7, read_only = $8,
         accept_privileged_account = $11, secret = case when $9 then $10 else secret end, access = $12, updated_at = now()
       where workspace_id = $1 and id = $2 and deleted_at is null returning ${COLUMNS}`,
      [
        workspaceId, id, next.name, JSON.stringify(next.config), o.statementTimeoutMs, o.maxConnections, o.rowLimit, o.readOnly,
        sealed !== undefined, sealed ?? null, o.acceptPrivilegedAccount, JSON.stringify(next.access)
      ]
    );
    return rows[0] ? toView(rows[0]) : null;
  }

  async remove(workspaceId: string, id: string): Promise<boolean> {
    const rows = await this.db.query(`update connections set deleted_at = now() where workspace_id = $1 and id = $2 and deleted_at is null returning id`, [workspaceId, id]);
    return rows.length > 0;
  }

  private async row(workspaceId: string, id: string): Promise<Row | null> {
    const rows = await this.db.query<Row>(`select ${COLUMNS} from connections where workspace_id = $1 and id = $2 and deleted_at is null`, [workspaceId, id]);
    return rows[0] ?? null;
  }
}
