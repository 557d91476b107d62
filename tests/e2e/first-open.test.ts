import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useApp } from '../support/e2e.js';

/**
 * A first open, counted in Chromium: the Flights sample downloads DuckDB's engine once,
 * and the notebook list and the login page fetch none of the editor, engine or chart
 * code. The bytes a cold open transfers (compressed, as they crossed the wire) are logged
 * for the record (issue "Fast first open").
 */
describe('a first open in Chromium', () => {
  const app = useApp();

  /** What a page (and its workers) fetched: every request's URL, and the bytes that crossed the wire. */
  function recordTraffic(page: Page) {
    const urls: string[] = [];
    const bodies = new Map<string, Promise<string>>();
    const sizes: Array<Promise<[url: string, bytes: number]>> = [];
    page.on('request', (r) => urls.push(r.url()));
    // Playwright's sizes come from Chromium's own accounting, workers' requests included
    // (a CDP session on the page sees only the page's own).
    page.on('requestfinished', (r) => sizes.push(r.sizes().then((s) => [r.url(), s.responseHeadersSize + s.responseBodySize], () => [r.url(), 0])));
    page.on('response', (r) => {
      if (/\.js(\?|$)/.test(r.url())) bodies.set(r.url(), r.text().catch(() => ''));
    });
        return {
      urls,
      bodies,
      wireBytes: async () => (await Promise.all(sizes)).reduce((sum, [, bytes]) => sum + bytes, 0),
      /** The biggest transfers, `path size`, for the log. */
      biggest: async (n: number) =>
        (await Promise.all(sizes))
          .sort((a, b) => b[1] - a[1])
          .slice(0, n)
          .map(([url, bytes]) => `${new URL(url).pathname} ${(bytes / 1e6).toFixed(2)} MB`)
    };
  }

  const duckdbWasm = (urls: string[]) => urls.filter((u) => /\/duckdb-eh[^/]*\.wasm(\?|$)/.test(u));

  /** Code that belongs to the notebook page only: DuckDB, parquet-wasm, CodeMirror, Observable Plot. */
  const HEAVY: Array<[name: string, test: (url: string, body: string) => boolean]> = [
    ['duckdb', (u, b) => /duckdb/i.test(u) || b.includes('AsyncDuckDB')],
    // wasm-bindgen's glue names its imports `__wbindgen_…`; a chunk holding only the wasm's URL is no decoder.
    ['parquet', (u, b) => /parquet[^/]*\.wasm(\?|$)/i.test(u) || b.includes('__wbindgen')],
    ['codemirror', (_u, b) => b.includes('cm-editor') || b.includes('cm-content')],
    ['plot', (_u, b) => b.includes('plot-d6a7b5')]
  ];

  async function heavyCode(urls: string[], bodies: Map<string, Promise<string>>): Promise<string[]> {
    const found: string[] = [];
    for (const url of urls) {
      const body = bodies.has(url) ? await bodies.get(url)! : '';
      for (const [name, test] of HEAVY) if (test(url, body)) found.push(`${name}: ${new URL(url).pathname}`);
    }
    return found;
  }

  it('the Flights sample downloads DuckDB-WASM exactly once, compressed, and no Parquet decoder', async () => {
    const { page } = await app.userPage('first@example.com', 'First', { width: 1280, height: 1000 });
    const list = await (await page.request.get(`${app.srv.base}/api/notebooks`)).json();
    const flights = list.notebooks.find((n: { title: string }) => n.title === 'Flights');
    const traffic = recordTraffic(page);
    const wasmEncodings: string[] = [];
    page.on('response', (r) => {
      if (duckdbWasm([r.url()]).length) wasmEncodings.push(r.headers()['content-encoding'] ?? 'identity');
    });
    const t0 = Date.now();
    await page.goto(`${app.srv.base}/n/${flights.id}`);
    await page.waitForSelector('[data-ready="true"]');
    for (const name of ['by_hour', 'worst_hour', 'delay_by_hour']) {
      await expect.poll(() => page.locator(`[data-cell-name="${name}"]`).getAttribute('data-status'), { timeout: 90_000, interval: 200 }).toBe('done');
    }
    const ms = Date.now() - t0;
    // The results are painted from the server; the engine starts behind them. Its download is
    // counted once it has landed (kept in Cache Storage), and any second one would be too.
    await expect.poll(() => page.evaluate(async () => (await (await caches.open('cairn-engine')).keys()).length), { timeout: 90_000 }).toBe(1);
    await page.waitForTimeout(1000);
    const wire = await traffic.wireBytes();
    console.log(`Flights cold open: ${(wire / 1e6).toFixed(1)} MB over the wire, ${traffic.urls.length} requests, cells done in ${ms} ms; biggest: ${(await traffic.biggest(6)).join(', ')}`);
    expect(duckdbWasm(traffic.urls)).toHaveLength(1);
    const heavy = await heavyCode(traffic.urls, traffic.bodies);
    // The detectors the next test relies on do see the notebook page's own code…
    for (const name of ['duckdb', 'codemirror', 'plot']) expect(heavy.some((h) => h.startsWith(`${name}:`)), name).toBe(true);
    // …and Flights reads Arrow and CSV samples: parquet-wasm (JS and wasm) is not fetched.
    expect(heavy.filter((h) => h.startsWith('parquet:'))).toEqual([]);
    expect(wasmEncodings).toEqual(['br']);
    expect(wire).toBeLessThan(30e6);

    // Opened again, the hashed assets come from the browser's cache (immutable for a year).
    const again = recordTraffic(page);
    await page.reload();
    await page.waitForSelector('[data-ready="true"]');
    await expect.poll(() => page.locator('[data-cell-name="delay_by_hour"]').getAttribute('data-status'), { timeout: 90_000, interval: 200 }).toBe('done');
    await page.waitForTimeout(1000);
    const warm = await again.wireBytes();
    console.log(`Flights warm open: ${(warm / 1e6).toFixed(2)} MB over the wire; biggest: ${(await again.biggest(4)).join(', ')}`);
    expect(warm).toBeLessThan(2e6);
  });

  it('the notebook list and the login page fetch no editor, engine or chart code', async () => {
    const { page } = await app.userPage('list@example.com', 'List');
    const list = recordTraffic(page);
    await page.goto(`${app.srv.base}/`);
    await page.waitForLoadState('networkidle');
    expect(list.urls.some((u) => /\/_app\/immutable\/.*\.js$/.test(u))).toBe(true);
    expect(await heavyCode(list.urls, list.bodies)).toEqual([]);

    const anonymous = await app.newPage();
    const login = recordTraffic(anonymous);
    await anonymous.goto(`${app.srv.base}/login`);
    await anonymous.waitForLoadState('networkidle');
    expect(login.urls.some((u) => /\/_app\/immutable\/.*\.js$/.test(u))).toBe(true);
    expect(await heavyCode(login.urls, login.bodies)).toEqual([]);
  });
});
