/**
 * A published report's results as endpoints (docs/api.md, "Reports"): computed on the
 * server for browser-engine cells and charts, bound inputs from the query string, the three
 * formats agreeing, hidden and missing cells answering 404, and readers' access.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { tableFromIPC } from 'apache-arrow';
import { createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { api, createNotebook, invite, signUp, testEmail, type SignedUp } from '../support/api.js';
import { editNotebook } from '../support/yclient.js';
import { insertCell, setProseMarkdown } from '../../src/lib/doc/index.js';

const BY_DISTANCE = 'select ((distance // 500) * 500)::varchar as band, count(*)::integer as flights, avg(delay) as avg_delay from flights_200k where delay > $min_delay group by band order by flights desc, band limit 5';

describe('report results', () => {
  let store: TestStore;
  let srv: RunningServer;
  let owner: SignedUp;
  let outsider: { token: string };
  let notebook: string;
  let slug: string;

  const edit = (fn: (doc: Y.Doc) => void) => editNotebook(srv.ws, notebook, owner.token, fn);

  async function get(path: string, token?: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${srv.base}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  }

  beforeAll(async () => {
    store = await createTestStore('embedded');
    srv = await startInProcess(store);
    owner = await signUp(srv.base, 'Olga');
    const other = await api(srv.base, 'POST', '/api/workspaces', { token: owner.token, body: { name: 'Elsewhere' } });
    const invitation = await invite(srv.base, owner.token, 'editor', other.body.id);
    const signed = await api(srv.base, 'POST', '/api/auth/signup', { body: { email: testEmail('Out'), password: 'correct horse battery staple', name: 'Out', invitation } });
    outsider = { token: signed.body.token };
    notebook = await createNotebook(srv.base, owner.token, 'Delays');
    await edit((doc) => {
      setProseMarkdown(doc, insertCell(doc, { kind: 'text' }), '# Delays by distance');
      insertCell(doc, { kind: 'input', name: 'min_delay', config: { type: 'number', label: 'Minimum delay', value: 10, min: 0 } });
      insertCell(doc, { kind: 'input', name: 'carrier', config: { type: 'select', label: 'Carrier', value: 'AA', options: ['AA', 'UA'] } });
      insertCell(doc, { kind: 'sql', name: 'by_distance', engine: 'browser', source: BY_DISTANCE });
      insertCell(doc, { kind: 'input', name: 'band', config: { type: 'select', label: 'Band', value: '500', optionsFrom: 'by_distance.band' } });
      insertCell(doc, { kind: 'chart', name: 'chart1', config: { source: 'by_distance', mark: 'bar', x: 'band', y: 'flights', aggregate: 'sum' } });
      insertCell(doc, { kind: 'sql', name: 'secret', engine: 'browser', source: 'select 42 as answer', hidden: true });
      insertCell(doc, { kind: 'js', name: 'doubled', source: 'by_distance.numRows * 2' });
    });
    const published = await api(srv.base, 'POST', `/api/notebooks/${notebook}/publish`, { token: owner.token, body: { visibility: 'public' } });
    expect(published.status).toBe(200);
    slug = published.body.slug;
  }, 120_000);

  afterAll(async () => {
    await srv?.close();
    await store?.dispose();
  });

  it('serves a browser-engine cell computed on the server, the same in Arrow, CSV and JSON', async () => {
    const arrow = await get(`/api/reports/${slug}/cells/by_distance.arrow`);
    expect(arrow.status).toBe(200);
    expect(arrow.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
    const at = arrow.headers.get('x-cairn-result-at')!;
    expect(Date.parse(at)).toBeGreaterThan(Date.now() - 120_000);
    const table = tableFromIPC(new Uint8Array(await arrow.arrayBuffer()));
    expect(table.numRows).toBe(5);

    const json = await get(`/api/reports/${slug}/cells/by_distance.json`);
    expect(json.headers.get('x-cairn-result-at')).toBe(at);
    const body = (await json.json()) as { columns: { name: string }[]; rows: unknown[][] };
    expect(body.columns.map((c) => c.name)).toEqual(['band', 'flights', 'avg_delay']);
    expect(body.rows.map((r) => r[0])).toEqual([...table.getChild('band')!.toArray()]);
    expect(body.rows.map((r) => Number(r[1]))).toEqual([...table.getChild('flights')!.toArray()].map(Number));

    const csv = await (await get(`/api/reports/${slug}/cells/by_distance.csv`)).text();
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toBe('band,flights,avg_delay');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(body.rows.map((r) => `${r[0]},${r[1]}`));
  });

  it('binds inputs from the query string, and refuses a value that does not fit, naming the input', async () => {
    const base = (await (await get(`/api/reports/${slug}/cells/by_distance.json`)).json()) as { rows: unknown[][] };
    const wider = (await (await get(`/api/reports/${slug}/cells/by_distance.json?min_delay=0`)).json()) as { rows: unknown[][] };
    expect(Number(wider.rows[0][1])).toBeGreaterThan(Number(base.rows[0][1]));

    // A value that could be SQL is data: as a number input it is refused, not run.
    const hostile = await get(`/api/reports/${slug}/cells/by_distance.json?min_delay=${encodeURIComponent('0; drop table x')}`);
    expect(hostile.status).toBe(400);
    expect(((await hostile.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('min_delay') });
    const outside = await get(`/api/reports/${slug}/cells/by_distance.json?carrier=ZZ`);
    expect(outside.status).toBe(400);
    expect(((await outside.json()) as { error: { message: string } }).error.message).toContain('carrier');
    // Unknown parameters (tracking tags) are ignored.
    expect((await get(`/api/reports/${slug}/cells/by_distance.json?utm_source=mail`)).status).toBe(200);
    expect((await get(`/api/reports/${slug}/cells/by_distance.json?x=${'a'.repeat(5000)}`)).status).toBe(414);
  });

  it('offers a select fed by a column that column’s values, and refuses others', async () => {
    const page = (await (await get(`/api/reports/${slug}/page`)).json()) as { inputs: { name: string; options?: string[] }[] };
    const band = page.inputs.find((i) => i.name === 'band')!;
    expect(band.options).toEqual(expect.arrayContaining(['0', '500', '1000']));
    expect((await get(`/api/reports/${slug}/page?band=1000`)).status).toBe(200);
    expect((await get(`/api/reports/${slug}/page?band=777`)).status).toBe(400);
  });

  it('serves a chart as the data it draws', async () => {
    const chart = await get(`/api/reports/${slug}/cells/chart1.json`);
    expect(chart.status).toBe(200);
    const body = (await chart.json()) as { columns: { name: string }[]; rows: unknown[][] };
    const source = (await (await get(`/api/reports/${slug}/cells/by_distance.json`)).json()) as { rows: unknown[][] };
    const drawn = new Map(body.rows.map((r) => [String(r[0]), Number(r[1])]));
    expect(drawn.size).toBe(source.rows.length);
    for (const row of source.rows) expect(drawn.get(String(row[0]))).toBe(Number(row[1]));
  });

  it('answers 404 for hidden, missing and text cells and a bad format, and explains JS cells', async () => {
    expect((await get(`/api/reports/${slug}/cells/secret.json`)).status).toBe(404);
    expect((await get(`/api/reports/${slug}/cells/nothing.json`)).status).toBe(404);
    expect((await get(`/api/reports/${slug}/cells/by_distance.xml`)).status).toBe(404);
    expect((await get(`/api/reports/nope-000000/cells/by_distance.json`)).status).toBe(404);
    const js = await get(`/api/reports/${slug}/cells/doubled.json`);
    expect(js.status).toBe(422);
  });

  it('answers an unchanged result with 304 for its ETag', async () => {
    const first = await get(`/api/reports/${slug}/cells/by_distance.json`);
    const etag = first.headers.get('etag')!;
    expect(etag).toBeTruthy();
    expect((await get(`/api/reports/${slug}/cells/by_distance.json`, undefined, { 'if-none-match': etag })).status).toBe(304);
  });

  it('lets anyone read a public report, and nobody read a members report they are not on', async () => {
    expect((await get(`/api/reports/${slug}/cells/by_distance.json`)).status).toBe(200);
    await api(srv.base, 'POST', `/api/notebooks/${notebook}/publish`, { token: owner.token, body: { visibility: 'members', members: [] } });
    expect((await get(`/api/reports/${slug}/cells/by_distance.json`)).status).toBe(404);
    expect((await get(`/api/reports/${slug}/cells/by_distance.json`, outsider.token)).status).toBe(404);
    expect((await get(`/api/reports/${slug}/cells/by_distance.json`, owner.token)).status).toBe(200);
  });
});
