/**
 * Connections as the API offers them: the saved ones plus the built-in `cairn`, admin-only
 * changes, "Test connection", the schema browser's catalogue, and resolving a connection
 * for the query service.
 */
import { AppError } from '../errors.js';
import type { Queryable } from '../store/index.js';
import { QueryError, privilegesOf, type DangerousPrivilege, type ServerEngine, type TableInfo } from '../../kernels/engine.js';
import type { ResolvedConnection } from '../query/service.js';
import type { RunViewer } from '../query/run-log.js';
import { CAIRN_CONNECTION_ID, CAIRN_OPTIONS, CAIRN_VIEW, type CairnConnections } from './cairn-connection.js';
import type { EngineRegistry } from './engines.js';
import type { ConnectionRepository } from './repository.js';
import { logger } from '../log.js';
import { memberRole } from '../workspaces/repository.js';
import { mayUseConnection } from '../access/policy.js';
import type { WorkspaceRole } from '../../src/lib/contract/index.js';
import { ConnectionOptions, parseConfig, splitSecret, type ConnectionInput, type ConnectionName, type ConnectionPatch, type ConnectionView, type PublicConfig } from './shapes.js';
import { errorMessage } from '../../kernels/error-message.js';
import { KINDS } from '../../kernels/connection-kinds.js';
import { createDuckDbEngine, type DuckDbEngine } from '../../kernels/duckdb-node/index.js';
import { tableFromArrays, tableToIPC } from 'apache-arrow';

const log = logger('connections');

/** The id the query service knows the samples DuckDB by; a saved connection's id never takes this form. */
export const SAMPLES_CONNECTION_ID = 'samples:browser';

/** Like the embedded DuckDB's defaults, tighter on rows: a report shows results, not extracts. */
const SAMPLES_OPTIONS: ConnectionOptions = ConnectionOptions.parse({ statementTimeoutMs: 60_000, maxConnections: 2, rowLimit: 1_000_000, readOnly: true });

/** Results loaded into the samples DuckDB at once (charts over warehouse cells in reports). */
const MAX_LOADED_TABLES = 32;
const EMPTY_IPC = tableToIPC(tableFromArrays({ emptied: new Int32Array(0) }), 'stream');

/** How long a catalogue stays fresh for the schema browser and autocomplete. */
const SCHEMA_TTL_MS = 60_000;

/** Where a connection's password is sent: changing any of these must come with the password again. */
const DESTINATION_FIELDS = ['host', 'port', 'user', 'database'] as const;

