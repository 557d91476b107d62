/** The server-side DuckDB engine (`@duckdb/node-api` in a worker thread). */
export {
  createDuckDbEngine,
  crashWorkerForTests,
  defaultThreads,
  DEFAULT_MEMORY_LIMIT,
  type DuckDbConfig,
  type DuckDbEngine,
  type DuckDbEngineOptions
} from './engine.js';
export { DATABASE_FOLDER, DATABASE_NAME_RULE, DatabasePathError, databaseNameProblem, resolveDatabasePath } from './paths.js';
export { JSON_METADATA } from './types.js';
