import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshotPath } from '../support/browser.js';
import { useApp } from '../support/e2e.js';
import { connectClient, synced } from '../support/yclient.js';

/**
 * Adding data: a CSV uploaded through the Data panel becomes a file of the notebook (in
 * its `files` map) and a SQL cell reading it; a collaborator sees the file and computes
 * the same rows from the bytes fetched by hash; a file Cairn cannot read is refused with
 * a clear message and records nothing; dropping a file on the page adds it too.
 */
describe('adding data in Chromium', () => {
  const app = useApp();
  const CSV = 'region,product,amount\nnorth,apples,12\nsouth,pears,7\neast,plums,30\nwest,figs,4\nnorth,kiwis,19\n';

  const userPage = (email: string, name: string) => app.userPage(email, name);

  const cell = (page: Page, name: string) => page.locator(`[data-cell-name="${name}"]`);
  const status = (page: Page, name: string) => cell(page, name).getAttribute('data-status');
  const waitDone = (page: Page, name: string, timeout = 60_000) => expect.poll(() => status(page, name), { timeout, interval: 200 }).toBe('done');
  const dataPanel = (page: Page) => page.getByRole('complementary', { name: 'Data' });

  async function openDataPanel(page: Page) {
    const toggle = page.getByRole('button', { name: 'Data', exact: true });
    if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
    await dataPanel(page).waitFor();
  }

  /** The notebook's `files` map and cell names as an outside y-websocket client reads them. */
  async function readDoc(id: string, token: string): Promise<{ files: Record<string, { hash: string; name: string; size: number; type: string }>; names: string[] }> {
    const client = connectClient(app.srv.ws, id, token);
    try {
      await synced(client);
      const files = client.doc.getMap('files').toJSON();
      const names = [...client.doc.getMap<{ get(k: string): unknown }>('cells').values()].map((c) => String(c.get('name')));
      return { files, names };
    } finally {
      client.destroy();
    }
  }

  it('uploads a CSV, shares it with a collaborator, and refuses a file it cannot read', async () => {
    const ana = await userPage('ana@example.com', 'Ana');
    const bob = await userPage('bob@example.com', 'Bob');
    const { id } = await (await ana.page.request.post(`${app.srv.base}/api/notebooks`, { data: { title: 'Sales' } })).json();
    for (const { page } of [ana, bob]) {
      await page.goto(`${app.srv.base}/n/${id}`);
      await page.waitForSelector('[data-ready="true"]');
    }

    // Ana adds a CSV through the panel's file input.
    await openDataPanel(ana.page);
    await ana.page.locator('input[type="file"][data-testid="data-file-input"]').setInputFiles({ name: 'sales.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await cell(ana.page, 'query1').waitFor({ timeout: 30_000 });
    await waitDone(ana.page, 'query1');
    expect(await cell(ana.page, 'query1').locator('.output').innerText()).toMatch(/\b5 rows\b/);
    expect(await cell(ana.page, 'query1').locator('[role="grid"] .row.data').count()).toBe(5);
    expect(await cell(ana.page, 'query1').locator('[role="grid"]').innerText()).toContain('plums');
    await expect.poll(() => dataPanel(ana.page).locator('[data-table-name="sales"]').count()).toBe(1);

    const doc = await readDoc(id, ana.token);
    expect(Object.keys(doc.files)).toEqual(['sales']);
    expect(doc.files.sales).toMatchObject({ name: 'sales.csv', size: CSV.length });
    expect(doc.files.sales.hash).toMatch(/\w{16,}/);

    // Bob's open copy sees the file in his Data panel and computes the same rows from the bytes fetched by hash.
    await openDataPanel(bob.page);
    const bobFile = dataPanel(bob.page).locator('[data-table-name="sales"]');
    await bobFile.waitFor({ timeout: 15_000 });
    expect(await bobFile.innerText()).toContain('sales.csv');
    await waitDone(bob.page, 'query1');
    expect(await cell(bob.page, 'query1').locator('.output').innerText()).toMatch(/\b5 rows\b/);
    expect(await cell(bob.page, 'query1').locator('[role="grid"] .row.data').count()).toBe(5);

    // Expanding the file lists its columns and types (lazily, from the engine's schema).
    await bobFile.getByRole('button', { name: 'Columns of sales' }).click();
    const columns = bobFile.getByRole('list', { name: 'Columns of sales' });
    await columns.waitFor({ timeout: 30_000 });
    const columnText = await columns.innerText();
    for (const c of ['region', 'product', 'amount']) expect(columnText).toContain(c);
    expect(columnText.toLowerCase()).toMatch(/bigint|integer/);
    await bob.page.screenshot({ path: screenshotPath('e2e-data-panel-light') });

    // A file Cairn cannot read: a clear message, nothing recorded.
    const cellsBefore = await ana.page.locator('[data-cell-id]').count();
    await ana.page.locator('input[data-testid="data-file-input"]').setInputFiles({ name: 'notes.docx', mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', buffer: Buffer.from('PK\u0003\u0004 not really a docx') });
    const alert = dataPanel(ana.page).getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/notes\.docx is not a file Cairn can read/);
    await new Promise((r) => setTimeout(r, 500));
    expect(await ana.page.locator('[data-cell-id]').count()).toBe(cellsBefore);
    const after = await readDoc(id, ana.token);
    expect(Object.keys(after.files)).toEqual(['sales']);
    expect(after.names).toEqual(doc.names);
    await ana.page.screenshot({ path: screenshotPath('e2e-data-error') });
  });

  it('dropping a file on the page adds it, with a "Drop to add data" overlay while dragging', async () => {
    const { page, token } = await userPage('eve@example.com', 'Eve');
    const { id } = await (await page.request.post(`${app.srv.base}/api/notebooks`, { data: { title: 'Dropped' } })).json();
    await page.goto(`${app.srv.base}/n/${id}`);
    await page.waitForSelector('[data-ready="true"]');
    await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'));

    // Playwright cannot drag from the desktop; the page gets the same events a real drag sends.
    const drag = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['city,temp\nOslo,4\nLima,19\nPerth,24\n'], 'weather today.csv', { type: 'text/csv' }));
      return dt;
    });
    await page.evaluate((dt) => document.querySelector('main')!.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true })), drag);
    const overlay = page.getByTestId('drop-overlay');
    await overlay.waitFor();
    expect(await overlay.innerText()).toContain('Drop to add data');
    await page.screenshot({ path: screenshotPath('e2e-data-drop-dark') });
    await page.evaluate((dt) => document.querySelector('[data-testid="drop-overlay"]')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true })), drag);
    await overlay.waitFor({ state: 'detached' });

    await cell(page, 'query1').waitFor({ timeout: 30_000 });
    await waitDone(page, 'query1');
    expect(await cell(page, 'query1').locator('.output').innerText()).toMatch(/\b3 rows\b/);
    expect(Object.keys((await readDoc(id, token)).files)).toEqual(['weather_today']);
    await dataPanel(page).locator('[data-table-name="weather_today"]').waitFor();
    await page.screenshot({ path: screenshotPath('e2e-data-panel-dark') });

    // Table names never take a cell's or a sample's name.
    await page.locator('input[data-testid="data-file-input"]').setInputFiles([
      { name: 'query1.csv', mimeType: 'text/csv', buffer: Buffer.from('x\n1\n') },
      { name: 'airports.csv', mimeType: 'text/csv', buffer: Buffer.from('code\nOSL\n') }
    ]);
    await waitDone(page, 'query3');
    const named = await readDoc(id, token);
    expect(Object.keys(named.files).sort()).toEqual(['airports_2', 'query1_2', 'weather_today']);
    expect(await cell(page, 'query3').locator('.cm-content').innerText()).toBe('select * from airports_2');
    await page.getByRole('button', { name: /^Close data panel$/ }).click();
    await page.getByRole('button', { name: 'Data', exact: true }).click();

    // Removing the file asks first, then deletes the map entry for everyone.
    const entry = dataPanel(page).locator('[data-table-name="weather_today"]');
    await entry.hover();
    await entry.getByRole('button', { name: 'Remove weather_today' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await entry.waitFor({ state: 'detached' });
    expect(Object.keys((await readDoc(id, token)).files).sort()).toEqual(['airports_2', 'query1_2']);
  });
});