/** "Test connection"'s answer: how long connecting took, and what the account may do beyond reading. */
export interface TestAnswer {
  ok: true;
  ms: number;
  privileges: DangerousPrivilege[];
}

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

  /**
   * Name and kind of each of `ids` that exists in the workspace (the built-in `cairn`
   * included), whoever asks: what a notebook's readers see of the connections it uses.
   */
  async names(workspaceId: string, ids: Iterable<string>): Promise<ConnectionName[]> {
    const wanted = [...new Set(ids)];
    const saved = await this.repo.names(workspaceId, wanted.filter((id) => id !== CAIRN_CONNECTION_ID));
    const named = (c: Pick<ConnectionView, 'id' | 'name' | 'kind' | 'config' | 'builtin'>): ConnectionName => ({
      id: c.id,
      name: c.name,
      kind: c.kind,
      builtin: c.builtin,
      hasSamples: c.kind === 'duckdb' && !c.config.path
    });
    const out = saved.map((c) => named({ ...c, builtin: false }));
    if (wanted.includes(CAIRN_CONNECTION_ID)) out.push(named(CAIRN_VIEW));
    return out;
  }

  async get(workspaceId: string, id: string): Promise<ConnectionView> {
    if (id === CAIRN_CONNECTION_ID) return CAIRN_VIEW;
    const view = await this.repo.get(workspaceId, id);
    if (!view) throw new AppError('not_found', 'No such connection.');
    return view;
  }

  async create(workspaceId: string, userId: string, input: ConnectionInput): Promise<ConnectionView> {
    await this.assertAdmin(workspaceId, userId);
    const options = ConnectionOptions.parse(input.options ?? {});
    await withEngine(this.engines, { kind: input.kind, config: input.config, options }, (engine) => checkAccount(engine, options));
    try {
      const view = await this.repo.create(workspaceId, userId, { ...input, options });
      log.info('connection added', { id: view.id, kind: view.kind, name: view.name, config: view.config });
      return view;
    } catch (err) {
      throw nameTaken(err, input.name);
    }
  }

  async update(workspaceId: string, userId: string, id: string, patch: ConnectionPatch): Promise<ConnectionView> {
    await this.assertAdmin(workspaceId, userId);
    if (id === CAIRN_CONNECTION_ID) throw new AppError('forbidden', 'The built-in cairn connection cannot be changed.');
    const current = await this.get(workspaceId, id);
    const merged = { ...current.config, ...(patch.config ?? {}) };
    let config: Record<string, unknown>;
    try {
      config = parseConfig(current.kind, merged);
    } catch (err) {
      throw new AppError('bad_request', `config: ${(err as Error).message}`);
    }
    const { publicConfig, password } = splitSecret(config);
    const passwordChange = patch.config && 'password' in patch.config ? password : undefined;
    const moved = DESTINATION_FIELDS.filter((field) => publicConfig[field] !== current.config[field]);
    if (moved.length > 0 && current.hasPassword && passwordChange === undefined) {
      // Otherwise the saved password would be sent to a server it was never meant for.
      throw new AppError('password_required', `Changing the ${moved.join(', ')} needs the password again.`);
    }
    const options = ConnectionOptions.parse({ ...current.options, ...(patch.options ?? {}) });
    const accountMayDiffer =
      moved.length > 0 ||
      passwordChange !== undefined ||
      options.readOnly !== current.options.readOnly ||
      options.acceptPrivilegedAccount !== current.options.acceptPrivilegedAccount;
    if (accountMayDiffer) {
      const saved = await this.repo.settings(workspaceId, id);
      const checked = { ...publicConfig, password: passwordChange === undefined ? saved?.config.password : (passwordChange ?? undefined) };
      await withEngine(this.engines, { kind: current.kind, config: checked, options }, (engine) => checkAccount(engine, options));
    }
    let view: ConnectionView | null;
    try {
      view = await this.repo.update(workspaceId, id, { name: patch.name ?? current.name, config: publicConfig, password: passwordChange, options, access: patch.access ?? current.access });
    } catch (err) {
      throw nameTaken(err, patch.name ?? current.name);
    }
    if (!view) throw new AppError('not_found', 'No such connection.');
    this.engines.evict(id);
    this.schemas.delete(id);
    return view;
  }

  async remove(workspaceId: string, userId: string, id: string): Promise<void> {
    await this.assertAdmin(workspaceId, userId);
    if (id === CAIRN_CONNECTION_ID) throw new AppError('forbidden', 'The built-in cairn connection cannot be deleted.');
    if (!(await this.repo.remove(workspaceId, id))) throw new AppError('not_found', 'No such connection.');
    this.engines.evict(id);
    this.schemas.delete(id);
  }

  /** Connects with unsaved settings and closes again: the form's "Test connection". */
  async testInput(workspaceId: string, userId: string, input: ConnectionInput): Promise<TestAnswer> {
    await this.assertAdmin(workspaceId, userId);
    const options = ConnectionOptions.parse(input.options ?? {});
    return withEngine(this.engines, { kind: input.kind, config: input.config, options }, (engine) => testEngine(engine, options));
  }

  /**
   * Connects with the saved settings. Owners and admins only: its error messages say
   * whether a host and port answer, which members must not probe the network with.
   */
  async test(workspaceId: string, userId: string, id: string): Promise<TestAnswer> {
    await this.assertAdmin(workspaceId, userId);
    // A ping reads no rows, so whose view of the `cairn` connection does not matter.
    const resolved = await this.resolve(workspaceId, id, { userId, manager: true });
    if (!resolved) throw new AppError('not_found', 'No such connection.');
    return testEngine(resolved.engine, resolved.options);
  }

  /** Tables and columns, cached for a minute; `refresh` reads the catalogue again. */
  async schema(workspaceId: string, id: string, viewer: RunViewer, refresh = false): Promise<TableInfo[]> {
    const resolved = await this.resolve(workspaceId, id, viewer);
    if (!resolved) throw new AppError('not_found', 'No such connection.');
    const cached = this.schemas.get(id);
    if (!refresh && cached && cached.version === resolved.version && Date.now() - cached.at < SCHEMA_TTL_MS) return cached.tables;
    const tables = resolved.engine.schema();
    this.schemas.set(id, { at: Date.now(), version: resolved.version, tables });
    tables.catch(() => this.schemas.delete(id));
    return tables;
  }

  /** The engine and limits for a query; null when the connection does not exist here. */
  async resolve(workspaceId: string, id: string, viewer: RunViewer): Promise<ResolvedConnection | null> {
    if (id === CAIRN_CONNECTION_ID) return { id, engine: this.cairn.engineFor(workspaceId, viewer), options: CAIRN_OPTIONS, version: 'builtin', dialect: 'duckdb' };
    if (id === SAMPLES_CONNECTION_ID) return { id, engine: this.samplesEngine(), options: SAMPLES_OPTIONS, version: 'builtin', dialect: 'duckdb' };
    const settings = await this.repo.settings(workspaceId, id);
    if (!settings) return null;
    return { id, engine: this.engines.get(settings), options: settings.options, version: settings.version, dialect: KINDS[settings.kind].dialect };
  }

  /**
   * The server's own DuckDB over the bundled samples: where browser-engine cells of a
   * published report are computed (same dialect, same sample tables as DuckDB-WASM), so a
   * reader needs no engine of their own. Not a saved connection: no route runs a user's SQL
   * on it, only the report's published cells.
   */
  private samplesEngine(): DuckDbEngine {
    const o = SAMPLES_OPTIONS;
    this.samples ??= createDuckDbEngine({}, { id: SAMPLES_CONNECTION_ID, statementTimeoutMs: o.statementTimeoutMs, maxConnections: o.maxConnections, readOnly: o.readOnly });
    return this.samples;
  }

  private samples: DuckDbEngine | null = null;
  /** Tables loaded into the samples DuckDB, least recently loaded first. */
  private readonly loaded: string[] = [];

  /**
   * Load an Arrow result into the samples DuckDB as table `name` (a name derived from the
   * result's hash, so queries over it cache by content). Only the newest few are kept
   * whole; older ones are emptied so their memory is returned.
   */
  async loadIntoSamples(name: string, ipc: Uint8Array): Promise<void> {
    const at = this.loaded.indexOf(name);
    if (at >= 0) {
      this.loaded.splice(at, 1);
      this.loaded.push(name);
      return;
    }
    await this.samplesEngine().registerArrow(name, ipc);
    this.loaded.push(name);
    while (this.loaded.length > MAX_LOADED_TABLES) await this.samplesEngine().registerArrow(this.loaded.shift()!, EMPTY_IPC);
  }

  async close(): Promise<void> {
    await this.samples?.close().catch(() => undefined);
    await this.engines.close();
    await this.cairn.close();
  }

  /** Owners and admins of the workspace manage its connections (docs/api.md: "(admin)"). */
  private async assertAdmin(workspaceId: string, userId: string): Promise<void> {
    const role = await memberRole(this.db, workspaceId, userId);
    if (role !== 'owner' && role !== 'admin') throw new AppError('forbidden', 'Only workspace owners and admins manage connections.');
  }
}

