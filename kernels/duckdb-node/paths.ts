/**
 * Where a DuckDB connection's database file lives: a name inside the data directory's
 * `duckdb/` folder, never a path of the caller's choosing. The connection form's schema
 * (server/connections/shapes.ts) and the engine registry (server/connections/engines.ts)
 * both check names with this one rule, so what is saved is what is opened.
 */
import { join } from 'node:path';

import { DATABASE_FOLDER, DATABASE_NAME_RULE, databaseNameProblem } from './database-name.js';

export { DATABASE_FOLDER, DATABASE_NAME_RULE, databaseNameProblem };

/** A database name that breaks the rule. */
export class DatabasePathError extends Error {}

/** The file `name` stands for under `<dataDir>/duckdb/`; throws a {@link DatabasePathError} naming the rule. */
export function resolveDatabasePath(dataDir: string, name: string): string {
  const problem = databaseNameProblem(name);
  if (problem) throw new DatabasePathError(`${problem}: ${DATABASE_NAME_RULE}`);
  return join(dataDir, DATABASE_FOLDER, name);
}
