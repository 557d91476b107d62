import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { api, createNotebook, signUp } from '../support/api.js';

describe.each(STORES)('REST API (%s store)', (kind) => {
  let store: TestStore;
  let srv: RunningServer;
  beforeAll(async () => {
    store = await createTestStore(kind);
    srv = await startInProcess(store);
  });
  afterAll(async () => {
    await srv?.close();
    await store?.dispose();
  });

  const expectError = (r: { status: number; body: any }, status: number, code: string) => {
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
    expect(typeof r.body.error.message).toBe('string');
    expect(r.body.error.message.length).toBeGreaterThan(0);
  };

  it('signs up, logs in with the same password, and knows who is asking', async () => {
    const u = await signUp(srv.base, 'Ana');
    expect(u.user.name).toBe('Ana');
    const login = await api(srv.base, 'POST', '/api/auth/login', { body: { email: u.email.toUpperCase(), password: u.password } });
    expect(login.status).toBe(200);
    expect(login.headers.get('set-cookie')).toMatch(/cairn_session=.+HttpOnly/);
    const me = await api(srv.base, 'GET', '/api/auth/me', { token: login.body.token });
    expect(me.body.user).toEqual(u.user);
  });

  it('the browser cookie works as well as the Bearer token', async () => {
    const u = await signUp(srv.base, 'Cookie');
    const me = await api(srv.base, 'GET', '/api/auth/me', { headers: { cookie: `cairn_session=${encodeURIComponent(u.token)}` } });
    expect(me.body.user.id).toBe(u.user.id);
  });

  it('refuses a wrong password, an unknown email, a duplicate email and malformed bodies', async () => {
    const u = await signUp(srv.base, 'Bo');
    expectError(await api(srv.base, 'POST', '/api/auth/login', { body: { email: u.email, password: 'wrong password' } }), 401, 'invalid_credentials');
    expectError(await api(srv.base, 'POST', '/api/auth/login', { body: { email: 'nobody@example.com', password: 'whatever1' } }), 401, 'invalid_credentials');
    // Without an invitation a taken email gets the same answer as a free one: sign-up tells outsiders nothing.
    expectError(await api(srv.base, 'POST', '/api/auth/signup', { body: { email: u.email, password: 'another password', name: 'Bo2' } }), 403, 'invitation_required');
    expectError(await api(srv.base, 'POST', '/api/auth/signup', { body: { email: 'free@example.com', password: 'another password', name: 'Bo3' } }), 403, 'invitation_required');
    expectError(await api(srv.base, 'POST', '/api/auth/signup', { body: { email: 'not-an-email', password: 'long enough', name: 'X' } }), 400, 'bad_request');
    expectError(await api(srv.base, 'POST', '/api/auth/signup', { body: { email: 'short@example.com', password: 'short', name: 'X' } }), 400, 'invalid_password');
    expectError(await api(srv.base, 'POST', '/api/auth/signup', { raw: '{"email": ' }), 400, 'bad_request');
    expectError(await api(srv.base, 'POST', '/api/auth/signup', { raw: 'x'.repeat(2 * 1024 * 1024) }), 413, 'body_too_large');
    // Nothing changed: the original password still works and the failed sign-ups made no account.
    expect((await api(srv.base, 'POST', '/api/auth/login', { body: { email: u.email, password: u.password } })).status).toBe(200);
    expectError(await api(srv.base, 'POST', '/api/auth/login', { body: { email: 'short@example.com', password: 'short' } }), 401, 'invalid_credentials');
  });

  it('logout ends the session', async () => {
    const u = await signUp(srv.base, 'Cy');
    expect((await api(srv.base, 'POST', '/api/auth/logout', { token: u.token })).status).toBe(200);
    expectError(await api(srv.base, 'GET', '/api/auth/me', { token: u.token }), 401, 'unauthenticated');
  });

  it('refuses anonymous and bad-token requests with 401', async () => {
    expectError(await api(srv.base, 'GET', '/api/notebooks'), 401, 'unauthenticated');
    expectError(await api(srv.base, 'GET', '/api/notebooks', { token: 'forged' }), 401, 'unauthenticated');
    expectError(await api(srv.base, 'POST', '/api/notebooks', { body: { title: 'x' } }), 401, 'unauthenticated');
  });

  it('refuses cookie-authenticated writes from another site', async () => {
    const u = await signUp(srv.base, 'Csrf');
    const r = await api(srv.base, 'POST', '/api/notebooks', {
      body: { title: 'x' },
      headers: { cookie: `cairn_session=${encodeURIComponent(u.token)}`, origin: 'https://evil.example' }
    });
    expectError(r, 403, 'cross_origin');
  });

  it('seeds the Flights sample once for the workspace', async () => {
    const u = await signUp(srv.base, 'Di');
    const list = await api(srv.base, 'GET', '/api/notebooks', { token: u.token });
    const flights = list.body.notebooks.filter((n: any) => n.title === 'Flights');
    expect(flights).toHaveLength(1);
    const view = await api(srv.base, 'GET', `/api/notebooks/${flights[0].id}`, { token: u.token });
    const kinds = view.body.cells.map((c: any) => c.kind);
    expect(kinds).toContain('sql');
    expect(kinds).toContain('js');
    expect(kinds).toContain('chart');
    expect(kinds).toContain('text');
    expect(view.body.cells.find((c: any) => c.name === 'by_hour').source).toMatch(/from flights_200k/);
    expect(view.body.cells[0].source).toMatch(/^# Flights/);
  });

  it('creates, lists, searches, renames and deletes notebooks', async () => {
    const u = await signUp(srv.base, 'Eve');
    const id = await createNotebook(srv.base, u.token, 'Quarterly revenue');
    const other = await createNotebook(srv.base, u.token, 'Churn model');
    const found = await api(srv.base, 'GET', '/api/notebooks?q=revenue', { token: u.token });
    expect(found.body.notebooks.map((n: any) => n.id)).toEqual([id]);
    const nb = found.body.notebooks[0];
    expect(new Date(nb.updatedAt).toISOString()).toBe(nb.updatedAt);
    expect(nb.forkedFrom).toBeNull();

    expect((await api(srv.base, 'PATCH', `/api/notebooks/${id}`, { token: u.token, body: { title: 'Revenue by quarter' } })).status).toBe(200);
    const view = await api(srv.base, 'GET', `/api/notebooks/${id}`, { token: u.token });
    expect(view.body).toMatchObject({ id, title: 'Revenue by quarter', cells: [] });
    const listed = await api(srv.base, 'GET', '/api/notebooks?q=quarter', { token: u.token });
    expect(listed.body.notebooks[0].title).toBe('Revenue by quarter');

    expect((await api(srv.base, 'DELETE', `/api/notebooks/${id}`, { token: u.token })).status).toBe(200);
    expectError(await api(srv.base, 'GET', `/api/notebooks/${id}`, { token: u.token }), 404, 'not_found');
    const after = await api(srv.base, 'GET', '/api/notebooks', { token: u.token });
    expect(after.body.notebooks.map((n: any) => n.id)).toContain(other);
    expect(after.body.notebooks.map((n: any) => n.id)).not.toContain(id);
  });

  it('a search with LIKE wildcards matches them literally', async () => {
    const u = await signUp(srv.base, 'Wild');
    await createNotebook(srv.base, u.token, '100% done');
    const r = await api(srv.base, 'GET', `/api/notebooks?q=${encodeURIComponent('%')}`, { token: u.token });
    expect(r.body.notebooks.map((n: any) => n.title)).toEqual(['100% done']);
  });

  it('answers unknown notebooks, routes and methods with error shapes', async () => {
    const u = await signUp(srv.base, 'Fay');
    expectError(await api(srv.base, 'GET', '/api/notebooks/nope', { token: u.token }), 404, 'not_found');
    expectError(await api(srv.base, 'PATCH', '/api/notebooks/nope', { token: u.token, body: { title: 'x' } }), 404, 'not_found');
    expectError(await api(srv.base, 'GET', '/api/nothing-here', { token: u.token }), 404, 'not_found');
    expectError(await api(srv.base, 'PUT', '/api/notebooks', { token: u.token, body: {} }), 405, 'method_not_allowed');
    const id = await createNotebook(srv.base, u.token);
    expectError(await api(srv.base, 'PATCH', `/api/notebooks/${id}`, { token: u.token, body: { title: '' } }), 400, 'bad_request');
  });

  it('healthz answers 200 while the store is reachable', async () => {
    const r = await api(srv.base, 'GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.body.store).toBe(kind);
  });
});
