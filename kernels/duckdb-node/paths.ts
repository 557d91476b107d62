/**
 * Where a DuckDB connection's database file lives: a name inside the data directory's
 * `duckdb/` folder, never a path of the caller's choosing. The connection form's schema
 * (server/connections/shapes.ts) and the engine registry (server/connections/engines.ts)
 * both check names with this one rule, so what is saved is what is opened.
 */
import { join } from 'node:path';

/** The rule, as the error messages state it. */
export const DATABASE_NAME_RULE =
  'a DuckDB database is a name inside the data directory\'s duckdb/ folder, like sales.duckdb or team/sales.duckdb: ' +
  'parts of letters, digits, ".", "_" and "-" separated by "/", no absolute path, no "..", no backslash';

/** The folder under the data directory that holds every server-side DuckDB database file. */
export const DATABASE_FOLDER = 'duckdb';

const MAX_LENGTH = 255;
/** One part: starts with a letter, digit or `_` (so never `.`, `..` or a hidden file). */
const PART = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** A database name that breaks the rule. */
export class DatabasePathError extends Error {}

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

/** The file `name` stands for under `<dataDir>/duckdb/`; throws a {@link DatabasePathError} naming the rule. */
export function resolveDatabasePath(dataDir: string, name: string): string {
  const problem = databaseNameProblem(name);
  if (problem) throw new DatabasePathError(`${problem}: ${DATABASE_NAME_RULE}`);
  return join(dataDir, DATABASE_FOLDER, name);
}
