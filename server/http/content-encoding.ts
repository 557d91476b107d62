/**
 * Compressed answers for files the server reads itself (the samples; the built app's
 * assets are compressed at build time, scripts/precompress.js): which encoding a request
 * accepts, and each file's compressed forms, made once on first request and kept.
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** The encodings Cairn sends, best first. */
export type Encoding = 'br' | 'gzip';

/** A file's bytes as they are and, where compressing saved more than 5%, compressed. */
export interface EncodedFile {
  identity: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

/**
 * The best encoding `acceptEncoding` (the request header) allows among those `available`,
 * or null for the file as it is. Honours `q=0` ("not this one") and `*`.
 */
export function chooseEncoding(acceptEncoding: string | string[] | undefined, available: readonly Encoding[] = ['br', 'gzip']): Encoding | null {
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : (acceptEncoding ?? '');
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  for (const encoding of available) {
    const weight = q.get(encoding) ?? q.get('*') ?? 0;
    if (weight > 0) return encoding;
  }
  return null;
}

/** Reads and compresses files on first use and keeps the result; for a handful of small, unchanging files. */
export class EncodedFiles {
  private readonly cache = new Map<string, Promise<EncodedFile>>();

  /** `path`'s bytes and compressed forms; `compress: false` for formats that are compressed inside (Parquet). */
  get(path: string, compress = true): Promise<EncodedFile> {
    let entry = this.cache.get(path);
    if (!entry) {
      entry = encode(path, compress);
      // A failed read is not remembered: the next request tries again.
      entry.catch(() => this.cache.delete(path));
      this.cache.set(path, entry);
    }
    return entry;
  }
}

async function encode(path: string, compress: boolean): Promise<EncodedFile> {
  const identity = await readFile(path);
  if (!compress) return { identity };
  const [br, gz] = await Promise.all([
    brotli(identity, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 6, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
    gzip(identity, { level: 9 })
  ]);
  const worth = (b: Buffer) => b.length <= identity.length * 0.95;
  return { identity, br: worth(br) ? br : undefined, gzip: worth(gz) ? gz : undefined };
}
