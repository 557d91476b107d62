/**
 * Publishing a notebook as a report (docs/api.md, "Reports"): pinned to the notebook as it
 * was, code hidden unless shown, hidden cells absent, visibility by the access model, report
 * tokens for machine clients, and unpublishing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { api, createNotebook, invite, signUp, testEmail, type SignedUp } from '../support/api.js';
import { editNotebook } from '../support/yclient.js';
import { cellsOf, insertCell, setProseMarkdown } from '../../src/lib/doc/index.js';

const SECRET_SQL = 'select region, sum(amount) as revenue from secret_sales group by region';

describe('published reports', () => {
  let store: TestStore;
  let srv: RunningServer;
  let owner: SignedUp;
  let editor: SignedUp;
  let viewer: SignedUp;
  let outsider: { token: string };
  let notebook: string;
  let sqlCell: string;

  const edit = (fn: (doc: Y.Doc) => void) => editNotebook(srv.ws, notebook, owner.token, fn);

  beforeAll(async () => {
    store = await createTestStore('embedded');
    srv = await startInProcess(store);
    owner = await signUp(srv.base, 'Olga');
    editor = await signUp(srv.base, 'Ed', 'editor');
    viewer = await signUp(srv.base, 'Val', 'viewer');
    const other = await api(srv.base, 'POST', '/api/workspaces', { token: owner.token, body: { name: 'Elsewhere' } });
    const invitation = await invite(srv.base, owner.token, 'editor', other.body.id);
    const signed = await api(srv.base, 'POST', '/api/auth/signup', { body: { email: testEmail('Out'), password: 'correct horse battery staple', name: 'Out', invitation } });
    outsider = { token: signed.body.token };
    notebook = await createNotebook(srv.base, owner.token, 'Quarterly revenue');
    await edit((doc) => {
      setProseMarkdown(doc, insertCell(doc, { kind: 'text' }), '# Revenue by region\n\nUpdated every morning.');
      sqlCell = insertCell(doc, { kind: 'sql', name: 'by_region', source: SECRET_SQL });
      insertCell(doc, { kind: 'js', name: 'shown', source: 'by_region.numRows' });
      insertCell(doc, { kind: 'input', name: 'threshold', config: { type: 'number', label: 'Threshold', value: 10 } });
      insertCell(doc, { kind: 'sql', name: 'scratch', source: 'select 1 -- work in progress', hidden: true });
      const js = [...cellsOf(doc).values()].find((c) => c.get('name') === 'shown')!;
      js.set('showCode', true);
    });
  });

  afterAll(async () => {
    await srv?.close();
    await store?.dispose();
  });

  it('publishes the notebook as it is: code hidden unless shown, hidden cells absent, inputs listed', async () => {
    const published = await api(srv.base, 'POST', `/api/notebooks/${notebook}/publish`, { token: owner.token, body: { visibility: 'workspace' } });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ version: 1 });
    expect(published.body.slug).toMatch(/^quarterly-revenue-[a-z0-9]{6}$/);
    expect(published.body.url).toBe(`${srv.base}/r/${published.body.slug}`);

    const report = await api(srv.base, 'GET', `/api/reports/${published.body.slug}`, { token: viewer.token });
    expect(report.status).toBe(200);
    expect(report.body.title).toBe('Quarterly revenue');
    expect(report.body.cells.map((c: { kind: string; name: string }) => `${c.kind}:${c.name}`)).toEqual(['text:', 'sql:by_region', 'js:shown', 'input:threshold']);
    expect(report.body.cells[0].source).toMatch(/Revenue by region/);
    expect(report.body.cells[1].source).toBeUndefined();
    expect(report.body.cells[2].source).toBe('by_region.numRows');
    expect(report.body.inputs).toEqual([{ name: 'threshold', type: 'number', value: 10 }]);
    // The SQL text and the hidden cell are nowhere in what readers get.
    expect(JSON.stringify(report.body)).not.toContain('secret_sales');
    expect(JSON.stringify(report.body)).not.toContain('work in progress');
  });

  it('stays pinned to the published version until it is published again, under the same slug', async () => {
    const first = await api(srv.base, 'GET', `/api/notebooks/${notebook}/publish`, { token: owner.token });
    const slug = first.body.report.slug;
    await edit((doc) => setProseMarkdown(doc, insertCell(doc, { kind: 'text' }), 'A paragraph added after publishing.'));
    const before = await api(srv.base, 'GET', `/api/reports/${slug}`, { token: editor.token });
    expect(JSON.stringify(before.body)).not.toContain('added after publishing');

    const again = await api(srv.base, 'POST', `/api/notebooks/${notebook}/publish`, { token: editor.token, body: { visibility: 'workspace' } });
    expect(again.body).toMatchObject({ slug, version: 2 });
    const after = await api(srv.base, 'GET', `/api/reports/${slug}`, { token: editor.token });
    expect(JSON.stringify(after.body)).toContain('added after publishing');
    const state = await api(srv.base, 'GET', `/api/notebooks/${notebook}/publish`, { token: viewer.token });
    expect(state.body.report).toMatchObject({ slug, version: 2, visibility: 'workspace', publishedBy: { id: editor.user.id, name: 'Ed' } });
  });

  it('lets in whom its visibility says, and answers 404 to everyone else', async () => {
    const slug = (await api(srv.base, 'GET', `/api/notebooks/${notebook}/publish`, { token: owner.token })).body.report.slug;
    const read = async (token?: string) => (await api(srv.base, 'GET', `/api/reports/${slug}`, { token })).status;

    // Workspace: its members, not an outsider, not anonymous.
    expect([await read(viewer.token), await read(outsider.token), await read(undefined)]).toEqual([200, 404, 404]);

    // Members: the listed ones, the publisher and the workspace's admins.
    await api(srv.base, 'POST', `/api/notebooks/${notebook}/publish`, { token: owner.token, body: { visibility: 'members', members: [viewer.user.id] } });
    expect([await read(viewer.token), await read(editor.token), await read(owner.token), await read(undefined)]).toEqual([200, 404, 200, 404]);

    // Public: anyone with the link, no account.
    await api(srv.base, 'POST', `/api/notebooks/${notebook}/publish`, { token: owner.token, body: { visibility: 'public' } });
    expect([await read(undefined), await read(outsider.token)]).toEqual([200, 200]);
  });

  it('gives machine clients a report token, which unpublishing revokes with the report', async () => {
    await api(srv.base, 'POST', `/api/notebooks/${notebook}/publish`, { token: owner.token, body: { visibility: 'workspace' } });
    const slug = (await api(srv.base, 'GET', `/api/notebooks/${notebook}/publish`, { token: owner.token })).body.report.slug;
    expect((await api(srv.base, 'POST', `/api/reports/${slug}/tokens`, { token: viewer.token, body: {} })).status).toBe(403);
    const made = await api(srv.base, 'POST', `/api/reports/${slug}/tokens`, { token: editor.token, body: {} });
    expect(made.status).toBe(201);
    expect(made.body.token).toMatch(/^cairn_rt_/);
    expect((await api(srv.base, 'GET', `/api/reports/${slug}`, { token: made.body.token })).status).toBe(200);
    // A report token is not a session: it opens nothing else.
    expect((await api(srv.base, 'GET', '/api/notebooks', { token: made.body.token })).status).toBe(401);
    expect((await api(srv.base, 'GET', `/api/reports/${slug}`, { token: 'cairn_rt_made-up' })).status).toBe(404);

    // The author lists tokens (never their values) and revokes one; the other keeps working.
    const second = await api(srv.base, 'POST', `/api/reports/${slug}/tokens`, { token: editor.token, body: {} });
    const listed = await api(srv.base, 'GET', `/api/reports/${slug}/tokens`, { token: editor.token });
    expect(listed.body.tokens.map((t: { id: string }) => t.id).sort()).toEqual([made.body.id, second.body.id].sort());
    expect(JSON.stringify(listed.body)).not.toContain('cairn_rt_');
    expect((await api(srv.base, 'DELETE', `/api/reports/${slug}/tokens/${second.body.id}`, { token: editor.token })).status).toBe(200);
    expect((await api(srv.base, 'GET', `/api/reports/${slug}`, { token: second.body.token })).status).toBe(404);
    expect((await api(srv.base, 'GET', `/api/reports/${slug}`, { token: made.body.token })).status).toBe(200);
    expect((await api(srv.base, 'DELETE', `/api/reports/${slug}/tokens/${second.body.id}`, { token: editor.token })).status).toBe(404);

    const down = await api(srv.base, 'DELETE', `/api/notebooks/${notebook}/publish`, { token: owner.token });
    expect(down.body).toEqual({ unpublished: true });
    expect((await api(srv.base, 'GET', `/api/reports/${slug}`, { token: owner.token })).status).toBe(404);
    expect((await api(srv.base, 'GET', `/api/notebooks/${notebook}/publish`, { token: owner.token })).body).toEqual({ report: null });

    // Published again: the same slug comes back, but the old token stays revoked.
    const back = await api(srv.base, 'POST', `/api/notebooks/${notebook}/publish`, { token: owner.token, body: { visibility: 'workspace' } });
    expect(back.body.slug).toBe(slug);
    expect((await api(srv.base, 'GET', `/api/reports/${slug}`, { token: made.body.token })).status).toBe(404);
  });

  it('refuses a bad visibility, schedule or time zone with a clear 400, and changes nothing', async () => {
    const before = (await api(srv.base, 'GET', `/api/notebooks/${notebook}/publish`, { token: owner.token })).body.report;
    for (const body of [
      { visibility: 'everyone' },
      { visibility: 'public', refresh: { schedule: 'every morning' } },
      { visibility: 'public', refresh: { schedule: '61 * * * *' } },
      { visibility: 'public', refresh: { schedule: '@daily', timezone: 'Mars/Olympus' } },
      { visibility: 'public', refresh: { ttlMinutes: 0 } }
    ]) {
      const r = await api(srv.base, 'POST', `/api/notebooks/${notebook}/publish`, { token: owner.token, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.message.length).toBeGreaterThan(5);
    }
    const after = (await api(srv.base, 'GET', `/api/notebooks/${notebook}/publish`, { token: owner.token })).body.report;
    expect(after).toEqual(before);
    expect(sqlCell).toBeTruthy();
  });
});
