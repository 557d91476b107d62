/**
 * Connections as the API offers them: the saved ones plus the built-in `cairn`, admin-only
 * changes, "Test connection", the schema browser's catalogue, and resolving a connection
 * for the query service.
 */
import type { Queryable } from '../store/index.js';
import type { TableInfo } from '../../kernels/engine.js';
import { QueryError } from '../../kernels/engine.js';
import { HttpError } from '../http/errors.js';
import type { ResolvedConnection } from '../query/service.js';
import type { RunViewer } from '../query/run-log.js';
import { CAIRN_CONNECTION_ID, CAIRN_OPTIONS, CAIRN_VIEW, type CairnConnections } from './cairn-connection.js';
import type { EngineRegistry } from './engines.js';
import type { ConnectionRepository } from './repository.js';
import { logger } from '../log.js';
import { memberRole } from '../workspaces/repository.js';
import { mayUseConnection } from '../access/policy.js';
import type { WorkspaceRole } from '../../src/lib/contract/index.js';
import { ConnectionOptions, parseConfig, splitSecret, type ConnectionInput, type ConnectionPatch, type ConnectionView } from './shapes.js';

const log = logger('connections');

/** How long a catalogue stays fresh for the schema browser and autocomplete. */
const SCHEMA_TTL_MS = 60_000;

export class ConnectionService {
  private readonly schemas = new Map<string, { at: number; version: string; tables: Promise<TableInfo[]> }>();

  constructor(
    private readonly db: Queryable,
    private readonly repo: ConnectionRepository,
    private readonly engines: EngineRegistry,
    private readonly cairn: CairnConnections
  ) {}

  /** The connections `userId` (with `role` in the workspace) may use. */
  async list(workspaceId: string, userId: string, role: WorkspaceRole): Promise<ConnectionView[]> {
    return [...(await this.repo.list(workspaceId)), CAIRN_VIEW].filter((c) => mayUseConnection(c.access, userId, role));
  }

  async get(workspaceId: string, id: string): Promise<ConnectionView> {
    if (id === CAIRN_CONNECTION_ID) return CAIRN_VIEW;
    const view = await this.repo.get(workspaceId, id);
    if (!view) throw new HttpError(404, 'not_found', 'No such connection.');
    return view;
  }

  async create(workspaceId: string, userId: string, input: ConnectionInput): Promise<ConnectionView> {
    await this.assertAdmin(workspaceId, userId);
    try {
      const view = await this.repo.create(workspaceId, userId, { ...input, options: ConnectionOptions.parse(input.options ?? {}) });
      log.info('connection added', { id: view.id, kind: view.kind, name: view.name, config: view.config });
      return view;
    } catch (err) {
      throw nameTaken(err, input.name);
    }
  }

  async update(workspaceId: string, userId: string, id: string, patch: ConnectionPatch): Promise<ConnectionView> {
    await this.assertAdmin(workspaceId, userId);
    if (id === CAIRN_CONNECTION_ID) throw new HttpError(403, 'forbidden', 'The built-in cairn connection cannot be changed.');
    const current = await this.get(workspaceId, id);
    const merged = { ...current.config, ...(patch.config ?? {}) };
    let config: Record<string, unknown>;
    try {
      config = parseConfig(current.kind, merged);
    } catch (err) {
      throw new HttpError(400, 'bad_request', `config: ${(err as Error).message}`);
    }
    const { publicConfig, password } = splitSecret(config);
    const passwordChange = patch.config && 'password' in patch.config ? password : undefined;
    const options = ConnectionOptions.parse({ ...current.options, ...(patch.options ?? {}) });
    let view: ConnectionView | null;
    try {
      view = await this.repo.update(workspaceId, id, { name: patch.name ?? current.name, config: publicConfig, password: passwordChange, options, access: patch.access ?? current.access });
    } catch (err) {
      throw nameTaken(err, patch.name ?? current.name);
    }
    if (!view) throw new HttpError(404, 'not_found', 'No such connection.');
    this.engines.evict(id);
    this.schemas.delete(id);
    return view;
  }

