/**
 * The update log of the embedded store: one append-only file per notebook under
 * `<data dir>/updates/`, snapshots in the embedded Postgres. A `write(2)` that returned is
 * in the kernel's page cache and survives a kill -9 of the server, at a few microseconds
 * per update instead of the ~0.5 ms of CPU an embedded-Postgres insert costs on the
 * collaboration path.
 *
 * Record: u32 length, u32 crc32 of the payload, payload. A torn last record (crash in
 * mid-write) fails its length or checksum and is cut off on the next open.
 */
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { mergeStoredUpdates } from './merge-updates.js';
import type { Db } from './db.js';
import type { UpdateLog } from './update-log.js';
import { toBytes } from './sql-update-log.js';
import { logger } from '../log.js';
import { KeyedQueue } from '../keyed-queue.js';

const log = logger('store');
const HEADER = 8;

export class FileUpdateLog implements UpdateLog {
  private readonly fds = new Map<string, number>();
  /** Loads, compactions and removals of one notebook's log, one at a time. */
  private readonly queue = new KeyedQueue();
  private rotations = 0;

  constructor(
    private readonly dir: string,
    private readonly db: Db
  ) {
    mkdirSync(dir, { recursive: true });
  }

  private livePath(id: string): string {
    return join(this.dir, `${id}.log`);
  }

  /** Logs being folded into the snapshot: renamed live logs, read until compaction deletes them. */
  private foldingPaths(id: string): string[] {
    const prefix = `${id}.`;
    return readdirSync(this.dir)
      .filter((f) => f.startsWith(prefix) && f.endsWith('.folding'))
      .sort()
      .map((f) => join(this.dir, f));
  }

  async load(id: string): Promise<Uint8Array[]> {
    return this.queue.run(id, async () => {
      // Files before the snapshot: a compaction writes the snapshot before it deletes the
      // files it folded, so this order never misses an update.
      const fromFiles: Uint8Array[] = [];
      for (const path of [...this.foldingPaths(id), this.livePath(id)]) fromFiles.push(...this.readRecords(path, true));
      const snap = await this.db.query<{ data: Uint8Array }>('select data from doc_snapshots where notebook_id = $1', [id]);
      return snap.map((r) => toBytes(r.data)).concat(fromFiles);
    });
  }

  async append(id: string, updates: Uint8Array[]): Promise<void> {
    if (updates.length === 0) return;
    let size = 0;
    for (const u of updates) size += HEADER + u.length;
    const buf = Buffer.allocUnsafe(size);
    let at = 0;
    for (const u of updates) {
      buf.writeUInt32LE(u.length, at);
      buf.writeUInt32LE(crc32(u), at + 4);
      buf.set(u, at + HEADER);
      at += HEADER + u.length;
    }
    const fd = this.fd(id);
    let written = 0;
    while (written < size) written += writeSync(fd, buf, written, size - written);
  }

  async compact(id: string): Promise<void> {
    await this.queue.run(id, async () => {
      const live = this.livePath(id);
      if (existsSync(live)) {
        // Rotate synchronously: appends after this line go to a fresh live file.
        this.closeFd(id);
        renameSync(live, join(this.dir, `${id}.${Date.now()}-${String(++this.rotations).padStart(6, '0')}.folding`));
      }
      const folding = this.foldingPaths(id);
      if (folding.length === 0) return;
      const updates = folding.flatMap((p) => this.readRecords(p, false));
      const snap = await this.db.query<{ data: Uint8Array }>('select data from doc_snapshots where notebook_id = $1', [id]);
      const merged = mergeStoredUpdates(snap.map((r) => toBytes(r.data)).concat(updates));
      await this.db.query(
        `insert into doc_snapshots (notebook_id, data, upto_seq, updated_at) values ($1, $2, 0, now())
         on conflict (notebook_id) do update set data = excluded.data, updated_at = now()`,
        [id, merged]
      );
      for (const p of folding) unlinkSync(p);
    });
  }

  async close(): Promise<void> {
    for (const id of [...this.fds.keys()]) this.closeFd(id);
  }

  private fd(id: string): number {
    let fd = this.fds.get(id);
    if (fd === undefined) {
      fd = openSync(this.livePath(id), 'a');
      this.fds.set(id, fd);
    }
    return fd;
  }

  private closeFd(id: string): void {
    const fd = this.fds.get(id);
    if (fd !== undefined) closeSync(fd);
    this.fds.delete(id);
  }

  /** Every whole record in `path`; a torn tail is cut off when `repair` (the live file). */
  private readRecords(path: string, repair: boolean): Uint8Array[] {
    if (!existsSync(path)) return [];
    const buf = readFileSync(path);
    const out: Uint8Array[] = [];
    let at = 0;
    while (at + HEADER <= buf.length) {
      const len = buf.readUInt32LE(at);
      const sum = buf.readUInt32LE(at + 4);
      if (at + HEADER + len > buf.length) break;
      const payload = new Uint8Array(buf.buffer, buf.byteOffset + at + HEADER, len);
      if (crc32(payload) !== sum) break;
      out.push(payload.slice());
      at += HEADER + len;
    }
    if (at < buf.length) {
      log.warn('update log ends in a torn record; cutting it off', { path, validBytes: at, fileBytes: buf.length });
      if (repair && !this.fds.has(pathId(path))) {
        const fd = openSync(path, 'r+');
        try {
          ftruncateSync(fd, at);
        } finally {
          closeSync(fd);
        }
      }
    }
    return out;
  }
}

function pathId(path: string): string {
  const file = path.slice(path.lastIndexOf('/') + 1);
  return file.slice(0, file.indexOf('.'));
}
