/** SQL identifiers for DuckDB and Postgres: double-quoted, inner quotes doubled, so any name is one identifier. */

/** `name` as a quoted identifier; a NUL character, which no engine accepts in a name, is refused. */
export function quoteIdent(name: string): string {
  if (name.includes('\u0000')) throw new Error('an identifier cannot contain a NUL character');
  return '"' + name.replace(/"/g, '""') + '"';
}

/** SQL dialects Cairn sends text to. MySQL quotes with backticks (double quotes are strings there unless ANSI_QUOTES). */
export type SqlDialect = 'duckdb' | 'postgres' | 'mysql';

/** `name` quoted for `dialect`. */
export function quoteIdentFor(dialect: SqlDialect, name: string): string {
  if (dialect !== 'mysql') return quoteIdent(name);
  if (name.includes('\u0000')) throw new Error('an identifier cannot contain a NUL character');
  return '`' + name.replace(/`/g, '``') + '`';
}
