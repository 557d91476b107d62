/** The one Arrow path: server engines write batches and IPC bytes; everyone reads values exactly (plain values, CSV, JSON). */
export * from './column-builder.js';
export * from './batch-builder.js';
export * from './result-stream.js';
export * from './ipc.js';
export * from './field-metadata.js';
export * from './exact-decimal.js';
export * from './decimal-column.js';
export * from './widening.js';
export * from './decimal.js';
export * from './plain-values.js';
export * from './text-chunks.js';
export * from './csv.js';
export * from './json.js';
