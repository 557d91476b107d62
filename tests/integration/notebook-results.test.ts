/**
 * A notebook's last results for its page's first paint: the list of cells with the keys
 * the page's own graph gives them (so a painted result is kept, not re-run), each cell's
 * result computed on the server as the reader — a browser cell on the server's DuckDB for
 * anyone who may read the notebook, a server cell from the shared cache only (a miss is the
 * page's to run) — and never anything a browser computed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { tableFromIPC } from 'apache-arrow';
import { createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { api, createNotebook, signUp, type SignedUp } from '../support/api.js';
import { editNotebook, connectClient, synced } from '../support/yclient.js';
import { blockingDuckDb } from '../support/duckdb.js';
import { insertCell } from '../../src/lib/doc/index.js';
import { GraphCells } from '../../src/lib/notebook/run/graph-cells.js';
import { KnownTables } from '../../src/lib/notebook/run/known-tables.js';
import { buildGraph, DuckDbSqlParser, sha256Hex, type Leaf, type SqlParser } from '../../kernels/graph/index.js';
import { SAMPLES } from '../../kernels/samples.js';
import type { NotebookResultList } from '../../src/lib/contract/index.js';

describe('GET /api/notebooks/:id/results', () => {
  let store: TestStore;
  let srv: RunningServer;
  let owner: SignedUp;
  let viewer: SignedUp;
  let notebook: string;
  let connectionId: string;
  const ids: Record<string, string> = {};

  const arrow = async (token: string, cellId: string) => {
    const res = await fetch(`${srv.base}/api/notebooks/${notebook}/results/${cellId}`, { headers: { authorization: `Bearer ${token}` } });
    return { res, body: res.ok ? new Uint8Array(await res.arrayBuffer()) : await res.json() };
  };

  beforeAll(async () => {
    store = await createTestStore('embedded');
    srv = await startInProcess(store);
    owner = await signUp(srv.base, 'Olga');
    viewer = await signUp(srv.base, 'Vic', 'viewer');
    connectionId = (await api(srv.base, 'POST', '/api/connections', { token: owner.token, body: { name: 'Server DuckDB', kind: 'duckdb', config: {} } })).body.id;
    notebook = await createNotebook(srv.base, owner.token, 'Paint');
    await editNotebook(srv.ws, notebook, owner.token, (doc) => {
      ids.by_hour = insertCell(doc, { kind: 'sql', name: 'by_hour', source: 'select floor(time)::int as hour, count(*) as flights from flights_200k group by 1 order by 1' });
      ids.busy = insertCell(doc, { kind: 'sql', name: 'busy', source: 'with h as (select * from by_hour) select hour from h where flights > 10000 order by hour' });
      ids.chart = insertCell(doc, { kind: 'chart', name: 'chart', config: { source: 'by_hour', mark: 'bar', x: 'hour', y: 'flights', aggregate: 'sum' } });
      ids.on_server = insertCell(doc, { kind: 'sql', name: 'on_server', engine: connectionId, source: 'select count(*) as n from airports' });
      ids.js = insertCell(doc, { kind: 'js', name: 'js', source: 'by_hour.numRows' });
      ids.broken = insertCell(doc, { kind: 'sql', name: 'broken', source: 'select from where' });
    });
  }, 120_000);

  afterAll(async () => {
    await srv?.close();
    await store?.dispose();
  });

  it('lists the cells it can paint with the keys the page’s own graph gives them, and the parser’s answers', async () => {
    const list = (await api<NotebookResultList>(srv.base, 'GET', `/api/notebooks/${notebook}/results`, { token: viewer.token })).body;
    expect(list.cells.map((c) => c.name)).toEqual(['by_hour', 'busy', 'chart', 'on_server']);
    expect(list.cells.find((c) => c.name === 'on_server')?.engine).toBe(connectionId);

    // The page builds its graph with DuckDB-WASM's parser; from the listed answers it needs none.
    const wasm = new DuckDbSqlParser((await blockingDuckDb()).connect());
    const asked: string[] = [];
    const counting: SqlParser = { tableNames: (sql) => (asked.push(sql), wasm.tableNames(sql)) };
    const known = new KnownTables(counting);
    known.learn(list.tables);
    const client = connectClient(srv.ws, notebook, viewer.token);
    await synced(client);
    const leaves: Leaf[] = SAMPLES.map((s) => ({ name: s.name, kind: 'sample', key: `sample:${s.file}` }));
    const fromServer = buildGraph(await new GraphCells(known).read(client.doc), leaves);
    const fromWasm = buildGraph(await new GraphCells(wasm).read(client.doc), leaves);
    client.destroy();
    for (const cell of list.cells) {
      expect(fromWasm.node(cell.cellId)?.key, cell.name).toBe(cell.key);
      expect(fromServer.node(cell.cellId)?.key, cell.name).toBe(cell.key);
    }
    // Only the SQL the server's parser refused was left to the page's.
    expect(asked).toEqual(['select from where']);
    expect(list.tables[sha256Hex('with h as (select * from by_hour) select hour from h where flights > 10000 order by hour')]).toEqual(['by_hour']);
  });

  it('computes a browser cell and a chart on the server for a viewer, as the server’s runs', async () => {
    const { res, body } = await arrow(viewer.token, ids.busy);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
    const hours = tableFromIPC(body as Uint8Array).getChild('hour')!.toArray();
    expect(hours.length).toBeGreaterThan(5);
    const run = await api(srv.base, 'GET', `/api/runs/${res.headers.get('x-cairn-run-id')}`, { token: owner.token });
    expect(run.body).toMatchObject({ connectionId: 'samples:browser', cellId: ids.busy, notebookId: notebook, userId: viewer.user.id });

    const chart = await arrow(viewer.token, ids.chart);
    expect(chart.res.status).toBe(200);
    expect(JSON.parse(decodeURIComponent(chart.res.headers.get('x-cairn-source-columns')!)).map((c: { name: string }) => c.name)).toEqual(['hour', 'flights']);

    // Asked again with its ETag: not modified.
    const again = await fetch(`${srv.base}/api/notebooks/${notebook}/results/${ids.busy}`, { headers: { authorization: `Bearer ${viewer.token}`, 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('a server cell comes from the shared cache only: a miss is the page’s to run on its connection', async () => {
    for (const who of [viewer, owner]) {
      const miss = await arrow(who.token, ids.on_server);
      expect(miss.res.status).toBe(404);
      expect((miss.body as { error: { code: string } }).error.code).toBe('not_cached');
    }
    // The page's own run (as the editor's browser sends it) computes and caches it.
    const run = await fetch(`${srv.base}/api/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ connectionId, sql: 'select count(*) as n from airports', notebookId: notebook, cellId: ids.on_server })
    });
    await run.arrayBuffer();
    expect(run.status).toBe(200);
    // The query service stores a finished result in the cache just after answering.
    await expect.poll(async () => (await arrow(viewer.token, ids.on_server)).res.status, { timeout: 10_000 }).toBe(200);
    const after = await arrow(viewer.token, ids.on_server);
    expect(after.res.headers.get('x-cairn-result-at')).toBe(run.headers.get('x-cairn-result-at'));
    const hit = await api(srv.base, 'GET', `/api/runs/${after.res.headers.get('x-cairn-run-id')}`, { token: owner.token });
    expect(hit.body.cache).toBe('hit');
  });

  it('a JS cell, a missing cell or a bad id is a 404; a cell that cannot compute says why; no session is a 401', async () => {
    expect((await arrow(owner.token, ids.js)).res.status).toBe(404);
    expect((await arrow(owner.token, ids.broken)).res.status).toBe(422);
    expect((await arrow(owner.token, 'no-such-cell')).res.status).toBe(404);
    expect((await arrow(owner.token, 'x'.repeat(500))).res.status).toBe(404);
    const { res } = await arrow('not-a-token', ids.busy);
    expect(res.status).toBe(401);
  });

  it('follows the live document: an edit gives the cell a new key and a new result', async () => {
    const before = (await api<NotebookResultList>(srv.base, 'GET', `/api/notebooks/${notebook}/results`, { token: owner.token })).body.cells.find((c) => c.name === 'by_hour')!;
    await editNotebook(srv.ws, notebook, owner.token, (doc: Y.Doc) => {
      const source = doc.getMap<Y.Map<unknown>>('cells').get(ids.by_hour)!.get('source') as Y.Text;
      source.insert(source.length, ' limit 3');
    });
    const after = (await api<NotebookResultList>(srv.base, 'GET', `/api/notebooks/${notebook}/results`, { token: owner.token })).body.cells.find((c) => c.name === 'by_hour')!;
    expect(after.key).not.toBe(before.key);
    const { res, body } = await arrow(owner.token, ids.by_hour);
    expect(res.headers.get('x-cairn-result-key')).toBe(after.key);
    expect(tableFromIPC(body as Uint8Array).numRows).toBe(3);
  });
});
