/**
 * One live engine per saved connection, built from its settings by the module for its
 * kind. Saving a connection changes its version, and the next query gets a fresh engine
 * (the old one is closed once its queries are done).
 */
import type { ServerEngine, ServerEngineOptions } from '../../kernels/engine.js';
import type { ConfigOf, ConnectionKind } from '../../kernels/connection-kinds.js';
import { createWorkerEngine } from '../../kernels/worker-engine/index.js';
import { createDuckDbEngine, resolveDatabasePath } from '../../kernels/duckdb-node/index.js';
import type { ConnectionSettings } from './repository.js';
import { logger } from '../log.js';

const log = logger('connections');

/**
 * Warehouse engines decode results into Arrow on the CPU; each runs in its own worker
 * thread (kernels/worker-engine) so a big result never stalls the server's event loop
 * and collaboration for everyone on it. DuckDB has its own worker.
 */
const POSTGRES = { module: new URL('../../kernels/postgres/index.ts', import.meta.url).href, factory: 'createPostgresEngine' };
const MYSQL = { module: new URL('../../kernels/mysql/index.ts', import.meta.url).href, factory: 'createMysqlEngine' };

/**
 * How each kind of kernels/connection-kinds.ts becomes an engine, given its validated
 * config: a kind added there without a factory here does not compile.
 */
const FACTORIES: { [K in ConnectionKind]: (config: ConfigOf<K>, options: ServerEngineOptions, dataDir: string) => ServerEngine } = {
  postgres: (c, o) => createWorkerEngine(POSTGRES, { host: c.host, port: c.port, database: c.database, user: c.user, password: c.password ?? '' }, o),
  mysql: (c, o) => createWorkerEngine(MYSQL, { host: c.host, port: c.port, database: c.database, user: c.user, password: c.password ?? '' }, o),
  // A saved name is checked again here: settings stored before the rule existed are refused, not opened.
  duckdb: (c, o, dataDir) => createDuckDbEngine({ path: c.path ? resolveDatabasePath(dataDir, c.path) : undefined }, o)
};

/**
 * An engine for `settings`, not kept anywhere: "Test connection" on unsaved settings.
 * `dataDir` is the server's data directory (DuckDB database files live in its `duckdb/`).
 */
export function buildEngine(settings: Pick<ConnectionSettings, 'id' | 'kind' | 'config' | 'options'>, dataDir: string): ServerEngine {
  const o = settings.options;
  // The config was validated against its kind's schema when it was saved or sent.
  const factory = FACTORIES[settings.kind] as (config: unknown, options: ServerEngineOptions, dataDir: string) => ServerEngine;
  return factory(settings.config, {
    id: settings.id,
    statementTimeoutMs: o.statementTimeoutMs,
    maxConnections: o.maxConnections,
    readOnly: o.readOnly
  }, dataDir);
}

export class EngineRegistry {
  private readonly engines = new Map<string, { version: string; engine: ServerEngine }>();

  /** `dataDir`: the server's data directory, where DuckDB connections' database files are. */
  constructor(private readonly dataDir: string) {}

  /** An engine for `settings`, not kept anywhere (see {@link buildEngine}). */
  build(settings: Pick<ConnectionSettings, 'id' | 'kind' | 'config' | 'options'>): ServerEngine {
    return buildEngine(settings, this.dataDir);
  }

  /** The engine for these settings, replacing one built from an older version. */
  get(settings: ConnectionSettings): ServerEngine {
    const current = this.engines.get(settings.id);
    if (current && current.version === settings.version) return current.engine;
    if (current) this.retire(settings.id, current.engine);
    const engine = buildEngine(settings, this.dataDir);
    this.engines.set(settings.id, { version: settings.version, engine });
    return engine;
  }

  /** Close the engine of a deleted or changed connection. */
  evict(id: string): void {
    const current = this.engines.get(id);
    if (current) this.retire(id, current.engine);
  }

  async close(): Promise<void> {
    const all = [...this.engines.values()];
    this.engines.clear();
    await Promise.all(all.map((e) => e.engine.close().catch(() => undefined)));
  }

  private retire(id: string, engine: ServerEngine): void {
    this.engines.delete(id);
    // Pools end after their checked-out clients return, so running queries finish.
    engine.close().catch((err) => log.warn('closing an engine failed', { id, err }));
  }
}
