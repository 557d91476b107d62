import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshotPath } from '../support/browser.js';
import { useApp } from '../support/e2e.js';
import { connectClient, synced } from '../support/yclient.js';
import { insertCell } from '../../src/lib/doc/index.js';

/**
 * Money from PostgreSQL stays exact in the browser: a numeric(12,2) column shows with its
 * cents (`12.50`), sorts numerically when its header is clicked, and a JS cell summing it
 * gets PostgreSQL's own `sum()` to the cent (docs/types.md, "In the browser").
 */
const TEST_DB_URL = process.env.CAIRN_TEST_PG_URL ? new URL('/test', process.env.CAIRN_TEST_PG_URL).toString() : 'postgres://postgres@127.0.0.1:5432/test';
const SUFFIX = randomBytes(4).toString('hex');
const ROLE = `cairn_money_${SUFFIX}`;
const TABLE = `payments_${SUFFIX}`;
const AMOUNTS = ['12.50', '3.05', '100.00', '0.10', '0.20', '9999999999.99', '1234567.89', '-7.25'];

describe('exact decimals from PostgreSQL in Chromium', () => {
  const app = useApp();
  let admin: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: TEST_DB_URL });
    await admin.connect();
    // As an admin grants a reporting account: connect, usage, select on the one table — nothing more.
    await admin.query(`create table ${TABLE} (id int primary key, amount numeric(12,2))`);
    await admin.query(`insert into ${TABLE} select i, a::numeric(12,2) from unnest($1::text[]) with ordinality as t(a, i)`, [AMOUNTS]);
    await admin.query(`create role ${ROLE} login`);
    await admin.query(`grant connect on database test to ${ROLE}`);
    await admin.query(`grant usage on schema public to ${ROLE}`);
    await admin.query(`grant select on ${TABLE} to ${ROLE}`);
  });
  afterAll(async () => {
    await admin?.query(`drop table if exists ${TABLE}`);
    await admin?.query(`drop owned by ${ROLE}`).catch(() => undefined);
    await admin?.query(`drop role if exists ${ROLE}`);
    await admin?.end();
  });

  const status = (page: Page, name: string) => page.locator(`[data-cell-name="${name}"]`).getAttribute('data-status');
  const output = (page: Page, name: string) => page.locator(`[data-cell-name="${name}"] .output`).innerText();
  const waitDone = async (page: Page, name: string) => {
    await expect
      .poll(
        async () => {
          const now = await status(page, name);
          return now === 'error' || now === 'blocked' ? `${now}: ${await output(page, name)}` : now;
        },
        { timeout: 60_000, interval: 200 }
      )
      .toBe('done');
  };
  /** The grid's values of column `col` (0-based) in row order, as drawn. */
  const gridColumn = (page: Page, name: string, col: number) =>
    page.evaluate(
      ([name, col]) => {
        const rows = [...document.querySelectorAll<HTMLElement>(`[data-cell-name="${name}"] .rows .data:not([hidden])`)];
        return rows
          .map((r) => ({ at: Number(r.getAttribute('aria-rowindex')), text: r.querySelector(`[data-c="${col}"]`)?.textContent ?? '' }))
          .sort((a, b) => a.at - b.at)
          .map((r) => r.text);
      },
      [name, col] as const
    );

  it('shows cents, sorts numerically, and a JS cell sums to PostgreSQL’s own sum', async () => {
    const { page, token } = await app.userPage('money@example.com', 'Money');
    const url = new URL(TEST_DB_URL);
    const created = await page.request.post(`${app.srv.base}/api/connections`, {
      data: { name: 'Payments', kind: 'postgres', config: { host: url.hostname, port: Number(url.port || 5432), database: 'test', user: ROLE } }
    });
    expect(created.status(), await created.text()).toBe(201);
    const connectionId = (await created.json()).id as string;
    const { id } = await (await page.request.post(`${app.srv.base}/api/notebooks`, { data: { title: 'Money' } })).json();

    const script = connectClient(app.srv.ws, id, token);
    await synced(script);
    insertCell(script.doc, { kind: 'sql', name: 'payments', engine: connectionId, source: `select id, amount from ${TABLE} order by id` });
    insertCell(script.doc, { kind: 'js', name: 'total', source: `import { sum } from 'cairn';\nString(sum(payments, 'amount'))` });
    // DuckDB-WASM gets the DECIMAL as DECIMAL: its own sum is exact too.
    insertCell(script.doc, { kind: 'sql', name: 'in_browser', source: 'select typeof(amount) as type, sum(amount) as total from payments group by all' });
    insertCell(script.doc, { kind: 'chart', name: 'by_id', config: { source: 'payments', mark: 'bar', x: 'id', y: 'amount', aggregate: 'sum' } });
    // A result with a decimal text column (more than 38 digits), as an engine marks it.
    insertCell(script.doc, {
      kind: 'js',
      name: 'wide',
      source: `import * as arrow from 'apache-arrow';
const values = new arrow.Table({ big: arrow.vectorFromArray(['123456789012345678901234567890123456789012.50'], new arrow.Utf8()) });
const [plain] = values.schema.fields;
const field = new arrow.Field(plain.name, plain.type, plain.nullable, new Map([['cairn.type', 'decimal']]));
new arrow.Table(new arrow.Schema([field]), values.batches)`
    });
    insertCell(script.doc, { kind: 'sql', name: 'reads_wide', source: 'select big from wide' });
    await new Promise((r) => setTimeout(r, 200));
    script.destroy();

    await page.goto(`${app.srv.base}/n/${id}`);
    await page.waitForSelector('[data-ready="true"]');
    await waitDone(page, 'payments');
    await waitDone(page, 'total');

    // The values as PostgreSQL has them: cents kept, grouped for reading.
    expect(await gridColumn(page, 'payments', 1)).toEqual(['12.50', '3.05', '100.00', '0.10', '0.20', '9,999,999,999.99', '1,234,567.89', '-7.25']);
    await expect.poll(() => page.locator('[data-cell-name="payments"] .th-type').nth(1).innerText()).toMatch(/decimal\(12,2\)|numeric/);

    // Sorting runs as SQL on DECIMAL: 100.00 after 12.50, not before it as text would.
    await page.locator('[data-cell-name="payments"] .th-button', { hasText: 'amount' }).click();
    await expect.poll(() => gridColumn(page, 'payments', 1), { timeout: 20_000 }).toEqual(['-7.25', '0.10', '0.20', '3.05', '12.50', '100.00', '1,234,567.89', '9,999,999,999.99']);

    // The JS cell's exact sum is PostgreSQL's.
    const { rows } = await admin.query(`select sum(amount)::text as total from ${TABLE}`);
    const expected = rows[0].total as string;
    expect(expected).toBe('10001234676.48');
    await expect.poll(() => output(page, 'total')).toContain(expected);
    await waitDone(page, 'in_browser');
    expect(await gridColumn(page, 'in_browser', 0)).toEqual(['DECIMAL(12,2)']);
    expect(await gridColumn(page, 'in_browser', 1)).toEqual(['10,001,234,676.48']);

    // A chart's sum stays DECIMAL; its tooltip prints the exact text.
    await waitDone(page, 'by_id');
    const bars = page.locator('[data-cell-name="by_id"] svg [aria-label="bar"] rect');
    await expect.poll(() => bars.count()).toBe(AMOUNTS.length);
    await page.locator('[data-cell-name="by_id"] figure, [data-cell-name="by_id"] svg[class*="plot"]').first().scrollIntoViewIfNeeded();
    const box = (await bars.nth(0).boundingBox())!;
    // Plot's pointer picks the bar nearest along x: hover just above the (short) first bar.
    await page.mouse.move(box.x + box.width / 2, box.y - 4);
    await expect.poll(() => page.locator('[data-cell-name="by_id"] [aria-label="tip"]').textContent(), { timeout: 10_000 }).toContain('12.50');

    // DuckDB reads decimal text as VARCHAR, and the cell that does says so.
    await waitDone(page, 'reads_wide');
    expect(await output(page, 'reads_wide')).toMatch(/DuckDB cannot compute on column big of wide exactly because its values have more than 38 digits/);
    await page.screenshot({ path: screenshotPath('e2e-exact-decimals'), fullPage: true });
  });

  it('shows decimal text as numbers, with the engine’s note on its header', async () => {
    const page = await app.newPage({ width: 1100, height: 520 });
    await page.goto(`${app.srv.base}/dev/grid?decimals&rows=40`);
    const note = page.locator('.th .th-note');
    await expect.poll(() => note.count()).toBe(1);
    expect(await note.getAttribute('title')).toMatch(/wider than 38 digits/);
    const header = page.locator('.th', { hasText: 'huge' });
    expect(await header.locator('.th-type').innerText()).toMatch(/numeric/);
    // Right-aligned like every number column, every digit kept, grouped for reading.
    const cell = page.locator('.rows .data[aria-rowindex="2"] [data-c="2"]');
    expect(await cell.innerText()).toBe('98,765,432,109,876,543,210,987,654,321,098,765,432,100.000');
    expect(await cell.evaluate((el) => getComputedStyle(el).textAlign)).toBe('right');
    // Scrolled to the wide text column, its header and note in view.
    await page.locator('.scroller').evaluate((el) => (el.scrollLeft = el.scrollWidth));
    await expect.poll(() => note.isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('e2e-decimal-text-grid') });
  });
});
