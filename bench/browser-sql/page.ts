/**
 * The built app, a signed-in Chromium page on the dev bench page (/dev/bench: `window.cairnBench`
 * holds `$lib/kernel`, `$lib/chart` and Plot; `?notebook=<id>` also shows that notebook as
 * /n/<id> does), and small statistics. Shared by bench/browser-sql and bench/chart; needs
 * `npx vite build` first.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { startGridApp, type GridApp } from '../grid/app.js';

export interface BenchPage {
  app: GridApp;
  context: BrowserContext;
  page: Page;
  /** Session token for y-websocket clients. */
  token: string;
  /** The collaboration endpoint for y-websocket clients (as tests/support/server.ts names it). */
  ws: string;
  close(): Promise<void>;
}

/** Start the app and Chromium, sign a user up, and open a page (not yet navigated). */
export async function openBenchPage(tag: string, viewport = { width: 1600, height: 1000 }): Promise<BenchPage> {
  const app = await startGridApp();
  try {
    const context = await app.browser.newContext({ viewport });
    const r = await context.request.post(`${app.base}/api/auth/signup`, {
      data: { email: `${tag}@example.com`, password: 'correct horse battery', name: `Bench ${tag}` }
    });
    if (r.status() !== 201) throw new Error(`signup answered ${r.status()}: ${await r.text()}`);
    const token = (await r.json()).token as string;
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`[${tag}] page error:`, e));
    page.on('console', (m) => m.type() === 'error' && console.error(`[${tag}] console:`, m.text()));
    // tsx (esbuild keepNames) wraps named functions in __name(); evaluated code needs it in the page.
    await page.addInitScript('globalThis.__name = (f) => f');
    return {
      app,
      context,
      page,
      token,
      ws: `${app.base.replace(/^http/, 'ws')}/collab`,
      async close() {
        await context.close().catch(() => undefined);
        await app.close();
      }
    };
  } catch (err) {
    await app.close();
    throw err;
  }
}

/** Open /dev/bench (optionally with a notebook) and wait for `window.cairnBench`. */
export async function gotoBench(page: Page, base: string, notebook?: string): Promise<void> {
  await page.goto(`${base}/dev/bench${notebook ? `?notebook=${encodeURIComponent(notebook)}` : ''}`);
  await page.waitForFunction(() => 'cairnBench' in window, null, { timeout: 60_000 });
  if (notebook) await page.waitForSelector('[data-ready="true"]', { timeout: 60_000 });
}

export const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const quantile = (xs: number[], q: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
