/** The embedded store: PGlite (Postgres compiled to WASM) in a data directory. */
import { PGlite, types } from '@electric-sql/pglite';
import type { Db, Queryable } from './db.js';

/** Open (creating when new) the embedded Postgres in `dir`. */
export async function openPglite(dir: string): Promise<Db> {
  // int8 as a JS number, as the pg module is configured too (ids and counts stay < 2^53).
  const pg = await PGlite.create(dir, { parsers: { [types.INT8]: (v: string) => Number(v) } });
  const wrap = (q: { query: PGlite['query'] }): Queryable => ({
    async query<T>(sql: string, params?: unknown[]) {
      const result = await q.query<T>(sql, params as unknown[] | undefined);
      return result.rows;
    }
  });
  const root = wrap(pg);
  return {
    kind: 'embedded',
    query: root.query,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    async exec(sql) {
      await pg.exec(sql);
    },
    async close() {
      await pg.close();
    }
  };
}
