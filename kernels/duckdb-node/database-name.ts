/**
 * What a DuckDB connection's database may be called: a name inside the data directory's
 * `duckdb/` folder, never a path of the caller's choosing. Host-free, so the connection
 * kind's schema (./kind.ts) checks names with the same rule the engine registry opens them by
 * (./paths.ts).
 */

/** The rule, as the error messages state it. */
export const DATABASE_NAME_RULE =
  'a DuckDB database is a name inside the data directory\'s duckdb/ folder, like sales.duckdb or team/sales.duckdb: ' +
  'parts of letters, digits, ".", "_" and "-" separated by "/", no absolute path, no "..", no backslash';

/** The folder under the data directory that holds every server-side DuckDB database file. */
export const DATABASE_FOLDER = 'duckdb';

const MAX_LENGTH = 255;
/** One part: starts with a letter, digit or `_` (so never `.`, `..` or a hidden file). */
const PART = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** Why `name` is not a database name, or null when it is one. */
export function databaseNameProblem(name: string): string | null {
  if (name.length === 0) return 'the name is empty';
  if (name.length > MAX_LENGTH) return `the name is longer than ${MAX_LENGTH} characters`;
  if (name.includes('\u0000')) return 'the name contains a NUL character';
  if (name.includes('\\')) return 'the name contains a backslash';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'the name is an absolute path';
  const parts = name.split('/');
  if (parts.includes('..')) return 'the name contains ".."';
  if (!parts.every((part) => PART.test(part))) return 'the name has characters or empty parts the rule does not allow';
  return null;
}

