import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshotPath } from '../support/browser.js';
import { useApp } from '../support/e2e.js';
import { connectClient, synced } from '../support/yclient.js';
import { insertCell } from '../../src/lib/doc/index.js';

/**
 * Workspace access through the pages: an owner invites a viewer with a link made in the
 * settings page; the viewer joins through it in another browser, reads the owner's
 * notebook live but cannot change it or run its server cell (which still names its
 * connection), nor add cells from the Data panel; removed from the workspace,
 * the viewer's open notebook says so at once.
 */
describe('a viewer invited by link, in Chromium', () => {
  const app = useApp();
  const pageErrors: string[] = [];

  /** A code editor's text, without the remote-cursor labels drawn inside it. */
  function editorText(page: Page, cell: string): Promise<string> {
    return page.$eval(`[data-cell-name="${cell}"] .cm-content`, (el) => {
      const copy = el.cloneNode(true) as HTMLElement;
      for (const caret of copy.querySelectorAll('.cm-ySelectionCaret')) caret.remove();
      return [...copy.querySelectorAll('.cm-line')].map((line) => line.textContent).join('\n');
    });
  }

  it('joins through the link, watches the owner edit, cannot write or run server cells, and loses access when removed', async () => {
    // The owner is the first account: no invitation needed.
    const { page: owner, token } = await app.userPage('owner@example.com', 'Olive Owner');
    owner.on('pageerror', (e) => pageErrors.push(e.message));
    const { id } = await (await owner.request.post(`${app.srv.base}/api/notebooks`, { data: { title: 'Quarterly numbers' } })).json();
    const script = connectClient(app.srv.ws, id, token);
    await synced(script);
    insertCell(script.doc, { kind: 'sql', name: 'local', source: 'select 1 as one' });
    insertCell(script.doc, { kind: 'sql', name: 'remote', engine: 'cairn', source: 'select 1 as one' });
    await new Promise((r) => setTimeout(r, 200));
    script.destroy();

    // The owner makes a single-use viewer link on the settings page.
    await owner.goto(`${app.srv.base}/settings`);
    await owner.waitForSelector('[data-ready="true"]');
    await owner.getByRole('tab', { name: 'Invitations' }).click();
    await owner.getByLabel('Role').selectOption('viewer');
    await owner.getByRole('button', { name: 'Create link' }).click();
    const link = owner.getByLabel('Invitation link', { exact: true });
    await link.waitFor();
    const url = await link.inputValue();
    expect(url).toMatch(/\/invite\/[^/]+$/);

    // The owner shares the notebook with the whole workspace, to read.
    await owner.goto(`${app.srv.base}/n/${id}`);
    await owner.waitForSelector('[data-ready="true"]');
    await owner.getByRole('button', { name: 'Share' }).click();
    await owner.getByLabel('General access').selectOption('view');
    await owner.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => owner.getByRole('dialog').isVisible()).toBe(false);

    // The viewer signs up through the link in a browser of their own.
    const viewer = await app.newPage({ width: 1280, height: 860 });
    viewer.on('pageerror', (e) => pageErrors.push(e.message));
    await viewer.goto(url);
    await viewer.waitForSelector('[data-ready="true"]');
    expect(await viewer.getByRole('heading', { level: 1 }).innerText()).toMatch(/^Join /);
    await viewer.getByLabel('Name').fill('Vic Viewer');
    await viewer.getByLabel('Email').fill('vic@example.com');
    await viewer.getByLabel('Password').fill('correct horse battery');
    await viewer.getByRole('button', { name: 'Create account' }).last().click();
    await viewer.waitForURL(`${app.srv.base}/`);

    await viewer.goto(`${app.srv.base}/n/${id}`);
    await viewer.waitForSelector('[data-ready="true"]');
    await viewer.getByTestId('view-only').waitFor();

    // The owner's typing arrives live.
    await owner.locator('[data-cell-name="local"] .cm-content').click();
    await owner.keyboard.press('End');
    await owner.keyboard.type(', 2 as two');
    await expect.poll(() => editorText(viewer, 'local'), { timeout: 10_000 }).toBe('select 1 as one, 2 as two');

    // The viewer's typing changes nothing, in any cell or the title.
    for (const cell of ['local', 'remote']) {
      await viewer.locator(`[data-cell-name="${cell}"] .cm-content`).click();
      await viewer.keyboard.type('drop table x');
      expect(await viewer.locator(`[data-cell-name="${cell}"] .cm-content`).getAttribute('contenteditable')).toBe('false');
    }
    const title = viewer.getByLabel('Notebook title');
    await title.click();
    await viewer.keyboard.type('hacked');
    expect(await title.inputValue()).toBe('Quarterly numbers');
    await new Promise((r) => setTimeout(r, 500));
    expect(await editorText(viewer, 'local')).toBe('select 1 as one, 2 as two');
    expect(await editorText(viewer, 'remote')).toBe('select 1 as one');
    expect(await editorText(owner, 'remote')).toBe('select 1 as one');
    expect(await viewer.getByRole('group', { name: 'Add cell' }).count()).toBe(0);

    // No way to run the server cell: its Run is disabled, and says why.
    const run = viewer.locator('[data-cell-name="remote"] button[aria-label="Run cell"]');
    expect(await run.isDisabled()).toBe(true);
    expect(await viewer.locator('[data-cell-name="remote"] [title="Viewers see the last result"]').count()).toBe(1);

    // It still says where it runs, although viewers may not list connections.
    const engine = viewer.locator('[data-cell-name="remote"] select[aria-label="Engine"]');
    await expect.poll(() => engine.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent)).toBe('Cairn audit log');

    // The Data panel offers no "Query in a new cell" to someone who cannot add cells.
    await viewer.getByRole('button', { name: 'Data', exact: true }).click();
    await viewer.locator('[data-table-name="penguins"]').waitFor();
    expect(await viewer.locator('[title$="in a new cell"]').count()).toBe(0);
    await viewer.screenshot({ path: screenshotPath('e2e-access-viewer') });

    // The owner removes the viewer; the viewer's page says so within seconds.
    await owner.goto(`${app.srv.base}/settings`);
    await owner.waitForSelector('[data-ready="true"]');
    await owner.getByRole('button', { name: 'Remove Vic Viewer' }).click();
    await owner.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => owner.getByRole('button', { name: 'Remove Vic Viewer' }).count()).toBe(0);
    const alert = viewer.getByRole('alert').filter({ hasText: 'You no longer have access to this notebook' });
    await alert.waitFor({ timeout: 8_000 });
    await viewer.screenshot({ path: screenshotPath('e2e-access-removed') });
    expect(pageErrors).toEqual([]);
  });
});
