/**
 * The built app and Chromium for the grid benchmark and screenshots: `npx vite build`
 * first; pages are served by the real entry point (tests/support/server.ts startApp).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../../tests/support/browser.js';
import { ROOT, createTestStore, startApp, type ChildServer, type TestStore } from '../../tests/support/server.js';

export interface GridApp {
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

/** Start the app on an embedded store and launch Chromium. */
export async function startGridApp(): Promise<GridApp> {
  if (!existsSync(join(ROOT, 'build'))) throw new Error('no build: run `npx vite build` first');
  const store: TestStore = await createTestStore('embedded');
  let server: ChildServer | null = null;
  let browser: Browser | null = null;
  try {
    server = await startApp(store);
    browser = await launchBrowser();
  } catch (err) {
    await server?.stop();
    await store.dispose();
    throw err;
  }
  const s = server;
  const b = browser;
  return {
    base: s.base,
    browser: b,
    async close() {
      await b.close();
      await s.stop();
      await store.dispose();
    }
  };
}
