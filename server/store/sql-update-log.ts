/**
 * The update log in Postgres tables (`doc_updates`, `doc_snapshots`): used with
 * DATABASE_URL, where several server processes share one database.
 */
import { mergeStoredUpdates } from './merge-updates.js';
import type { Db } from './db.js';
import type { UpdateLog } from './update-log.js';

export class SqlUpdateLog implements UpdateLog {
  constructor(private readonly db: Db) {}

  async load(notebookId: string): Promise<Uint8Array[]> {
    // One statement, so a compaction committing meanwhile cannot split snapshot and log.
    const rows = await this.db.query<{ data: Uint8Array }>(
      `select data from (
         select data, 0 as part, 0::bigint as seq from doc_snapshots where notebook_id = $1
         union all
         select data, 1 as part, seq from doc_updates where notebook_id = $1
       ) s order by part, seq`,
      [notebookId]
    );
    return rows.map((r) => toBytes(r.data));
  }

  async append(notebookId: string, updates: Uint8Array[]): Promise<void> {
    if (updates.length === 0) return;
    const values = updates.map((_, i) => `($1, $${i + 2})`).join(', ');
    await this.db.query(`insert into doc_updates (notebook_id, data) values ${values}`, [notebookId, ...updates]);
  }

  async compact(notebookId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      // Lock the snapshot row so two processes never fold the same prefix twice.
      const snap = await tx.query<{ data: Uint8Array; upto_seq: number }>(
        'select data, upto_seq from doc_snapshots where notebook_id = $1 for update',
        [notebookId]
      );
      const log = await tx.query<{ data: Uint8Array; seq: number }>(
        'select data, seq from doc_updates where notebook_id = $1 order by seq',
        [notebookId]
      );
      if (log.length === 0) return;
      const parts = snap.map((r) => toBytes(r.data)).concat(log.map((r) => toBytes(r.data)));
      const merged = mergeStoredUpdates(parts);
      const upto = log[log.length - 1].seq;
      await tx.query(
        `insert into doc_snapshots (notebook_id, data, upto_seq, updated_at) values ($1, $2, $3, now())
         on conflict (notebook_id) do update set data = excluded.data, upto_seq = excluded.upto_seq, updated_at = now()`,
        [notebookId, merged, upto]
      );
      await tx.query('delete from doc_updates where notebook_id = $1 and seq <= $2', [notebookId, upto]);
    });
  }

  async close(): Promise<void> {}
}

/** pg returns Buffers, PGlite Uint8Arrays; Yjs wants plain Uint8Arrays. */
export function toBytes(data: Uint8Array): Uint8Array {
  return data instanceof Buffer ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data;
}
