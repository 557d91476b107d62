import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { precompress } from './scripts/precompress.js';

/**
 * The pages' Content Security Policy. SvelteKit sends it as a header with the hash of its
 * inline bootstrap script (and of app.html's theme script, below).
 * Every other header is set for all answers in server/http/security-headers.ts.
 */
/** `npm run dev`: vite pre-bundles dependencies untransformed (apache-arrow's eval, see vite.config.ts) and reloads over its own port. */
const dev = process.argv.includes('--dev');

/**
 * The policy allows inline scripts by their hashes, not per-response nonces, so a page may
 * be answered from a cache (server/http/page-cache.ts: public report pages). SvelteKit
 * hashes its own bootstrap; app.html's theme script is hashed here.
 */
const appHtml = readFileSync(new URL('./src/app.html', import.meta.url), 'utf8');
const themeScript = /<script[^>]*>([\s\S]*?)<\/script>/.exec(appHtml)?.[1];
if (themeScript === undefined) throw new Error('src/app.html: the theme script is missing');
const themeHash = `sha256-${createHash('sha256').update(themeScript).digest('base64')}`;

const csp = {
  'default-src': ['self'],
  // DuckDB-WASM and parquet-wasm compile WebAssembly; no other eval on the app's pages
  // (JS cells run in /sandbox.html, which has its own policy: server/http/routes/sandbox.ts).
  'script-src': ['self', 'wasm-unsafe-eval', themeHash, ...(dev ? ['unsafe-eval'] : [])],
  // DuckDB-WASM's worker is a same-origin file (src/lib/kernel/bundle.ts).
  'worker-src': ['self'],
  // Svelte and Plot write style attributes, and transitions insert <style> elements.
  'style-src': ['self', 'unsafe-inline'],
  // Chart exports draw an SVG blob into an image (src/lib/chart/export.ts).
  'img-src': ['self', 'data:', 'blob:'],
  'font-src': ['self', 'data:'],
  // The API, /samples and the wasm files; 'self' also covers ws(s) to this host (the
  // collaboration socket). In dev, vite's reload socket on the host the page was opened at.
  'connect-src': ['self', ...(dev ? ['ws://localhost:24678', 'ws://127.0.0.1:24678'] : [])],
  // The JS cell sandbox, /sandbox.html, framed with an opaque origin.
  'frame-src': ['self'],
  'frame-ancestors': ['none'],
  'object-src': ['none'],
  'base-uri': ['self'],
  'form-action': ['self']
};

/**
 * adapter-node with `precompress: true`, so its sirv serves the `.br`/`.gz` siblings by
 * `accept-encoding` (with `vary: accept-encoding`), but with Cairn's own compression
 * (scripts/precompress.js): the adapter's runs Brotli at quality 11 on DuckDB's 34 MB
 * wasm and takes minutes; ours adds about ten seconds to the build.
 */
const nodeAdapter = adapter({ out: 'build', precompress: true });
/** @type {import('@sveltejs/kit').Adapter} */
const cairnAdapter = {
  ...nodeAdapter,
  adapt: (builder) =>
    nodeAdapter.adapt(
      Object.create(builder, {
        compress: {
          value: async (/** @type {string} */ directory) => {
            await precompress(directory);
          }
        }
      })
    )
};

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    adapter: cairnAdapter,
    alias: { $doc: 'src/lib/doc', $kernels: 'kernels' },
    csp: { mode: 'hash', directives: csp }
  }
};

export default config;
