import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshotPath } from '../support/browser.js';
import { useApp } from '../support/e2e.js';
import { connectClient, synced } from '../support/yclient.js';
import * as Y from 'yjs';
import { cellsOf, insertCell } from '../../src/lib/doc/index.js';

/**
 * Cells compute in the browser: SQL on DuckDB-WASM over the bundled samples, a SQL cell
 * reading another by name, a JS cell reading a SQL result, a chart; an edit re-runs what
 * depends on it, and a second browser computes the same numbers.
 */
describe('running a notebook in Chromium', () => {
  const app = useApp();

  const userPage = (email: string, name: string) => app.userPage(email, name, { width: 1280, height: 1000 });

  const status = (page: Page, name: string) => page.locator(`[data-cell-name="${name}"]`).getAttribute('data-status');
  const waitDone = (page: Page, name: string, timeout = 60_000) => expect.poll(() => status(page, name), { timeout, interval: 200 }).toBe('done');
  const output = (page: Page, name: string) => page.locator(`[data-cell-name="${name}"] .output`).innerText();

  it('the Flights sample computes when it opens: SQL, JS and charts', async () => {
    const { page } = await userPage('ana@example.com', 'Ana');
    const list = await (await page.request.get(`${app.srv.base}/api/notebooks`)).json();
    const flights = list.notebooks.find((n: { title: string }) => n.title === 'Flights');
    await page.goto(`${app.srv.base}/n/${flights.id}`);
    await page.waitForSelector('[data-ready="true"]');
    await waitDone(page, 'by_hour');
    await waitDone(page, 'worst_hour');
    await waitDone(page, 'delay_by_hour');
    expect(await page.locator('[data-cell-name="delay_by_hour"] svg path, [data-cell-name="delay_by_hour"] svg line').count()).toBeGreaterThan(0);
    expect(await output(page, 'worst_hour')).toMatch(/Worst hour to fly: \d+:00/);
    // Sorting the grid runs SQL over the cell's table: the fewest flights come first.
    const grid = page.locator('[data-cell-name="by_hour"] [role="grid"]');
    await grid.locator('[role="columnheader"]', { hasText: 'flights' }).locator('button').click();
    await expect.poll(() => grid.locator('[role="columnheader"][aria-sort="ascending"]').count()).toBe(1);
    // The results were painted from the server; sorting waits for the engine starting behind them.
    await expect.poll(() => grid.locator('.row.data').first().locator('[role="gridcell"]').nth(1).innerText(), { timeout: 60_000 }).toBe('11');
    await page.screenshot({ path: screenshotPath('e2e-flights-run'), fullPage: true });
  });

  it('dependent cells re-run on an edit, and a second browser computes the same numbers', async () => {
    const ana = await userPage('ana2@example.com', 'Ana Two');
    const bob = await userPage('bob2@example.com', 'Bob Two');
    const created = await ana.page.request.post(`${app.srv.base}/api/notebooks`, { data: { title: 'Runs' } });
    const { id } = await created.json();
    // The cells arrive the way any y-websocket client would add them.
    const script = connectClient(app.srv.ws, id, ana.token);
    await synced(script);
    insertCell(script.doc, { kind: 'sql', name: 'late', source: 'select count(*) as n from flights_200k where delay > 60' });
    insertCell(script.doc, { kind: 'sql', name: 'half', source: 'select n / 2 as h from late' });
    insertCell(script.doc, { kind: 'js', name: 'twice', source: 'const h = half.getChild("h").get(0);\n`twice: ${h * 4}`' });
    insertCell(script.doc, { kind: 'chart', name: 'delays', config: { source: 'flights_200k', mark: 'bar', x: 'delay', bin: 20, aggregate: 'count' } });
    await new Promise((r) => setTimeout(r, 200));
    script.destroy();

    for (const { page } of [ana, bob]) {
      await page.goto(`${app.srv.base}/n/${id}`);
      await page.waitForSelector('[data-ready="true"]');
    }
    for (const { page } of [ana, bob]) for (const name of ['late', 'half', 'twice', 'delays']) await waitDone(page, name);
    const before = await output(ana.page, 'twice');
    const n = Number(/twice: (\d+)/.exec(before)![1]) / 2;
    expect(n).toBeGreaterThan(1000);
    expect(await output(bob.page, 'twice')).toContain(`twice: ${n * 2}`);
    expect(await ana.page.locator('[data-cell-name="delays"] svg rect').count()).toBeGreaterThan(5);

    // Ana edits the first cell and runs it; its dependents go stale, then re-run, in both browsers.
    const editor = ana.page.locator('[data-cell-name="late"] .cm-content');
    await editor.click();
    await ana.page.keyboard.press('Control+End');
    for (let i = 0; i < 2; i++) await ana.page.keyboard.press('Backspace');
    await ana.page.keyboard.type('0'); // delay > 60 → delay > 0
    await expect.poll(() => status(ana.page, 'twice')).toBe('stale');
    await ana.page.keyboard.press('Shift+Enter');
    for (const { page } of [ana, bob]) {
      await expect.poll(() => output(page, 'twice'), { timeout: 30_000 }).not.toContain(`twice: ${n * 2}`);
      await waitDone(page, 'twice');
    }
    const after = Number(/twice: (\d+)/.exec(await output(ana.page, 'twice'))![1]) / 2;
    expect(after).toBeGreaterThan(n);
    expect(await output(bob.page, 'twice')).toContain(`twice: ${after * 2}`);
    expect(await output(bob.page, 'late')).toMatch(/run by Ana Two/);
    await ana.page.screenshot({ path: screenshotPath('e2e-runs-ana'), fullPage: true });
  });

  it('a failing cell shows its error and blocks only its dependents', async () => {
    const { page, token } = await userPage('eve@example.com', 'Eve');
    const { id } = await (await page.request.post(`${app.srv.base}/api/notebooks`, { data: { title: 'Errors' } })).json();
    const script = connectClient(app.srv.ws, id, token);
    await synced(script);
    insertCell(script.doc, { kind: 'sql', name: 'broken', source: 'select nope from flights_200k' });
    insertCell(script.doc, { kind: 'sql', name: 'after', source: 'select * from broken' });
    insertCell(script.doc, { kind: 'sql', name: 'fine', source: 'select 1 as one' });
    insertCell(script.doc, { kind: 'js', name: 'a', source: 'b + 1' });
    insertCell(script.doc, { kind: 'js', name: 'b', source: 'a + 1' });
    await new Promise((r) => setTimeout(r, 200));
    script.destroy();
    await page.goto(`${app.srv.base}/n/${id}`);
    await page.waitForSelector('[data-ready="true"]');
    await expect.poll(() => status(page, 'broken'), { timeout: 60_000 }).toBe('error');
    expect(await output(page, 'broken')).toMatch(/nope/);
    // The editor underlines where DuckDB says the error is.
    await expect.poll(() => page.locator('[data-cell-name="broken"] .cm-cairn-error').textContent()).toBe('nope');
    await expect.poll(() => status(page, 'after')).toBe('blocked');
    await waitDone(page, 'fine');
    expect(await status(page, 'a')).toBe('error');
    expect(await output(page, 'a')).toMatch(/circular/i);
  });

  it('an empty cell is idle, and a collaborator\'s edit marks a cell stale on every screen, errors included', async () => {
    const ana = await userPage('ivy@example.com', 'Ivy');
    const bob = await userPage('jon@example.com', 'Jon');
    const { id } = await (await ana.page.request.post(`${app.srv.base}/api/notebooks`, { data: { title: 'Edits' } })).json();
    const script = connectClient(app.srv.ws, id, ana.token);
    await synced(script);
    const draft = insertCell(script.doc, { kind: 'sql', name: 'draft', source: '' });
    const broken = insertCell(script.doc, { kind: 'sql', name: 'broken', source: 'select nope from flights_200k' });
    insertCell(script.doc, { kind: 'sql', name: 'fine', source: 'select 1 as one' });
    insertCell(script.doc, { kind: 'sql', name: 'reads_draft', source: 'select * from draft' });
    await new Promise((r) => setTimeout(r, 200));
    for (const { page } of [ana, bob]) {
      await page.goto(`${app.srv.base}/n/${id}`);
      await page.waitForSelector('[data-ready="true"]');
    }
    for (const { page } of [ana, bob]) {
      await waitDone(page, 'fine');
      await expect.poll(() => status(page, 'broken'), { timeout: 60_000 }).toBe('error');
      // Nothing to run: no "no statements" error, no run at all.
      expect(await status(page, 'draft')).toBe('idle');
      expect(await page.locator('[data-cell-name="draft"]').innerText()).not.toMatch(/statement|error/i);
      await expect.poll(() => status(page, 'reads_draft')).toBe('blocked');
      expect(await page.locator('[data-cell-name="reads_draft"]').innerText()).toMatch(/Blocked by draft, which is empty/);
    }
    await ana.page.screenshot({ path: screenshotPath('e2e-empty-cell'), fullPage: true });
    // A collaborator (a plain y-websocket client) fixes the broken cell and types into the empty one.
    const text = (cellId: string) => cellsOf(script.doc).get(cellId)!.get('source') as Y.Text;
    script.doc.transact(() => {
      const source = text(broken);
      source.delete(0, source.length);
      source.insert(0, 'select 2 as two');
      text(draft).insert(0, 'select 3 as three');
    });
    for (const { page } of [ana, bob]) {
      await expect.poll(() => status(page, 'broken'), { timeout: 10_000 }).toBe('stale');
      expect(await status(page, 'draft')).toBe('idle');
    }
    script.destroy();
  });

  it('a JS cell gets nothing usable from the app: no cookie, no storage, no authenticated API', async () => {
    const { page, token } = await userPage('mallory@example.com', 'Mallory');
    const { id } = await (await page.request.post(`${app.srv.base}/api/notebooks`, { data: { title: 'Secret plans' } })).json();
    const script = connectClient(app.srv.ws, id, token);
    await synced(script);
    insertCell(script.doc, {
      kind: 'js',
      name: 'probe',
      source: [
        'const out = {};',
        'try { out.cookie = document.cookie || "(empty)"; } catch (e) { out.cookie = "threw " + e.name; }',
        'try { out.storage = localStorage.length; } catch (e) { out.storage = "threw " + e.name; }',
        'try { const r = await fetch("/api/notebooks", { credentials: "include" }); out.api = r.status + " " + (await r.text()).slice(0, 200); } catch (e) { out.api = "threw " + e.name; }',
        'Object.entries(out).map(([k, v]) => `${k}=${v}`).join(" | ")'
      ].join('\n')
    });
    await new Promise((r) => setTimeout(r, 200));
    script.destroy();
    await page.goto(`${app.srv.base}/n/${id}`);
    await page.waitForSelector('[data-ready="true"]');
    await waitDone(page, 'probe');
    const seen = await output(page, 'probe');
    expect(seen).toContain('cookie=threw SecurityError');
    expect(seen).toContain('storage=threw SecurityError');
    expect(seen).toContain('api=threw TypeError');
    expect(seen).not.toContain('Secret plans');
  });
});
