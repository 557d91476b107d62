import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { screenshotPath } from '../support/browser.js';
import { useApp } from '../support/e2e.js';
import { connectClient, synced } from '../support/yclient.js';

const PG_URL = process.env.CAIRN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Warehouse connections in the UI: the workspace owner adds a PostgreSQL connection on the
 * Connections page and tests it; its schema shows our table and columns in the notebook's
 * Schema panel (and completes in the SQL editor); a SQL cell's Engine select writes the
 * cell's `engine` for everyone; the Runs panel lists a run on it with its SQL; a member who
 * is not an admin sees the connections read-only; a cell whose connection was deleted says so.
 */
describe('connections, schema, engine and runs in Chromium', () => {
  const app = useApp();
  const table = `e2e_orders_${randomBytes(4).toString('hex')}`;
  const connectionName = `Warehouse ${randomBytes(3).toString('hex')}`;
  let db: pg.Client;

  beforeAll(async () => {
    db = new pg.Client({ connectionString: PG_URL });
    try {
      await db.connect();
    } catch (err) {
      throw new Error(`PostgreSQL is not reachable at ${PG_URL} (${(err as Error).message}); these tests need the real one.`);
    }
    await db.query(`create table ${table} (id integer primary key, customer text not null, amount numeric(10,2), placed_at timestamptz)`);
    await db.query(`insert into ${table} values (1, 'ana', 12.50, now()), (2, 'bob', 7.25, now()), (3, 'eve', null, null)`);
  });
  afterAll(async () => {
    await db?.query(`drop table if exists ${table}`).catch(() => undefined);
    await db?.end().catch(() => undefined);
  });

  const cellName0 = (name: string | null) => name ?? '';
  const sidePanel = (page: Page, name: string) => page.getByRole('complementary', { name });
  const theme = (page: Page, t: 'light' | 'dark') => page.evaluate((t) => document.documentElement.setAttribute('data-theme', t), t);

  async function readCell(id: string, token: string, cellId: string): Promise<Record<string, unknown>> {
    const client = connectClient(app.srv.ws, id, token);
    try {
      await synced(client);
      const cell = client.doc.getMap<{ toJSON(): Record<string, unknown> }>('cells').get(cellId);
      return cell ? cell.toJSON() : {};
    } finally {
      client.destroy();
    }
  }

  it('adds and tests a Postgres connection, browses it, runs a cell on it and lists the run', async () => {
    const ana = await app.userPage('ana@example.com', 'Ana');
    const { page } = ana;

    // The owner adds a connection on the Connections page, reached from the notebook list.
    await page.goto(`${app.srv.base}/`);
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.waitForSelector('main[data-ready="true"]');
    await page.getByRole('button', { name: 'Add connection' }).click();
    const form = page.getByRole('form', { name: 'Add connection' });
    await form.getByLabel('Name').fill(connectionName);
    expect(await form.getByLabel('Kind').inputValue()).toBe('postgres');
    expect(await form.getByLabel('Port').inputValue()).toBe('5432');
    await form.getByLabel('Host').fill('127.0.0.1');
    await form.getByLabel('Database').fill('test');
    await form.getByLabel('User').fill('postgres');
    expect(await form.getByLabel('Password').getAttribute('type')).toBe('password');
    await form.getByRole('button', { name: 'Advanced options' }).click();
    expect(await form.getByLabel('Statement timeout (s)').inputValue()).toBe('60');
    expect(await form.getByLabel('Read-only').isChecked()).toBe(true);
    await form.getByLabel('Row limit').fill('50000');

    // A wrong database is a clear error; the right one connects.
    await form.getByLabel('Database').fill('no_such_database_here');
    await form.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => form.getByRole('status').innerText(), { timeout: 15_000 }).toMatch(/no_such_database_here/);
    await form.getByLabel('Database').fill('test');
    await form.getByRole('button', { name: 'Test connection' }).click();
    // `postgres` is a superuser, which read-only does not contain: the form asks to accept that.
    await expect.poll(() => form.getByRole('status').innerText(), { timeout: 15_000 }).toMatch(/superuser/);
    await form.getByLabel('I accept the risk').check();
    await form.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => form.getByRole('status').innerText(), { timeout: 15_000 }).toMatch(/^Connected in \d+ ms$/);
    await page.screenshot({ path: screenshotPath('e2e-connections-form-light') });
    await form.getByRole('button', { name: 'Save' }).click();

    // Saved: listed with its kind and read-only badge; its schema shows our table.
    const row = page.locator(`[data-connection-name="${connectionName}"]`);
    await row.waitFor();
    expect(await row.innerText()).toMatch(/Postgres[\s\S]*postgres@127\.0\.0\.1\/test[\s\S]*read-only/);
    const connectionId = (await row.getAttribute('data-connection-id'))!;
    await page.getByLabel('Filter tables').fill(table);
    const tableEntry = page.locator(`[data-table-name="${table}"]`);
    await tableEntry.waitFor({ timeout: 20_000 });
    await tableEntry.getByRole('button', { name: `Columns of ${table}` }).click();
    expect(await tableEntry.getByRole('list', { name: `Columns of ${table}` }).innerText()).toMatch(/customer[\s\S]*text not null[\s\S]*amount[\s\S]*numeric/);
    await page.screenshot({ path: screenshotPath('e2e-connections-schema-light') });
    await theme(page, 'dark');
    await page.screenshot({ path: screenshotPath('e2e-connections-schema-dark') });
    await theme(page, 'light');

    // A notebook with a SQL cell: its Engine select lists the connection and the audit log.
    const { id } = await (await page.request.post(`${app.srv.base}/api/notebooks`, { data: { title: 'Orders' } })).json();
    await page.goto(`${app.srv.base}/n/${id}`);
    await page.waitForSelector('[data-ready="true"]');
    if ((await page.locator('[data-kind="sql"]').count()) === 0) await page.getByRole('button', { name: 'Add SQL cell' }).first().click();
    const cell = page.locator('[data-kind="sql"]').first();
    const cellId = (await cell.getAttribute('data-cell-id'))!;
    const engine = cell.getByLabel('Engine');
    expect(await engine.inputValue()).toBe('browser');
    expect(await engine.locator('option').allInnerTexts()).toEqual(['Browser', connectionName, 'Cairn audit log']);
    await engine.selectOption({ label: connectionName });
    await expect.poll(async () => (await readCell(id, ana.token, cellId)).engine).toBe(connectionId);
    expect(await cell.locator('.engine').innerText()).toContain('Postgres');

    // The editor completes the connection's tables.
    await cell.locator('.cm-content').click();
    await page.keyboard.type(`select * from ${table.slice(0, 12)}`);
    await page.keyboard.press('Control+Space');
    const completions = page.locator('.cm-tooltip-autocomplete');
    await completions.waitFor({ timeout: 10_000 });
    expect(await completions.innerText()).toContain(table);
    await page.keyboard.press('Escape');

    // The Schema panel starts on the cell's engine; clicking the table inserts its name at the cursor.
    await page.getByRole('button', { name: 'Data', exact: true }).click();
    await page.getByRole('tab', { name: 'Schema' }).click();
    const schema = sidePanel(page, 'Schema');
    expect(await schema.getByLabel('Connection').inputValue()).toBe(connectionId);
    await schema.getByLabel('Filter tables').fill('e2e_orders');
    const panelTable = schema.locator(`[data-table-name="${table}"]`);
    await panelTable.waitFor({ timeout: 20_000 });
    await panelTable.getByRole('button', { name: `Columns of ${table}` }).click();
    const columns = await panelTable.getByRole('list', { name: `Columns of ${table}` }).innerText();
    for (const c of ['id', 'customer', 'amount', 'placed_at']) expect(columns).toContain(c);
    await cell.locator('.cm-content').click();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('select count(*) from ');
    await panelTable.getByRole('button', { name: new RegExp(`^${table}`) }).click();
    await expect.poll(() => cell.locator('.cm-content').innerText()).toBe(`select count(*) from ${table}`);
    await page.screenshot({ path: screenshotPath('e2e-notebook-schema-light') });
    await theme(page, 'dark');
    await page.screenshot({ path: screenshotPath('e2e-notebook-schema-dark') });
    await theme(page, 'light');

    // The browser engine lists the bundled samples and the notebook's cell results.
    await schema.getByLabel('Connection').selectOption({ label: 'Browser (DuckDB-WASM)' });
    await schema.getByLabel('Filter tables').fill('');
    await schema.locator('[data-schema="samples"] [data-table-name="penguins"]').waitFor();
    expect(await schema.locator('[data-schema="results"]').innerText()).toContain(cellName0(await cell.getAttribute('data-cell-name')));
    await page.screenshot({ path: screenshotPath('e2e-notebook-schema-browser-light') });
    await schema.getByLabel('Connection').selectOption({ value: connectionId });

    // A run on the connection for this cell (the notebook's Run button for server cells is wired elsewhere).
    const sql = `select customer, amount from ${table} where id <= $1 order by id`;
    const query = await page.request.post(`${app.srv.base}/api/query`, { data: { connectionId, sql, params: [2], notebookId: id, cellId } });
    expect(query.status()).toBe(200);
    await query.body();

    await page.getByRole('tab', { name: 'Runs' }).click();
    const runs = sidePanel(page, 'Runs');
    const run = runs.locator('[data-run-id]').first();
    await run.waitFor({ timeout: 10_000 });
    await expect.poll(() => run.getAttribute('data-status'), { timeout: 10_000 }).toBe('done');
    const cellName = await cell.getAttribute('data-cell-name');
    const summary = await run.innerText();
    expect(summary).toContain(cellName!);
    expect(summary).toContain(`on ${connectionName}`);
    expect(summary).toMatch(/Ana \(you\)/);
    expect(summary).toMatch(/2 rows/);
    expect(summary).toMatch(/cache (hit|miss)/);
    await run.getByRole('button', { name: /^Run of / }).click();
    expect(await run.getByLabel('SQL').innerText()).toBe(sql);
    expect(await run.innerText()).toContain('$1 = 2');
    await page.screenshot({ path: screenshotPath('e2e-notebook-runs-light') });
    await theme(page, 'dark');
    await page.screenshot({ path: screenshotPath('e2e-notebook-runs-dark') });
    await theme(page, 'light');

    // Bob is a member, not an admin: he sees the connections and their schemas, and cannot change them.
    const bob = await app.userPage('bob@example.com', 'Bob');
    await bob.page.goto(`${app.srv.base}/connections`);
    await bob.page.waitForSelector('main[data-ready="true"]');
    await bob.page.locator(`[data-connection-name="${connectionName}"]`).waitFor();
    expect(await bob.page.getByRole('button', { name: 'Add connection' }).count()).toBe(0);
    expect(await bob.page.getByRole('button', { name: `Edit ${connectionName}` }).count()).toBe(0);
    expect(await bob.page.getByRole('button', { name: `Delete ${connectionName}` }).count()).toBe(0);
    await bob.page.screenshot({ path: screenshotPath('e2e-connections-readonly-light') });

    // Ana deletes the connection (after confirming): the cell says its connection is missing.
    await page.goto(`${app.srv.base}/connections`);
    await page.getByRole('button', { name: `Delete ${connectionName}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.locator(`[data-connection-name="${connectionName}"]`).waitFor({ state: 'detached' });
    await page.goto(`${app.srv.base}/n/${id}`);
    await page.waitForSelector('[data-ready="true"]');
    const missing = page.locator(`[data-cell-id="${cellId}"] .engine.missing`);
    await missing.waitFor();
    expect(await missing.getByLabel('Engine').locator('option:checked').innerText()).toBe('Missing connection');
    await page.screenshot({ path: screenshotPath('e2e-notebook-missing-connection-light') });
  });
});
