import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import * as Y from 'yjs';
import { screenshotPath } from '../support/browser.js';
import { useApp } from '../support/e2e.js';
import { api } from '../support/api.js';
import { editNotebook } from '../support/yclient.js';
import { cellsOf, insertCell } from '../../src/lib/doc/index.js';

/**
 * Two people on one notebook in Chromium: a viewer comments on a cell and mentions the
 * owner; the owner sees the thread arrive without reloading and resolves it, and the
 * viewer sees that live too. Then the owner comments on a sentence of a text cell, and the
 * viewer's open thread highlights it.
 */
describe('comments in Chromium', () => {
  const app = useApp();
  const pageErrors: string[] = [];

  async function open(page: Page, id: string): Promise<void> {
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${app.srv.base}/n/${id}`);
    await page.waitForSelector('[data-ready="true"]', { timeout: 30_000 });
  }

  it('a comment appears live for the other user, who resolves it', async () => {
    const ana = await app.userPage('ana@example.com', 'Ana Owner', { width: 1280, height: 860 });
    const vic = await app.userPage('vic@example.com', 'Vic Viewer', { width: 1280, height: 860 });
    const vicId = (await api(app.srv.base, 'GET', '/api/auth/me', { token: vic.token })).body.user.id as string;
    expect((await api(app.srv.base, 'PATCH', `/api/workspaces/default/members/${vicId}`, { token: ana.token, body: { role: 'viewer' } })).status).toBe(200);

    const id = (await api(app.srv.base, 'POST', '/api/notebooks', { token: ana.token, body: { title: 'Quarterly review' } })).body.id as string;
    let sqlCell = '';
    await editNotebook(app.srv.ws, id, ana.token, (doc) => {
      sqlCell = insertCell(doc, { kind: 'sql', name: 'revenue', source: 'select 42 as revenue' });
      const text = insertCell(doc, { kind: 'text' });
      const paragraph = new Y.XmlElement('paragraph');
      paragraph.insert(0, [new Y.XmlText('Revenue grew twelve percent in the third quarter.')]);
      (cellsOf(doc).get(text)!.get('prose') as Y.XmlFragment).insert(0, [paragraph]);
    });
    await open(ana.page, id);
    await open(vic.page, id);
    await expect.poll(() => vic.page.locator('[data-testid="view-only"]').count()).toBe(1);

    // Vic, a viewer, comments on the SQL cell and mentions Ana.
    const vicCell = vic.page.locator(`[data-cell-id="${sqlCell}"]`);
    await vicCell.locator('[data-testid="comment-button"]').click();
    const input = vic.page.locator('[data-testid="comments-panel"] [data-testid="comment-input"]');
    await input.click();
    await input.pressSequentially('Is this net of refunds, @An');
    await vic.page.getByRole('option', { name: /Ana Owner/ }).click();
    await input.pressSequentially('?');
    await vic.page.locator('[data-testid="comment-submit"]').click();
    await expect.poll(() => vic.page.locator('[data-testid="comment-thread"]').count()).toBe(1);

    // Ana sees the count on the cell without reloading, opens the thread, and the mention shows her name.
    const anaCell = ana.page.locator(`[data-cell-id="${sqlCell}"]`);
    await expect.poll(() => anaCell.locator('[data-testid="comment-count"]').textContent(), { timeout: 10_000 }).toBe('1');
    await anaCell.locator('[data-testid="comment-button"]').click();
    const anaThread = ana.page.locator('[data-testid="comment-thread"]');
    await expect.poll(() => anaThread.count()).toBe(1);
    expect(await anaThread.locator('.mention').textContent()).toBe('@Ana Owner');
    expect(await anaThread.textContent()).toContain('Is this net of refunds');
    await ana.page.locator('[data-testid="comments-panel"] button', { hasText: 'Cancel' }).click();
    await ana.page.screenshot({ path: screenshotPath('e2e-comments-ana-sees-comment') });

    // Ana resolves; Vic sees the cell's count go and the thread he has open marked resolved.
    await anaThread.locator('[data-testid="comment-resolve"]').click();
    await expect.poll(() => vicCell.locator('[data-testid="comment-count"]').count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => vic.page.locator('[data-testid="comment-thread"].resolved').count()).toBe(1);
    expect(await vic.page.locator('[data-testid="comment-thread"]').textContent()).toContain('Resolved');
    // Vic wrote it, so Vic may reopen it; the button is there for him.
    expect(await vic.page.locator('[data-testid="comment-resolve"]').textContent()).toContain('Reopen');
    await vic.page.screenshot({ path: screenshotPath('e2e-comments-vic-sees-resolved') });
    // Ana, who did not have it open, no longer lists it until she asks for resolved ones.
    await expect.poll(() => ana.page.locator('[data-testid="comment-thread"]').count()).toBe(0);
    await ana.page.locator('[data-testid="show-resolved"]').check();
    await expect.poll(() => ana.page.locator('[data-testid="comment-thread"].resolved').count()).toBe(1);
    await ana.page.locator('[data-testid="show-resolved"]').uncheck();

    // Ana comments on a phrase of the text cell; Vic opens the thread and sees it highlighted.
    const prose = ana.page.locator('[data-kind="text"] .ProseMirror');
    await prose.evaluate((el) => {
      const text = el.querySelector('p')!.firstChild!;
      const range = document.createRange();
      range.setStart(text, 13);
      range.setEnd(text, 27);
      const sel = document.getSelection()!;
      sel.removeAllRanges();
      sel.addRange(range);
    });
    await ana.page.locator('[data-testid="comment-selection"]').click();
    const draft = ana.page.locator('[data-testid="comments-panel"] section[aria-label="New comment"]');
    expect(await draft.locator('blockquote').textContent()).toBe('twelve percent');
    await draft.locator('[data-testid="comment-input"]').fill('Source for this figure?');
    await draft.locator('[data-testid="comment-submit"]').click();
    await expect.poll(() => ana.page.locator('[data-kind="text"] .comment-range').textContent()).toBe('twelve percent');

    const vicText = vic.page.locator('[data-kind="text"]');
    await expect.poll(() => vic.page.locator('[data-testid="comment-thread"]:not(.resolved)').count(), { timeout: 10_000 }).toBe(1);
    await vic.page.locator('[data-testid="comment-thread"]:not(.resolved)').click();
    await expect.poll(() => vicText.locator('.comment-range').textContent()).toBe('twelve percent');
    await vic.page.screenshot({ path: screenshotPath('e2e-comments-vic-range') });
    await ana.page.screenshot({ path: screenshotPath('e2e-comments-ana-range') });

    expect(pageErrors).toEqual([]);
  }, 120_000);
});
