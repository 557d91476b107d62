/**
 * A report over a warehouse (docs/api.md, "Reports"): its server cell runs on PostgreSQL
 * through a select-only role, as the publisher; readers' inputs are bound; when a refresh
 * fails (the table is gone), readers keep the last good result with its age and the
 * error in `x-cairn-refresh-error`; and report reads are rate-limited per address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import * as Y from 'yjs';
import { createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { api, createNotebook, signUp, type SignedUp } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { editNotebook } from '../support/yclient.js';
import { insertCell } from '../../src/lib/doc/index.js';

const READER = `cairn_rep_${randomBytes(3).toString('hex')}`;

describe('reports over PostgreSQL', () => {
  let store: TestStore;
  let srv: RunningServer;
  let owner: SignedUp;
  let warehouse: TestDatabase;
  let admin: pg.Client;
  let notebook: string;
  let slug: string;

  const edit = (fn: (doc: Y.Doc) => void) => editNotebook(srv.ws, notebook, owner.token, fn);

  beforeAll(async () => {
    warehouse = await createTestDatabase();
    admin = new pg.Client({ connectionString: warehouse.url });
    await admin.connect();
    await admin.query('create table sales (region text, amount numeric(12,2))');
    await admin.query(`insert into sales values ('north', 120.50), ('north', 80.25), ('south', 40.00), ('east', 310.10)`);
    const url = new URL(warehouse.url);
    const database = url.pathname.slice(1);
    // A reporting account as an admin sets one up: connect, usage, select — nothing more.
    await admin.query(`create role ${READER} login`);
    await admin.query(`grant connect on database ${database} to ${READER}`);
    await admin.query(`grant usage on schema public to ${READER}`);
    await admin.query(`grant select on sales to ${READER}`);

    store = await createTestStore('embedded');
    srv = await startInProcess(store, { env: { CAIRN_REPORT_READS_PER_IP: '40' } });
    owner = await signUp(srv.base, 'Olga');
    const connection = await api(srv.base, 'POST', '/api/connections', {
      token: owner.token,
      body: { name: 'warehouse', kind: 'postgres', config: { host: url.hostname, port: Number(url.port || 5432), database, user: READER, password: 'unused-with-trust-auth' } }
    });
    expect(connection.status).toBe(201);
    notebook = await createNotebook(srv.base, owner.token, 'Sales');
    await edit((doc) => {
      insertCell(doc, { kind: 'input', name: 'region', config: { type: 'select', label: 'Region', value: 'north', options: ['north', 'south', 'east'] } });
      insertCell(doc, { kind: 'sql', name: 'total', engine: connection.body.id, source: 'select region, sum(amount) as total from sales where region = $region group by region' });
    });
    const published = await api(srv.base, 'POST', `/api/notebooks/${notebook}/publish`, { token: owner.token, body: { visibility: 'public' } });
    expect(published.status).toBe(200);
    slug = published.body.slug;
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

  const read = (query = '') => fetch(`${srv.base}/api/reports/${slug}/cells/total.json${query}`);

  it('runs the server cell as the publisher, with the reader’s input bound', async () => {
    const north = await read();
    expect(north.status).toBe(200);
    expect(await north.json()).toEqual({ columns: [{ name: 'region', type: expect.any(String) }, { name: 'total', type: expect.any(String) }], rows: [['north', '200.75']] });
    const east = (await (await read('?region=east')).json()) as { rows: unknown[][] };
    expect(east.rows).toEqual([['east', '310.10']]);
    // The run log has the bound value, as the publisher's run.
    const runs = await api(srv.base, 'GET', `/api/runs?notebookId=${notebook}`, { token: owner.token });
    const bound = runs.body.runs.find((r: { params: unknown[] }) => JSON.stringify(r.params) === '["east"]');
    expect(bound).toMatchObject({ userId: owner.user.id, sql: expect.stringContaining('region = $1') });
  });

  it('keeps the last good result, with its age and the error, when a refresh fails', async () => {
    const before = await read();
    const at = before.headers.get('x-cairn-result-at');
    const body = await before.text();
    await admin.query('alter table sales rename to sales_moved');
    try {
      const refreshed = await api(srv.base, 'POST', `/api/reports/${slug}/refresh`, { token: owner.token, body: {} });
      expect(refreshed.status).toBeLessThan(300);
      const after = await read();
      expect(after.status).toBe(200);
      expect(after.headers.get('x-cairn-result-at')).toBe(at);
      expect(after.headers.get('x-cairn-refresh-error')).toMatch(/sales/);
      expect(await after.text()).toBe(body);
      const page = await api(srv.base, 'GET', `/api/reports/${slug}/page`);
      expect(page.body.cells.find((c: { name: string }) => c.name === 'total')).toMatchObject({ refreshError: expect.stringMatching(/sales/), result: { rows: [['north', '200.75']] } });
    } finally {
      await admin.query('alter table sales_moved rename to sales');
    }
    await api(srv.base, 'POST', `/api/reports/${slug}/refresh`, { token: owner.token, body: {} });
    const recovered = await read();
    expect(recovered.headers.get('x-cairn-refresh-error')).toBeNull();
    expect(Date.parse(recovered.headers.get('x-cairn-result-at')!)).toBeGreaterThan(Date.parse(at!));
  });

  it('refuses a reader past the per-address limit with 429 and retry-after', async () => {
    let limited: Response | null = null;
    for (let i = 0; i < 60 && !limited; i++) {
      const r = await read();
      if (r.status === 429) limited = r;
      else await r.arrayBuffer();
    }
    expect(limited).not.toBeNull();
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited!.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
  });
});
