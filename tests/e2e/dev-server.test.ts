import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createTestStore, startDev, type ChildServer, type TestStore } from '../support/server.js';
import { launchBrowser, screenshotPath } from '../support/browser.js';

/**
 * `npm run dev` serves the pages through vite, unbundled; the JS cell sandbox must still get
 * its runtime as one classic script (vite.sandbox-runtime.ts). One test: vite's start is slow.
 */
describe('the dev server (npm run dev)', () => {
  let store: TestStore;
  let srv: ChildServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  /** Chromium reports each blocked load or eval on the console, frames included. */
  const cspViolations: string[] = [];

  beforeAll(async () => {
    store = await createTestStore('embedded');
    srv = await startDev(store);
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1000, height: 700 } })).newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (/Content Security Policy/.test(m.text())) cspViolations.push(m.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
    await store?.dispose();
  });

  it('runs JavaScript cells in the sandbox, on its Worker and on its page', async () => {
    // A first visit may make vite optimize a dependency it had not seen and reload the page.
    for (let attempt = 0, ready = false; !ready; attempt++) {
      await page.goto(`${srv.base}/dev/sandbox`);
      await page.waitForSelector('main[data-ready="true"]', { timeout: 60_000 });
      ready = await page
        .evaluate(() => {
          // A runtime that fails inside the iframe never says so to the host: bound the wait.
          const late = new Promise((_, reject) => setTimeout(() => reject(new Error('the sandbox was not ready after 20 s')), 20_000));
          return Promise.race([(window as any).cairnSandbox.create('s0'), late]).then(() => true);
        })
        .catch((e: Error) => {
          if (attempt === 0 && /context was destroyed|navigation/i.test(e.message)) return false;
          throw new Error(`${e.message}; page errors: ${JSON.stringify(pageErrors)}`);
        });
    }

    const run = (source: string, inputs: Record<string, unknown> = {}) =>
      page.evaluate(([source, inputs]) => (window as any).cairnSandbox.run('s0', source, inputs), [source, inputs] as const);
    const sum = await run('flights.numRows + factor', { flights: { arrow: { delay: [1, 2, 3] } }, factor: { value: 39 } });
    expect(sum).toMatchObject({ ok: true, value: 'json', json: 42 });
    const chart = await run([
      "import * as Plot from '@observablehq/plot';",
      'Plot.plot({title: "From the dev server", marks: [Plot.barY([3, 7, 5]), Plot.ruleY([0])]})'
    ].join('\n'));
    expect(chart).toMatchObject({ ok: true, value: 'dom', display: true });
    await page.locator('[data-sandbox="s0"]').screenshot({ path: screenshotPath('dev-server-sandbox') });

    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
    // Cairn's own error lines (`<time> error <scope>: …`, server/log.ts) and vite's.
    expect(srv.output()).not.toMatch(/^\S+ error \S+:|\[vite\][^\n]*error/im);
  });
});
