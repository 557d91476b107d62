/**
 * The shared result cache (docs/api.md: results are cached by key and shared between users
 * who may see them). The index is a table, so every server process sees the same entries;
 * the Arrow IPC bytes are files named by their SHA-256 in the data directory, written once
 * and shared by every key with the same result.
 */
import { mkdirSync, existsSync, createReadStream, type ReadStream } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Queryable } from '../store/index.js';

export interface CacheEntry {
  key: string;
  resultHash: string;
  rows: number;
  truncated: boolean;
  bytes: number;
  runToken: string | null;
  createdAt: Date;
}

interface Row {
  key: string;
  result_hash: string;
  rows: string | number;
  truncated: boolean;
  bytes: string | number;
  run_token: string | null;
  created_at: Date | string;
}

/** The cache key: the connection (and its settings' version), the SQL and the bound parameters. */
export function resultKey(scope: string, connectionId: string, connectionVersion: string, sql: string, params: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify([scope, connectionId, connectionVersion, sql, params])).digest('hex');
}

export class ResultCache {
  constructor(
    private readonly db: Queryable,
    private readonly dir: string,
    /** Total bytes kept; the least recently used entries go first. */
    private readonly maxBytes: number
  ) {
    mkdirSync(dir, { recursive: true });
  }

  async lookup(key: string): Promise<CacheEntry | null> {
    const rows = await this.db.query<Row>('select key, result_hash, rows, truncated, bytes, run_token, created_at from result_cache where key = $1', [key]);
    const row = rows[0];
    if (!row || !existsSync(this.path(row.result_hash))) return null;
    return {
      key: row.key,
      resultHash: row.result_hash,
      rows: Number(row.rows),
      truncated: row.truncated,
      bytes: Number(row.bytes),
      runToken: row.run_token,
      createdAt: row.created_at instanceof Date ? row.created_at : new Date(row.created_at)
    };
  }

  /** The entry's bytes; marks it used. */
  open(entry: CacheEntry): ReadStream {
    void this.db.query('update result_cache set last_used_at = now() where key = $1', [entry.key]).catch(() => undefined);
    return createReadStream(this.path(entry.resultHash));
  }

  async store(key: string, connectionId: string, chunks: Uint8Array[], meta: { resultHash: string; rows: number; truncated: boolean; bytes: number; runToken: string | null; createdAt: Date }): Promise<void> {
    const file = this.path(meta.resultHash);
    if (!existsSync(file)) {
      // Write then rename, so a reader never sees half a file.
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, chunks);
      await rename(tmp, file);
    }
    await this.db.query(
      `insert into result_cache (key, connection_id, result_hash, rows, truncated, bytes, run_token, created_at, last_used_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, now())
       on conflict (key) do update set result_hash = excluded.result_hash, rows = excluded.rows, truncated = excluded.truncated,
         bytes = excluded.bytes, run_token = excluded.run_token, created_at = excluded.created_at, last_used_at = now()`,
      [key, connectionId, meta.resultHash, meta.rows, meta.truncated, meta.bytes, meta.runToken, meta.createdAt.toISOString()]
    );
    await this.evict();
  }

  /** Drops least recently used entries beyond `maxBytes`, and files no entry points at. */
  private async evict(): Promise<void> {
    const rows = await this.db.query<{ key: string; result_hash: string; running: string | number }>(
      `select key, result_hash, sum(bytes) over (order by last_used_at desc, key) as running from result_cache`
    );
    const drop = rows.filter((r) => Number(r.running) > this.maxBytes);
    if (drop.length === 0) return;
    await this.db.query('delete from result_cache where key = any($1)', [drop.map((r) => r.key)]);
    const kept = new Set(rows.filter((r) => Number(r.running) <= this.maxBytes).map((r) => r.result_hash));
    for (const hash of new Set(drop.map((r) => r.result_hash))) {
      if (!kept.has(hash)) await unlink(this.path(hash)).catch(() => undefined);
    }
  }

  private path(hash: string): string {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error('not a result hash');
    return join(this.dir, `${hash}.arrow`);
  }
}
