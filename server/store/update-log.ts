/**
 * Where a notebook's Yjs updates are kept: an append-only log plus one snapshot that
 * compaction folds the log into. Loading returns both; Yjs merges commute and applying an
 * update twice is a no-op, so order and overlap after a crash do not matter.
 */
export interface UpdateLog {
  /** The snapshot (when any) and every update appended since, as stored. */
  load(notebookId: string): Promise<Uint8Array[]>;
  /** Append `updates` durably: resolved means it survives a kill -9 of the server. */
  append(notebookId: string, updates: Uint8Array[]): Promise<void>;
  /** Fold the log into the snapshot. Safe to run while appends continue. */
  compact(notebookId: string): Promise<void>;
  close(): Promise<void>;
}