/** Runs `work` on an engine built for unsaved settings, closing it after. */
async function withEngine<T>(
  engines: EngineRegistry,
  settings: { kind: ConnectionInput['kind']; config: Record<string, unknown>; options: ConnectionOptions },
  work: (engine: ServerEngine) => Promise<T>
): Promise<T> {
  const engine = engines.build({ id: 'test', ...settings });
  try {
    return await work(engine);
  } finally {
    await engine.close().catch(() => undefined);
  }
}

/** Pings (timed), then checks the account as saving does. */
async function testEngine(engine: ServerEngine, options: ConnectionOptions): Promise<TestAnswer> {
  const started = performance.now();
  await failsAsConnection(engine.ping());
  const ms = Math.round(performance.now() - started);
  return { ok: true, ms, privileges: await checkAccount(engine, options) };
}

/**
 * The account's privileges that a read-only transaction does not contain; refused with
 * `privileged_account` on a read-only connection unless its options accept the risk
 * (a read-write connection already trusts the account with more).
 */
async function checkAccount(engine: ServerEngine, options: ConnectionOptions): Promise<DangerousPrivilege[]> {
  const { privileges } = await failsAsConnection(privilegesOf(engine));
  if (privileges.length > 0 && options.readOnly && !options.acceptPrivilegedAccount) {
    const found = privileges.map((p) => `${p.privilege}: ${p.why}`).join('; ');
    throw new AppError('privileged_account', `This account can do more than read, which a read-only connection does not stop (${found}). Use an account with only SELECT grants, or accept the risk.`
    );
  }
  return privileges;
}

/** `work`'s result; its failure as a 400 `connection_failed` that says what went wrong. */
async function failsAsConnection<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    const message = errorMessage(err);
    log.warn('connection test failed', { message });
    throw new AppError('connection_failed', message);
  }
}

function nameTaken(err: unknown, name: string): unknown {
  const code = (err as { code?: string }).code;
  return code === '23505' ? new AppError('conflict', `A connection named "${name}" already exists.`) : err;
}
