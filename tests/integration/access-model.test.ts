/**
 * The access model as an outside client meets it: who gets an account and where, the
 * life of an invitation, workspaces and switching between them, members and the last
 * owner, notebook sharing, connection grants, a viewer's cached results, and sessions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { api, createNotebook, invite, signUp, testEmail, type SignedUp } from '../support/api.js';
import { connectClient, synced } from '../support/yclient.js';
import { insertCell } from '../../src/lib/doc/index.js';

const PASSWORD = 'correct horse battery staple';

async function signUpWith(base: string, name: string, invitation?: string, email = testEmail(name)) {
  return api(base, 'POST', '/api/auth/signup', { body: { email, password: PASSWORD, name, invitation } });
}

/** POST /api/query and read the whole answer. */
async function query(base: string, token: string, body: Record<string, unknown>): Promise<{ status: number; cache: string | null; error?: { code: string } }> {
  const r = await fetch(`${base}/api/query`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.headers.get('content-type')?.includes('json')) return { status: r.status, cache: null, error: ((await r.json()) as { error: { code: string } }).error };
  await r.arrayBuffer();
  return { status: r.status, cache: r.headers.get('x-cairn-cache') };
}

describe('the access model (invite-only instance)', () => {
  let store: TestStore;
  let srv: RunningServer;
  let root: SignedUp;

  beforeAll(async () => {
    store = await createTestStore('embedded');
    srv = await startInProcess(store);
    root = await signUp(srv.base, 'Root');
  });
  afterAll(async () => {
    await srv?.close();
    await store?.dispose();
  });

  it('makes the first account the instance admin and the default workspace’s owner', async () => {
    const me = await api(srv.base, 'GET', '/api/auth/me', { token: root.token });
    expect(me.body.user.instanceAdmin).toBe(true);
    expect(me.body.workspace).toMatchObject({ id: 'default', role: 'owner' });
    const later = await signUp(srv.base, 'Later');
    expect((await api(srv.base, 'GET', '/api/auth/me', { token: later.token })).body.user.instanceAdmin).toBe(false);
  });

  it('lets an invitation in once, with its role, and not after it is used up, expired, revoked or meant for another email', async () => {
    const base = srv.base;
    const made = await api(base, 'POST', '/api/workspaces/default/invitations', { token: root.token, body: { role: 'viewer' } });
    expect(made.status).toBe(201);
    expect(made.body.url).toMatch(new RegExp(`/invite/${made.body.token}$`));
    const preview = await api(base, 'GET', `/api/invitations/${made.body.token}`);
    expect(preview.body).toMatchObject({ workspace: { id: 'default', name: 'Workspace' }, role: 'viewer', invitedBy: 'Root' });

    const joined = await signUpWith(base, 'Vic', made.body.token);
    expect(joined.status).toBe(201);
    expect((await api(base, 'GET', '/api/auth/me', { token: joined.body.token })).body.role).toBe('viewer');
    expect((await signUpWith(base, 'Second', made.body.token)).status).toBe(404);
    expect((await api(base, 'GET', `/api/invitations/${made.body.token}`)).status).toBe(404);

    const twice = await api(base, 'POST', '/api/workspaces/default/invitations', { token: root.token, body: { role: 'editor', uses: 2 } });
    expect((await signUpWith(base, 'A', twice.body.token)).status).toBe(201);
    expect((await signUpWith(base, 'B', twice.body.token)).status).toBe(201);
    expect((await signUpWith(base, 'C', twice.body.token)).status).toBe(404);

    const expiring = await api(base, 'POST', '/api/workspaces/default/invitations', { token: root.token, body: { role: 'editor' } });
    await srv.cairn.context.db.query(`update invitations set expires_at = now() - interval '1 minute' where id = $1`, [expiring.body.id]);
    expect((await signUpWith(base, 'Late', expiring.body.token)).status).toBe(404);

    const revoked = await api(base, 'POST', '/api/workspaces/default/invitations', { token: root.token, body: { role: 'editor' } });
    const listed = await api(base, 'GET', '/api/workspaces/default/invitations', { token: root.token });
    expect(listed.body.invitations.map((i: { id: string }) => i.id)).toContain(revoked.body.id);
    expect((await api(base, 'DELETE', `/api/workspaces/default/invitations/${revoked.body.id}`, { token: root.token })).status).toBe(200);
    expect((await signUpWith(base, 'Revoked', revoked.body.token)).status).toBe(404);

    const forAna = await api(base, 'POST', '/api/workspaces/default/invitations', { token: root.token, body: { role: 'editor', email: 'ana.invited@example.com' } });
    expect((await signUpWith(base, 'Mallory', forAna.body.token, 'mallory@example.com')).status).toBe(404);
    expect((await signUpWith(base, 'Ana', forAna.body.token, 'Ana.Invited@example.com')).status).toBe(201);
  });

  it('lets owners allow an email domain, whose people join as editors; admins may not change it', async () => {
    const admin = await signUp(srv.base, 'Adele', 'admin');
    expect((await api(srv.base, 'PATCH', '/api/workspaces/default', { token: admin.token, body: { allowedDomains: ['evil.example'] } })).status).toBe(403);
    const patched = await api(srv.base, 'PATCH', '/api/workspaces/default', { token: root.token, body: { allowedDomains: ['Corp.Example'] } });
    expect(patched.body.allowedDomains).toEqual(['corp.example']);
    const colleague = await signUpWith(srv.base, 'Colleague', undefined, `c-${Date.now()}@corp.example`);
    expect(colleague.status).toBe(201);
    expect((await api(srv.base, 'GET', '/api/auth/me', { token: colleague.body.token })).body.role).toBe('editor');
    expect((await signUpWith(srv.base, 'Stranger', undefined, `s-${Date.now()}@elsewhere.example`)).body.error.code).toBe('invitation_required');
  });

  it('keeps the last owner, and keeps admins from making owners', async () => {
    const admin = await signUp(srv.base, 'Arno', 'admin');
    const editor = await signUp(srv.base, 'Ed');
    expect((await api(srv.base, 'PATCH', `/api/workspaces/default/members/${root.user.id}`, { token: root.token, body: { role: 'admin' } })).status).toBe(409);
    expect((await api(srv.base, 'DELETE', `/api/workspaces/default/members/${root.user.id}`, { token: root.token })).status).toBe(409);
    expect((await api(srv.base, 'PATCH', `/api/workspaces/default/members/${editor.user.id}`, { token: admin.token, body: { role: 'owner' } })).status).toBe(403);
    expect((await api(srv.base, 'POST', '/api/workspaces/default/invitations', { token: admin.token, body: { role: 'owner' } })).status).toBe(403);
    expect((await api(srv.base, 'PATCH', `/api/workspaces/default/members/${editor.user.id}`, { token: admin.token, body: { role: 'viewer' } })).status).toBe(200);
    const members = await api(srv.base, 'GET', '/api/workspaces/default/members', { token: editor.token });
    expect(members.body.members.find((m: { userId: string }) => m.userId === editor.user.id).role).toBe('viewer');
  });

  it('keeps the stronger role when a member accepts another invitation to their own workspace', async () => {
    const member = await signUp(srv.base, 'Kim');
    const role = async () => (await api(srv.base, 'GET', '/api/auth/me', { token: member.token })).body.role;
    expect((await api(srv.base, 'POST', `/api/invitations/${await invite(srv.base, root.token, 'viewer')}/accept`, { token: member.token })).status).toBe(200);
    expect(await role()).toBe('editor');
    expect((await api(srv.base, 'POST', `/api/invitations/${await invite(srv.base, root.token, 'admin')}/accept`, { token: member.token })).status).toBe(200);
    expect(await role()).toBe('admin');
  });

  it('lets an existing account join a second workspace, switch to it, and still reach the first by id', async () => {
    const other = await api(srv.base, 'POST', '/api/workspaces', { token: root.token, body: { name: 'Research' } });
    expect(other.status).toBe(201);
    const member = await signUp(srv.base, 'Mo');
    const notebookInDefault = await createNotebook(srv.base, member.token, 'In default');
    expect((await api(srv.base, 'POST', '/api/workspaces', { token: member.token, body: { name: 'Mine' } })).status).toBe(403);

    const token = await invite(srv.base, root.token, 'editor', other.body.id);
    expect((await api(srv.base, 'POST', `/api/invitations/${token}/accept`, { token: member.token })).body.workspaceId).toBe(other.body.id);
    const workspaces = await api(srv.base, 'GET', '/api/workspaces', { token: member.token });
    expect(workspaces.body.workspaces.map((w: { name: string }) => w.name).sort()).toEqual(['Research', 'Workspace']);
    // Accepting made Research current: listings act there, by id the notebook resolves in its own workspace.
    expect((await api(srv.base, 'GET', '/api/auth/me', { token: member.token })).body.workspace.name).toBe('Research');
    const listed = await api(srv.base, 'GET', '/api/notebooks', { token: member.token });
    expect(listed.body.notebooks.map((n: { id: string }) => n.id)).not.toContain(notebookInDefault);
    expect((await api(srv.base, 'GET', `/api/notebooks/${notebookInDefault}`, { token: member.token })).status).toBe(200);
    const viaHeader = await api(srv.base, 'GET', '/api/notebooks', { token: member.token, headers: { 'x-cairn-workspace': 'default' } });
    expect(viaHeader.body.notebooks.map((n: { id: string }) => n.id)).toContain(notebookInDefault);
    expect((await api(srv.base, 'GET', '/api/notebooks', { token: member.token, headers: { 'x-cairn-workspace': 'not-mine' } })).status).toBe(404);
    expect((await api(srv.base, 'PUT', '/api/auth/workspace', { token: member.token, body: { workspaceId: 'default' } })).body.workspace.id).toBe('default');
    expect((await api(srv.base, 'PUT', '/api/auth/workspace', { token: member.token, body: { workspaceId: 'nope' } })).status).toBe(404);
  });

  it('shares notebooks: view for all, edit for one person, and never more than view for a workspace viewer', async () => {
    const owner = await signUp(srv.base, 'Nora');
    const editor = await signUp(srv.base, 'Ezra');
    const viewer = await signUp(srv.base, 'Vivi', 'viewer');
    const id = await createNotebook(srv.base, owner.token, 'Shared carefully');
    expect((await api(srv.base, 'PUT', `/api/notebooks/${id}/access`, { token: editor.token, body: { general: 'edit', grants: [] } })).status).toBe(403);

    const put = (general: string, grants: { userId: string; role: string }[]) =>
      api(srv.base, 'PUT', `/api/notebooks/${id}/access`, { token: owner.token, body: { general, grants } });
    expect((await put('view', [])).status).toBe(200);
    expect((await api(srv.base, 'GET', `/api/notebooks/${id}`, { token: editor.token })).body.access).toBe('view');
    expect((await api(srv.base, 'PATCH', `/api/notebooks/${id}`, { token: editor.token, body: { title: 'No' } })).status).toBe(403);

    await put('none', [
      { userId: editor.user.id, role: 'edit' },
      { userId: viewer.user.id, role: 'edit' },
      { userId: 'not-a-member', role: 'edit' }
    ]);
    const access = await api(srv.base, 'GET', `/api/notebooks/${id}/access`, { token: owner.token });
    expect(access.body).toEqual({ general: 'none', grants: [editor.user.id, viewer.user.id].sort().map((userId) => ({ userId, role: 'edit' })) });
    expect((await api(srv.base, 'GET', `/api/notebooks/${id}`, { token: editor.token })).body.access).toBe('edit');
    expect((await api(srv.base, 'GET', `/api/notebooks/${id}`, { token: viewer.token })).body.access).toBe('view');
    const bystander = await signUp(srv.base, 'Bea');
    expect((await api(srv.base, 'GET', `/api/notebooks/${id}`, { token: bystander.token })).status).toBe(404);
    const list = await api(srv.base, 'GET', '/api/notebooks', { token: bystander.token });
    expect(list.body.notebooks.map((n: { id: string }) => n.id)).not.toContain(id);
  });

  it('grants a connection to named members only, and shows a viewer a server cell’s cached result without ever starting a run', async () => {
    const analyst = await signUp(srv.base, 'Anya');
    const other = await signUp(srv.base, 'Otis');
    const viewer = await signUp(srv.base, 'Vera', 'viewer');
    const conn = await api(srv.base, 'POST', '/api/connections', {
      token: root.token,
      body: { name: `Warehouse ${Date.now()}`, kind: 'duckdb', config: {}, access: { members: [analyst.user.id] } }
    });
    expect(conn.status).toBe(201);
    const names = async (token: string) => (await api(srv.base, 'GET', '/api/connections', { token })).body.connections.map((c: { id: string }) => c.id);
    expect(await names(analyst.token)).toContain(conn.body.id);
    expect(await names(other.token)).not.toContain(conn.body.id);
    expect(await names(viewer.token)).not.toContain(conn.body.id);
    expect((await api(srv.base, 'GET', `/api/connections/${conn.body.id}`, { token: other.token })).status).toBe(404);

    const id = await createNotebook(srv.base, analyst.token, 'Warehouse numbers');
    const writer = connectClient(srv.ws, id, analyst.token);
    await synced(writer);
    const serverCell = insertCell(writer.doc, { kind: 'sql', name: 'total', source: 'select 42 as answer', engine: conn.body.id });
    const browserCell = insertCell(writer.doc, { kind: 'sql', name: 'local', source: 'select 1', engine: 'browser' });
    await new Promise((r) => setTimeout(r, 200));
    writer.destroy();

    const sql = 'select 42 as answer';
    expect((await query(srv.base, other.token, { connectionId: conn.body.id, sql, notebookId: id, cellId: serverCell })).status).toBe(404);
    expect((await query(srv.base, analyst.token, { connectionId: conn.body.id, sql, notebookId: id, cellId: 'no-such-cell' })).status).toBe(404);
    expect(await query(srv.base, analyst.token, { connectionId: conn.body.id, sql, notebookId: id, cellId: serverCell })).toMatchObject({ status: 200, cache: 'miss' });

    const cached = { connectionId: conn.body.id, sql, notebookId: id, cellId: serverCell, cacheOnly: true };
    // The result is cached once the run's outcome is stored, just after its stream ends.
    let hit = await query(srv.base, viewer.token, cached);
    for (let i = 0; i < 50 && hit.error?.code === 'not_cached'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      hit = await query(srv.base, viewer.token, cached);
    }
    expect(hit).toMatchObject({ status: 200, cache: 'hit' });
    expect((await query(srv.base, viewer.token, { ...cached, cacheOnly: false })).status).toBe(403);
    expect((await query(srv.base, viewer.token, { ...cached, cellId: browserCell })).status).toBe(403);
    expect((await query(srv.base, viewer.token, { ...cached, sql: 'select 43 as never_ran' })).error?.code).toBe('not_cached');
    expect((await query(srv.base, viewer.token, { connectionId: conn.body.id, sql })).status).toBe(404);
    const runs = await api(srv.base, 'GET', `/api/runs?notebookId=${id}`, { token: viewer.token });
    expect(runs.body.runs.every((r: { cache: string }) => r.cache === 'hit' || r.cache === 'miss')).toBe(true);
    expect(runs.body.runs.filter((r: { userId: string }) => r.userId === viewer.user.id).every((r: { cache: string }) => r.cache === 'hit')).toBe(true);
  });

  it('lets only the instance admin point a DuckDB connection at a database file on the server', async () => {
    const admin = await signUp(srv.base, 'Wanda', 'admin');
    const body = (name: string) => ({ name: `${name} ${Date.now()}`, kind: 'duckdb', config: { path: 'team/sales.duckdb' }, options: { readOnly: false } });
    expect((await api(srv.base, 'POST', '/api/connections', { token: admin.token, body: body('Admin file') })).status).toBe(403);
    expect((await api(srv.base, 'POST', '/api/connections/test', { token: admin.token, body: body('Admin test') })).status).toBe(403);
    const inMemory = await api(srv.base, 'POST', '/api/connections', { token: admin.token, body: { name: `In memory ${Date.now()}`, kind: 'duckdb', config: {} } });
    expect(inMemory.status).toBe(201);
    expect((await api(srv.base, 'PATCH', `/api/connections/${inMemory.body.id}`, { token: admin.token, body: { config: { path: 'x.duckdb' } } })).status).toBe(403);
    expect((await api(srv.base, 'POST', '/api/connections', { token: root.token, body: body('Root file') })).status).toBe(201);
  });

  it('shows a member, through the cairn audit-log connection, only the runs and notebooks they may read; admins all', async () => {
    const owner = await signUp(srv.base, 'Priya');
    const editor = await signUp(srv.base, 'Emil');
    const conn = await api(srv.base, 'POST', '/api/connections', { token: root.token, body: { name: `Audit probe ${Date.now()}`, kind: 'duckdb', config: {} } });
    const secret = await createNotebook(srv.base, owner.token, 'Board pack');
    await api(srv.base, 'PUT', `/api/notebooks/${secret}/access`, { token: owner.token, body: { general: 'none', grants: [] } });
    expect((await query(srv.base, owner.token, { connectionId: conn.body.id, sql: 'select 7 as n', notebookId: secret })).status).toBe(200);

    const count = async (token: string, sql: string) => {
      const r = await fetch(`${srv.base}/api/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ connectionId: 'cairn', sql, params: [secret] })
      });
      const { tableFromIPC } = await import('apache-arrow');
      return Number(tableFromIPC(new Uint8Array(await r.arrayBuffer())).getChildAt(0)!.get(0));
    };
    expect(await count(root.token, 'select count(*) from runs where notebook_id = $1')).toBeGreaterThanOrEqual(1);
    expect(await count(owner.token, 'select count(*) from runs where notebook_id = $1')).toBeGreaterThanOrEqual(1);
    expect(await count(editor.token, 'select count(*) from runs where notebook_id = $1')).toBe(0);
    expect(await count(editor.token, 'select count(*) from notebooks where id = $1')).toBe(0);
    expect(await count(root.token, 'select count(*) from notebooks where id = $1')).toBe(1);
    const hidden = await api(srv.base, 'GET', `/api/runs?notebookId=${secret}`, { token: editor.token });
    expect(hidden.body.runs).toEqual([]);
  });

  it('closes a member’s audit-log engine once it has been idle, and opens it again on the next query', async () => {
    const { CairnConnections } = await import('../../server/connections/cairn-connection.js');
    const { RunLog } = await import('../../server/query/run-log.js');
    const db = srv.cairn.context.db;
    const idleMs = 60_000;
    const engines = new CairnConnections(db, new RunLog(db), idleMs);
    try {
      engines.engineFor('default', { userId: root.user.id, manager: false });
      engines.engineFor('default', { userId: 'someone', manager: false });
      expect(engines.size).toBe(2);
      engines.closeIdle(Date.now() + idleMs / 2);
      expect(engines.size).toBe(2);
      engines.closeIdle(Date.now() + idleMs * 2);
      expect(engines.size).toBe(0);
      await engines.engineFor('default', { userId: root.user.id, manager: false }).ping();
      expect(engines.size).toBe(1);
    } finally {
      await engines.close();
    }
  });

  it('lists sessions, ends one, and ends a session idle for 14 days', async () => {
    const user = await signUp(srv.base, 'Sessy');
    const second = await api(srv.base, 'POST', '/api/auth/login', { body: { email: user.email, password: PASSWORD } });
    const sessions = await api(srv.base, 'GET', '/api/auth/sessions', { token: user.token });
    expect(sessions.body.sessions).toHaveLength(2);
    expect(sessions.body.sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    const other = sessions.body.sessions.find((s: { current: boolean }) => !s.current);
    expect((await api(srv.base, 'DELETE', `/api/auth/sessions/${other.id}`, { token: user.token })).status).toBe(200);
    expect((await api(srv.base, 'GET', '/api/auth/me', { token: second.body.token })).status).toBe(401);
    expect((await api(srv.base, 'GET', '/api/auth/me', { token: user.token })).status).toBe(200);

    await srv.cairn.context.db.query(`update sessions set last_used_at = now() - interval '15 days' where user_id = $1`, [user.user.id]);
    expect((await api(srv.base, 'GET', '/api/auth/me', { token: user.token })).status).toBe(401);
    const { purgeExpiredSessions } = await import('../../server/auth/sessions.js');
    expect(await purgeExpiredSessions(srv.cairn.context.db)).toBeGreaterThanOrEqual(1);
    expect(await srv.cairn.context.db.query('select 1 from sessions where user_id = $1', [user.user.id])).toHaveLength(0);
  });
});

describe('the access model (CAIRN_SIGNUP=open)', () => {
  let store: TestStore;
  let srv: RunningServer;
  let root: SignedUp;

  beforeAll(async () => {
    store = await createTestStore('embedded');
    srv = await startInProcess(store, { env: { CAIRN_SIGNUP: 'open' } });
    root = await signUp(srv.base, 'Root');
    await createNotebook(srv.base, root.token, 'Root’s private numbers');
  });
  afterAll(async () => {
    await srv?.close();
    await store?.dispose();
  });

  it('gives an account made without an invitation a workspace of its own, with the sample and nothing of anyone else’s', async () => {
    const r = await signUpWith(srv.base, 'Newcomer');
    expect(r.status).toBe(201);
    const me = await api(srv.base, 'GET', '/api/auth/me', { token: r.body.token });
    expect(me.body.workspace).toMatchObject({ name: "Newcomer's workspace", role: 'owner' });
    expect(me.body.workspace.id).not.toBe('default');
    const titles = (await api(srv.base, 'GET', '/api/notebooks', { token: r.body.token })).body.notebooks.map((n: { title: string }) => n.title);
    expect(titles).toEqual(['Flights']);
    expect((await api(srv.base, 'GET', '/api/workspaces', { token: r.body.token })).body.workspaces).toHaveLength(1);
    expect((await api(srv.base, 'GET', '/api/workspaces/default/members', { token: r.body.token })).status).toBe(404);
    expect((await api(srv.base, 'POST', '/api/workspaces', { token: r.body.token, body: { name: 'Side project' } })).status).toBe(201);
  });

  it('puts an account made with an invitation into the inviting workspace only', async () => {
    const token = await invite(srv.base, root.token, 'editor');
    const r = await signUpWith(srv.base, 'Invitee', token);
    const workspaces = (await api(srv.base, 'GET', '/api/workspaces', { token: r.body.token })).body.workspaces;
    expect(workspaces).toEqual([{ id: 'default', name: 'Workspace', role: 'editor' }]);
  });
});
