/**
 * The part of the worker protocols that streams a result, the same for both worker engines
 * (protocol.ts here for Postgres and MySQL, duckdb-node/worker-protocol.ts): Arrow IPC
 * stream bytes, the schema message first, then one message per batch, their ArrayBuffers
 * transferred, never copied. The worker sends at most {@link BATCH_WINDOW} batches ahead of
 * what the main thread has taken (run-channel.ts acknowledges each one), so a slow reader
 * pauses the database read instead of piling batches up in memory.
 */

/** Batches the worker may send before the main thread acknowledges one. */
export const BATCH_WINDOW = 2;

/** Worker → main thread, for run `id`; an error ends a run too, described by each protocol. */
export type ResultMessage =
  /** The result's Arrow schema message. */
  | { type: 'schema'; id: number; bytes: Uint8Array }
  | { type: 'batch'; id: number; bytes: Uint8Array; rows: number }
  | { type: 'end'; id: number };
