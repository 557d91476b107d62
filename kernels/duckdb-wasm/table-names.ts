/**
 * The tables a statement reads, from DuckDB's own parser (`getTableNames`), on a
 * connection of its own. The host gives it an empty DuckDB instance with
 * `enable_external_access = false`: `getTableNames` binds the statement, and binding
 * `read_csv('https://…')` opens the file, which must never happen on a keystroke (nor
 * queue behind a long query in the data worker).
 *
 * With external access off, DuckDB refuses such a call with a Permission error that says
 * where it is; the call is then blanked (same length, so positions still hold) and the
 * statement parsed again, so a cell that reads a URL still gets its other tables.
 * Errors are rethrown in DuckDB's JSON shape with the position converted from UTF-8
 * bytes to UTF-16 units, which is what {@link DuckDbSqlParser} expects.
 */
import type { AsyncDuckDB, AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import { DuckDbSqlParser, type TableNamesSource } from '../graph/duckdb-sql-parser.js';
import { decodeDuckDbError } from './errors.js';

const MAX_BLANKED_CALLS = 16;
const REPLACEMENT = 'range(1)';

/**
 * A parser on `db`, an instance that holds no data: external access is switched off for
 * the whole instance (a global setting that cannot be switched back on), so never pass
 * the instance that loads samples and files.
 */
export async function createOfflineParser(db: AsyncDuckDB): Promise<DuckDbSqlParser> {
  const conn = await db.connect();
  await conn.query('set enable_external_access = false');
  return new DuckDbSqlParser(new OfflineTableNames(conn));
}

/** A {@link TableNamesSource} over one connection, tolerant of file-reading table functions. */
export class OfflineTableNames implements TableNamesSource {
  constructor(private readonly connection: Pick<AsyncDuckDBConnection, 'getTableNames'>) {}

  async getTableNames(sql: string): Promise<string[]> {
    let text = sql;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.connection.getTableNames(text);
      } catch (e) {
        const info = decodeDuckDbError(e, text);
        if (info.type === 'Permission' && info.position !== null && attempt < MAX_BLANKED_CALLS) {
          const blanked = blankCall(text, info.position);
          if (blanked !== null) {
            text = blanked;
            continue;
          }
        }
        throw new Error(
          JSON.stringify({
            exception_type: info.type ?? undefined,
            exception_message: stripTypePrefix(info.message, info.type),
            position: info.position ?? undefined
          })
        );
      }
    }
  }
}

/** `sql` with the function call starting at `at` replaced by `range(1)` padded to the same length, or null. */
export function blankCall(sql: string, at: number): string | null {
  const name = /^[A-Za-z_][\w.]*\s*\(/.exec(sql.slice(at));
  if (!name) return null;
  const close = matchingParen(sql, at + name[0].length - 1);
  if (close < 0) return null;
  const length = close + 1 - at;
  if (length < REPLACEMENT.length) return null;
  return sql.slice(0, at) + REPLACEMENT + ' '.repeat(length - REPLACEMENT.length) + sql.slice(close + 1);
}

/** Index of the `)` closing the `(` at `open`, skipping strings and quoted names; -1 when unbalanced. */
function matchingParen(sql: string, open: number): number {
  let depth = 0;
  for (let i = open; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      let end = sql.indexOf(c, i + 1);
      while (end >= 0 && sql[end + 1] === c) end = sql.indexOf(c, end + 2);
      if (end < 0) return -1;
      i = end;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

function stripTypePrefix(message: string, type: string | null): string {
  if (!type) return message;
  const label = type === 'Invalid Input' ? 'Invalid Input Error: ' : `${type} Error: `;
  return message.startsWith(label) ? message.slice(label.length) : message;
}
