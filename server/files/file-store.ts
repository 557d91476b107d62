/**
 * Files users add to notebooks, stored by content (SHA-256), so the same bytes are kept
 * once and a hash names them forever. Bytes stream to a temporary file while being
 * hashed, and are renamed into place only when complete: a failed upload leaves nothing.
 */
import { AppError } from '../errors.js';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, statSync, renameSync, rmSync, existsSync, type ReadStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

/** A stored file's content hash and size. */
export interface StoredFile {
  hash: string;
  size: number;
}

const HASH = /^[0-9a-f]{64}$/;

export class FileStore {
  private readonly tmp: string;

  constructor(
    private readonly dir: string,
    /** Uploads over this many bytes are refused with 413. */
    readonly maxBytes: number
  ) {
    this.tmp = join(dir, 'tmp');
    mkdirSync(this.tmp, { recursive: true });
  }

  /**
   * Store the bytes of `body`; refuse (and keep nothing) past `maxBytes`, or past `room`
   * (what is left of the uploader's workspace quota).
   */
  async put(body: Readable, declaredLength?: number, room = Infinity): Promise<StoredFile> {
    if (declaredLength !== undefined && declaredLength > this.maxBytes) throw this.tooLarge();
    const tmpPath = join(this.tmp, randomBytes(12).toString('hex'));
    const hash = createHash('sha256');
    let size = 0;
    const max = Math.min(this.maxBytes, room);
    const overQuota = room < this.maxBytes;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > max) {
          const message = overQuota ? 'This upload would take the workspace past its upload quota.' : `Files are limited to ${formatBytes(max)}.`;
          return done(new AppError(overQuota ? 'quota_exceeded' : 'file_too_large', message));
        }
        hash.update(chunk);
        done(null, chunk);
      }
    });
    try {
      await pipeline(body, meter, createWriteStream(tmpPath));
    } catch (err) {
      rmSync(tmpPath, { force: true });
      throw err;
    }
    const digest = hash.digest('hex');
    const finalPath = this.path(digest);
    if (existsSync(finalPath)) rmSync(tmpPath, { force: true });
    else renameSync(tmpPath, finalPath);
    return { hash: digest, size };
  }

  /** A stream of the file's bytes and its size, or null when no file has that hash. */
  get(hash: string): { stream: ReadStream; size: number } | null {
    if (!HASH.test(hash)) return null;
    const path = this.path(hash);
    if (!existsSync(path)) return null;
    return { stream: createReadStream(path), size: statSync(path).size };
  }

  private path(hash: string): string {
    return join(this.dir, hash);
  }

  private tooLarge(): AppError {
    return new AppError('file_too_large', `Files are limited to ${formatBytes(this.maxBytes)}.`);
  }
}

function formatBytes(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GB` : `${Math.round(n / 1024 ** 2)} MB`;
}
