/**
 * Forks and proposals (README.md, "History, forks and proposals"): a fork starts from the
 * origin's own items; both sides edit concurrently (the same cell, different cells, a cell
 * deleted on one side and edited on the other, cells moved on both); the proposal's diff
 * flags the conflicts; the merge equals a CRDT merge of the two documents, keeps the
 * origin's title, reaches connected clients, and a client offline across it reconnects
 * without duplicating cells.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { api, createNotebook, signUp, testEmail, type SignedUp } from '../support/api.js';
import { connectClient, editNotebook, synced, waitFor, type YClient } from '../support/yclient.js';
import { cellsOf, cellsToJSON, deleteCell, insertCell, moveCell, readGeneration, readOrder, readTitle } from '../../src/lib/doc/index.js';
import type { CellChange, ProposalDetail } from '../../src/lib/contract/index.js';

const text = (doc: Y.Doc, id: string) => cellsOf(doc).get(id)!.get('source') as Y.Text;

describe('forks and proposals', () => {
  let store: TestStore;
  let srv: RunningServer;
  let ana: SignedUp; // owns the origin
  let bea: SignedUp; // viewer of the origin's workspace, editor in her own
  let vic: SignedUp; // a viewer everywhere
  let out: SignedUp; // outside the origin's workspace
  let beaWorkspace = '';
  let origin = '';
  let fork = '';
  const ids: Record<string, string> = {};

  const join = async (name: string, workspaceId: string, role: string): Promise<SignedUp> => {
    const inv = await api(srv.base, 'POST', `/api/workspaces/${workspaceId}/invitations`, { token: ana.token, body: { role } });
    const email = testEmail(name);
    const r = await api(srv.base, 'POST', '/api/auth/signup', { body: { email, password: 'correct horse battery staple', name, invitation: inv.body.token } });
    expect(r.status).toBe(201);
    return { token: r.body.token, user: r.body.user, email, password: 'correct horse battery staple' };
  };

  beforeAll(async () => {
    store = await createTestStore('embedded');
    srv = await startInProcess(store);
    ana = await signUp(srv.base, 'Ana');
    vic = await signUp(srv.base, 'Vic', 'viewer');
    beaWorkspace = (await api(srv.base, 'POST', '/api/workspaces', { token: ana.token, body: { name: 'Bea team' } })).body.id;
    bea = await join('Bea', beaWorkspace, 'editor');
    const inv = await api(srv.base, 'POST', '/api/workspaces/default/invitations', { token: ana.token, body: { role: 'viewer' } });
    expect((await api(srv.base, 'POST', `/api/invitations/${inv.body.token}/accept`, { token: bea.token })).status).toBe(200);
    out = await join('Out', beaWorkspace, 'editor');
    origin = await createNotebook(srv.base, ana.token, 'Sales review');
    await editNotebook(srv.ws, origin, ana.token, (doc) => {
      for (const n of ['s1', 's2', 's3', 's4', 's5']) ids[n] = insertCell(doc, { kind: 'sql', name: n, source: `select ${n.slice(1)} as v` });
    });
  }, 60_000);

  afterAll(async () => {
    await srv?.close();
    await store?.dispose();
  });

  it('forks for readers who edit somewhere, and says why not for viewers everywhere', async () => {
    const byVic = await api(srv.base, 'POST', `/api/notebooks/${origin}/fork`, { token: vic.token });
    expect(byVic.status).toBe(403);
    expect(byVic.body.error.message).toMatch(/editor/);
    expect((await api(srv.base, 'POST', `/api/notebooks/${origin}/fork`, { token: out.token })).status).toBe(404);

    const r = await api(srv.base, 'POST', `/api/notebooks/${origin}/fork`, { token: bea.token });
    expect(r.status).toBe(201);
    fork = r.body.id;
    const view = await api(srv.base, 'GET', `/api/notebooks/${fork}`, { token: bea.token });
    expect(view.body.workspaceId).toBe(beaWorkspace);
    expect(view.body.forkedFrom).toMatchObject({ id: origin });
    expect(typeof view.body.forkedFrom.versionId).toBe('string');
    expect(view.body.cells.map((c: { id: string }) => c.id)).toEqual(['s1', 's2', 's3', 's4', 's5'].map((n) => ids[n]));
    const forks = await api(srv.base, 'GET', `/api/notebooks/${origin}/forks`, { token: ana.token });
    expect(forks.body.forks).toEqual([{ id: fork, title: 'Sales review (fork)', owner: bea.user.id, ownerName: 'Bea' }]);
    // The fork is its own notebook: a new generation, the same items.
    const [o, f] = [connectClient(srv.ws, origin, ana.token), connectClient(srv.ws, fork, bea.token)];
    await Promise.all([synced(o), synced(f)]);
    expect(readGeneration(f.doc)).not.toBe(readGeneration(o.doc));
    expect(cellsOf(f.doc).get(ids.s1)!.get('source')).toBeInstanceOf(Y.Text);
    o.destroy();
    f.destroy();
  });

  it('merges a proposal as a CRDT merge of both sides, flags conflicts, and keeps every client converged', async () => {
    const o = connectClient(srv.ws, origin, ana.token);
    const f = connectClient(srv.ws, fork, bea.token);
    const offline = connectClient(srv.ws, origin, ana.token);
    await Promise.all([synced(o), synced(f), synced(offline)]);
    offline.provider.disconnect();

    // Concurrent edits on both sides.
    text(f.doc, ids.s1).insert(text(f.doc, ids.s1).length, ' + 1');
    text(f.doc, ids.s2).insert(0, '/* fork */ ');
    deleteCell(f.doc, ids.s3);
    text(f.doc, ids.s4).insert(text(f.doc, ids.s4).length, ' -- fork edit');
    moveCell(f.doc, ids.s5, 0);
    ids.n1 = insertCell(f.doc, { kind: 'sql', name: 'n1', source: 'select 10 as fork_only' });

    text(o.doc, ids.s2).insert(text(o.doc, ids.s2).length, ' -- origin');
    text(o.doc, ids.s3).insert(text(o.doc, ids.s3).length, ' -- origin edit');
    deleteCell(o.doc, ids.s4);
    moveCell(o.doc, ids.s5, 1);
    ids.o1 = insertCell(o.doc, { kind: 'js', name: 'o1', source: 's1.numRows' });
    // An offline origin client edits too; it reconnects after the merge.
    ids.off = insertCell(offline.doc, { kind: 'sql', name: 'offline', source: 'select 99 as late' });
    await new Promise((r) => setTimeout(r, 300));

    // What a CRDT merge of the two documents gives (the offline edit arrives later).
    const expected = new Y.Doc();
    Y.applyUpdate(expected, Y.encodeStateAsUpdate(o.doc));
    Y.applyUpdate(expected, Y.encodeStateAsUpdate(f.doc));

    const status = await api(srv.base, 'GET', `/api/notebooks/${fork}/fork-status`, { token: bea.token });
    expect(status.body).toMatchObject({ origin: { id: origin, title: 'Sales review' }, ahead: true });

    expect((await api(srv.base, 'POST', `/api/notebooks/${origin}/proposals`, { token: ana.token, body: { title: 'x' } })).body.error.code).toBe('not_a_fork');
    const created = await api(srv.base, 'POST', `/api/notebooks/${fork}/proposals`, { token: bea.token, body: { title: 'Tidy the queries', description: 'Adds n1.' } });
    expect(created.status).toBe(201);
    const pid = created.body.id as string;
    const detail = (await api(srv.base, 'GET', `/api/proposals/${pid}`, { token: ana.token })).body as ProposalDetail;
    expect(detail).toMatchObject({ number: 1, state: 'open', title: 'Tidy the queries', fork, origin, canMerge: true, author: bea.user.id });
    const byId = new Map(detail.diff.cells.map((c: CellChange) => [c.id, c]));
    expect(byId.get(ids.s1)).toMatchObject({ change: 'changed', after: { source: 'select 1 as v + 1' } });
    expect(byId.get(ids.s3)).toMatchObject({ change: 'removed', conflict: 'changed-in-origin' });
    expect(byId.get(ids.s4)).toMatchObject({ change: 'changed', conflict: 'deleted-in-origin' });
    expect(byId.get(ids.s5)!.changes).toContain('moved');
    expect(byId.get(ids.n1)).toMatchObject({ change: 'added' });
    expect(byId.has(ids.o1)).toBe(false);

    // Bea reads the origin but may not merge into it; Out reads only the fork (same answer);
    // Vic reads only the origin and sees the proposal made to it.
    expect((await api(srv.base, 'POST', `/api/proposals/${pid}/merge`, { token: bea.token })).status).toBe(403);
    expect((await api(srv.base, 'GET', `/api/proposals/${pid}`, { token: out.token })).status).toBe(200);
    expect((await api(srv.base, 'POST', `/api/proposals/${pid}/merge`, { token: out.token })).status).toBe(403);
    expect((await api(srv.base, 'GET', `/api/proposals/${pid}`, { token: vic.token })).body.canMerge).toBe(false);

    // The discussion: anyone who reads the proposal comments; it lists apart from cell threads.
    const said = await api(srv.base, 'POST', `/api/proposals/${pid}/comments`, { token: vic.token, body: { body: 'Why drop s3?' } });
    expect(said.status).toBe(201);
    const reply = await api(srv.base, 'POST', `/api/proposals/${pid}/comments`, { token: bea.token, body: { body: 'It was unused.', parentId: said.body.id } });
    expect(reply.status).toBe(201);
    const discussion = await api(srv.base, 'GET', `/api/proposals/${pid}/comments`, { token: ana.token });
    expect(discussion.body.comments.map((c: { body: string; parentId: string | null }) => [c.body, c.parentId])).toEqual([
      ['Why drop s3?', null],
      ['It was unused.', said.body.id]
    ]);
    expect((await api(srv.base, 'GET', `/api/notebooks/${origin}/comments`, { token: ana.token })).body.comments).toEqual([]);
    expect((await api(srv.base, 'POST', `/api/proposals/${pid}/comments`, { token: vic.token, body: { body: '  ' } })).status).toBe(400);

    const merged = await api(srv.base, 'POST', `/api/proposals/${pid}/merge`, { token: ana.token });
    expect(merged.status).toBe(200);
    await waitFor(() => readOrder(o.doc).includes(ids.n1), 'the merge to reach the connected client');
    expect(cellsToJSON(o.doc)).toEqual(cellsToJSON(expected));
    const view = await api(srv.base, 'GET', `/api/notebooks/${origin}`, { token: ana.token });
    expect(view.body.cells).toEqual(cellsToJSON(expected));
    expect(view.body.title).toBe('Sales review');
    expect(readTitle(o.doc)).toBe('Sales review');
    // Both edits of the same cell are there; deletions won; nothing is duplicated.
    expect(text(o.doc, ids.s2).toString()).toBe('/* fork */ select 2 as v -- origin');
    expect(readOrder(o.doc)).not.toContain(ids.s3);
    expect(readOrder(o.doc)).not.toContain(ids.s4);
    expect(new Set(readOrder(o.doc)).size).toBe(readOrder(o.doc).length);

    // The offline client reconnects across the merge: its edit lands, nothing is duplicated.
    offline.provider.connect();
    await waitFor(() => readOrder(o.doc).includes(ids.off) && readOrder(offline.doc).includes(ids.n1), 'the offline client to converge');
    expect(cellsToJSON(offline.doc)).toEqual(cellsToJSON(o.doc));
    expect(readOrder(o.doc).filter((id) => id === ids.n1)).toHaveLength(1);

    const versions = (await api(srv.base, 'GET', `/api/notebooks/${origin}/versions`, { token: ana.token })).body.versions;
    expect(versions[0]).toMatchObject({ id: merged.body.versionId, kind: 'merge', label: 'Merged proposal #1 from Bea' });
    expect(versions[0].authors.sort()).toEqual([ana.user.id, bea.user.id].sort());
    const after = (await api(srv.base, 'GET', `/api/proposals/${pid}`, { token: bea.token })).body as ProposalDetail;
    expect(after).toMatchObject({ state: 'merged', mergedBy: ana.user.id, mergeVersionId: merged.body.versionId, canMerge: false });
    expect(after.diff.cells.length).toBe(detail.diff.cells.length);
    expect((await api(srv.base, 'POST', `/api/proposals/${pid}/merge`, { token: ana.token })).status).toBe(409);

    // Undo: restoring the version before the merge.
    const undo = await api(srv.base, 'POST', `/api/notebooks/${origin}/restore`, { token: ana.token, body: { versionId: versions[1].id } });
    expect(undo.status).toBe(200);
    await waitFor(() => !readOrder(o.doc).includes(ids.n1), 'the undo to reach the client');
    expect(text(o.doc, ids.s2).toString()).toBe('select 2 as v -- origin');
    for (const c of [o, f, offline] as YClient[]) c.destroy();
  });

  it('keeps a conflicting cell when the reviewer asks, and pulls the origin into the fork', async () => {
    const r = await api(srv.base, 'POST', `/api/notebooks/${origin}/fork`, { token: ana.token });
    const fork2 = r.body.id as string;
    let kept = '';
    await editNotebook(srv.ws, origin, ana.token, (doc) => {
      kept = readOrder(doc)[0];
      deleteCell(doc, kept);
    });
    await editNotebook(srv.ws, fork2, ana.token, (doc) => text(doc, kept).insert(0, '-- keep me\n'));
    const p = await api(srv.base, 'POST', `/api/notebooks/${fork2}/proposals`, { token: ana.token, body: { title: 'Keep it' } });
    const detail = (await api(srv.base, 'GET', `/api/proposals/${p.body.id}`, { token: ana.token })).body as ProposalDetail;
    expect(detail.diff.cells.find((c) => c.id === kept)).toMatchObject({ conflict: 'deleted-in-origin' });
    expect((await api(srv.base, 'POST', `/api/proposals/${p.body.id}/merge`, { token: ana.token, body: { keep: [kept] } })).status).toBe(200);
    const view = await api(srv.base, 'GET', `/api/notebooks/${origin}`, { token: ana.token });
    const cell = view.body.cells.find((c: { id: string }) => c.id === kept);
    expect(cell.source.startsWith('-- keep me\n')).toBe(true);
    expect(view.body.cells[0].id).toBe(kept);

    // The origin moves on; the fork takes it in and keeps its own title.
    await editNotebook(srv.ws, origin, ana.token, (doc) => insertCell(doc, { kind: 'sql', name: 'later', source: 'select 5 as v' }));
    await api(srv.base, 'POST', `/api/notebooks/${origin}/versions`, { token: ana.token, body: { label: 'later' } });
    expect((await api(srv.base, 'GET', `/api/notebooks/${fork2}/fork-status`, { token: ana.token })).body.behind).toBeGreaterThan(0);
    const pulled = await api(srv.base, 'POST', `/api/notebooks/${fork2}/pull`, { token: ana.token });
    expect(pulled.status).toBe(200);
    const forkView = await api(srv.base, 'GET', `/api/notebooks/${fork2}`, { token: ana.token });
    expect(forkView.body.cells.map((c: { name: string }) => c.name)).toContain('later');
    expect(forkView.body.title).toBe('Sales review (fork)');
    expect((await api(srv.base, 'GET', `/api/notebooks/${fork2}/fork-status`, { token: ana.token })).body.behind).toBe(0);
    // A closed proposal is read-only.
    const p2 = await api(srv.base, 'POST', `/api/notebooks/${fork2}/proposals`, { token: ana.token, body: { title: 'Nothing' } });
    expect((await api(srv.base, 'POST', `/api/proposals/${p2.body.id}/close`, { token: ana.token })).status).toBe(200);
    expect((await api(srv.base, 'POST', `/api/proposals/${p2.body.id}/merge`, { token: ana.token })).status).toBe(409);
  });
});
