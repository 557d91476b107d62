/** The one Arrow path for server engines: rows or wire values into batches, batches into IPC bytes. */
export * from './column-builder.js';
export * from './batch-builder.js';
export * from './result-stream.js';
export * from './ipc.js';
export * from './field-metadata.js';
export * from './exact-decimal.js';
export * from './decimal-column.js';
export * from './widening.js';
