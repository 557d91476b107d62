import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshotPath } from '../support/browser.js';
import { useApp } from '../support/e2e.js';
import { connectClient, synced } from '../support/yclient.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { insertCell } from '../../src/lib/doc/index.js';

/**
 * Server cells in the browser: a Postgres cell, a second Postgres cell composed with it on
 * the warehouse, a browser cell joining that result with a bundled sample, and a chart;
 * reopening shows the cached results; a server cell reading a sample says why it cannot.
 */
describe('server cells in Chromium', () => {
  const app = useApp();
  let warehouse: TestDatabase;
  let owner: { page: Page; token: string };
  let connectionId = '';

  beforeAll(async () => {
    warehouse = await createTestDatabase();
    const c = new pg.Client({ connectionString: warehouse.url });
    await c.connect();
    await c.query(`create table targets (origin text, target int);
      insert into targets values ('LAX', 10), ('SFO', 12), ('SEA', 5), ('JFK', 20), ('XXX', 99)`);
    await c.end();
  });
  afterAll(async () => {
    await warehouse?.drop();
  });

  const status = (page: Page, name: string) => page.locator(`[data-cell-name="${name}"]`).getAttribute('data-status');
  const output = (page: Page, name: string) => page.locator(`[data-cell-name="${name}"] .output`).innerText();
  /** Waits for a status; a cell that settled on another one fails with what it shows. */
  const waitStatus = async (page: Page, name: string, want: string, timeout = 60_000) => {
    await expect
      .poll(
        async () => {
          const now = await status(page, name);
          if (now !== want && (now === 'error' || now === 'blocked')) return `${now}: ${await output(page, name)}`;
          return now;
        },
        { timeout, interval: 200 }
      )
      .toBe(want);
  };

  it('a Postgres cell feeds a browser cell that joins the airports sample, and a chart; reopening reads the cache', async () => {
    owner = await app.userPage('owner@example.com', 'Owner');
    const { page, token } = owner;
    const url = new URL(warehouse.url);
    const created = await page.request.post(`${app.srv.base}/api/connections`, {
      // The test server's `postgres` is a superuser: the risk is accepted explicitly.
      data: {
        name: 'Warehouse',
        kind: 'postgres',
        config: { host: url.hostname, port: Number(url.port), database: url.pathname.slice(1), user: url.username },
        options: { acceptPrivilegedAccount: true }
      }
    });
    expect(created.status()).toBe(201);
    connectionId = (await created.json()).id as string;
    const { id } = await (await page.request.post(`${app.srv.base}/api/notebooks`, { data: { title: 'Warehouse' } })).json();

    const script = connectClient(app.srv.ws, id, token);
    await synced(script);
    insertCell(script.doc, { kind: 'sql', name: 'targets_all', engine: connectionId, source: 'select origin, target from targets' });
    insertCell(script.doc, { kind: 'sql', name: 'strict', engine: connectionId, source: 'select origin, target from targets_all where target <= 12 order by origin' });
    insertCell(script.doc, {
      kind: 'sql',
      name: 'joined',
      source: 'select s.origin, s.target, a.city, a.state from strict s join airports a on a.iata = s.origin order by s.origin'
    });
    insertCell(script.doc, { kind: 'chart', name: 'target_chart', config: { source: 'joined', mark: 'bar', x: 'origin', y: 'target', aggregate: 'sum' } });
    insertCell(script.doc, { kind: 'sql', name: 'wrong', engine: connectionId, source: 'select count(*) from flights_200k' });
    await new Promise((r) => setTimeout(r, 200));
    script.destroy();

    await page.goto(`${app.srv.base}/n/${id}`);
    await page.waitForSelector('[data-ready="true"]');
    for (const name of ['targets_all', 'strict', 'joined', 'target_chart']) await waitStatus(page, name, 'done');
    expect(await output(page, 'strict')).toMatch(/3 rows/);
    const joined = await output(page, 'joined');
    // Postgres rows joined with the bundled airports sample in the browser.
    expect(joined).toMatch(/3 rows/);
    expect(joined).toMatch(/Los Angeles/);
    expect(joined).toMatch(/Seattle/);
    expect(joined).not.toMatch(/New York/);
    expect(await page.locator('[data-cell-name="target_chart"] svg rect').count()).toBeGreaterThanOrEqual(3);
    await waitStatus(page, 'wrong', 'error');
    expect(await output(page, 'wrong')).toMatch(/flights_200k is a bundled sample/);
    await page.screenshot({ path: screenshotPath('e2e-server-cells'), fullPage: true });

    // The composed query ran on the warehouse: `strict` carried `targets_all` as a CTE.
    const runs = (await (await page.request.get(`${app.srv.base}/api/runs?notebookId=${id}`)).json()).runs as Array<{ sql: string; cache: string; cellId: string }>;
    const strictRun = runs.find((r) => r.sql.includes('where target <= 12'))!;
    expect(strictRun.sql).toMatch(/^with "targets_all" as \(/);
    const missesBefore = runs.filter((r) => r.cache === 'miss').length;

    // Reopening shows the cached results (no new query on the warehouse).
    await page.reload();
    await page.waitForSelector('[data-ready="true"]');
    await waitStatus(page, 'strict', 'done');
    await waitStatus(page, 'joined', 'done');
    expect(await output(page, 'strict')).toMatch(/from cache/);
    const after = (await (await page.request.get(`${app.srv.base}/api/runs?notebookId=${id}`)).json()).runs as Array<{ cache: string }>;
    expect(after.filter((r) => r.cache === 'miss').length).toBe(missesBefore);
    expect(after.length).toBeGreaterThan(runs.length);
  });

  it('Cancel on a running server cell stops the query on the database', async () => {
    const { page, token } = owner;
    const { id } = await (await page.request.post(`${app.srv.base}/api/notebooks`, { data: { title: 'Slow' } })).json();
    const script = connectClient(app.srv.ws, id, token);
    await synced(script);
    insertCell(script.doc, { kind: 'sql', name: 'slow', engine: connectionId, source: 'select pg_sleep(30) as slept' });
    await new Promise((r) => setTimeout(r, 200));
    script.destroy();

    await page.goto(`${app.srv.base}/n/${id}`);
    await page.waitForSelector('[data-ready="true"]');
    await waitStatus(page, 'slow', 'running');
    await expect.poll(() => output(page, 'slow'), { timeout: 10_000 }).toMatch(/running on the warehouse/);
    const sleeping = async () => {
      const c = new pg.Client({ connectionString: warehouse.url });
      await c.connect();
      try {
        return (await c.query(`select count(*)::int as n from pg_stat_activity where query like '%pg_sleep(30)%' and state = 'active' and pid <> pg_backend_pid()`)).rows[0].n as number;
      } finally {
        await c.end();
      }
    };
    expect(await sleeping()).toBe(1);
    await page.locator('[data-cell-name="slow"]').getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => status(page, 'slow'), { timeout: 10_000 }).not.toBe('running');
    await expect.poll(sleeping, { timeout: 5_000 }).toBe(0);
    const runs = (await (await page.request.get(`${app.srv.base}/api/runs?notebookId=${id}`)).json()).runs as Array<{ status: string }>;
    expect(runs[0].status).toBe('canceled');
  });

  it('a server DuckDB cell over flights_3m streams into the grid with a live count, and stops at the row limit', async () => {
    const { page, token } = owner;
    const created = await page.request.post(`${app.srv.base}/api/connections`, {
      data: { name: 'Server DuckDB', kind: 'duckdb', config: {}, options: { rowLimit: 400_000 } }
    });
    expect(created.status()).toBe(201);
    const duck = (await created.json()).id as string;
    const { id } = await (await page.request.post(`${app.srv.base}/api/notebooks`, { data: { title: 'Big' } })).json();
    const script = connectClient(app.srv.ws, id, token);
    await synced(script);
    insertCell(script.doc, { kind: 'sql', name: 'all_flights', engine: duck, source: 'select * from flights_3m' });
    await new Promise((r) => setTimeout(r, 200));
    script.destroy();

    // The live count can be brief on a fast machine: record every status line the page shows.
    await page.addInitScript(() => {
      const seen: string[] = ((window as unknown as { __statuses: string[] }).__statuses = []);
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[data-cell-name="all_flights"] [role="status"]')) {
          const text = el.textContent ?? '';
          if (seen[seen.length - 1] !== text) seen.push(text);
        }
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await page.goto(`${app.srv.base}/n/${id}`);
    await page.waitForSelector('[data-ready="true"]');
    await waitStatus(page, 'all_flights', 'done', 120_000);
    expect(await output(page, 'all_flights')).toMatch(/truncated at 400,000 rows/);
    // Rows showed, with a growing count, before the rest had arrived.
    const statuses = await page.evaluate(() => (window as unknown as { __statuses: string[] }).__statuses);
    const counts = statuses.map((t) => /([\d,]+) rows so far/.exec(t)?.[1]).filter((c): c is string => !!c).map((c) => Number(c.replace(/,/g, '')));
    expect(counts.length).toBeGreaterThan(0);
    expect(Math.min(...counts)).toBeLessThan(400_000);
    await page.screenshot({ path: screenshotPath('e2e-server-streaming') });
  });
});
