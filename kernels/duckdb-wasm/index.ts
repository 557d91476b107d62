/** The browser engine: DuckDB-WASM behind Cairn's Engine interface (browser-safe; Node helpers are in `./node.js`). */
export { DuckDbWasmEngine, type DuckDbWasmEngineOptions, type WasmRunOptions } from './wasm-engine.js';
export { toIpcStream, tableFromObjects, type TableInput } from './arrow-input.js';
export { fileFormat, fileUrl, type FileRef, type NotebookFiles } from './formats.js';
export type { SourceFetch, SourceProgress } from './sources.js';
export { decodeDuckDbError, utf8OffsetToUtf16, ENGINE_ID } from './errors.js';
export { quoteIdent } from './catalog.js';
export type { ParquetInit } from './parquet.js';
export { createOfflineParser, OfflineTableNames } from './table-names.js';
export { onceParquet } from './parquet.js';