  async remove(workspaceId: string, userId: string, id: string): Promise<void> {
    await this.assertAdmin(workspaceId, userId);
    if (id === CAIRN_CONNECTION_ID) throw new HttpError(403, 'forbidden', 'The built-in cairn connection cannot be deleted.');
    if (!(await this.repo.remove(workspaceId, id))) throw new HttpError(404, 'not_found', 'No such connection.');
    this.engines.evict(id);
    this.schemas.delete(id);
  }

  /** Connects with unsaved settings and closes again: the form's "Test connection". */
  async testInput(workspaceId: string, userId: string, input: ConnectionInput): Promise<{ ok: true; ms: number }> {
    await this.assertAdmin(workspaceId, userId);
    const engine = this.engines.build({ id: 'test', kind: input.kind, config: input.config, options: ConnectionOptions.parse(input.options ?? {}) });
    return timedPing(() => engine.ping()).finally(() => engine.close().catch(() => undefined));
  }

  /** Connects with the saved settings. */
  async test(workspaceId: string, id: string): Promise<{ ok: true; ms: number }> {
    // Only managers test (server/http/routes/connections.ts), and a ping reads no rows.
    const resolved = await this.resolve(workspaceId, id, { userId: '', manager: true });
    if (!resolved) throw new HttpError(404, 'not_found', 'No such connection.');
    return timedPing(() => resolved.engine.ping());
  }

  /** Tables and columns, cached for a minute; `refresh` reads the catalogue again. */
  async schema(workspaceId: string, id: string, viewer: RunViewer, refresh = false): Promise<TableInfo[]> {
    const resolved = await this.resolve(workspaceId, id, viewer);
    if (!resolved) throw new HttpError(404, 'not_found', 'No such connection.');
    const cached = this.schemas.get(id);
    if (!refresh && cached && cached.version === resolved.version && Date.now() - cached.at < SCHEMA_TTL_MS) return cached.tables;
    const tables = resolved.engine.schema();
    this.schemas.set(id, { at: Date.now(), version: resolved.version, tables });
    tables.catch(() => this.schemas.delete(id));
    return tables;
  }

  /** The engine and limits for a query; null when the connection does not exist here. */
  async resolve(workspaceId: string, id: string, viewer: RunViewer): Promise<ResolvedConnection | null> {
    if (id === CAIRN_CONNECTION_ID) return { id, engine: this.cairn.engineFor(workspaceId, viewer), options: CAIRN_OPTIONS, version: 'builtin' };
    const settings = await this.repo.settings(workspaceId, id);
    if (!settings) return null;
    return { id, engine: this.engines.get(settings), options: settings.options, version: settings.version };
  }

  async close(): Promise<void> {
    await this.engines.close();
    await this.cairn.close();
  }

  /** Owners and admins of the workspace manage its connections (design.md: "(admin)"). */
  private async assertAdmin(workspaceId: string, userId: string): Promise<void> {
    const role = await memberRole(this.db, workspaceId, userId);
    if (role !== 'owner' && role !== 'admin') throw new HttpError(403, 'forbidden', 'Only workspace owners and admins manage connections.');
  }
}

async function timedPing(ping: () => Promise<void>): Promise<{ ok: true; ms: number }> {
  const started = performance.now();
  try {
    await ping();
  } catch (err) {
    const message = err instanceof QueryError || err instanceof Error ? err.message : String(err);
    log.warn('connection test failed', { message });
    throw new HttpError(400, 'connection_failed', message);
  }
  return { ok: true, ms: Math.round(performance.now() - started) };
}

function nameTaken(err: unknown, name: string): unknown {
  const code = (err as { code?: string }).code;
  return code === '23505' ? new HttpError(409, 'conflict', `A connection named "${name}" already exists.`) : err;
}
