import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshotPath } from '../support/browser.js';
import { useApp } from '../support/e2e.js';
import { connectClient, synced } from '../support/yclient.js';
import { insertCell, type NewCell } from '../../src/lib/doc/index.js';

/**
 * Input cells in Chromium (README.md, "Inputs"): each type's control, named by its label;
 * a SQL cell reading `$threshold` re-runs when the input changes, and a collaborator's
 * page shows the new value and the new result.
 */
describe('input cells in Chromium', () => {
  const app = useApp();
  /** The instance owner's API token (the first test's user): owners add connections. */
  let ownerToken = '';
  const userPage = (email: string, name: string) => app.userPage(email, name, { width: 1280, height: 1000 });
  const status = (page: Page, name: string) => page.locator(`[data-cell-name="${name}"]`).getAttribute('data-status');
  const waitStatus = (page: Page, name: string, want: string, timeout = 60_000) => expect.poll(() => status(page, name), { timeout, interval: 200 }).toBe(want);
  const firstValue = (page: Page, name: string) => page.locator(`[data-cell-name="${name}"] [role="grid"] .row.data`).first().locator('[role="gridcell"]').first().innerText();

  async function notebookWith(token: string, page: Page, title: string, cells: NewCell[]): Promise<string> {
    const created = await page.request.post(`${app.srv.base}/api/notebooks`, { data: { title } });
    const { id } = await created.json();
    // The cells arrive the way any y-websocket client would add them.
    const script = connectClient(app.srv.ws, id, token);
    await synced(script);
    for (const cell of cells) insertCell(script.doc, cell);
    await new Promise((r) => setTimeout(r, 200));
    script.destroy();
    return id;
  }

  async function open(page: Page, id: string): Promise<void> {
    await page.goto(`${app.srv.base}/n/${id}`);
    await page.waitForSelector('[data-ready="true"]');
  }

  it('renders every type of input, named by its label, and says what is wrong with a bad value', async () => {
    const { page, token } = await userPage('ana@example.com', 'Ana');
    ownerToken = token;
    const id = await notebookWith(token, page, 'Every input', [
      { kind: 'input', name: 'who', config: { type: 'text', label: 'Customer name', value: "O'Brien" } },
      { kind: 'input', name: 'limit_rows', config: { type: 'number', label: 'Row limit', value: 10, min: 1, max: 100 } },
      { kind: 'input', name: 'day', config: { type: 'date', label: 'Day', value: '2024-02-29' } },
      { kind: 'input', name: 'period', config: { type: 'daterange', label: 'Period', value: ['2024-01-01', '2024-03-31'] } },
      { kind: 'input', name: 'island', config: { type: 'select', label: 'Island', value: 'Biscoe', options: ['Biscoe', 'Dream', 'Torgersen'] } },
      { kind: 'sql', name: 'species_list', source: 'select distinct species from penguins order by 1' },
      { kind: 'input', name: 'species', config: { type: 'select', label: 'Species', value: 'Gentoo', optionsFrom: 'species_list.Species' } },
      { kind: 'input', name: 'threshold', config: { type: 'slider', label: 'Threshold', value: 40, min: 0, max: 100, step: 5 } },
      { kind: 'input', name: 'only_big', config: { type: 'checkbox', label: 'Only big ones', value: true } },
      { kind: 'input', name: 'bad', config: { type: 'number', label: 'Out of range', value: 500, min: 0, max: 100 } },
      { kind: 'sql', name: 'reads_bad', source: 'select $bad as b' }
    ]);
    await open(page, id);
    await waitStatus(page, 'species', 'done');
    expect(await page.getByLabel('Customer name', { exact: true }).inputValue()).toBe("O'Brien");
    expect(await page.getByLabel('Row limit', { exact: true }).inputValue()).toBe('10');
    expect(await page.getByLabel('Day', { exact: true }).inputValue()).toBe('2024-02-29');
    expect(await page.getByRole('group', { name: 'Period' }).count()).toBe(1);
    expect(await page.getByLabel('Period from', { exact: true }).inputValue()).toBe('2024-01-01');
    expect(await page.getByLabel('Island', { exact: true }).inputValue()).toBe('Biscoe');
    // Options read from another cell's column.
    expect(await page.getByLabel('Species', { exact: true }).locator('option').allInnerTexts()).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(await page.getByLabel('Threshold', { exact: true }).inputValue()).toBe('40');
    expect(await page.locator('[data-cell-name="threshold"] output').innerText()).toBe('40');
    expect(await page.getByLabel('Only big ones', { exact: true }).isChecked()).toBe(true);
    // An invalid value is an error on the input, and blocks the cell reading it.
    await waitStatus(page, 'bad', 'error');
    expect(await page.locator('[data-cell-name="bad"] .output').innerText()).toContain('bad must be a number between 0 and 100');
    await waitStatus(page, 'reads_bad', 'blocked');
    await page.screenshot({ path: screenshotPath('e2e-inputs-every-type'), fullPage: true });
  });

  it('a number and a select drive SQL cells (browser and server) and JS, and a collaborator sees the new value and result', async () => {
    const ana = await userPage('ana2@example.com', 'Ana Two');
    const bob = await userPage('bob2@example.com', 'Bob Two');
    const connection = await ana.page.request.post(`${app.srv.base}/api/connections`, {
      headers: { authorization: `Bearer ${ownerToken}` },
      data: { name: 'Server DuckDB', kind: 'duckdb', config: {} }
    });
    expect(connection.status()).toBe(201);
    const duck = (await connection.json()).id as string;
    const id = await notebookWith(ana.token, ana.page, 'Threshold', [
      { kind: 'input', name: 'threshold', config: { type: 'number', label: 'Threshold', value: 50 } },
      { kind: 'sql', name: 'above', source: 'select count(*)::int as n from range(100) t(x) where x > $threshold' },
      { kind: 'sql', name: 'above_server', engine: duck, source: 'select count(*)::int as n from range(100) t(x) where x > $threshold' },
      { kind: 'js', name: 'doubled', source: '`doubled: ${threshold * 2}`' },
      { kind: 'input', name: 'species', config: { type: 'select', label: 'Species', value: 'Adelie', options: ['Adelie', 'Gentoo'] } },
      { kind: 'sql', name: 'birds', source: 'select count(*)::int as n from penguins where species = $species' },
      { kind: 'sql', name: 'unrelated', source: 'select 1 as one' }
    ]);
    await open(ana.page, id);
    await open(bob.page, id);
    for (const page of [ana.page, bob.page]) {
      await waitStatus(page, 'above', 'done');
      await waitStatus(page, 'birds', 'done');
    }
    expect(await firstValue(ana.page, 'above')).toBe('49');
    await waitStatus(ana.page, 'above_server', 'done');
    expect(await firstValue(ana.page, 'above_server')).toBe('49');
    await waitStatus(ana.page, 'doubled', 'done');
    expect(await ana.page.locator('[data-cell-name="doubled"] .output').innerText()).toContain('doubled: 100');
    expect(await firstValue(ana.page, 'birds')).toBe('152');
    const unrelatedRuns = await ana.page.locator('[data-cell-name="unrelated"] .status').innerText();

    // Ana raises the threshold: her SQL cell re-runs, and so does Bob's copy.
    await ana.page.getByLabel('Threshold', { exact: true }).fill('90');
    await ana.page.getByLabel('Threshold', { exact: true }).press('Enter');
    await expect.poll(() => firstValue(ana.page, 'above'), { timeout: 30_000 }).toBe('9');
    await expect.poll(() => bob.page.getByLabel('Threshold', { exact: true }).inputValue(), { timeout: 10_000 }).toBe('90');
    await expect.poll(() => firstValue(bob.page, 'above'), { timeout: 30_000 }).toBe('9');
    await expect.poll(() => firstValue(ana.page, 'above_server'), { timeout: 30_000 }).toBe('9');
    await expect.poll(() => ana.page.locator('[data-cell-name="doubled"] .output').innerText(), { timeout: 30_000 }).toContain('doubled: 180');
    // Only the cells that read the input ran again.
    expect(await ana.page.locator('[data-cell-name="unrelated"] .status').innerText()).toBe(unrelatedRuns);

    // Bob picks another species; both pages count Gentoos.
    await bob.page.getByLabel('Species', { exact: true }).selectOption('Gentoo');
    await expect.poll(() => firstValue(bob.page, 'birds'), { timeout: 30_000 }).toBe('124');
    await expect.poll(() => ana.page.getByLabel('Species', { exact: true }).inputValue(), { timeout: 10_000 }).toBe('Gentoo');
    await expect.poll(() => firstValue(ana.page, 'birds'), { timeout: 30_000 }).toBe('124');
    await ana.page.screenshot({ path: screenshotPath('e2e-inputs-drive-sql'), fullPage: true });

    // A value out of bounds: the input says why, and the SQL cell waits for it.
    await ana.page.getByRole('button', { name: 'Edit input' }).first().click();
    await ana.page.locator('[data-cell-name="threshold"]').getByLabel('Max', { exact: true }).fill('80');
    await ana.page.locator('[data-cell-name="threshold"]').getByLabel('Max', { exact: true }).press('Enter');
    await waitStatus(ana.page, 'threshold', 'error', 10_000);
    expect(await ana.page.locator('[data-cell-name="threshold"] .output').innerText()).toContain('threshold must be a number ≤ 80');
    await waitStatus(ana.page, 'above', 'blocked', 10_000);
    await ana.page.screenshot({ path: screenshotPath('e2e-inputs-invalid'), fullPage: true });
  });
});
