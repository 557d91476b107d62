/**
 * Brotli and gzip siblings (`x.js.br`, `x.js.gz`) for the built client assets, which the
 * page handler's sirv serves by `accept-encoding` (svelte.config.js hands this function to
 * adapter-node as its `compress`, so `vite build` and `npm start`'s first build make them).
 *
 * Why not the adapter's own compression: it runs Brotli at quality 11 on everything, and
 * DuckDB's 34 MB wasm alone then takes minutes. Measured here on duckdb-eh.wasm (34.2 MB):
 * Brotli q5 6.19 MB in 0.9 s, q6 6.10 MB in 1.7 s, q7 6.01 MB in 2.9 s; gzip -9 7.68 MB in
 * 1.1 s. So big files get q6, everything else the maximum (they are small, and quality 11
 * is where Brotli beats gzip most on JS and CSS). A sibling that saves too little to be
 * worth a lookup is not written; sirv then serves the file as it is.
 *
 * Usage as a script: `node scripts/precompress.js [dir]` (default build/client).
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** Kinds of file worth compressing; images and media are compressed already. */
const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.html', '.json', '.svg', '.wasm', '.txt', '.xml', '.map']);
/** Files at least this big get the faster Brotli quality (see the header). */
const BIG_BYTES = 1024 * 1024;
/** A sibling is written only when it is at most this fraction of the original. */
const MAX_RATIO = 0.95;
/** Smaller files are served as they are: compressing them saves less than a packet. */
const MIN_BYTES = 1024;

/**
 * Writes `.br` and `.gz` beside every compressible file under `directory` (recursively)
 * that shrinks by more than 5%; resolves with totals. A missing directory is no error
 * (adapter-node also asks for `prerendered/`, which Cairn may not have).
 * @param {string} directory
 * @returns {Promise<{ files: number, bytes: number, br: number, gz: number }>}
 */
export async function precompress(directory) {
  const totals = { files: 0, bytes: 0, br: 0, gz: 0 };
  if (!existsSync(directory)) return totals;
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && COMPRESSIBLE.has(extname(e.name))).map((e) => join(e.parentPath ?? e.path, e.name));
  // zlib's async calls run on libuv's thread pool: all at once keeps both cores busy, and
  // the big wasm files start first so they do not finish last alone.
  const sized = await Promise.all(files.map(async (file) => ({ file, bytes: await readFile(file) })));
  sized.sort((a, b) => b.bytes.length - a.bytes.length);
  await Promise.all(
    sized.map(async ({ file, bytes }) => {
      if (bytes.length < MIN_BYTES) return;
      const big = bytes.length >= BIG_BYTES;
      const [br, gz] = await Promise.all([
        brotli(bytes, {
          params: {
            [zlib.constants.BROTLI_PARAM_QUALITY]: big ? 6 : zlib.constants.BROTLI_MAX_QUALITY,
            [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
            [zlib.constants.BROTLI_PARAM_MODE]: extname(file) === '.wasm' ? zlib.constants.BROTLI_MODE_GENERIC : zlib.constants.BROTLI_MODE_TEXT
          }
        }),
        gzip(bytes, { level: 9 })
      ]);
      totals.files++;
      totals.bytes += bytes.length;
      if (br.length <= bytes.length * MAX_RATIO) {
        await writeFile(`${file}.br`, br);
        totals.br += br.length;
      }
      if (gz.length <= bytes.length * MAX_RATIO) {
        await writeFile(`${file}.gz`, gz);
        totals.gz += gz.length;
      }
    })
  );
  return totals;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2] ?? 'build/client';
  const t0 = performance.now();
  const t = await precompress(dir);
  const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
  console.log(`precompressed ${t.files} files in ${dir} (${mb(t.bytes)}): brotli ${mb(t.br)}, gzip ${mb(t.gz)}, ${Math.round(performance.now() - t0)} ms`);
}
