/**
 * Arrow IPC bytes from a worker back into RecordBatches. A run's schema message arrives
 * once; each batch message is decoded against it. apache-arrow reads the batch's buffers
 * as views into the transferred bytes (no copy of the column data).
 */
import { RecordBatch, RecordBatchReader, type Schema } from 'apache-arrow';

/** The Schema in a schema message. */
export function decodeSchema(schemaBytes: Uint8Array): Schema {
  const reader = RecordBatchReader.from(schemaBytes);
  reader.open();
  return reader.schema;
}

/** One batch message decoded against the run's schema message; the batch carries `schema` itself. */
export function decodeBatch(schema: Schema, schemaBytes: Uint8Array, bytes: Uint8Array): RecordBatch {
  const reader = RecordBatchReader.from([schemaBytes, bytes]);
  const batch = reader.next().value as RecordBatch;
  // Batches carry the run's own Schema object, as every engine's do.
  return new RecordBatch(schema, batch.data);
}

/** Bytes that own their whole ArrayBuffer, so the buffer can be transferred, not copied. */
export function transferable(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}
