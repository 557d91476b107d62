import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, type Plugin } from 'vite';
import { sandboxRuntime } from './vite.sandbox-runtime.js';

/**
 * apache-arrow compiles each builder's null check with `new Function`, which the pages'
 * Content Security Policy (svelte.config.js) forbids. This swaps the compiled `switch` for a
 * Set lookup with the same answers (=== on every value but NaN, which is checked apart).
 */
function arrowWithoutEval(): Plugin {
  const marker = "    let fnBody = '';";
  return {
    name: 'cairn:arrow-without-eval',
    enforce: 'pre',
    transform(code, id) {
      if (!/apache-arrow[\\/]builder[\\/]valid\.m?js$/.test(id.split('?')[0])) return null;
      if (!code.includes(marker)) throw new Error(`${id}: apache-arrow changed createIsValidFunction; update arrowWithoutEval in vite.config.ts`);
      return code.replace(
        marker,
        '    const nulls = new Set(nullValues.filter((x) => x === x));\n' +
          '    const nan = nullValues.some((x) => x !== x);\n' +
          '    return function isValid(x) { return x !== x ? !nan : !nulls.has(x); };\n' +
          marker
      );
    }
  };
}

export default defineConfig({
  plugins: [arrowWithoutEval(), sandboxRuntime(), sveltekit()],
  build: { chunkSizeWarningLimit: 2000 }
});
