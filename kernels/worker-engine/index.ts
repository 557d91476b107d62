/** Any server engine in a worker thread, and the IPC decoding shared with duckdb-node. */
export { createWorkerEngine, type EngineSpec } from './engine.js';
export { decodeBatch, decodeSchema, transferable } from './ipc-decode.js';
