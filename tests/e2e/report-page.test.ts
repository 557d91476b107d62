import { describe, expect, it } from 'vitest';
import { screenshotPath } from '../support/browser.js';
import { useApp } from '../support/e2e.js';
import { connectClient, synced } from '../support/yclient.js';
import { insertCell, setProseMarkdown } from '../../src/lib/doc/index.js';

/**
 * A published report in Chromium (docs/api.md, "Reports"): an anonymous reader gets text
 * and numbers in the server's HTML, downloads no WebAssembly, and setting an input changes
 * the numbers and puts the input in the URL. Hidden code is nowhere in the page.
 */
describe('report page in Chromium', () => {
  const app = useApp();
  const SQL = 'select count(*)::integer as flights from flights_200k where delay > $min_delay';

  it('paints on the server, loads no WebAssembly, and reads inputs from the URL', async () => {
    const { page: author, token } = await app.userPage('ana@example.com', 'Ana');
    const created = await author.request.post(`${app.srv.base}/api/notebooks`, { data: { title: 'Delays' } });
    const { id } = await created.json();
    const script = connectClient(app.srv.ws, id, token);
    await synced(script);
    setProseMarkdown(script.doc, insertCell(script.doc, { kind: 'text' }), '# Late flights\n\nHow many flights left **late**.');
    insertCell(script.doc, { kind: 'input', name: 'min_delay', config: { type: 'number', label: 'Minimum delay', value: 30 } });
    insertCell(script.doc, { kind: 'sql', name: 'late', engine: 'browser', source: SQL });
    insertCell(script.doc, { kind: 'sql', name: 'by_band', engine: 'browser', source: "select ((distance // 500) * 500)::varchar as band, count(*)::integer as flights from flights_200k group by band order by band" });
    insertCell(script.doc, { kind: 'js', name: 'doubled', source: "late.getChild('flights').get(0) * 2" });
    insertCell(script.doc, { kind: 'js', name: 'described', source: "`twice the late flights: ${doubled}`" });
    insertCell(script.doc, { kind: 'chart', name: 'bands', config: { source: 'by_band', mark: 'bar', x: 'band', y: 'flights', aggregate: 'sum' } });
    await new Promise((r) => setTimeout(r, 200));
    script.destroy();
    const published = await author.request.post(`${app.srv.base}/api/notebooks/${id}/publish`, { data: { visibility: 'public' } });
    expect(published.status()).toBe(200);
    const { slug } = await published.json();

    // The server's HTML alone: text, the number, its age; not the SQL.
    const html = await (await fetch(`${app.srv.base}/r/${slug}`)).text();
    expect(html).toContain('Late flights');
    expect(html).toMatch(/as of \d\d:\d\d/);
    expect(html).not.toContain('flights_200k');
    const expected = (await (await fetch(`${app.srv.base}/api/reports/${slug}/cells/late.json`)).json()) as { rows: number[][] };
    expect(html).toContain(expected.rows[0][0].toLocaleString('en-US'));

    const reader = await app.newPage({ width: 1100, height: 900 });
    const requests: string[] = [];
    reader.on('request', (r) => requests.push(r.url()));
    await reader.goto(`${app.srv.base}/r/${slug}`);
    await reader.waitForLoadState('networkidle');
    const late = reader.locator('[data-cell-name="late"] td').first();
    await expect.poll(() => late.innerText()).toBe(expected.rows[0][0].toLocaleString('en-US'));
    await reader.locator('[data-cell-name="bands"] svg').first().waitFor({ timeout: 30_000 });
    // A JS cell runs in the reader's sandbox, over the shown result it reads.
    await expect.poll(() => reader.locator('[data-cell-name="doubled"]').innerText(), { timeout: 30_000 }).toContain(String(expected.rows[0][0] * 2));
    // …and a JS cell reading another JS cell waits for its value.
    await expect.poll(() => reader.locator('[data-cell-name="described"]').innerText(), { timeout: 30_000 }).toContain(`twice the late flights: ${expected.rows[0][0] * 2}`);
    await reader.screenshot({ path: screenshotPath('report-page'), fullPage: true });

    await reader.getByLabel('Minimum delay').fill('0');
    await reader.getByLabel('Minimum delay').press('Enter');
    await reader.waitForURL(/min_delay=0/);
    const wider = (await (await fetch(`${app.srv.base}/api/reports/${slug}/cells/late.json?min_delay=0`)).json()) as { rows: number[][] };
    expect(wider.rows[0][0]).toBeGreaterThan(expected.rows[0][0]);
    await expect.poll(() => late.innerText(), { timeout: 30_000 }).toBe(wider.rows[0][0].toLocaleString('en-US'));
    await expect.poll(() => reader.locator('[data-cell-name="doubled"]').innerText(), { timeout: 30_000 }).toContain(String(wider.rows[0][0] * 2));
    await reader.waitForLoadState('networkidle');

    await reader.emulateMedia({ media: 'print' });
    await reader.screenshot({ path: screenshotPath('report-page-print'), fullPage: true });
    await reader.emulateMedia({ media: 'screen' });
    const wasm = requests.filter((u) => /\.wasm(\?|$)|duckdb|parquet/i.test(u));
    expect(wasm).toEqual([]);

    // The embed page of one cell, which other sites may frame.
    const embed = await fetch(`${app.srv.base}/r/${slug}/embed?cell=late`);
    expect(embed.status).toBe(200);
    expect(embed.headers.get('content-security-policy')).toContain('frame-ancestors *');
    const framed = await app.newPage({ width: 600, height: 400 });
    await framed.goto(`${app.srv.base}/r/${slug}/embed?cell=bands`);
    await framed.locator('[data-cell-name="bands"] svg').first().waitFor({ timeout: 30_000 });
    expect(await framed.locator('[data-cell-name]').count()).toBe(1);
    await framed.screenshot({ path: screenshotPath('report-embed') });
    expect((await fetch(`${app.srv.base}/r/${slug}`)).headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect((await fetch(`${app.srv.base}/r/${slug}/embed?cell=nope`)).status).toBe(404);
    expect((await fetch(`${app.srv.base}/r/no-such-report-000000`)).status).toBe(404);

    // A workspace report: the member's session reaches the server-side render; anyone else gets 404.
    expect((await author.request.post(`${app.srv.base}/api/notebooks/${id}/publish`, { data: { visibility: 'workspace' } })).status()).toBe(200);
    expect((await fetch(`${app.srv.base}/r/${slug}`)).status).toBe(404);
    const member = await author.request.get(`${app.srv.base}/r/${slug}`);
    expect(member.status()).toBe(200);
    expect(await member.text()).toContain('Late flights');
  }, 180_000);
});
