import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshotPath } from '../support/browser.js';
import { useApp } from '../support/e2e.js';
import { connectClient, synced } from '../support/yclient.js';
import { insertCell } from '../../src/lib/doc/index.js';

/**
 * Provenance in Chromium: the Flights sample computes when it opens, each result carries
 * its key, and one click on a result opens its card with the source that ran; the card's
 * input link opens the card of the result it read, whose SQL is the cell's.
 */
describe('provenance of results in Chromium', () => {
  const app = useApp();
  /** The instance's first account: it may add connections. */
  let owner: { page: Page; token: string };
  beforeAll(async () => {
    owner = await app.userPage('prov@example.com', 'Priya', { width: 1280, height: 1000 });
  });

  const status = (page: Page, name: string) => page.locator(`[data-cell-name="${name}"]`).first().getAttribute('data-status');
  const waitDone = (page: Page, name: string) => expect.poll(() => status(page, name), { timeout: 60_000, interval: 200 }).toBe('done');

  it('opens the card of a JS value, shows its source, and follows its input to the SQL that made it', async () => {
    const { page } = owner;
    const list = await (await page.request.get(`${app.srv.base}/api/notebooks`)).json();
    const flights = list.notebooks.find((n: { title: string }) => n.title === 'Flights');
    await page.goto(`${app.srv.base}/n/${flights.id}`);
    await page.waitForSelector('[data-ready="true"]');
    for (const name of ['by_hour', 'worst_hour', 'delay_by_hour']) await waitDone(page, name);

    // Every result on screen carries its key: the grid, the chart and the JS value.
    const keyOf = (name: string) => page.locator(`[data-cell-name="${name}"] [data-result-key]`).first().getAttribute('data-result-key');
    const byHourKey = await keyOf('by_hour');
    expect(byHourKey).toMatch(/^[0-9a-f]{64}$/);
    expect(await keyOf('delay_by_hour')).toMatch(/^[0-9a-f]{64}$/);
    expect(await keyOf('worst_hour')).toMatch(/^[0-9a-f]{64}$/);

    // The browser reports its runs after they finish: the card appears once the server has it.
    const worst = page.locator('[data-cell-name="worst_hour"]');
    const dialog = page.getByRole('dialog', { name: 'Provenance' });
    await expect
      .poll(
        async () => {
          if (await dialog.isVisible()) await dialog.getByRole('button', { name: 'Close' }).click();
          await worst.getByRole('button', { name: 'Provenance' }).click();
          await dialog.locator('[aria-label="Source"], .empty').first().waitFor();
          return dialog.locator('[aria-label="Source"]').count();
        },
        { timeout: 20_000, interval: 500 }
      )
      .toBe(1);
    await expect.poll(() => dialog.locator('[aria-label="Source"]').innerText()).toContain('Worst hour to fly');
    const text = await dialog.innerText();
    expect(text).toContain('worst_hour');
    expect(text).toContain('Browser (DuckDB-WASM)');
    expect(text).toContain('Priya');
    expect(text).toMatch(/Result hash\s+[0-9a-f]{12}…/);
    await dialog.getByRole('button', { name: 'Copy result hash' }).click();
    await expect.poll(() => dialog.getByText('Copied', { exact: true }).count()).toBe(1);
    await page.screenshot({ path: screenshotPath('e2e-provenance-js-card') });

    // Its input is by_hour's result: the link opens that card, with the SQL that ran.
    const inputs = dialog.getByRole('list', { name: 'Inputs' }).getByRole('button');
    expect(await inputs.count()).toBe(1);
    await inputs.first().click();
    await expect.poll(() => dialog.locator('[data-provenance-key]').getAttribute('data-provenance-key')).toBe(byHourKey);
    await expect.poll(() => dialog.locator('[aria-label="Source"]').innerText()).toContain('from flights_200k');
    const sqlCard = await dialog.innerText();
    expect(sqlCard).toContain('by_hour');
    expect(sqlCard).toMatch(/Rows\s+\d+/);
    await page.screenshot({ path: screenshotPath('e2e-provenance-sql-card') });

    // Back returns to the JS value's card.
    await dialog.getByRole('button', { name: 'Back' }).click();
    await expect.poll(() => dialog.locator('[aria-label="Source"]').innerText()).toContain('Worst hour to fly');
  });

  it('shows a report reader the card of a published result, without the code the author hid', async () => {
    const { page } = await app.userPage('prov-report@example.com', 'Rui', { width: 1280, height: 1000 });
    const list = await (await page.request.get(`${app.srv.base}/api/notebooks`)).json();
    const flights = list.notebooks.find((n: { title: string }) => n.title === 'Flights');
    const published = await page.request.post(`${app.srv.base}/api/notebooks/${flights.id}/publish`, { data: { visibility: 'workspace' } });
    expect(published.status()).toBe(200);
    const { slug } = await published.json();
    await page.goto(`${app.srv.base}/r/${slug}`);
    const section = page.locator('section[data-cell-name="by_hour"]');
    expect(await section.getAttribute('data-result-key')).toMatch(/^[0-9a-f]{64}$/);
    const dialog = page.getByRole('dialog', { name: 'Provenance' });
    // The page is rendered on the server: a click before its script has started does nothing.
    await expect
      .poll(
        async () => {
          if (!(await dialog.isVisible())) await section.getByRole('button', { name: 'Provenance' }).click();
          return dialog.isVisible();
        },
        { timeout: 30_000, interval: 500 }
      )
      .toBe(true);
    await expect.poll(() => dialog.innerText(), { timeout: 20_000 }).toContain('hid this cell');
    const text = await dialog.innerText();
    expect(text).toContain('by_hour');
    expect(text).toMatch(/Rows\s+\d+/);
    expect(await dialog.locator('[aria-label="Source"]').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('e2e-provenance-report-card') });
  });

  it('links a server run’s card to its entry in the Runs panel', async () => {
    const { page, token } = owner;
    const created = await page.request.post(`${app.srv.base}/api/connections`, { data: { name: 'Server DuckDB', kind: 'duckdb', config: {} } });
    expect(created.status()).toBe(201);
    const duck = (await created.json()).id as string;
    const { id } = await (await page.request.post(`${app.srv.base}/api/notebooks`, { data: { title: 'Late flights' } })).json();
    const script = connectClient(app.srv.ws, id, token);
    await synced(script);
    insertCell(script.doc, { kind: 'input', name: 'min_delay', config: { type: 'number', label: 'Minimum delay', value: 60 } });
    insertCell(script.doc, { kind: 'sql', name: 'late', engine: duck, source: 'select count(*) as n from flights_200k where delay > $min_delay' });
    await new Promise((r) => setTimeout(r, 200));
    script.destroy();

    await page.goto(`${app.srv.base}/n/${id}`);
    await page.waitForSelector('[data-ready="true"]');
    await waitDone(page, 'late');
    await page.locator('[data-cell-name="late"]').getByRole('button', { name: 'Provenance' }).click();
    const dialog = page.getByRole('dialog', { name: 'Provenance' });
    await expect.poll(() => dialog.locator('[aria-label="Source"]').count(), { timeout: 10_000 }).toBe(1);
    // The exact statement that ran, with its bound parameter, on the named connection.
    expect(await dialog.locator('[aria-label="Source"]').innerText()).toContain('where delay > $1');
    expect(await dialog.locator('[aria-label="Parameters"]').innerText()).toBe('$1 = 60');
    expect(await dialog.innerText()).toContain('Server DuckDB');
    await page.screenshot({ path: screenshotPath('e2e-provenance-server-card') });

    const runLink = dialog.getByRole('button', { name: /^Run [0-9a-f]{8}$/ });
    const runId = (await runLink.innerText()).replace('Run ', '');
    await runLink.click();
    const row = page.locator(`[data-side-panel] li.run.open[data-run-id^="${runId}"]`);
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    expect(await row.getByLabel('SQL').innerText()).toContain('where delay > $1');
    await page.screenshot({ path: screenshotPath('e2e-provenance-run-link') });
  });
});
