/**
 * The JS cell sandbox's runtime as one classic script, built the same way for `npm run dev`
 * and `npm run build`. The sandbox document runs it from a blob URL, as a page script and
 * as a Worker (src/lib/sandbox/document.ts), so it must have no `import` lines: vite's own
 * `?worker&url` gives that only in a build, while in dev it points at an unbundled ES module.
 * esbuild bundles `src/lib/sandbox/runtime/main.ts` with its libraries into an IIFE, and
 * `virtual:cairn/sandbox-runtime` exports the URL the host fetches it from
 * (src/lib/sandbox/runtime-source.ts): a hashed asset in a build, a middleware in dev.
 */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import type { Plugin } from 'vite';

const MODULE_ID = 'virtual:cairn/sandbox-runtime';
const RESOLVED_ID = '\0' + MODULE_ID;
/** Where the dev server serves the bundle; a build serves it as a hashed file instead. */
const DEV_PATH = '/@cairn/sandbox-runtime.js';
const ROOT = fileURLToPath(new URL('.', import.meta.url));
const ENTRY = resolve(ROOT, 'src/lib/sandbox/runtime/main.ts');

interface Bundle {
  code: string;
  /** Absolute paths of every file in it, to know when it is stale. */
  inputs: Set<string>;
}

/** Bundle the runtime into one self-contained classic script. */
export async function bundleSandboxRuntime(options: { minify: boolean }): Promise<Bundle> {
  const result = await build({
    entryPoints: [ENTRY],
    absWorkingDir: ROOT,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: options.minify,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    // A cell's `import 'https://…'` stays a dynamic import (src/lib/sandbox/runtime/run-cell.ts).
    logOverride: { 'unsupported-dynamic-import': 'silent' },
    write: false,
    metafile: true
  });
  return {
    code: result.outputFiles[0].text,
    inputs: new Set(Object.keys(result.metafile.inputs).map((file) => resolve(ROOT, file)))
  };
}

/** Serve the sandbox runtime bundle and export its URL from `virtual:cairn/sandbox-runtime`. */
export function sandboxRuntime(): Plugin {
  let command: 'build' | 'serve' = 'serve';
  let dev: Promise<Bundle> | null = null;
  const devBundle = () => {
    dev ??= bundleSandboxRuntime({ minify: false });
    dev.catch(() => (dev = null));
    return dev;
  };
  return {
    name: 'cairn:sandbox-runtime',
    configResolved(config) {
      command = config.command;
    },
    resolveId(id) {
      return id === MODULE_ID ? RESOLVED_ID : null;
    },
    async load(id, options) {
      if (id !== RESOLVED_ID) return null;
      // Only a browser fetches the runtime; the server render needs no copy of it.
      if (options?.ssr) return 'export default "";';
      if (command === 'serve') return `export default ${JSON.stringify(DEV_PATH)};`;
      const { code, inputs } = await bundleSandboxRuntime({ minify: true });
      for (const file of inputs) this.addWatchFile(file);
      const ref = this.emitFile({ type: 'asset', name: 'sandbox-runtime.js', source: code });
      return `export default import.meta.ROLLUP_FILE_URL_${ref};`;
    },
    configureServer(server) {
      // Bundled on first use, and again after a file in it changes.
      server.watcher.on('change', (file) => {
        void dev?.then((bundle) => {
          if (bundle.inputs.has(resolve(file))) dev = null;
        }, () => undefined);
      });
      server.middlewares.use((req, res, next) => {
        if (req.url?.split('?')[0] !== DEV_PATH) return next();
        devBundle().then(
          ({ code }) => {
            res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
            res.end(code);
          },
          (err: Error) => next(err)
        );
      });
    }
  };
}
