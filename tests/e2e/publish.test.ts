import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshotPath } from '../support/browser.js';
import { useApp } from '../support/e2e.js';
import { invite } from '../support/api.js';
import { connectClient, synced } from '../support/yclient.js';
import { insertCell, type NewCell } from '../../src/lib/doc/index.js';

/**
 * The author's side of publishing, in Chromium (docs/api.md, "Reports"): an editor publishes
 * a notebook from its header, sees the live version and link, chooses per cell how it shows
 * in the report (written to the document), updates the report and unpublishes it; a
 * viewer sees what is live but cannot publish.
 */
describe('publishing a notebook from its page', () => {
  const app = useApp();
  let anaToken = '';
  let notebook = '';
  let slug = '';

  async function notebookWith(token: string, page: Page, title: string, cells: NewCell[]): Promise<string> {
    const created = await page.request.post(`${app.srv.base}/api/notebooks`, { data: { title } });
    const { id } = await created.json();
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

  const get = async (page: Page, path: string) => {
    const r = await page.request.get(`${app.srv.base}${path}`);
    return { status: r.status(), body: r.status() === 200 ? await r.json() : null };
  };
  const cellJson = async (page: Page, name: string) => (await get(page, `/api/notebooks/${notebook}`)).body.cells.find((c: { name: string }) => c.name === name);

  it('an editor publishes publicly, sets a cell hidden, updates to version 2 and unpublishes', async () => {
    const { page, token } = await app.userPage('ana@example.com', 'Ana');
    anaToken = token;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.srv.base });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    notebook = await notebookWith(token, page, 'Penguin census', [
      { kind: 'sql', name: 'by_species', source: 'select species, count(*)::int as n from penguins group by 1 order by 1' },
      { kind: 'sql', name: 'scratch', source: 'select 42 as work_in_progress' },
      { kind: 'chart', name: 'chart1', config: { source: 'by_species', mark: 'bar', x: 'species', y: 'n' } }
    ]);
    await open(page, notebook);
    expect(await page.getByTestId('published-badge').count()).toBe(0);

    // Not yet published: visibility and refresh, the time zone the browser's own.
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish as a report' });
    await dialog.waitFor();
    expect(await dialog.getByLabel('Public — anyone with the link').isChecked()).toBe(true);
    await dialog.getByLabel('Schedule').selectOption('daily');
    const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(await dialog.getByLabel('Time zone').inputValue()).toBe(zone);
    await dialog.getByLabel('Specific members').check();
    await dialog.getByText('Loading members…').or(dialog.getByText('Nobody else is in this workspace yet.')).first().waitFor();
    await dialog.getByLabel('Public — anyone with the link').check();
    await dialog.screenshot({ path: screenshotPath('e2e-publish-dialog-unpublished') });

    // The server's validation error is shown beside the field it is about, and nothing is published.
    await dialog.getByLabel('Schedule').selectOption('custom');
    await dialog.getByLabel(/Cron expression/).fill('every morning');
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    const cronError = dialog.getByRole('alert');
    await cronError.waitFor();
    expect(await cronError.innerText()).toMatch(/five cron fields/);
    expect(await dialog.getByLabel(/Cron expression/).getAttribute('aria-invalid')).toBe('true');
    await dialog.screenshot({ path: screenshotPath('e2e-publish-dialog-error') });
    expect((await get(page, `/api/notebooks/${notebook}/publish`)).body.report).toBeNull();

    await dialog.getByLabel('Schedule').selectOption('daily');
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();

    // Published: the version, when and by whom, and the link.
    const live = page.getByRole('dialog', { name: 'Published report' });
    await live.waitFor();
    expect(await live.getByTestId('publish-version').innerText()).toBe('Version 1');
    expect(await live.innerText()).toMatch(/published just now\s+by you/);
    const url = await live.getByTestId('report-link').inputValue();
    slug = url.split('/r/')[1];
    expect(url).toBe(`${app.srv.base}/r/${slug}`);
    expect(await live.getByRole('link', { name: /Open in new tab/ }).getAttribute('href')).toBe(url);
    // The link and the embed open the report page.
    expect((await page.request.get(url)).status()).toBe(200);
    expect((await page.request.get(`${url}/embed?cell=by_species`)).status()).toBe(200);
    expect(await page.getByTestId('published-badge').innerText()).toContain('Published v1');
    const state = (await get(page, `/api/notebooks/${notebook}/publish`)).body.report;
    expect(state).toMatchObject({ slug, version: 1, visibility: 'public', refresh: { schedule: '0 6 * * *', timezone: zone } });

    // Embed code and an API token, shown once.
    await live.getByRole('button', { name: 'Copy embed code' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toContain(`src="${url}/embed"`);
    await live.getByLabel('Embed', { exact: true }).selectOption('by_species');
    expect(await live.getByLabel('Embed code').inputValue()).toContain(`src="${url}/embed?cell=by_species"`);
    await live.getByRole('button', { name: 'Create API token' }).click();
    const reportToken = await live.getByTestId('report-token').inputValue();
    expect(reportToken.length).toBeGreaterThan(16);
    expect(await live.getByRole('note').innerText()).toMatch(/Shown only once/);
    await live.screenshot({ path: screenshotPath('e2e-publish-dialog-published') });
    await live.getByRole('button', { name: 'Close' }).click();

    // Per cell: hide the scratch query, show the census's code; the document says so.
    const scratch = page.locator('[data-cell-name="scratch"]');
    await scratch.hover();
    expect(await scratch.getByLabel('In report').inputValue()).toBe('shown');
    expect(await scratch.getByLabel('In report').locator('option').allInnerTexts()).toEqual(['Shown with code', 'Shown without code', 'Hidden']);
    expect(await page.locator('[data-cell-name="chart1"]').getByLabel('In report').locator('option').allInnerTexts()).toEqual(['Shown', 'Hidden']);
    await scratch.getByLabel('In report').selectOption('hidden');
    await page.locator('[data-cell-name="by_species"]').getByLabel('In report').selectOption('code');
    expect(await scratch.getByTestId('report-tag').innerText()).toBe('hidden in report');
    expect(await page.locator('[data-cell-name="by_species"]').getByTestId('report-tag').innerText()).toBe('code shown in report');
    await expect.poll(async () => (await cellJson(page, 'scratch')).hidden, { timeout: 10_000 }).toBe(true);
    await expect.poll(async () => (await cellJson(page, 'by_species')).showCode, { timeout: 10_000 }).toBe(true);
    await scratch.hover();
    await page.locator('main').screenshot({ path: screenshotPath('e2e-publish-cell-control') });
    // The report still shows what was published until it is updated.
    expect((await get(page, `/api/reports/${slug}`)).body.cells.map((c: { name: string }) => c.name)).toContain('scratch');

    // Update: version 2, the same settings, the cell gone from the report and the code shown.
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await live.waitFor();
    await live.getByRole('button', { name: 'Update report' }).click();
    await expect.poll(() => live.getByTestId('publish-version').innerText()).toBe('Version 2');
    await live.getByRole('status').filter({ hasText: 'Report updated to version 2.' }).waitFor();
    expect(await page.getByTestId('published-badge').innerText()).toContain('Published v2');
    const view = (await get(page, `/api/reports/${slug}`)).body;
    expect(view.version).toBe(2);
    expect(view.cells.map((c: { name: string }) => c.name)).toEqual(['by_species', 'chart1']);
    expect(view.cells[0].source).toContain('from penguins');
    expect((await get(page, `/api/notebooks/${notebook}/publish`)).body.report.refresh).toEqual({ schedule: '0 6 * * *', timezone: zone });

    // Unpublish, after a confirmation: the link is gone.
    await live.getByRole('button', { name: 'Unpublish' }).click();
    const confirm = page.getByRole('dialog', { name: 'Unpublish the report?' });
    await confirm.waitFor();
    await confirm.getByRole('button', { name: 'Unpublish' }).click();
    const again = page.getByRole('dialog', { name: 'Publish as a report' });
    await again.waitFor();
    expect(await again.getByTestId('report-link').count()).toBe(0);
    await again.getByRole('status').filter({ hasText: 'unpublished' }).waitFor();
    expect(await page.getByTestId('published-badge').count()).toBe(0);
    expect((await get(page, `/api/reports/${slug}`)).status).toBe(404);
    expect((await page.request.get(`${app.srv.base}/r/${slug}`)).status()).toBe(404);
    expect((await get(page, `/api/notebooks/${notebook}/publish`)).body.report).toBeNull();

    // The dialog is keyboard-operable: Escape closes it.
    await page.keyboard.press('Escape');
    await expect.poll(() => again.isVisible()).toBe(false);
    expect(pageErrors).toEqual([]);
  });

  it('a viewer sees what is live but gets no working Publish button', async () => {
    // Published again by its editor, through the API.
    const published = await fetch(`${app.srv.base}/api/notebooks/${notebook}/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${anaToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ visibility: 'workspace' })
    });
    expect(published.status).toBe(200);
    const { version } = await published.json();

    const page = await app.newPage();
    const invitation = await invite(app.srv.base, anaToken, 'viewer');
    const signed = await page.request.post(`${app.srv.base}/api/auth/signup`, { data: { email: 'vic@example.com', password: 'correct horse battery', name: 'Vic', invitation } });
    expect(signed.status()).toBe(201);
    await open(page, notebook);
    await page.getByTestId('view-only').waitFor();

    await expect.poll(() => page.getByTestId('published-badge').innerText()).toContain(`Published v${version}`);
    const button = page.getByRole('button', { name: 'Publish', exact: true });
    expect(await button.isDisabled()).toBe(true);
    expect(await button.getAttribute('aria-describedby')).toBeTruthy();
    expect(await page.getByRole('dialog').count()).toBe(0);
    // Nor could they publish by other means, and they get no per-cell control.
    expect((await page.request.post(`${app.srv.base}/api/notebooks/${notebook}/publish`, { data: { visibility: 'public' } })).status()).toBeGreaterThanOrEqual(403);
    expect(await page.getByLabel('In report').count()).toBe(0);
    await page.locator('header').screenshot({ path: screenshotPath('e2e-publish-viewer-header') });
  });

  it('publishes to specific members with the keyboard, and changes the settings when updating', async () => {
    // Bob joins the workspace as an editor, so there is someone to pick.
    const bob = await app.userPage('bob@example.com', 'Bob');
    const bobId = (await (await bob.page.request.get(`${app.srv.base}/api/auth/me`)).json()).user.id as string;
    const { page } = await app.newPage().then(async (p) => {
      const login = await p.request.post(`${app.srv.base}/api/auth/login`, { data: { email: 'ana@example.com', password: 'correct horse battery' } });
      expect(login.status()).toBe(200);
      return { page: p };
    });
    await page.emulateMedia({ colorScheme: 'dark' });
    await open(page, notebook);
    const live = page.getByRole('dialog', { name: 'Published report' });

    // Keyboard only: the header's Publish button opens the dialog, focus moves into it.
    await page.getByRole('button', { name: 'Publish', exact: true }).focus();
    await page.keyboard.press('Enter');
    await live.waitFor();
    expect(await page.evaluate(() => !!document.activeElement?.closest('dialog'))).toBe(true);
    await live.getByRole('button', { name: 'Visibility and refresh settings' }).press('Enter');
    expect(await live.getByRole('button', { name: 'Visibility and refresh settings' }).getAttribute('aria-expanded')).toBe('true');
    // Prefilled from what is live (the viewer test published it to the workspace).
    expect(await live.getByLabel('Workspace members').isChecked()).toBe(true);
    await live.getByLabel('Workspace members').focus();
    await page.keyboard.press('ArrowDown');
    expect(await live.getByLabel('Specific members').isChecked()).toBe(true);
    const bobBox = live.getByRole('checkbox', { name: /Bob/ });
    await bobBox.waitFor();
    await bobBox.focus();
    await page.keyboard.press('Space');
    expect(await bobBox.isChecked()).toBe(true);
    await live.getByLabel('Schedule').selectOption('hourly');
    // Enter submits; a value the server refuses is marked on its field.
    const ttl = live.getByLabel('Recompute results older than (minutes)');
    await ttl.fill('0');
    await ttl.press('Enter');
    await expect.poll(() => ttl.getAttribute('aria-invalid')).toBe('true');
    expect(await live.getByRole('alert').innerText()).toMatch(/>=\s*1|at least 1|too small/i);
    await ttl.fill('30');
    await live.screenshot({ path: screenshotPath('e2e-publish-dialog-members-dark') });
    await ttl.press('Enter');
    await live.getByRole('status').filter({ hasText: 'Report updated to version' }).waitFor();

    const state = (await get(page, `/api/notebooks/${notebook}/publish`)).body.report;
    expect(state).toMatchObject({ visibility: 'members', members: [bobId], refresh: { schedule: '@hourly', ttlMinutes: 30 } });
    expect(await live.innerText()).toMatch(/1 specific member · Refresh: Every hour · results at most 30 min old/);
    // Bob may read it; the link answers him.
    expect((await bob.page.request.get(`${app.srv.base}/api/reports/${state.slug}`)).status()).toBe(200);
  });
});
