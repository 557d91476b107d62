import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { samplesDir } from '../../server/http/routes/samples.js';
import { ROOT, createTestStore, startApp, type ChildServer, type TestStore } from '../support/server.js';

/**
 * Cairn's own server sends the built assets compressed (issue "Fast first open"): Brotli
 * or gzip as the request accepts, from siblings made at build time (scripts/precompress.js),
 * each decoding to the very file on disk; the hashed assets stay cacheable for a year.
 * Needs `npm run build` first, like the end-to-end tests.
 */
const CLIENT = join(ROOT, 'build', 'client');
const IMMUTABLE = join(CLIENT, '_app', 'immutable');

/** The biggest file in `dir` whose name matches `pattern` (the one compression matters most for). */
function biggest(dir: string, pattern: RegExp): string {
  const files = readdirSync(dir).filter((f) => pattern.test(f));
  if (files.length === 0) throw new Error(`no ${pattern} in ${dir}: run npm run build first`);
  return join(dir, files.sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0]);
}

function get(port: number, path: string, acceptEncoding: string | null): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = acceptEncoding === null ? {} : { 'accept-encoding': acceptEncoding };
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  if (encoding === 'br') return brotliDecompressSync(body);
  if (encoding === 'gzip') return gunzipSync(body);
  return body;
}

describe('static assets from the built app', () => {
  let store: TestStore;
  let srv: ChildServer;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'build', 'handler.js'))) throw new Error('no build: run npm run build first');
    store = await createTestStore('embedded');
    srv = await startApp(store);
  });
  afterAll(async () => {
    await srv?.stop();
    await store?.dispose();
  });

  const assets = () => ({
    'a JS chunk': biggest(join(IMMUTABLE, 'chunks'), /\.js$/),
    'the CSS': biggest(join(IMMUTABLE, 'assets'), /\.css$/),
    "DuckDB's wasm": biggest(join(IMMUTABLE, 'assets'), /^duckdb-eh.*\.wasm$/),
    "DuckDB's worker": biggest(join(IMMUTABLE, 'assets'), /^duckdb-browser-eh\.worker.*\.js$/)
  });

  for (const [accept, expected] of [
    ['br', 'br'],
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip', 'gzip'],
    [null, undefined],
    ['identity', undefined]
  ] as const) {
    it(`answers accept-encoding ${accept === null ? '(none)' : `"${accept}"`} with ${expected ?? 'the file as it is'}, decoding to the file on disk`, async () => {
      for (const [what, file] of Object.entries(assets())) {
        const path = '/' + file.slice(CLIENT.length + 1).split('\\').join('/');
        const res = await get(srv.port, path, accept);
        expect(res.status, `${what} ${path}`).toBe(200);
        expect(res.headers['content-encoding'], `${what} ${path}`).toBe(expected);
        expect(res.headers['vary'], `${what} ${path}`).toMatch(/accept-encoding/i);
        expect(res.headers['cache-control'], `${what} ${path}`).toBe('public,max-age=31536000,immutable');
        if (expected) expect(res.body.length, `${what} ${path} is smaller on the wire`).toBeLessThan(statSync(file).size * 0.6);
        expect(decode(res.body, expected).equals(readFileSync(file)), `${what} ${path} decodes to the file`).toBe(true);
      }
    });
  }

  it('serves the wasm as application/wasm, so browsers compile it while it streams', async () => {
    const path = '/' + assets()["DuckDB's wasm"].slice(CLIENT.length + 1);
    const res = await get(srv.port, path, 'br');
    expect(res.headers['content-type']).toBe('application/wasm');
  });

  it('sends the samples compressed too (compressed once, then kept), except Parquet, which is compressed inside', async () => {
    const dir = samplesDir();
    for (const [file, accept, expected] of [
      ['flights-200k.arrow', 'gzip, deflate, br', 'br'],
      ['flights-200k.arrow', 'br', 'br'],
      ['airports.csv', 'gzip', 'gzip'],
      ['airports.csv', null, undefined],
      ['flights-3m.parquet', 'br, gzip', undefined]
    ] as const) {
      const res = await get(srv.port, `/samples/${file}`, accept);
      expect(res.status, file).toBe(200);
      expect(res.headers['content-encoding'], `${file} for ${accept}`).toBe(expected);
      expect(res.headers['vary'], file).toMatch(/accept-encoding/i);
      expect(Number(res.headers['content-length']), file).toBe(res.body.length);
      expect(decode(res.body, expected).equals(readFileSync(join(dir, file))), `${file} decodes to the file`).toBe(true);
    }
  });

  it('keeps files outside the hashed folder revalidated, not immutable', async () => {
    const res = await get(srv.port, '/favicon.svg', 'br');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control'] ?? '').not.toMatch(/immutable/);
    expect(decode(res.body, res.headers['content-encoding'] as string | undefined).equals(readFileSync(join(CLIENT, 'favicon.svg')))).toBe(true);
  });
});
