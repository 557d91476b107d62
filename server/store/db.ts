/**
 * The store's database handle: the same SQL runs on the embedded PGlite and on a real
 * Postgres, so everything above this file is unaware of which one it talks to.
 */

/** Something SQL can be sent to: the database, or one transaction on it. */
export interface Queryable {
  /** Run one statement with positional parameters ($1, …) and return its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Db extends Queryable {
  readonly kind: 'embedded' | 'postgres';
  /** Run `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Run a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}
