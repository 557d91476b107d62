import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { api, createNotebook, invite, signUp, testEmail, type SignedUp } from '../support/api.js';
import { connectClient, synced } from '../support/yclient.js';
import { insertCell } from '../../src/lib/doc/index.js';

/**
 * A notebook's JSON view names the connections its cells run on, for every reader: a
 * viewer (who may not list connections) and an editor without a grant learn a cell runs
 * on "Warehouse" without learning anything secret about it. Outside the notebook's
 * workspace the notebook does not exist.
 */
describe.each(STORES)('the connections a notebook names (%s store)', (kind) => {
  let store: TestStore;
  let srv: RunningServer;
  /** The first account: the instance admin, owner of the default workspace. */
  let owner: SignedUp;
  beforeAll(async () => {
    store = await createTestStore(kind);
    srv = await startInProcess(store);
    owner = await signUp(srv.base, 'Olive');
  });
  afterAll(async () => {
    await srv?.close();
    await store?.dispose();
  });

  it('shows a viewer and an editor without a grant the name and kind of each connection the cells use, and nothing else', async () => {
    const editor = await signUp(srv.base, 'Vera', 'editor');
    const viewer = await signUp(srv.base, 'Vic', 'viewer');
    const warehouse = await api(srv.base, 'POST', '/api/connections', {
      token: owner.token,
      body: { name: 'Warehouse', kind: 'duckdb', config: {}, access: { members: [owner.user.id] } }
    });
    expect(warehouse.status).toBe(201);
    const unused = await api(srv.base, 'POST', '/api/connections', { token: owner.token, body: { name: 'Unused', kind: 'duckdb', config: {} } });
    expect(unused.status).toBe(201);

    const id = await createNotebook(srv.base, owner.token, 'Quarterly');
    const client = connectClient(srv.ws, id, owner.token);
    await synced(client);
    insertCell(client.doc, { kind: 'sql', name: 'local', source: 'select 1' });
    insertCell(client.doc, { kind: 'sql', name: 'remote', engine: warehouse.body.id, source: 'select 2' });
    insertCell(client.doc, { kind: 'sql', name: 'again', engine: warehouse.body.id, source: 'select 3' });
    insertCell(client.doc, { kind: 'sql', name: 'audit', engine: 'cairn', source: 'select 4' });
    insertCell(client.doc, { kind: 'sql', name: 'gone', engine: 'no-such-connection', source: 'select 5' });
    await new Promise((r) => setTimeout(r, 300));
    client.destroy();
    const shared = await api(srv.base, 'PUT', `/api/notebooks/${id}/access`, { token: owner.token, body: { general: 'view', grants: [] } });
    expect(shared.status).toBe(200);

    const expected = [
      { id: warehouse.body.id, name: 'Warehouse', kind: 'duckdb', builtin: false, hasSamples: true },
      { id: 'cairn', name: 'Cairn audit log', kind: 'duckdb', builtin: true, hasSamples: true }
    ];
    for (const reader of [viewer, editor, owner]) {
      const r = await api(srv.base, 'GET', `/api/notebooks/${id}`, { token: reader.token });
      expect(r.status).toBe(200);
      expect(r.body.connections).toEqual(expected);
      expect(r.body.workspaceId).toBe('default');
    }
    // The viewer still may not use or read the connection itself.
    expect((await api(srv.base, 'GET', `/api/connections/${warehouse.body.id}`, { token: viewer.token })).status).toBe(404);
  });

  it('answers 404 to a member of another workspace, with no names', async () => {
    const id = await createNotebook(srv.base, owner.token, 'Private');
    const other = await api(srv.base, 'POST', '/api/workspaces', { token: owner.token, body: { name: 'Elsewhere' } });
    expect(other.status).toBe(201);
    const invitation = await invite(srv.base, owner.token, 'admin', other.body.id);
    const outsider = await api(srv.base, 'POST', '/api/auth/signup', {
      body: { email: testEmail('Otto'), password: 'correct horse battery staple', name: 'Otto', invitation }
    });
    expect(outsider.status).toBe(201);
    const r = await api(srv.base, 'GET', `/api/notebooks/${id}`, { token: outsider.body.token });
    expect(r.status).toBe(404);
    expect(JSON.stringify(r.body)).not.toContain('connections');
  });
});
