/** A real Postgres (DATABASE_URL) through a node-postgres pool. */
import pg from 'pg';
import type { Db, Queryable } from './db.js';
import { logger } from '../log.js';

const log = logger('store');

// int8 as a JS number, matching the embedded store (ids and counts stay < 2^53).
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

/** Connect a pool to `url` and check it answers. */
export async function openPostgres(url: string): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', (err) => log.error('idle store connection failed', { err }));
  await pool.query('select 1');
  const wrap = (client: { query: pg.Pool['query'] }): Queryable => ({
    async query<T>(sql: string, params?: unknown[]) {
      const result = await client.query(sql, params);
      return result.rows as T[];
    }
  });
  const root = wrap(pool);
  return {
    kind: 'postgres',
    query: root.query,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const out = await fn(wrap(client));
        await client.query('commit');
        return out;
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async close() {
      await pool.end();
    }
  };
}
