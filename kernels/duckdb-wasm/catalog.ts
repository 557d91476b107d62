/**
 * Tables in the engine's DuckDB, made and replaced atomically: a new table is filled under
 * a private name, then swapped in with DROP + RENAME in one transaction, so a query never
 * sees a half-loaded table or none at all, and a failed load leaves the old one in place.
 * Work on one name is serialized; different names load side by side.
 */
import type { AsyncDuckDB, AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import { quoteIdent } from '../sql-ident.js';

export { quoteIdent };

/** Prefix of the engine's private tables and files; hidden from `schema()`. */
export const PRIVATE_PREFIX = '__cairn_';

/** Serializes async work per key (a table name, compared case-insensitively as DuckDB does). */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `fn` after every earlier call with the same key has settled. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const k = key.toLowerCase();
    const before = this.tails.get(k) ?? Promise.resolve();
    const result = before.then(fn, fn);
    const tail = result.then(
      () => undefined,
      () => undefined
    );
    this.tails.set(k, tail);
    void tail.then(() => {
      if (this.tails.get(k) === tail) this.tails.delete(k);
    });
    return result;
  }
}

/** What a name is in the `main` schema now. */
async function kindOf(conn: AsyncDuckDBConnection, name: string): Promise<'table' | 'view' | null> {
  const stmt = await conn.prepare(
    `select 'table' as kind from duckdb_tables() where database_name = current_database() and schema_name = 'main' and lower(table_name) = lower($1)
     union all
     select 'view' from duckdb_views() where database_name = current_database() and schema_name = 'main' and not internal and lower(view_name) = lower($1)`
  );
  try {
    const rows = (await stmt.query(name)).toArray() as Array<{ kind: 'table' | 'view' }>;
    return rows[0]?.kind ?? null;
  } finally {
    await stmt.close();
  }
}

let privateCounter = 0;

/** A fresh private table or file name. */
export function privateName(hint: string): string {
  return `${PRIVATE_PREFIX}${hint.replace(/\W+/g, '_').slice(0, 40)}_${Date.now().toString(36)}_${privateCounter++}`;
}

/**
 * Make `name` the table `fill` creates (under the private name it is given, on its own
 * connection), replacing whatever table or view had that name.
 */
export async function replaceTable(
  db: AsyncDuckDB,
  name: string,
  fill: (conn: AsyncDuckDBConnection, tempName: string) => Promise<void>
): Promise<void> {
  const conn = await db.connect();
  const temp = privateName(name);
  try {
    await fill(conn, temp);
    const existing = await kindOf(conn, name);
    await conn.query('begin transaction');
    try {
      if (existing) await conn.query(`drop ${existing} ${quoteIdent(name)}`);
      await conn.query(`alter table ${quoteIdent(temp)} rename to ${quoteIdent(name)}`);
      await conn.query('commit');
    } catch (e) {
      await conn.query('rollback').catch(() => undefined);
      throw e;
    }
  } catch (e) {
    await conn.query(`drop table if exists ${quoteIdent(temp)}`).catch(() => undefined);
    throw e;
  } finally {
    await conn.close();
  }
}

/** Drop the table or view `name` if there is one; true when something was dropped. */
export async function dropTableOrView(db: AsyncDuckDB, name: string): Promise<boolean> {
  const conn = await db.connect();
  try {
    const existing = await kindOf(conn, name);
    if (existing) await conn.query(`drop ${existing} if exists ${quoteIdent(name)}`);
    return existing !== null;
  } finally {
    await conn.close();
  }
}
