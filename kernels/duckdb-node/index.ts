/** The server-side DuckDB engine (`@duckdb/node-api` in a worker thread). */
export { createDuckDbEngine, crashWorkerForTests, type DuckDbConfig, type DuckDbEngine, type DuckDbEngineOptions } from './engine.js';
export { JSON_METADATA } from './types.js';
