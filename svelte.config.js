import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/**
 * The pages' Content Security Policy. SvelteKit sends it as a header and adds a nonce to
 * its inline bootstrap script (and to app.html's theme script, marked %sveltekit.nonce%).
 * Every other header is set for all answers in server/http/security-headers.ts.
 */
/** `npm run dev`: vite pre-bundles dependencies untransformed (apache-arrow's eval, see vite.config.ts) and reloads over its own port. */
const dev = process.argv.includes('--dev');

const csp = {
  'default-src': ['self'],
  // DuckDB-WASM and parquet-wasm compile WebAssembly; no other eval on the app's pages
  // (JS cells run in /sandbox.html, which has its own policy: server/http/routes/sandbox.ts).
  'script-src': ['self', 'wasm-unsafe-eval', ...(dev ? ['unsafe-eval'] : [])],
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

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // precompress off: compressing DuckDB's wasm files makes the build ten times slower.
    adapter: adapter({ out: 'build', precompress: false }),
    alias: { $doc: 'src/lib/doc', $kernels: 'kernels' },
    csp: { mode: 'auto', directives: csp }
  }
};

export default config;
