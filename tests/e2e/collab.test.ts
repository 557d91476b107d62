import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshotPath } from '../support/browser.js';
import { useApp } from '../support/e2e.js';

/**
 * Two people in two browsers on one notebook, through the real entry point (`npm start`'s
 * command) and the embedded store, as a new user would run Cairn.
 */
describe('two people editing one notebook in Chromium', () => {
  const app = useApp();
  const pageErrors: string[] = [];

  async function newPage(): Promise<Page> {
    const page = await app.newPage({ width: 1280, height: 860 });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    return page;
  }

  /** An editor's text, without the remote-cursor labels drawn inside it. */
  function editorText(page: Page, selector: string): Promise<string> {
    return page.$eval(selector, (el) => {
      const copy = el.cloneNode(true) as HTMLElement;
      for (const caret of copy.querySelectorAll('.cm-ySelectionCaret, .ProseMirror-yjs-cursor')) caret.remove();
      return [...copy.querySelectorAll('.cm-line')].map((line) => line.textContent).join('\n') || copy.textContent || '';
    });
  }

  async function openNotebook(page: Page, id: string): Promise<void> {
    await page.goto(`${app.srv.base}/n/${id}`);
    await page.waitForSelector('[data-ready="true"]', { timeout: 30_000 });
  }

  it('signs up in the page, finds the Flights sample, and two users edit live', async () => {
    // Ana signs up through the login page.
    const ana = await newPage();
    await ana.goto(`${app.srv.base}/login`);
    await ana.getByRole('tab', { name: 'Create account' }).click();
    await ana.getByLabel('Name').fill('Ana Analyst');
    await ana.getByLabel('Email').fill('ana@example.com');
    await ana.getByLabel('Password').fill('correct horse battery');
    await ana.getByRole('button', { name: 'Create account' }).last().click();
    await ana.waitForURL(`${app.srv.base}/`);
    await ana.waitForSelector('[data-ready="true"]');
    await ana.getByRole('link', { name: 'Flights' }).click();
    await ana.waitForSelector('[data-ready="true"]');
    expect(await ana.locator('[data-cell-name="by_hour"]').getAttribute('data-kind')).toBe('sql');
    await ana.screenshot({ path: screenshotPath('e2e-flights-sample') });

    // Ana invites Bob; he signs up through the API with it, and his cookie lands in his browser context.
    const invitation = await ana.request.post(`${app.srv.base}/api/workspaces/default/invitations`, { data: { role: 'editor' } });
    expect(invitation.status()).toBe(201);
    const bob = await newPage();
    const signup = await bob.request.post(`${app.srv.base}/api/auth/signup`, {
      data: { email: 'bob@example.com', password: 'correct horse battery', name: 'Bob Reviewer', invitation: (await invitation.json()).token }
    });
    expect(signup.status()).toBe(201);
    const created = await ana.request.post(`${app.srv.base}/api/notebooks`, { data: { title: 'Shared analysis' } });
    const { id } = await created.json();

    await openNotebook(ana, id);
    await openNotebook(bob, id);
    await expect.poll(() => ana.locator('[aria-label="People in this notebook"] li').count()).toBe(2);

    // Ana adds a SQL cell and types; Bob sees the text and Ana's named cursor.
    await ana.getByRole('button', { name: 'Add SQL cell' }).last().click();
    await ana.keyboard.type('select 42 as answer');
    const bobSql = () => editorText(bob, '[data-kind="sql"] .cm-content');
    await expect.poll(bobSql, { timeout: 5000 }).toBe('select 42 as answer');
    await expect.poll(() => bob.locator('[data-kind="sql"] .cm-ySelectionInfo').textContent(), { timeout: 5000 }).toBe('Ana Analyst');

    // Bob adds a text cell and writes; Ana sees it.
    await bob.getByRole('button', { name: 'Add Text cell' }).last().click();
    await bob.keyboard.type('Hello from Bob');
    await expect.poll(() => editorText(ana, '[data-kind="text"] .ProseMirror'), { timeout: 5000 }).toBe('Hello from Bob');
    await ana.screenshot({ path: screenshotPath('e2e-ana') });
    await bob.screenshot({ path: screenshotPath('e2e-bob') });

    // Undo is per user: Ana's undo takes back her last typing, never Bob's. Typing less
    // than 500 ms after her last keystroke would join the same undo step (Y.UndoManager's
    // captureTimeout); on a quiet machine the steps above can take less than that.
    await ana.waitForTimeout(600);
    await ana.locator('[data-kind="sql"] .cm-content').click();
    await ana.keyboard.press('End');
    await ana.keyboard.type(' -- draft');
    await expect.poll(bobSql).toBe('select 42 as answer -- draft');
    await ana.keyboard.press('Control+z');
    await expect.poll(bobSql).toBe('select 42 as answer');
    expect(await editorText(ana, '[data-kind="text"] .ProseMirror')).toBe('Hello from Bob');

    // A reload keeps everything, in order.
    await ana.reload();
    await ana.waitForSelector('[data-ready="true"]');
    await expect.poll(() => editorText(ana, '[data-kind="sql"] .cm-content')).toBe('select 42 as answer');
    expect(await editorText(ana, '[data-kind="text"] .ProseMirror')).toBe('Hello from Bob');
    const kinds = await ana.$$eval('[data-cell-id]', (els) => els.map((e) => (e as HTMLElement).dataset.kind));
    expect(kinds).toEqual(['sql', 'text']);

    // The REST view agrees with what the pages show.
    const view = await (await ana.request.get(`${app.srv.base}/api/notebooks/${id}`)).json();
    expect(view.cells.map((c: { kind: string; source: string }) => [c.kind, c.source])).toEqual([
      ['sql', 'select 42 as answer'],
      ['text', 'Hello from Bob']
    ]);
    expect(pageErrors).toEqual([]);
  });

  it('a signed-out visitor is sent to the login page', async () => {
    const page = await newPage();
    await page.goto(`${app.srv.base}/`);
    await page.waitForURL(/\/login/);
    expect(await page.getByRole('tab', { name: 'Sign in' }).isVisible()).toBe(true);
  });
});
