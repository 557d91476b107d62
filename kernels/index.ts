/** Execution: the engine interface; engines (DuckDB-WASM, DuckDB, PostgreSQL) and the cell graph join it next. */
export * from './engine.js';
