import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // precompress off: compressing DuckDB's wasm files makes the build ten times slower.
    adapter: adapter({ out: 'build', precompress: false }),
    alias: { $doc: 'src/lib/doc', $kernels: 'kernels' }
  }
};

export default config;
