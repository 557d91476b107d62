import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshotPath } from '../support/browser.js';
import { useApp } from '../support/e2e.js';
import { editNotebook } from '../support/yclient.js';
import { insertCell } from '../../src/lib/doc/index.js';

/**
 * The Graph view of a notebook, in Chromium: a node per computing cell and an edge from each
 * input to its reader, statuses that follow edits and runs live, a click that takes you to
 * the cell, and a 200-cell notebook that opens readable with no node over another.
 */
describe('the lineage graph', () => {
  const app = useApp();
  const viewport = { width: 1440, height: 900 };

  const node = (page: Page, name: string) => page.locator(`[data-lineage-node][data-cell-name="${name}"]`);
  const nodeStatus = (page: Page, name: string) => node(page, name).getAttribute('data-status');

  /** Edges as "input → reader" by cell name. */
  async function edgesByName(page: Page): Promise<string[]> {
    return page.evaluate(() => {
      const name = (id: string) => document.querySelector(`[data-lineage-node="${CSS.escape(id)}"]`)?.getAttribute('data-cell-name') ?? `?${id}`;
      return [...document.querySelectorAll('[data-lineage-edge]')].map((e) => `${name(e.getAttribute('data-from')!)} → ${name(e.getAttribute('data-to')!)}`).sort();
    });
  }

  /** Pairs of node boxes that overlap on screen. */
  async function overlappingNodes(page: Page): Promise<string[]> {
    return page.evaluate(() => {
      const boxes = [...document.querySelectorAll('[data-lineage-node]')].map((n) => ({ id: n.getAttribute('data-cell-name'), r: n.querySelector('.box')!.getBoundingClientRect() }));
      const found: string[] = [];
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i].r;
          const b = boxes[j].r;
          if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) found.push(`${boxes[i].id}/${boxes[j].id}`);
        }
      }
      return found;
    });
  }

  /** The `data-cell-id` of the cell that has keyboard focus, if any. */
  const focusedCell = (page: Page) => page.evaluate(() => document.activeElement?.closest('[data-cell-id]')?.getAttribute('data-cell-id') ?? null);

  async function inView(page: Page, selector: string): Promise<boolean> {
    return page.locator(selector).evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.top < innerHeight && r.bottom > 56 && r.left < innerWidth && r.right > 0;
    });
  }

  it('draws the Flights sample, follows edits and runs, and a node takes you to its cell', async () => {
    const { page } = await app.userPage('ana@example.com', 'Ana', viewport);
    const list = await (await page.request.get(`${app.srv.base}/api/notebooks`)).json();
    const flights = list.notebooks.find((n: { title: string }) => n.title === 'Flights');
    await page.goto(`${app.srv.base}/n/${flights.id}`);
    await page.waitForSelector('[data-ready="true"]');

    const toggle = page.getByRole('button', { name: 'Graph', exact: true });
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    await page.waitForSelector('[data-testid="lineage-panel"] [data-lineage-node]');

    // Computing cells only (the text cell is left out), with an edge wherever one reads another.
    const names = ['by_hour', 'delay_by_hour', 'worst_hour', 'by_distance', 'airports_by_state', 'airports_chart'];
    await expect.poll(() => page.locator('[data-lineage-node]').count()).toBe(names.length);
    for (const name of names) expect(await node(page, name).count()).toBe(1);
    expect(await edgesByName(page)).toEqual(['airports_by_state → airports_chart', 'by_hour → delay_by_hour', 'by_hour → worst_hour']);
    // Inputs are laid out left of their readers.
    const left = async (name: string) => (await node(page, name).locator('.box').boundingBox())!.x;
    expect(await left('by_hour')).toBeLessThan(await left('worst_hour'));
    expect(await overlappingNodes(page)).toEqual([]);

    // The sample computes when it opens: every node ends done, with its result's age.
    for (const name of names) await expect.poll(() => nodeStatus(page, name), { timeout: 60_000 }).toBe('done');
    expect(await node(page, 'by_hour').getAttribute('aria-label')).toMatch(/: done · just now\. Reads nothing; read by delay_by_hour, worst_hour\./);

    // An edit makes the cell and its readers stale in the graph, and Run all makes them done again.
    await page.locator('[data-cell-name="by_hour"] .cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' ');
    // The edit is parsed by the engine, which starts behind the painted results: allow for its start.
    for (const name of ['by_hour', 'delay_by_hour', 'worst_hour']) await expect.poll(() => nodeStatus(page, name), { timeout: 30_000 }).toBe('stale');
    expect(await nodeStatus(page, 'by_distance')).toBe('done');
    expect(await node(page, 'worst_hour').locator('text.line').textContent()).toMatch(/^stale/);
    await page.screenshot({ path: screenshotPath('e2e-lineage-flights-stale') });
    await page.getByRole('button', { name: 'Run all' }).click();
    for (const name of names) await expect.poll(() => nodeStatus(page, name), { timeout: 60_000 }).toBe('done');
    await page.screenshot({ path: screenshotPath('e2e-lineage-flights') });

    // Clicking a node focuses its cell and scrolls it into view; Enter on a focused node does the same.
    const chartId = await page.locator('[data-cell-name="airports_chart"]').first().getAttribute('data-cell-id');
    await node(page, 'airports_chart').click();
    await expect.poll(() => focusedCell(page)).toBe(chartId);
    expect(await inView(page, `article[data-cell-id="${chartId}"]`)).toBe(true);
    const worstId = await page.locator('article[data-cell-name="worst_hour"]').getAttribute('data-cell-id');
    await node(page, 'worst_hour').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => focusedCell(page)).toBe(worstId);
    expect(await inView(page, `article[data-cell-id="${worstId}"]`)).toBe(true);
    // The cell being edited is marked in the graph.
    expect(await node(page, 'worst_hour').getAttribute('class')).toMatch(/\bcurrent\b/);

    // Escape inside the panel closes it.
    await node(page, 'by_hour').focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-testid="lineage-panel"]').count()).toBe(0);
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
  });

  it('a 200-cell notebook opens readable, with no node over another, errors on the cells involved, and stays usable', { timeout: 420_000 }, async () => {
    const { page, token } = await app.userPage('bea@example.com', 'Bea', viewport);
    const { id } = await (await page.request.post(`${app.srv.base}/api/notebooks`, { data: { title: 'Two hundred cells' } })).json();
    await editNotebook(app.srv.ws, id, token, (doc) => {
      doc.transact(() => {
        // Mostly inputs (they compute at once) and one SQL cell per group, so the page is not
        // busy for minutes running queries: the graph is what this test is about.
        for (let i = 0; i < 39; i++) {
          insertCell(doc, { kind: 'input', name: `low_${i}`, config: { type: 'number', label: `Low ${i}`, value: i } });
          insertCell(doc, { kind: 'input', name: `high_${i}`, config: { type: 'number', label: `High ${i}`, value: i + 10 } });
          // Every fourth group also reads the group before it, so some pieces are large.
          const previous = i % 4 !== 0 ? ` + (select max(v) from span_${i - 1})` : '';
          insertCell(doc, { kind: 'sql', name: `span_${i}`, source: `select $high_${i} - $low_${i}${previous} as v` });
          insertCell(doc, { kind: 'input', name: `solo_${i}`, config: { type: 'text', label: `Solo ${i}`, value: `${i}` } });
          insertCell(doc, { kind: 'input', name: `flag_${i}`, config: { type: 'number', label: `Flag ${i}`, value: 1 } });
        }
        insertCell(doc, { kind: 'js', name: 'loop_a', source: 'loop_b + 1' });
        insertCell(doc, { kind: 'js', name: 'loop_b', source: 'loop_a + 1' });
        insertCell(doc, { kind: 'js', name: 'typo', source: 'agg_O + 1' });
        insertCell(doc, { kind: 'sql', name: 'after_loop', source: 'select 1 as x' });
        insertCell(doc, { kind: 'js', name: 'reads_loop', source: 'loop_a * 2' });
      });
    });
    await page.goto(`${app.srv.base}/n/${id}`);
    await page.waitForSelector('[data-ready="true"]');
    await page.getByRole('button', { name: 'Graph', exact: true }).click();
    await expect.poll(() => page.locator('[data-lineage-node]').count(), { timeout: 30_000 }).toBe(200);
    expect(await overlappingNodes(page)).toEqual([]);

    // Opened at a readable scale, from the start of the graph; the first cells are on screen.
    const scale = Number(await page.locator('[data-testid="lineage-canvas"]').getAttribute('data-scale'));
    expect(scale).toBeGreaterThanOrEqual(0.75);
    const canvas = (await page.locator('[data-testid="lineage-canvas"]').boundingBox())!;
    const first = (await node(page, 'low_0').locator('.box').boundingBox())!;
    expect(first.x).toBeGreaterThanOrEqual(canvas.x);
    expect(first.y).toBeGreaterThanOrEqual(canvas.y);

    // A cycle is marked on both cells and on its edges; an unknown name on the cell that reads it; a reader of the loop is blocked.
    await expect.poll(() => nodeStatus(page, 'loop_a'), { timeout: 30_000 }).toBe('error');
    expect(await nodeStatus(page, 'loop_b')).toBe('error');
    expect(await node(page, 'loop_a').getAttribute('aria-label')).toMatch(/circular definition: loop_a → loop_b → loop_a/);
    expect(await page.locator('.edge-cycle').count()).toBe(2);
    expect(await nodeStatus(page, 'typo')).toBe('error');
    expect(await node(page, 'typo').getAttribute('aria-label')).toMatch(/agg_O is not defined/);
    await expect.poll(() => nodeStatus(page, 'reads_loop')).toBe('blocked');
    // Statuses follow the runs: every cell that can run ends done.
    const count = (status: string) => page.locator(`[data-lineage-node][data-status="${status}"]`).count();
    await expect.poll(async () => (await count('queued')) + (await count('running')) + (await count('idle')), { timeout: 240_000, interval: 1000 }).toBe(0);
    expect(await count('done')).toBe(196);
    await page.screenshot({ path: screenshotPath('e2e-lineage-200') });

    // Fit shows all of it inside the canvas (small, names only), and zooming in from there works.
    const scaleNow = async () => Number(await page.locator('[data-testid="lineage-canvas"]').getAttribute('data-scale'));
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    await expect.poll(scaleNow, { timeout: 30_000 }).toBeLessThan(scale);
    const fitted = await scaleNow();
    const all = await page.evaluate(() => {
      const rects = [...document.querySelectorAll('[data-lineage-node] .box')].map((b) => b.getBoundingClientRect());
      return { left: Math.min(...rects.map((r) => r.left)), top: Math.min(...rects.map((r) => r.top)), right: Math.max(...rects.map((r) => r.right)), bottom: Math.max(...rects.map((r) => r.bottom)) };
    });
    expect(all.left).toBeGreaterThanOrEqual(canvas.x - 1);
    expect(all.top).toBeGreaterThanOrEqual(canvas.y - 1);
    expect(all.right).toBeLessThanOrEqual(canvas.x + canvas.width + 1);
    expect(all.bottom).toBeLessThanOrEqual(canvas.y + canvas.height + 1);
    await page.screenshot({ path: screenshotPath('e2e-lineage-200-fit') });

    // A cell far down the notebook is one click away.
    const lastId = await page.locator('article[data-cell-name="reads_loop"]').getAttribute('data-cell-id');
    await node(page, 'reads_loop').click();
    await expect.poll(() => focusedCell(page), { timeout: 60_000 }).toBe(lastId);
    expect(await inView(page, `article[data-cell-id="${lastId}"]`)).toBe(true);
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await expect.poll(scaleNow, { timeout: 30_000 }).toBeGreaterThan(fitted);

    // Editing with the graph open: a new dependency appears as an edge.
    await page.locator('article[data-cell-name="after_loop"] .cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' from span_3');
    await expect.poll(() => edgesByName(page).then((e) => e.includes('span_3 → after_loop')), { timeout: 60_000 }).toBe(true);
    expect(await overlappingNodes(page)).toEqual([]);
  });
});
