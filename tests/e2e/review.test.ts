import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshotPath } from '../support/browser.js';
import { useApp } from '../support/e2e.js';
import { editNotebook } from '../support/yclient.js';
import { insertCell } from '../../src/lib/doc/index.js';

/**
 * Review in Chromium: a reviewer forks a notebook, changes a query and proposes it; the
 * owner reads the proposal's diff and merges it; a third person watching the original
 * sees the change arrive live; the history lists the merge as a version, and the result's
 * provenance card shows the reviewer's SQL.
 */
const BEFORE = "select * from (values ('north', 10), ('south', 3)) t(region, amount)";
const AFTER = `${BEFORE} where amount > 5`;

describe('forking, proposing and merging in Chromium', () => {
  const app = useApp();
  const pageErrors: string[] = [];

  const track = (page: Page) => {
    page.on('pageerror', (e) => pageErrors.push(e.message));
    return page;
  };
  const open = async (page: Page, path: string) => {
    await page.goto(`${app.srv.base}${path}`);
    await page.waitForSelector('[data-ready="true"]', { timeout: 30_000 });
  };
  const sqlText = (page: Page) => page.$eval('[data-cell-name="by_region"] .cm-content', (el) => [...el.querySelectorAll('.cm-line')].map((l) => l.textContent).join('\n'));

  it('a reviewer forks and proposes; the owner merges; a watcher sees it live', async () => {
    const ana = await app.userPage('ana-review@example.com', 'Ana Owner');
    const bea = await app.userPage('bea-review@example.com', 'Bea Reviewer');
    const cy = await app.userPage('cy-review@example.com', 'Cy Watcher');
    for (const p of [ana.page, bea.page, cy.page]) track(p);

    const created = await ana.page.request.post(`${app.srv.base}/api/notebooks`, { data: { title: 'Regional sales' } });
    const origin = (await created.json()).id as string;
    await editNotebook(app.srv.ws, origin, ana.token, (doc) => {
      insertCell(doc, { kind: 'sql', name: 'by_region', source: BEFORE });
    });

    await open(cy.page, `/n/${origin}`);
    await open(bea.page, `/n/${origin}`);

    // Bea forks: she lands in her copy, marked as a fork.
    await bea.page.getByRole('button', { name: 'Fork' }).click();
    await bea.page.waitForURL((url) => url.pathname.startsWith('/n/') && !url.pathname.endsWith(origin), { timeout: 15_000 });
    await bea.page.waitForSelector('[data-ready="true"]', { timeout: 30_000 });
    await bea.page.getByTestId('fork-badge').waitFor();
    const fork = new URL(bea.page.url()).pathname.split('/').pop()!;

    // She changes the query and proposes it.
    await bea.page.locator('[data-cell-name="by_region"] .cm-content').click();
    await bea.page.keyboard.press('ControlOrMeta+End');
    await bea.page.keyboard.type(' where amount > 5');
    await expect.poll(() => sqlText(bea.page)).toBe(AFTER);
    await bea.page.waitForTimeout(300);
    await bea.page.getByTestId('fork-badge').click();
    const propose = bea.page.getByRole('button', { name: 'Propose changes' });
    await expect.poll(() => propose.isEnabled(), { timeout: 10_000 }).toBe(true);
    await bea.page.screenshot({ path: screenshotPath('e2e-review-fork') });
    await propose.click();
    await bea.page.getByLabel('Title', { exact: true }).fill('Only large regions');
    await bea.page.getByLabel('Description').fill('Filters out small amounts.');
    await bea.page.getByRole('button', { name: 'Propose', exact: true }).click();
    await bea.page.waitForURL(/\/proposals\//, { timeout: 15_000 });
    const proposalPath = new URL(bea.page.url()).pathname;
    await bea.page.waitForSelector('[data-ready="true"]');

    // Ana opens the proposal: the diff shows the changed line.
    await open(ana.page, proposalPath);
    const changed = ana.page.locator(`[data-change="changed"]`);
    await expect.poll(() => changed.count()).toBe(1);
    expect(await changed.locator('.line.added').textContent()).toContain('where amount > 5');
    expect(await changed.locator('.line.removed').textContent()).toContain(BEFORE);
    // The results before and after, side by side.
    await changed.getByRole('button', { name: 'Compare results' }).click();
    const compare = ana.page.getByTestId('result-compare');
    await expect.poll(() => compare.getByRole('table', { name: 'Before (original) result' }).locator('tbody tr').count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => compare.getByRole('table', { name: 'After (fork) result' }).locator('tbody tr').count(), { timeout: 30_000 }).toBe(1);
    expect(await compare.getByRole('table', { name: 'After (fork) result' }).innerText()).toContain('north');
    await ana.page.screenshot({ path: screenshotPath('e2e-review-proposal') });
    // Ana asks something in the discussion; Bea, still on the proposal, sees it live.
    await ana.page.getByLabel('Comment on this proposal').fill('Is 5 the right cut-off?');
    await ana.page.getByRole('button', { name: 'Comment', exact: true }).click();
    await expect.poll(() => bea.page.locator('[data-comment-id]').allInnerTexts(), { timeout: 10_000 }).toEqual([expect.stringContaining('Is 5 the right cut-off?')]);
    await ana.page.getByRole('button', { name: 'Merge' }).click();
    await expect.poll(() => ana.page.getByTestId('proposal-state').textContent(), { timeout: 15_000 }).toBe('merged');
    await ana.page.screenshot({ path: screenshotPath('e2e-review-merged') });

    // Cy, who kept the original open, sees the change arrive without reloading.
    await expect.poll(() => sqlText(cy.page), { timeout: 10_000 }).toBe(AFTER);

    // The origin's history lists the merge, attributed.
    await cy.page.getByRole('button', { name: 'History' }).click();
    const merge = cy.page.locator('.version', { hasText: 'Merged proposal #1 from Bea Reviewer' });
    await merge.waitFor({ timeout: 10_000 });
    expect(await merge.textContent()).toContain('Ana Owner');
    await merge.click();
    await cy.page.getByTestId('diff').waitFor();
    expect(await cy.page.getByTestId('diff-counts').textContent()).toBe('1 changed');
    await cy.page.screenshot({ path: screenshotPath('e2e-review-history') });
    await cy.page.keyboard.press('Escape');

    // Cy runs the merged query: its result's provenance card shows the reviewer's SQL.
    // The result painted when the page opened stays on screen (done) until the new one replaces it.
    const keyShown = () => cy.page.locator('[data-cell-name="by_region"] [data-result-key]').first().getAttribute('data-result-key');
    const before = await keyShown();
    await cy.page.locator('[data-cell-name="by_region"]').getByRole('button', { name: 'Run' }).click();
    await expect.poll(keyShown, { timeout: 60_000 }).not.toBe(before);
    await cy.page.locator('[data-cell-name="by_region"][data-status="done"]').waitFor({ timeout: 60_000 });
    const dialog = cy.page.getByRole('dialog', { name: 'Provenance' });
    await expect
      .poll(
        async () => {
          if (await dialog.isVisible()) await dialog.getByRole('button', { name: 'Close' }).click();
          await cy.page.locator('[data-cell-name="by_region"]').getByRole('button', { name: 'Provenance' }).click();
          await dialog.locator('[aria-label="Source"], .empty').first().waitFor();
          return dialog.locator('[aria-label="Source"]').count();
        },
        { timeout: 20_000, interval: 500 }
      )
      .toBe(1);
    expect(await dialog.locator('[aria-label="Source"]').innerText()).toContain('where amount > 5');
    await cy.page.screenshot({ path: screenshotPath('e2e-review-provenance') });
    expect(fork).not.toBe(origin);
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
