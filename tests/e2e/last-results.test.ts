import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshotPath } from '../support/browser.js';
import { useApp } from '../support/e2e.js';
import { connectClient, synced } from '../support/yclient.js';
import { insertCell } from '../../src/lib/doc/index.js';

/**
 * Opening a notebook paints the server's last results before the page's engine starts,
 * refreshes a stale one behind it, keeps the engine's files in Cache Storage, and never
 * shows one person's browser result to another as fact.
 */
describe('last results on open, in Chromium', () => {
  const app = useApp();
  /** The instance's first account (its admin), signed up by whichever test needs it first. */
  let owner: ReturnType<typeof app.userPage> | null = null;
  const ownerPage = () => (owner ??= app.userPage('owner@example.com', 'Owner'));

  /**
   * Records, in the page's own timeline, each cell's first painted result (`painted:name`,
   * a done cell with a grid row or a chart's SVG) and each DuckDB worker the page starts
   * (`engine`); every `data-status` a watched cell takes goes to `statuses`.
   */
  function watchOpen(): void {
    const w = window as unknown as { __open: { events: string[]; statuses: Record<string, string[]> } };
    const log = (w.__open = { events: [] as string[], statuses: {} as Record<string, string[]> });
    const NativeWorker = window.Worker;
    window.Worker = class extends NativeWorker {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        log.events.push('engine');
      }
    };
    const painted = new Set<string>();
    const check = () => {
      for (const cell of document.querySelectorAll('[data-cell-name]')) {
        const name = cell.getAttribute('data-cell-name') ?? '';
        const status = cell.getAttribute('data-status') ?? '';
        const seen = (log.statuses[name] ??= []);
        if (seen[seen.length - 1] !== status) seen.push(status);
        if (painted.has(name) || status !== 'done') continue;
        if (cell.querySelector('.result .plot svg, .result-grid .data, .result table tbody tr')) {
          painted.add(name);
          log.events.push(`painted:${name}`);
        }
      }
    };
    new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
  }

  const events = (page: Page) => page.evaluate(() => (window as unknown as { __open: { events: string[] } }).__open.events);
  const statuses = (page: Page, name: string) => page.evaluate((n) => (window as unknown as { __open: { statuses: Record<string, string[]> } }).__open.statuses[n] ?? [], name);
  const status = (page: Page, name: string) => page.locator(`[data-cell-name="${name}"]`).getAttribute('data-status');
  const statusLine = (page: Page, name: string) => page.locator(`[data-cell-name="${name}"] [role="status"]`).innerText();
  const engineWasm = (urls: string[]) => urls.filter((u) => /\/duckdb-eh[^/]*\.wasm(\?|$)/.test(u));

  async function flightsId(page: Page): Promise<string> {
    const list = await (await page.request.get(`${app.srv.base}/api/notebooks`)).json();
    return list.notebooks.find((n: { title: string }) => n.title === 'Flights').id;
  }

  it('the Flights sample paints every SQL and chart result before its engine starts, then the engine takes over without re-running them', async () => {
    await ownerPage();
    const { page } = await app.userPage('paint@example.com', 'Paint', { width: 1280, height: 1000 });
    const id = await flightsId(page);
    await page.addInitScript(watchOpen);
    await page.goto(`${app.srv.base}/n/${id}`);
    const painted = ['by_hour', 'delay_by_hour', 'by_distance', 'airports_by_state', 'airports_chart'];
    await expect.poll(async () => (await events(page)).filter((e) => e.startsWith('painted:')).length, { timeout: 90_000, interval: 100 }).toBe(painted.length);
    // The engine starts in the background once the results are on screen: both of its workers.
    await expect.poll(async () => (await events(page)).filter((e) => e === 'engine').length, { timeout: 60_000, interval: 100 }).toBe(2);
    const log = await events(page);
    const firstEngine = log.indexOf('engine');
    for (const name of painted) expect(log.indexOf(`painted:${name}`), `${name} painted before the engine started: ${log.join(' ')}`).toBeLessThan(firstEngine);
    expect(await statusLine(page, 'by_hour')).toMatch(/computed .* on the server/);
    // The JS cell ran in its sandbox on the painted by_hour.
    await expect.poll(() => status(page, 'worst_hour'), { timeout: 30_000 }).toBe('done');
    expect(await page.locator('[data-cell-name="worst_hour"] .output').innerText()).toMatch(/Worst hour to fly: \d+:00/);
    // The engine's wasm is downloaded (and kept for the next visit) and the engine up; the
    // painted cells kept their results under the same keys: never another status.
    await expect.poll(() => page.evaluate(async () => (await (await caches.open('cairn-engine')).keys()).length), { timeout: 60_000 }).toBe(1);
    await page.waitForTimeout(3000);
    for (const name of painted) {
      const seen = await statuses(page, name);
      // Rendered from the document first (idle), then painted: done from then on.
      expect(seen.slice(seen.indexOf('done')), name).toEqual(['done']);
    }
    await page.screenshot({ path: screenshotPath('last-results-flights'), fullPage: false });
  });

  it('a repeat visit takes the engine’s wasm from Cache Storage, even with the HTTP cache emptied', async () => {
    await ownerPage();
    const { page } = await app.userPage('repeat@example.com', 'Repeat');
    const id = await flightsId(page);
    await page.addInitScript(watchOpen);
    const first: string[] = [];
    page.on('request', (r) => first.push(r.url()));
    await page.goto(`${app.srv.base}/n/${id}`);
    await expect.poll(async () => (await events(page)).filter((e) => e === 'engine').length, { timeout: 90_000, interval: 100 }).toBe(2);
    // Downloaded once, and kept under its hashed URL.
    await expect.poll(() => page.evaluate(async () => (await (await caches.open('cairn-engine')).keys()).length), { timeout: 60_000 }).toBe(1);
    expect(engineWasm(first)).toHaveLength(1);
    const kept = await page.evaluate(async () => (await (await caches.open('cairn-engine')).keys()).map((r) => new URL(r.url).pathname));
    expect(kept).toEqual([new URL(engineWasm(first)[0]).pathname]);

    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    const again: string[] = [];
    page.removeAllListeners('request');
    page.on('request', (r) => again.push(r.url()));
    await page.reload();
    await expect.poll(async () => (await events(page)).filter((e) => e === 'engine').length, { timeout: 90_000, interval: 100 }).toBe(2);
    // The engine started from the cached wasm answers queries: a cell run here.
    const cell = page.locator('[data-cell-name="by_hour"]');
    await cell.getByRole('button', { name: 'Run cell' }).click();
    await expect.poll(() => cell.locator('[role="status"]').innerText(), { timeout: 60_000 }).not.toMatch(/on the server/);
    // The app's own files came over the network again; the engine's 34 MB did not.
    expect(engineWasm(again)).toEqual([]);
    expect(again.some((u) => u.includes('/_app/immutable/'))).toBe(true);
  });

  it('a stale server result is painted at once, refreshed behind it, and swapped in place', async () => {
    const { page, token } = await ownerPage();
    const created = await page.request.post(`${app.srv.base}/api/connections`, { data: { name: 'Server DuckDB', kind: 'duckdb', config: {} } });
    expect(created.status()).toBe(201);
    const connectionId = (await created.json()).id as string;
    const { id } = await (await page.request.post(`${app.srv.base}/api/notebooks`, { data: { title: 'Stale' } })).json();
    const script = connectClient(app.srv.ws, id, token);
    await synced(script);
    const cellId = insertCell(script.doc, { kind: 'sql', name: 'clock', engine: connectionId, source: 'select epoch_ms(now())::bigint as ms' });
    script.doc.getMap<import('yjs').Map<unknown>>('cells').get(cellId)!.set('ttl', 1);
    await new Promise((r) => setTimeout(r, 200));
    script.destroy();

    // Computed once on its connection, as an editor's page runs it.
    const first = await page.request.post(`${app.srv.base}/api/query`, { data: { connectionId, sql: 'select epoch_ms(now())::bigint as ms', notebookId: id, cellId } });
    expect(first.status()).toBe(200);
    const firstAt = first.headers()['x-cairn-result-at'];
    // The query service stores the result in the shared cache just after answering.
    await expect.poll(async () => (await page.request.get(`${app.srv.base}/api/notebooks/${id}/results/${cellId}`)).status(), { timeout: 10_000 }).toBe(200);
    await new Promise((r) => setTimeout(r, 1500)); // older than the cell's 1 s TTL

    await page.addInitScript(watchOpen);
    await page.goto(`${app.srv.base}/n/${id}`);
    const cell = page.locator('[data-cell-name="clock"]');
    await expect.poll(async () => (await events(page)).includes('painted:clock'), { timeout: 60_000, interval: 50 }).toBe(true);
    const paintedText = await cell.locator('.result-grid').innerText();
    // Then the refresh lands in the same grid: a newer clock.
    await expect.poll(async () => (await cell.locator('.result-grid').innerText()) !== paintedText, { timeout: 60_000, interval: 100 }).toBe(true);
    await expect.poll(() => status(page, 'clock')).toBe('done');
    const seen = await statuses(page, 'clock');
    expect(seen.slice(seen.indexOf('done'))).toEqual(['done']);
    await expect
      .poll(async () => Date.parse((await page.request.get(`${app.srv.base}/api/notebooks/${id}/results/${cellId}`)).headers()['x-cairn-result-at']), { timeout: 10_000 })
      .toBeGreaterThan(Date.parse(firstAt));
  });

  it('a result computed in one person’s browser is not shown to another as fact: they get the server’s', async () => {
    await ownerPage();
    const a = await app.userPage('alice@example.com', 'Alice');
    const b = await app.userPage('bob@example.com', 'Bob');
    const { id } = await (await a.page.request.post(`${app.srv.base}/api/notebooks`, { data: { title: 'Whose result' } })).json();
    const script = connectClient(app.srv.ws, id, a.token);
    await synced(script);
    // DuckDB-WASM and the server's DuckDB are different builds: the answer says who computed it.
    const cellId = insertCell(script.doc, { kind: 'sql', name: 'engine_version', source: 'select version() as v' });
    await new Promise((r) => setTimeout(r, 200));
    script.destroy();
    const serverVersion = (await (await a.page.request.get(`${app.srv.base}/api/notebooks/${id}/results/${cellId}`)).body()).toString('latin1').match(/v\d+\.\d+\.\d+/)?.[0];
    expect(serverVersion).toBeTruthy();

    // Alice runs it in her browser and sees her engine's answer.
    await a.page.goto(`${app.srv.base}/n/${id}`);
    const mine = a.page.locator('[data-cell-name="engine_version"]');
    await expect.poll(() => mine.getAttribute('data-status'), { timeout: 60_000 }).toBe('done');
    await mine.getByRole('button', { name: 'Run cell' }).click();
    await expect.poll(async () => (await mine.locator('.result-grid').innerText()).match(/v\d+\.\d+\.\d+/)?.[0], { timeout: 90_000, interval: 200 }).not.toBe(serverVersion);
    const browserVersion = (await mine.locator('.result-grid').innerText()).match(/v\d+\.\d+\.\d+/)![0];

    // Bob opens it: the server's answer, said to be the server's, never Alice's.
    await b.page.goto(`${app.srv.base}/n/${id}`);
    const his = b.page.locator('[data-cell-name="engine_version"]');
    await expect.poll(() => his.getAttribute('data-status'), { timeout: 60_000 }).toBe('done');
    const shown = await his.locator('.result-grid').innerText();
    expect(shown).toContain(serverVersion!);
    expect(shown).not.toContain(browserVersion);
    expect(await his.locator('[role="status"]').innerText()).toMatch(/on the server/);
  });
});
