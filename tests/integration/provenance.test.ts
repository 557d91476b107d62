/**
 * Provenance of results (docs/api.md, "Provenance"): a server run on PostgreSQL resolves by
 * its result key to its exact SQL, bound parameters, user, row count, result hash and
 * audit-log run; a browser run posted by an editor resolves the same way and names the
 * results it read; a published report shows the card of a shown cell without code the
 * author hid; viewers read but cannot post; outsiders and bad input change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { STORES, createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { api, createNotebook, invite, signUp, testEmail, type SignedUp } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { editNotebook } from '../support/yclient.js';
import { insertCell, setCellField } from '../../src/lib/doc/index.js';

const READER = `cairn_prov_${randomBytes(3).toString('hex')}`;
const key = (label: string) => createHash('sha256').update(label).digest('hex');

describe.each(STORES)('provenance of results (%s store)', (kind) => {
  let store: TestStore;
  let srv: RunningServer;
  let owner: SignedUp;
  let viewer: SignedUp;
  let outsider: string;
  let warehouse: TestDatabase;
  let admin: pg.Client;
  let connectionId: string;
  let notebook: string;
  const ids = {} as Record<'region' | 'total' | 'base' | 'shown' | 'note', string>;

  beforeAll(async () => {
    warehouse = await createTestDatabase();
    admin = new pg.Client({ connectionString: warehouse.url });
    await admin.connect();
    await admin.query('create table sales (region text, amount numeric(12,2))');
    await admin.query(`insert into sales values ('north', 120.50), ('north', 80.25), ('south', 40.00)`);
    const url = new URL(warehouse.url);
    const database = url.pathname.slice(1);
    await admin.query(`create role ${READER} login`);
    await admin.query(`grant connect on database ${database} to ${READER}`);
    await admin.query(`grant usage on schema public to ${READER}`);
    await admin.query(`grant select on sales to ${READER}`);

    store = await createTestStore(kind);
    srv = await startInProcess(store);
    owner = await signUp(srv.base, 'Priya');
    viewer = await signUp(srv.base, 'Vik', 'viewer');
    const other = await api(srv.base, 'POST', '/api/workspaces', { token: owner.token, body: { name: 'Elsewhere' } });
    const signup = await api(srv.base, 'POST', '/api/auth/signup', {
      body: { email: testEmail('Otto'), password: 'correct horse battery staple', name: 'Otto', invitation: await invite(srv.base, owner.token, 'editor', other.body.id) }
    });
    outsider = signup.body.token;
    const connection = await api(srv.base, 'POST', '/api/connections', {
      token: owner.token,
      body: { name: 'warehouse', kind: 'postgres', config: { host: url.hostname, port: Number(url.port || 5432), database, user: READER, password: 'unused-with-trust-auth' } }
    });
    expect(connection.status).toBe(201);
    connectionId = connection.body.id;
    notebook = await createNotebook(srv.base, owner.token, 'Sales');
    await editNotebook(srv.ws, notebook, owner.token, (doc) => {
      ids.region = insertCell(doc, { kind: 'input', name: 'region', config: { type: 'select', label: 'Region', value: 'north', options: ['north', 'south'] } });
      ids.total = insertCell(doc, { kind: 'sql', name: 'total', engine: connectionId, source: 'select region, sum(amount) as total from sales where region = $region group by region' });
      ids.base = insertCell(doc, { kind: 'sql', name: 'base', engine: 'browser', source: 'select 21 as n', hidden: true });
      ids.shown = insertCell(doc, { kind: 'sql', name: 'shown', engine: 'browser', source: 'select n * 2 as twice from base' });
      ids.note = insertCell(doc, { kind: 'js', name: 'note', source: 'shown.numRows' });
      setCellField(doc, ids.shown, 'showCode', true);
    });
  }, 120_000);

  afterAll(async () => {
    await srv?.close();
    await store?.dispose();
    await admin?.end();
    await warehouse?.drop();
    const root = new pg.Client({ connectionString: new URL('/postgres', warehouse.url).toString() });
    await root.connect();
    await root.query(`drop role if exists ${READER}`);
    await root.end();
  });

  const provenance = (resultKey: string, token = owner.token) => api(srv.base, 'GET', `/api/notebooks/${notebook}/provenance/${resultKey}`, { token });
  const post = (body: unknown, token = owner.token) => api(srv.base, 'POST', `/api/notebooks/${notebook}/provenance`, { token, body });
  const browserRun = (over: Record<string, unknown> = {}) => ({
    resultKey: key('shown'),
    cellId: ids.shown,
    kind: 'sql',
    source: 'select n * 2 as twice from base',
    params: {},
    inputs: [key('base')],
    durationMs: 12.5,
    rows: 1,
    resultHash: key('shown result bytes'),
    ...over
  });

  it('resolves a server run to its exact SQL, bound parameters, user, rows, result hash and audit-log run', async () => {
    const resultKey = key('total north');
    const r = await fetch(`${srv.base}/api/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        connectionId,
        sql: 'select region, sum(amount) as total from sales where region = $region group by region',
        inputs: { region: { type: 'select', value: 'north' } },
        notebookId: notebook,
        cellId: ids.total,
        provenance: { resultKey, inputs: [] }
      })
    });
    expect(r.status).toBe(200);
    await r.arrayBuffer();
    const runId = r.headers.get('x-cairn-run-id')!;

    const card = await provenance(resultKey);
    expect(card.status).toBe(200);
    const run = await api(srv.base, 'GET', `/api/runs/${runId}`, { token: owner.token });
    expect(card.body).toMatchObject({
      resultKey,
      cellId: ids.total,
      cellName: 'total',
      kind: 'sql',
      engine: connectionId,
      connectionId,
      source: 'select region, sum(amount) as total from sales where region = $1 group by region',
      params: ['north'],
      user: { id: owner.user.id, name: 'Priya' },
      rows: 1,
      inputs: [],
      runId
    });
    // The card's hash is the audit log's: a hash of the Arrow IPC bytes the reader got.
    expect(card.body.resultHash).toBe(run.body.resultHash);
    expect(card.body.resultHash).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(card.body.at)).toBeLessThanOrEqual(Date.now());
    expect(card.body.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('records a browser run an editor posts, with the source hash the server computed, and links its inputs to their own cards', async () => {
    const base = browserRun({ resultKey: key('base'), cellId: ids.base, source: 'select 21 as n', inputs: [], resultHash: key('base bytes') });
    expect((await post(base)).status).toBe(201);
    expect((await post(browserRun())).status).toBe(201);

    const card = await provenance(key('shown'));
    expect(card.status).toBe(200);
    expect(card.body).toMatchObject({
      cellId: ids.shown,
      cellName: 'shown',
      kind: 'sql',
      engine: 'browser',
      source: 'select n * 2 as twice from base',
      sourceHash: createHash('sha256').update('select n * 2 as twice from base').digest('hex'),
      user: { id: owner.user.id },
      rows: 1,
      durationMs: 12.5,
      resultHash: key('shown result bytes'),
      inputs: [key('base')]
    });
    expect(card.body.runId).toBeUndefined();
    expect(card.body.connectionId).toBeUndefined();
    // The chain: the input's own card.
    const input = await provenance(card.body.inputs[0]);
    expect(input.status).toBe(200);
    expect(input.body).toMatchObject({ cellId: ids.base, source: 'select 21 as n', resultHash: key('base bytes') });

    // A JS cell's value, keyed the same way.
    expect((await post(browserRun({ resultKey: key('note'), cellId: ids.note, kind: 'js', source: 'shown.numRows', inputs: [key('shown')], rows: null }))).status).toBe(201);
    expect((await provenance(key('note'))).body).toMatchObject({ kind: 'js', rows: null, inputs: [key('shown')] });
  });

  it('lets a viewer read a card but not post a run; an outsider gets 404 for both', async () => {
    const read = await provenance(key('shown'), viewer.token);
    expect(read.status).toBe(200);
    expect(read.body.source).toBe('select n * 2 as twice from base');
    const refused = await post(browserRun({ resultKey: key('viewer claim') }), viewer.token);
    expect(refused.status).toBe(403);
    expect((await provenance(key('viewer claim'))).status).toBe(404);

    expect((await provenance(key('shown'), outsider)).status).toBe(404);
    expect((await post(browserRun({ resultKey: key('outsider claim') }), outsider)).status).toBe(404);
    expect((await provenance(key('outsider claim'))).status).toBe(404);
  });

  it('refuses bad input with a clear error and records nothing', async () => {
    expect((await provenance(key('never ran'))).status).toBe(404);
    expect((await provenance('not-a-key')).status).toBe(404);
    const claim = key('bad input');
    const cases: [unknown, number, RegExp][] = [
      [{ ...browserRun({ resultKey: claim }), resultHash: undefined }, 400, /resultHash/],
      [browserRun({ resultKey: 'short' }), 400, /resultKey/],
      [browserRun({ resultKey: claim, extra: 1 }), 400, /extra|unrecognized/i],
      [browserRun({ resultKey: claim, inputs: Array.from({ length: 201 }, (_, i) => key(String(i))) }), 400, /inputs/],
      [browserRun({ resultKey: claim, source: 'x'.repeat(200_001) }), 400, /source/],
      [browserRun({ resultKey: claim, cellId: 'no-such-cell' }), 400, /no such cell/],
      [browserRun({ resultKey: claim, kind: 'js' }), 400, /sql cell/],
      [browserRun({ resultKey: claim, cellId: ids.total, source: 'select 1' }), 400, /server connection/],
      [browserRun({ resultKey: claim, source: 'select 666 as twice' }), 409, /changed/]
    ];
    for (const [body, status, message] of cases) {
      const r = await post(body);
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      expect(r.body.error.message).toMatch(message);
    }
    expect((await api(srv.base, 'POST', `/api/notebooks/${notebook}/provenance`, { token: owner.token, raw: '{"resultKey":' })).status).toBe(400);
    expect((await provenance(claim)).status).toBe(404);
  });

  it('a key of another notebook is not found in this one', async () => {
    const elsewhere = await createNotebook(srv.base, owner.token, 'Elsewhere');
    expect((await api(srv.base, 'GET', `/api/notebooks/${elsewhere}/provenance/${key('shown')}`, { token: owner.token })).status).toBe(404);
  });

  it('shows report readers the card of a shown result, with its code only where the author shows it', async () => {
    const published = await api(srv.base, 'POST', `/api/notebooks/${notebook}/publish`, { token: owner.token, body: { visibility: 'public' } });
    expect(published.status).toBe(200);
    const slug = published.body.slug;
    const page = await api(srv.base, 'GET', `/api/reports/${slug}/page`);
    expect(page.status).toBe(200);
    const cell = (name: string) => page.body.cells.find((c: { name: string }) => c.name === name);
    expect(cell('base')).toBeUndefined();
    const totalKey: string = cell('total').resultKey;
    const shownKey: string = cell('shown').resultKey;
    expect(totalKey).toMatch(/^[0-9a-f]{64}$/);

    // Code hidden (the default): everything but the source.
    const total = await api(srv.base, 'GET', `/api/reports/${slug}/provenance/${totalKey}`);
    expect(total.status).toBe(200);
    expect(total.body).toMatchObject({ cellId: ids.total, cellName: 'total', kind: 'sql', connectionId, params: ['north'], rows: 1, user: { id: owner.user.id } });
    expect(total.body.source).toBeUndefined();
    expect(total.body.runId).toMatch(/[0-9a-f-]{36}/);
    // The result's hash is the hash of the Arrow bytes readers download.
    const arrow = new Uint8Array(await (await fetch(`${srv.base}/api/reports/${slug}/cells/total.arrow`)).arrayBuffer());
    expect(total.body.resultHash).toBe(createHash('sha256').update(arrow).digest('hex'));

    // Code shown: the cell's own published source, and its input's key.
    const shown = await api(srv.base, 'GET', `/api/reports/${slug}/provenance/${shownKey}`);
    expect(shown.status).toBe(200);
    expect(shown.body.source).toBe('select n * 2 as twice from base');
    expect(shown.body.inputs).toHaveLength(1);
    // …whose cell is hidden in the report: not found there.
    expect((await api(srv.base, 'GET', `/api/reports/${slug}/provenance/${shown.body.inputs[0]}`)).status).toBe(404);

    // With a reader's input value, the result has another key, and it resolves too.
    const south = await api(srv.base, 'GET', `/api/reports/${slug}/page?region=south`);
    const southKey: string = south.body.cells.find((c: { name: string }) => c.name === 'total').resultKey;
    expect(southKey).not.toBe(totalKey);
    const southCard = await api(srv.base, 'GET', `/api/reports/${slug}/provenance/${southKey}?region=south`);
    expect(southCard.status).toBe(200);
    expect(southCard.body.params).toEqual(['south']);

    // A key the notebook has but the report does not show (a browser run's key, not the report's): 404.
    expect((await api(srv.base, 'GET', `/api/reports/${slug}/provenance/${key('shown')}`)).status).toBe(404);
    expect((await api(srv.base, 'GET', `/api/reports/${slug}/provenance/${key('never')}`)).status).toBe(404);
  });
});
