import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Frame, Page, Response } from 'playwright-core';
import { createTestStore, startApp, type ChildServer, type TestStore } from '../support/server.js';
import { launchBrowser, screenshotPath } from '../support/browser.js';
import { createNotebook, signUp } from '../support/api.js';

/**
 * JS cells in the opaque-origin sandbox and chart cells, in Chromium, through the dev page
 * `/dev/sandbox` of the built app (`window.cairnSandbox` drives it).
 */
describe('the JS cell sandbox in Chromium', () => {
  let store: TestStore;
  let srv: ChildServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const apiRequests: { url: string; cookie: string | undefined; frame: string }[] = [];
  let pageResponse: Response | null = null;
  /** Chromium reports each blocked load or eval on the console, frames included. */
  const cspViolations: string[] = [];

  type Result = { ok: boolean; ms: number; value?: string; rows?: unknown[]; json?: any; display?: boolean; height?: number; console: any[]; error?: { kind: string; message: string; line?: number; column?: number } };
  const run = (id: string, source: string, inputs: Record<string, unknown> = {}, timeoutMs?: number, cancelAfterMs?: number): Promise<Result> =>
    page.evaluate(([id, source, inputs, timeoutMs, cancelAfterMs]) => (window as any).cairnSandbox.run(id, source, inputs, timeoutMs, cancelAfterMs), [id, source, inputs, timeoutMs, cancelAfterMs] as const);

  beforeAll(async () => {
    store = await createTestStore('embedded');
    srv = await startApp(store);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    // A signed-in user with a notebook: the browser holds the session cookie.
    const { token } = await signUp(srv.base, 'Sam');
    await createNotebook(srv.base, token, 'Secret plans');
    await context.addCookies([{ name: 'cairn_session', value: token, url: srv.base, httpOnly: true, sameSite: 'Lax' }]);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (/Content Security Policy/.test(m.text())) cspViolations.push(m.text());
    });
    page.on('request', async (request) => {
      if (!request.url().includes('/api/notebooks')) return;
      const headers = await request.allHeaders();
      apiRequests.push({ url: request.url(), cookie: headers.cookie, frame: request.frame()?.url() ?? '' });
    });
    pageResponse = await page.goto(`${srv.base}/dev/sandbox`);
    await page.waitForSelector('main[data-ready="true"]', { timeout: 30_000 });
  });
  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    await srv?.stop();
    await store?.dispose();
  });

  function sandboxFrame(id: string): Frame {
    const frames = page.frames().filter((f) => f !== page.mainFrame() && f.parentFrame() === page.mainFrame());
    const index = Number(id.replace(/\D/g, '')) || 0;
    return frames[index];
  }

  it('starts a sandbox and round-trips an Arrow table through a JS cell', async () => {
    const startMs = await page.evaluate(() => (window as any).cairnSandbox.create('s0'));
    console.log(`sandbox start (iframe + 700 kB runtime + warm worker): ${startMs.toFixed(0)} ms`);
    const second = await page.evaluate(() => (window as any).cairnSandbox.create('s1'));
    console.log(`second sandbox start: ${second.toFixed(0)} ms`);
    expect(startMs).toBeLessThan(5000);

    const result = await run('s0', [
      "import {tableFromArrays} from 'apache-arrow';",
      'const rows = flights.toArray().map((r) => ({origin: r.origin, delay: r.delay * factor}));',
      'const extra = tableFromArrays({n: Int32Array.from([flights.numRows])});',
      'rows.concat([{origin: "ALL", delay: extra.get(0).n}])'
    ].join('\n'), { flights: { arrow: { origin: ['SEA', 'SFO', 'JFK'], delay: [1.5, -2, 10] } }, factor: { value: 2 } });
    expect(result).toMatchObject({ ok: true, value: 'table', display: false });
    expect(result.rows).toEqual([
      { origin: 'SEA', delay: 3 },
      { origin: 'SFO', delay: -4 },
      { origin: 'JFK', delay: 20 },
      { origin: 'ALL', delay: 3 }
    ]);
    // The inspector summarises it.
    await expect.poll(() => page.textContent('#inspector')).toMatch(/Table 4 rows × 2 cols/);
  });

  it('returns plain values by structured clone, with markers for what cannot travel', async () => {
    const result = await run('s0', 'const when = new Date(0);\nreturn {n: 42, s: "hi", list: [1, 2, 3], when, big: 2n ** 70n, f: function twice(x) { return 2 * x }}');
    expect(result.ok).toBe(true);
    expect(result.value).toBe('json');
    expect(result.json).toMatchObject({ n: 42, s: 'hi', list: [1, 2, 3], f: { __cairnOpaque: 'ƒ twice()' } });
    await expect.poll(() => page.textContent('#inspector')).toMatch(/n:\s*42/);
    await page.click('#inspector button:has-text("list")');
    await expect.poll(() => page.textContent('#inspector')).toMatch(/0:\s*1/);
  });

  it('passes console output and errors with the line and column in the cell', async () => {
    const logged = await run('s0', "console.log('hello', {a: 1});\nconsole.warn('careful');\n7 * 6");
    expect(logged).toMatchObject({ ok: true, json: 42 });
    expect(logged.console.map((e) => [e.level, e.args.map((a: any) => a.value)])).toEqual([
      ['log', ['hello', { a: 1 }]],
      ['warn', ['careful']]
    ]);
    const source = 'const a = 1;\nif (a) { throw new Error("boom"); }\na';
    const failed = await run('s0', source);
    expect(failed.ok).toBe(false);
    expect(failed.error).toMatchObject({ kind: 'error', message: 'boom', line: 2, column: 'if (a) { throw '.length + 1 });
    const missing = await run('s0', "import x from 'left-pad';\nx");
    expect(missing.error?.message).toMatch(/Cannot import "left-pad"/);
  });

  it('renders Plot SVG inside the iframe, which grows to fit it', async () => {
    const result = await run('s1', [
      "import * as Plot from '@observablehq/plot';",
      'Plot.plot({title: "Inside the sandbox", marks: [Plot.barY(rows, {x: "k", y: "v", fill: "steelblue", tip: true}), Plot.ruleY([0])]})'
    ].join('\n'), { rows: { value: [{ k: 'a', v: 3 }, { k: 'b', v: 7 }, { k: 'c', v: 5 }] } });
    expect(result).toMatchObject({ ok: true, value: 'dom', display: true });
    expect(result.height).toBeGreaterThan(300);
    const frame = sandboxFrame('s1');
    expect(await frame.locator('svg rect').count()).toBeGreaterThanOrEqual(3);
    await page.locator('[data-sandbox="s1"]').screenshot({ path: screenshotPath('sandbox-plot-light') });
    await page.evaluate(() => (document.documentElement.dataset.theme = 'dark'));
    await page.waitForTimeout(200);
    await page.locator('[data-sandbox="s1"]').screenshot({ path: screenshotPath('sandbox-plot-dark') });
    await page.evaluate(() => (document.documentElement.dataset.theme = 'light'));
  });

  it('serves the page with a Content Security Policy, and runs every cell under it without a violation', async () => {
    const headers = pageResponse!.headers();
    const csp = headers['content-security-policy'];
    expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval' 'sha256-[^']+'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("frame-src 'self'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(cspViolations).toEqual([]);
  });

  it('gives the cell no cookie, no storage and no authenticated API', async () => {
    // Control: the page itself, same-origin, sees the user's notebook.
    const own = await page.evaluate(() => fetch('/api/notebooks', { credentials: 'include' }).then((r) => r.json()));
    expect(own.notebooks.map((n: any) => n.title)).toContain('Secret plans');
    const probe = `
      const out = {};
      try { out.cookie = document.cookie; } catch (e) { out.cookie = 'threw ' + e.name; }
      try { out.local = String(localStorage.length); } catch (e) { out.local = 'threw ' + e.name; }
      try { out.session = String(sessionStorage.length); } catch (e) { out.session = 'threw ' + e.name; }
      try { out.parent = parent.document.title; } catch (e) { out.parent = 'threw ' + e.name; }
      out.origin = self.origin;
      for (const url of ['/api/notebooks', base + '/api/notebooks']) {
        try {
          const r = await fetch(url, {credentials: 'include'});
          out[url] = r.status + ' ' + (await r.text()).slice(0, 200);
        } catch (e) { out[url] = 'threw ' + e.name; }
      }
      // A navigation instead of a fetch: a nested frame loads the API; its document is cross-origin to us.
      const f = document.createElement('iframe');
      f.src = base + '/api/notebooks';
      document.body.appendChild(f);
      await new Promise((r) => f.onload = r);
      try { out.nested = f.contentDocument ? f.contentDocument.body.textContent : 'no access'; } catch (e) { out.nested = 'threw ' + e.name; }
      f.remove();
      return out;`;
    const result = await run('s1', probe, { base: { value: srv.base } });
    expect(result.ok).toBe(true);
    const out = result.json;
    console.log('from inside the sandbox:', JSON.stringify(out));
    expect(out.origin).toBe('null');
    expect(out.cookie).toMatch(/^threw SecurityError$|^$/);
    expect(out.local).toBe('threw SecurityError');
    expect(out.session).toBe('threw SecurityError');
    expect(out.parent).toBe('threw SecurityError');
    expect(out['/api/notebooks']).toBe('threw TypeError');
    expect(out[`${srv.base}/api/notebooks`]).toBe('threw TypeError');
    expect(out.nested).toBe('no access');
    // And none of those requests carried the session cookie.
    const fromSandbox = apiRequests.filter((r) => r.frame !== `${srv.base}/dev/sandbox`);
    console.log('API requests from the sandbox:', JSON.stringify(fromSandbox));
    // The sandbox document's policy (connect-src and frame-src 'none') stops them before they
    // leave the browser; were one to go out, it must not carry the session cookie.
    expect(fromSandbox).toEqual([]);
    expect(fromSandbox.every((r) => !r.cookie?.includes('cairn_session'))).toBe(true);
    // The worker (no DOM in the cell) is just as shut out.
    const worker = await run('s0', "const r = await fetch(base + '/api/notebooks', {credentials: 'include'}).then(() => 'read', (e) => 'threw ' + e.name);\n[r, self.origin]", { base: { value: srv.base } });
    expect(worker.json).toEqual(['threw TypeError', 'null']);
  });

  /** Largest gap between 10 ms page timers while `action` runs: how long the page froze. */
  async function pageFreeze<T>(action: () => Promise<T>): Promise<{ result: T; maxGapMs: number }> {
    await page.evaluate(() => {
      const w = window as any;
      w.gap = 0;
      w.last = performance.now();
      w.ticker = setInterval(() => {
        const now = performance.now();
        w.gap = Math.max(w.gap, now - w.last);
        w.last = now;
      }, 10);
    });
    const result = await action();
    const maxGapMs = await page.evaluate(() => {
      const w = window as any;
      clearInterval(w.ticker);
      return w.gap as number;
    });
    return { result, maxGapMs };
  }

  it('kills an infinite loop in a Worker cell after the timeout; the page stays responsive', async () => {
    const { result, maxGapMs } = await pageFreeze(() => run('s0', 'let i = 0;\nwhile (true) { i++; }', {}, 2000));
    console.log(`worker loop: stopped after ${result.ms.toFixed(0)} ms; page's longest event-loop gap ${maxGapMs.toFixed(0)} ms`);
    expect(result.error?.kind).toBe('timeout');
    expect(result.ms).toBeGreaterThanOrEqual(2000);
    expect(result.ms).toBeLessThan(3500);
    expect(maxGapMs).toBeLessThan(250);
    const after = await run('s0', '1 + 1');
    expect(after).toMatchObject({ ok: true, json: 2 });
  });

  it('tears down every sandbox when a DOM cell loops, and they all come back', async () => {
    const { result, maxGapMs } = await pageFreeze(() => run('s1', 'document.title;\nwhile (true) {}', {}, 2000));
    console.log(`page-thread loop: stopped after ${result.ms.toFixed(0)} ms; page's longest event-loop gap ${maxGapMs.toFixed(0)} ms`);
    expect(result.error?.kind).toBe('timeout');
    expect(result.ms).toBeLessThan(4000);
    expect(maxGapMs).toBeLessThan(250);
    // s0 shared the stuck renderer process, so it was rebuilt too and told to re-run.
    expect(await page.evaluate(() => (window as any).cairnSandbox.resets)).toEqual(['s0']);
    expect(await page.evaluate(() => (window as any).cairnSandbox.iframeCount())).toBe(2);
    const t0 = Date.now();
    expect(await run('s1', "import * as Plot from '@observablehq/plot';\nPlot.plot({marks: [Plot.dot([1, 2, 3], {x: (d) => d, y: (d) => d})]})")).toMatchObject({ ok: true, display: true });
    expect(await run('s0', '6 * 7')).toMatchObject({ ok: true, json: 42 });
    console.log(`runs after the teardown answered in ${Date.now() - t0} ms`);
  });

  it('cancels a run through its AbortSignal', async () => {
    const result = await run('s0', 'await new Promise(() => {});', {}, 10_000, 300);
    expect(result.error?.kind).toBe('cancelled');
    expect(result.ms).toBeLessThan(1500);
    expect(await run('s0', '"still here"')).toMatchObject({ ok: true, json: 'still here' });
  });

  it('draws a chart cell in the page, light and dark, with export buttons', async () => {
    const chart = page.locator('#chart');
    await expect.poll(() => chart.locator('svg g[aria-label="area"] path').count()).toBeGreaterThanOrEqual(5);
    await chart.scrollIntoViewIfNeeded();
    await chart.screenshot({ path: screenshotPath('chart-light') });
    await page.evaluate(() => (document.documentElement.dataset.theme = 'dark'));
    await page.evaluate(() => (window as any).dispatchEvent(new Event('resize')));
    await page.waitForTimeout(200);
    await chart.screenshot({ path: screenshotPath('chart-dark') });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[aria-label="Export chart as PNG"]')]);
    expect(download.suggestedFilename()).toBe('demo.png');
    const [svg] = await Promise.all([page.waitForEvent('download'), page.click('button[aria-label="Export chart as SVG"]')]);
    expect(svg.suggestedFilename()).toBe('demo.svg');
    expect(pageErrors).toEqual([]);
  });
});
