import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshotPath } from '../support/browser.js';
import { useApp } from '../support/e2e.js';
import { invite } from '../support/api.js';
import { connectClient, synced } from '../support/yclient.js';
import { insertCell } from '../../src/lib/doc/index.js';

/**
 * The report author's page in Chromium (docs/api.md, "Scheduled refresh and alerts"): the
 * author reaches /r/:slug/manage from the report, sees each cell's last good result,
 * refreshes now, saves a webhook, creates an alert on it, and the next refresh posts
 * exactly one notification to that webhook, which the alert's history shows as delivered.
 * A workspace viewer reads the report but is told they cannot manage it.
 */
describe('managing a report in Chromium', () => {
  const app = useApp();
  const received: { body: Record<string, unknown>; headers: IncomingMessage['headers'] }[] = [];
  let hook: Server | undefined;
  let slug = '';
  let authorPage: Page | undefined;

  afterAll(async () => {
    await new Promise<void>((resolve) => (hook ? hook.close(() => resolve()) : resolve()));
  });

  /** A chat webhook of our own on 127.0.0.1: it records each POST's JSON and answers 200. */
  async function startWebhook(): Promise<string> {
    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'POST') received.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), headers: req.headers });
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => hook!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/alerts`;
  }

  it('shows the last result, refreshes now, and a threshold alert posts once to a saved webhook', async () => {
    const { page, token } = await app.userPage('ana@example.com', 'Ana');
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    const created = await page.request.post(`${app.srv.base}/api/notebooks`, { data: { title: 'Airport count' } });
    const { id } = await created.json();
    const script = connectClient(app.srv.ws, id, token);
    await synced(script);
    insertCell(script.doc, { kind: 'sql', name: 'n', engine: 'browser', source: 'select count(*)::integer as n from airports' });
    await new Promise((r) => setTimeout(r, 200));
    script.destroy();
    const published = await page.request.post(`${app.srv.base}/api/notebooks/${id}/publish`, {
      data: { visibility: 'workspace', refresh: { schedule: '0 6 * * *', timezone: 'Europe/Paris' } }
    });
    expect(published.status()).toBe(200);
    slug = (await published.json()).slug;
    authorPage = page;
    // Publishing computes the results behind its answer: wait for the cell's first good refresh.
    await expect
      .poll(async () => (await (await page.request.get(`${app.srv.base}/api/reports/${slug}/refresh`)).json()).cells?.[0]?.lastOkAt ?? null, { timeout: 30_000 })
      .not.toBeNull();

    // The report links its editors to the manage page (the server knows them by their session).
    await page.goto(`${app.srv.base}/r/${slug}`);
    await page.getByRole('link', { name: 'Manage report' }).waitFor();
    await page.screenshot({ path: screenshotPath('report-manage-link') });
    await page.getByRole('link', { name: 'Manage report' }).click();
    await page.waitForURL(`**/r/${slug}/manage`);
    await page.waitForSelector('main[data-ready="true"]');
    const cell = page.locator('li[data-cell-name="n"]');
    await expect.poll(() => cell.innerText()).toMatch(/last good result: 1 row at \d\d:\d\d/);
    expect(await page.getByTestId('next-refresh').innerText()).toMatch(/06:00 Europe\/Paris \(.*in \d+ h\)$/);

    const refresh = page.getByRole('button', { name: /Refresh now|Refreshing/ });
    // Held for a moment on its way, the refresh shows the button disabled while it runs.
    await page.route(`**/api/reports/${slug}/refresh`, async (route) => {
      if (route.request().method() === 'POST') await new Promise((r) => setTimeout(r, 700));
      await route.continue();
    });
    await refresh.click();
    await expect.poll(() => refresh.isDisabled()).toBe(true);
    expect(await refresh.innerText()).toBe('Refreshing…');
    await expect.poll(() => page.getByTestId('refresh-outcome').innerText(), { timeout: 30_000 }).toMatch(/✓ Refreshed now: 1 row at \d\d:\d\d/);
    await expect.poll(() => refresh.isEnabled()).toBe(true);
    await page.unroute(`**/api/reports/${slug}/refresh`);

    // An owner saves the chat webhook by name; the alert form selects it.
    const url = await startWebhook();
    await page.getByLabel('Webhook name', { exact: true }).fill('Local chat');
    await page.getByLabel('Webhook URL', { exact: true }).fill(url);
    await page.getByRole('button', { name: 'Save webhook' }).click();
    const notify = page.getByRole('combobox', { name: 'Notify' });
    await expect.poll(() => notify.inputValue()).not.toBe('none');
    expect(await notify.locator('option:checked').innerText()).toBe('Local chat');

    // A raw URL the API refuses is explained beside its field.
    await notify.selectOption({ label: 'A webhook URL…' });
    await page.getByLabel('Column', { exact: true }).fill('n');
    await page.getByLabel('Value', { exact: true }).fill('0');
    await page.locator('form[aria-label="New alert"]').getByLabel('Webhook URL').fill('ftp://example.com/hook');
    await page.getByRole('button', { name: 'Create alert' }).click();
    await expect.poll(() => page.locator('form[aria-label="New alert"] .field-error').innerText()).toBe('must be an http or https URL');
    await page.locator('form[aria-label="New alert"]').screenshot({ path: screenshotPath('report-manage-alert-error') });

    // The alert: n > 0 in the first row, to the saved webhook.
    await notify.selectOption({ label: 'Local chat' });
    await page.getByRole('button', { name: 'Create alert' }).click();
    const alert = page.locator('ul[aria-label="Alerts"] > li');
    await expect.poll(() => alert.count()).toBe(1);
    expect(await alert.innerText()).toContain('n > 0 in the first row');
    expect(await alert.innerText()).toContain('Local chat');
    expect(await alert.getAttribute('data-state')).toBe('ok');

    await refresh.click();
    await expect.poll(() => received.length, { timeout: 30_000 }).toBe(1);
    expect(received[0].body).toMatchObject({ state: 'triggered', report: slug, cell: 'n', threshold: 0 });
    expect(typeof received[0].body.text).toBe('string');
    await expect.poll(() => alert.getAttribute('data-state')).toBe('triggered');

    // The history shows that one delivery, delivered with the webhook's 200.
    await alert.getByRole('button', { name: 'History' }).click();
    const delivery = alert.locator('tr[data-delivery-id]');
    await expect.poll(() => delivery.getAttribute('data-status'), { timeout: 15_000 }).toBe('delivered');
    expect(await delivery.count()).toBe(1);
    expect(await delivery.innerText()).toContain('HTTP 200');
    await page.screenshot({ path: screenshotPath('report-manage'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: screenshotPath('report-manage-dark'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });

    // Still triggered: a second refresh notifies nobody again.
    await refresh.click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'alerts were checked' }).count()).toBe(1);
    await new Promise((r) => setTimeout(r, 1000));
    expect(received.length).toBe(1);

    // A workspace viewer reads the report, gets no link, and the manage page says why.
    const viewer = await app.newPage({ width: 1100, height: 800 });
    const signup = await viewer.request.post(`${app.srv.base}/api/auth/signup`, {
      data: { email: 'vic@example.com', password: 'correct horse battery', name: 'Vic', invitation: await invite(app.srv.base, token, 'viewer') }
    });
    expect(signup.status()).toBe(201);
    await viewer.goto(`${app.srv.base}/r/${slug}`);
    await viewer.waitForLoadState('networkidle');
    expect(await viewer.getByRole('link', { name: 'Manage report' }).count()).toBe(0);
    await viewer.goto(`${app.srv.base}/r/${slug}/manage`);
    await viewer.waitForSelector('main[data-ready="true"]');
    await expect.poll(() => viewer.getByRole('heading', { level: 1 }).innerText()).toBe('You can read this report, but not manage it');
    await viewer.screenshot({ path: screenshotPath('report-manage-viewer') });

    // An editor of the notebook manages it too, choosing saved webhooks by name only.
    const { page: editor } = await app.userPage('ben@example.com', 'Ben');
    await editor.goto(`${app.srv.base}/r/${slug}/manage`);
    await editor.waitForSelector('main[data-ready="true"]');
    const options = await editor.getByRole('combobox', { name: 'Notify' }).locator('option').allInnerTexts();
    expect(options).toEqual(['Local chat', 'Nobody — keep the history only']);
    expect(await editor.getByRole('heading', { name: 'Saved webhooks' }).count()).toBe(0);
    expect(await editor.locator('ul[aria-label="Alerts"] > li').innerText()).toContain('Local chat');
    await editor.screenshot({ path: screenshotPath('report-manage-editor'), fullPage: true });

    // Deleting asks first, then the alert and its history are gone.
    await alert.getByRole('button', { name: 'Delete alert on n' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this alert?' });
    await confirm.getByRole('button', { name: 'Delete alert' }).click();
    await expect.poll(() => alert.count()).toBe(0);
    expect(await page.getByText('No alerts yet.').count()).toBe(1);
    expect((await (await page.request.get(`${app.srv.base}/api/reports/${slug}/alerts`)).json()).alerts).toEqual([]);

    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('puts a cell’s failed refresh first, with the older result readers still see', async () => {
    const page = authorPage!;
    // A failing warehouse is not part of this fixture: the refresh state is the server's
    // shape, answered for this page alone, so the error's presentation can be seen.
    const real = await (await page.request.get(`${app.srv.base}/api/reports/${slug}/refresh`)).json();
    await page.route(`**/api/reports/${slug}/refresh`, (route) =>
      route.request().method() === 'GET'
        ? route.fulfill({
            json: {
              ...real,
              cells: real.cells.map((c: Record<string, unknown>) => ({ ...c, lastOkAt: '2026-12-03T05:00:00.000Z', lastError: 'relation "sales" does not exist', lastErrorAt: '2026-12-03T09:02:00.000Z' }))
            }
          })
        : route.continue()
    );
    await page.reload();
    await page.waitForSelector('main[data-ready="true"]');
    const cell = page.locator('li[data-cell-name="n"]');
    expect(await cell.getAttribute('data-status')).toBe('error');
    expect(await cell.innerText()).toMatch(/refresh failed (.* )?10:02: relation "sales" does not exist; readers see the result from (.* )?06:00/);
    await page.screenshot({ path: screenshotPath('report-manage-failed'), clip: { x: 0, y: 0, width: 1280, height: 520 } });
    await page.unroute(`**/api/reports/${slug}/refresh`);
  }, 60_000);
});
