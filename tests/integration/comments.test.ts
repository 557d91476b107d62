import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createTestStore, startInProcess, STORES, type RunningServer, type TestStore } from '../support/server.js';
import { api, createNotebook, signUp, type SignedUp } from '../support/api.js';
import { editNotebook, waitFor } from '../support/yclient.js';
import { openEvents } from '../support/events.js';
import { cellsOf, deleteCell, insertCell } from '../../src/lib/doc/index.js';

/** A relative position inside `type` at `index`, as the browser sends it: base64. */
function position(type: Y.Text | Y.XmlText, index: number): string {
  return Buffer.from(Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(type, index))).toString('base64');
}

describe.each(STORES)('comments (%s store)', (kind) => {
  let store: TestStore;
  let srv: RunningServer;
  let owner: SignedUp;
  let editor: SignedUp;
  let viewer: SignedUp;
  let outsider: SignedUp;
  let notebook = '';
  let sqlCell = '';
  let textCell = '';
  let goneCell = '';
  let range = { start: '', end: '' };
  let foreignRange = { start: '', end: '' };

  const post = (who: SignedUp, body: unknown, id = notebook) => api(srv.base, 'POST', `/api/notebooks/${id}/comments`, { token: who.token, body });
  const list = async (who: SignedUp, id = notebook) => {
    const r = await api(srv.base, 'GET', `/api/notebooks/${id}/comments`, { token: who.token });
    expect(r.status).toBe(200);
    return r.body.comments as { id: string; cellId: string; parentId: string | null; author: { id: string; name: string }; body: string; at: string; resolved: boolean; range?: { start: string; end: string }; mentions: string[] }[];
  };
  const resolve = (who: SignedUp, id: string, resolved: boolean) => api(srv.base, 'PATCH', `/api/comments/${id}`, { token: who.token, body: { resolved } });

  beforeAll(async () => {
    store = await createTestStore(kind);
    srv = await startInProcess(store);
    owner = await signUp(srv.base, 'Olivia');
    editor = await signUp(srv.base, 'Eddie', 'editor');
    viewer = await signUp(srv.base, 'Vera', 'viewer');
    // In a workspace of their own only: no access to the default workspace's notebooks.
    const other = await api(srv.base, 'POST', '/api/workspaces', { token: owner.token, body: { name: 'Elsewhere' } });
    const inv = await api(srv.base, 'POST', `/api/workspaces/${other.body.id}/invitations`, { token: owner.token, body: { role: 'editor' } });
    const r = await api(srv.base, 'POST', '/api/auth/signup', { body: { email: `otto-${Date.now()}@example.com`, password: 'correct horse battery staple', name: 'Otto', invitation: inv.body.token } });
    outsider = { token: r.body.token, user: r.body.user, email: '', password: '' };

    notebook = await createNotebook(srv.base, owner.token, 'Reviewed');
    await editNotebook(srv.ws, notebook, owner.token, (doc) => {
      sqlCell = insertCell(doc, { kind: 'sql', name: 'revenue', source: 'select 42 as revenue' });
      textCell = insertCell(doc, { kind: 'text' });
      goneCell = insertCell(doc, { kind: 'sql', source: 'select 1' });
      const fragment = cellsOf(doc).get(textCell)!.get('prose') as Y.XmlFragment;
      const paragraph = new Y.XmlElement('paragraph');
      const text = new Y.XmlText('Revenue grew 12% in Q3.');
      paragraph.insert(0, [text]);
      fragment.insert(0, [paragraph]);
      range = { start: position(text, 13), end: position(text, 16) };
      const source = cellsOf(doc).get(sqlCell)!.get('source') as Y.Text;
      foreignRange = { start: position(source, 0), end: position(source, 6) };
    });
    await editNotebook(srv.ws, notebook, owner.token, (doc) => deleteCell(doc, goneCell));
  }, 60_000);

  afterAll(async () => {
    await srv?.close();
    await store?.dispose();
  });

  it('posts a comment on a cell, lists it, and threads replies under it', async () => {
    const root = await post(editor, { cellId: sqlCell, body: 'Is this gross or net?' });
    expect(root.status).toBe(201);
    expect(root.body.comment).toMatchObject({ id: root.body.id, cellId: sqlCell, parentId: null, body: 'Is this gross or net?', resolved: false, author: { id: editor.user.id, name: 'Eddie' } });
    const reply = await post(owner, { cellId: sqlCell, parentId: root.body.id, body: 'Net, after refunds.' });
    expect(reply.status).toBe(201);
    // A reply to a reply joins the same thread.
    const nested = await post(viewer, { cellId: sqlCell, parentId: reply.body.id, body: 'Thanks!' });
    expect(nested.body.comment.parentId).toBe(root.body.id);

    const all = await list(viewer);
    const thread = all.filter((c) => c.id === root.body.id || c.parentId === root.body.id);
    expect(thread.map((c) => c.body)).toEqual(['Is this gross or net?', 'Net, after refunds.', 'Thanks!']);
    expect(new Date(thread[0].at).getTime()).not.toBeNaN();
  });

  it('keeps mentions of workspace members as user ids', async () => {
    const r = await post(owner, { cellId: sqlCell, body: `<@${editor.user.id}> and <@${outsider.user.id}>, please check` });
    expect(r.status).toBe(201);
    // The outsider is no member of this workspace: not a mention here.
    expect(r.body.comment.mentions).toEqual([editor.user.id]);
  });

  it('comments on a range of a text cell’s text, and refuses a range elsewhere', async () => {
    const r = await post(viewer, { cellId: textCell, body: 'Source for 12%?', range });
    expect(r.status).toBe(201);
    const [listed] = (await list(owner)).filter((c) => c.id === r.body.id);
    expect(listed.range).toEqual(range);

    const onSql = await post(viewer, { cellId: sqlCell, body: 'x', range: foreignRange });
    expect(onSql.status).toBe(400);
    expect(onSql.body.error.code).toBe('invalid_range');
    const elsewhere = await post(viewer, { cellId: textCell, body: 'x', range: foreignRange });
    expect(elsewhere.body.error.code).toBe('invalid_range');
    const garbage = await post(viewer, { cellId: textCell, body: 'x', range: { start: 'AAAA', end: 'AAAA' } });
    expect(garbage.body.error.code).toBe('invalid_range');
  });

  it('resolves and reopens a thread: its author and editors may, other readers may not', async () => {
    const root = await post(editor, { cellId: sqlCell, body: 'Should this filter cancelled orders?' });
    const reply = await post(viewer, { cellId: sqlCell, parentId: root.body.id, body: 'I think so.' });

    // The viewer wrote a reply, not the thread: they see it but may not resolve it.
    const refused = await resolve(viewer, root.body.id, true);
    expect(refused.status).toBe(403);
    expect((await list(owner)).find((c) => c.id === root.body.id)!.resolved).toBe(false);

    // Resolving through a reply resolves the thread.
    expect((await resolve(editor, reply.body.id, true)).status).toBe(200);
    let thread = (await list(viewer)).filter((c) => c.id === root.body.id || c.parentId === root.body.id);
    expect(thread.map((c) => c.resolved)).toEqual([true, true]);

    expect((await resolve(owner, root.body.id, false)).status).toBe(200);
    thread = (await list(viewer)).filter((c) => c.id === root.body.id || c.parentId === root.body.id);
    expect(thread.map((c) => c.resolved)).toEqual([false, false]);

    // A viewer resolves their own thread.
    const own = await post(viewer, { cellId: sqlCell, body: 'Typo in the alias.' });
    expect((await resolve(viewer, own.body.id, true)).status).toBe(200);
    expect((await list(viewer)).find((c) => c.id === own.body.id)!.resolved).toBe(true);
  });

  it('answers 404 to an outsider on every comment route, and changes nothing', async () => {
    const before = await list(owner);
    expect((await api(srv.base, 'GET', `/api/notebooks/${notebook}/comments`, { token: outsider.token })).status).toBe(404);
    expect((await post(outsider, { cellId: sqlCell, body: 'hi' })).status).toBe(404);
    expect((await resolve(outsider, before[0].id, true)).status).toBe(404);
    expect((await openEvents(srv.base, notebook, outsider.token)).status).toBe(404);
    expect((await resolve(owner, 'no-such-comment', true)).status).toBe(404);
    expect(await list(owner)).toEqual(before);
  });

  it('refuses bad input with a clear code and stores nothing', async () => {
    const before = (await list(owner)).length;
    const deleted = await post(editor, { cellId: goneCell, body: 'On a deleted cell' });
    expect(deleted.status).toBe(400);
    expect(deleted.body.error.code).toBe('unknown_cell');
    expect((await post(editor, { cellId: 'never-was', body: 'x' })).body.error.code).toBe('unknown_cell');

    const empty = await post(editor, { cellId: sqlCell, body: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/empty/);
    expect((await post(editor, { cellId: sqlCell, body: 'x'.repeat(10_001) })).status).toBe(400);
    expect((await post(editor, { cellId: sqlCell, body: 'x', extra: 1 })).status).toBe(400);

    // A reply whose parent is in another notebook.
    const other = await createNotebook(srv.base, owner.token, 'Other');
    let otherCell = '';
    await editNotebook(srv.ws, other, owner.token, (doc) => (otherCell = insertCell(doc, { kind: 'sql', source: 'select 2' })));
    const foreign = await post(owner, { cellId: otherCell, body: 'Over there' }, other);
    expect(foreign.status).toBe(201);
    const crossed = await post(editor, { cellId: sqlCell, parentId: foreign.body.id, body: 'Reply across notebooks' });
    expect(crossed.status).toBe(400);
    expect(crossed.body.error.code).toBe('unknown_parent');

    expect((await resolve(owner, (await list(owner))[0].id, 'yes' as unknown as boolean)).status).toBe(400);
    expect((await list(owner)).length).toBe(before);
  });

  it('sends a live event to every reader’s stream when a comment is added or resolved', async () => {
    const watcher = await openEvents(srv.base, notebook, viewer.token);
    const second = await openEvents(srv.base, notebook, owner.token);
    try {
      expect(watcher.status).toBe(200);
      const r = await post(editor, { cellId: sqlCell, body: 'Live?' });
      await waitFor(() => watcher.events.length > 0 && second.events.length > 0, 'the comment event on both streams');
      expect(watcher.events[0]).toEqual({ type: 'comments', change: 'added', commentId: r.body.id, cellId: sqlCell, proposalId: null });
      await resolve(editor, r.body.id, true);
      await waitFor(() => watcher.events.length > 1, 'the resolve event');
      expect(watcher.events[1]).toMatchObject({ type: 'comments', change: 'resolved', commentId: r.body.id });
    } finally {
      watcher.close();
      second.close();
    }
    await waitFor(() => srv.cairn.context.events.count(notebook) === 0, 'closed streams to leave the hub');
  });

  it('ends a reader’s stream when the notebook stops being shared with them', async () => {
    const shared = await createNotebook(srv.base, owner.token, 'Shared for a while');
    const stream = await openEvents(srv.base, shared, editor.token);
    expect(stream.status).toBe(200);
    expect((await api(srv.base, 'PUT', `/api/notebooks/${shared}/access`, { token: owner.token, body: { general: 'none', grants: [] } })).status).toBe(200);
    await stream.ended;
    expect(stream.endReason).toMatch(/access/);
    expect(srv.cairn.context.events.count(shared)).toBe(0);
  });

  it('ends a reader’s stream when they are removed from the workspace', async () => {
    const leaving = await signUp(srv.base, 'Lee', 'viewer');
    const stream = await openEvents(srv.base, notebook, leaving.token);
    expect(stream.status).toBe(200);
    expect((await api(srv.base, 'DELETE', `/api/workspaces/default/members/${leaving.user.id}`, { token: owner.token })).status).toBe(200);
    await stream.ended;
    expect(stream.endReason).toMatch(/access/);
  });

  it('ends a stream when its session signs out', async () => {
    const sam = await signUp(srv.base, 'Sam', 'viewer');
    const stream = await openEvents(srv.base, notebook, sam.token);
    expect(stream.status).toBe(200);
    expect((await api(srv.base, 'POST', '/api/auth/logout', { token: sam.token })).status).toBe(200);
    await stream.ended;
    expect(stream.endReason).toBe('signed out');
  });

  it('deletes a notebook’s comments with it and ends its streams', async () => {
    const doomed = await createNotebook(srv.base, owner.token, 'Doomed');
    let cell = '';
    await editNotebook(srv.ws, doomed, owner.token, (doc) => (cell = insertCell(doc, { kind: 'sql', source: 'select 3' })));
    const c = await post(editor, { cellId: cell, body: 'Soon gone' }, doomed);
    expect(c.status).toBe(201);
    const stream = await openEvents(srv.base, doomed, editor.token);
    expect((await api(srv.base, 'DELETE', `/api/notebooks/${doomed}`, { token: owner.token })).status).toBe(200);
    await stream.ended;
    expect(stream.endReason).toMatch(/deleted/);
    const rows = await srv.cairn.context.db.query('select id from comments where notebook_id = $1', [doomed]);
    expect(rows).toEqual([]);
    expect((await resolve(owner, c.body.id, true)).status).toBe(404);
    expect((await api(srv.base, 'GET', `/api/notebooks/${doomed}/comments`, { token: owner.token })).status).toBe(404);
  });

  it('keeps proposal comments apart from the notebook’s own, through the service', async () => {
    const { comments } = srv.cairn.context;
    const before = await list(owner);
    const view = await comments.create({ notebookId: notebook, workspaceId: 'default', authorId: owner.user.id, body: 'On the proposal', proposalId: 'proposal-1' });
    expect(view.cellId).toBeNull();
    expect(await list(owner)).toEqual(before);
    expect((await comments.list(notebook, 'proposal-1')).map((c) => c.body)).toEqual(['On the proposal']);
  });
});
