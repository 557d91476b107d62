/**
 * `npm start`: build the app when no build is present, then serve it with the API and the
 * collaboration socket on PORT. `--dev` serves the pages through vite instead.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { loadConfig } from './config.js';
import { PAGE_FETCH_SECRET_ENV } from './reports/rate-limits.js';
import { PROTOCOL_HEADER, createCairnServer, type PageHandler } from './app.js';
import { logger } from './log.js';

const log = logger('server');
const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * How SvelteKit learns the page's origin, which server-side `fetch` in page loads (the
 * report page) resolves `/api/…` against: the public URL when one is set, else plain HTTP
 * on the host asked for (server/app.ts sets {@link PROTOCOL_HEADER} on every page request;
 * a client's own value is replaced).
 */
function pageOrigin(publicUrl: URL | null): void {
  if (process.env.ORIGIN) return;
  if (publicUrl) process.env.ORIGIN = publicUrl.origin;
  else process.env.PROTOCOL_HEADER = PROTOCOL_HEADER;
}

async function pages(dev: boolean): Promise<PageHandler> {
  if (dev) {
    const { createServer } = await import('vite');
    // Hot reload gets vite's own websocket port, keeping /collab ours alone.
    const vite = await createServer({ root, server: { middlewareMode: true }, appType: 'custom' });
    return (req, res, next) => vite.middlewares(req, res, next);
  }
  const handlerFile = join(root, 'build', 'handler.js');
  if (!existsSync(handlerFile)) {
    log.info('no build found: building the app once (about a minute)');
    const result = spawnSync('npx', ['vite', 'build'], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('vite build failed; see the output above');
  }
  const { handler } = (await import(pathToFileURL(handlerFile).href)) as { handler: PageHandler };
  return handler;
}

/**
 * The last line of defence: an error no request handler or hook caught. Each request's
 * errors are answered where they happen (server/app.ts), so reaching here is a bug; the
 * process keeps serving the other users and rooms rather than dropping them all, and the
 * error is logged loudly. Errors that mean the process itself is broken still end it.
 */
function survive(kind: string, err: unknown): void {
  log.error(`${kind}: a bug let this error escape; still serving`, { err });
  if (isFatal(err)) {
    log.error('the process cannot recover from this error: exiting');
    process.exit(1);
  }
}

/** Out of memory: serving on would only make things worse. */
function isFatal(err: unknown): boolean {
  if (err instanceof RangeError && /allocation|heap|memory/i.test(err.message)) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOMEM';
}

async function main(): Promise<void> {
  process.on('uncaughtException', (err) => survive('uncaught exception', err));
  process.on('unhandledRejection', (reason) => survive('unhandled rejection', reason));
  const config = loadConfig();
  pageOrigin(config.publicUrl);
  const cairn = await createCairnServer(config, { pages: await pages(config.dev) });
  // The report page's fetches of its own data say so (src/hooks.server.ts), so a reader is counted once.
  process.env[PAGE_FETCH_SECRET_ENV] = cairn.context.reportLimits.pageFetchSecret;
  const port = await cairn.listen();
  log.info(`Cairn is running at http://localhost:${port}`, { store: cairn.context.db.kind, dataDir: config.dataDir });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    await cairn.close().catch((err) => log.error('shutdown failed', { err }));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  log.error('could not start', { err });
  process.exit(1);
});
