/** Open the configured store and bring its schema up to date. */
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Db } from './db.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import { migrate } from './migrate.js';

export type { Db, Queryable } from './db.js';

/** The embedded PGlite under the data directory, or DATABASE_URL when set. */
export async function openStore(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Db> {
  const db = config.databaseUrl ? await openPostgres(config.databaseUrl) : await openPglite(join(config.dataDir, 'pgdata'));
  await migrate(db);
  return db;
}
