/** Execution: the engine interface and the cell dataflow graph; engines (DuckDB-WASM, DuckDB, PostgreSQL) join next. */
export * from './engine.js';
export * from './graph/index.js';
export * from './samples.js';
