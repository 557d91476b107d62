/**
 * History (README.md, "History, forks and proposals"): versions cut after a pause in
 * editing and by hand, read-only views of old versions, exact diffs, attribution of cells
 * and lines to their authors, and restore as a new edit that connected clients receive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { api, createNotebook, invite, signUp, testEmail, type SignedUp } from '../support/api.js';
import { connectClient, editNotebook, synced, waitFor } from '../support/yclient.js';
import { openEvents } from '../support/events.js';
import { cellsOf, cellsToJSON, insertCell, orderOf, readOrder } from '../../src/lib/doc/index.js';
import type { CellChange, VersionInfo } from '../../src/lib/contract/index.js';

describe('notebook history', () => {
  let store: TestStore;
  let srv: RunningServer;
  let ana: SignedUp;
  let bea: SignedUp;
  let vic: SignedUp;
  let outsider: { token: string };
  let notebook: string;
  let cellA = '';
  let cellB = '';

  const versions = async (token = ana.token) => {
    const r = await api(srv.base, 'GET', `/api/notebooks/${notebook}/versions`, { token });
    expect(r.status).toBe(200);
    return r.body as { versions: VersionInfo[]; people: { id: string; name: string }[] };
  };
  const waitForVersions = async (n: number) => {
    const t0 = Date.now();
    for (;;) {
      const list = await versions();
      if (list.versions.length >= n) return list;
      if (Date.now() - t0 > 10_000) throw new Error(`expected ${n} versions, have ${list.versions.length}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const sourceOf = (doc: Y.Doc, id: string) => (cellsOf(doc).get(id)?.get('source') as Y.Text).toString();

  beforeAll(async () => {
    store = await createTestStore('embedded');
    srv = await startInProcess(store, { env: { CAIRN_VERSION_PAUSE_MS: '150' } });
    ana = await signUp(srv.base, 'Ana');
    bea = await signUp(srv.base, 'Bea', 'editor');
    vic = await signUp(srv.base, 'Vic', 'viewer');
    const other = await api(srv.base, 'POST', '/api/workspaces', { token: ana.token, body: { name: 'Elsewhere' } });
    const invitation = await invite(srv.base, ana.token, 'editor', other.body.id);
    const signed = await api(srv.base, 'POST', '/api/auth/signup', { body: { email: testEmail('Out'), password: 'correct horse battery staple', name: 'Out', invitation } });
    outsider = { token: signed.body.token };
    notebook = await createNotebook(srv.base, ana.token, 'Revenue');
  }, 60_000);

  afterAll(async () => {
    await srv?.close();
    await store?.dispose();
  });

  it('cuts a version after a pause in editing, with its authors and a summary', async () => {
    await editNotebook(srv.ws, notebook, ana.token, (doc) => {
      cellA = insertCell(doc, { kind: 'sql', name: 'a', source: 'select region\nfrom sales' });
    });
    const first = await waitForVersions(1);
    expect(first.versions[0]).toMatchObject({ kind: 'auto', authors: [ana.user.id], summary: { added: 1, removed: 0, changed: 0 } });
    expect(first.people).toEqual([{ id: ana.user.id, name: 'Ana' }]);

    await editNotebook(srv.ws, notebook, bea.token, (doc) => {
      const text = cellsOf(doc).get(cellA)!.get('source') as Y.Text;
      text.insert(text.length, '\nwhere amount > 0');
      cellB = insertCell(doc, { kind: 'js', name: 'b', source: 'a.numRows' });
    });
    const second = await waitForVersions(2);
    expect(second.versions[0]).toMatchObject({ kind: 'auto', authors: [bea.user.id], summary: { added: 1, changed: 1, removed: 0 } });
    expect(second.versions.map((v) => v.seq)).toEqual([2, 1]);
  });

  it('names a version by hand, announces it to open readers, and opens any version read-only', async () => {
    const stream = await openEvents(srv.base, notebook, vic.token);
    const named = await api(srv.base, 'POST', `/api/notebooks/${notebook}/versions`, { token: bea.token, body: { label: 'before the Q3 change' } });
    expect(named.status).toBe(201);
    await waitFor(() => stream.events.some((e) => e.type === 'versions'), 'the new version to be announced');
    stream.close();
    const list = await versions();
    expect(list.versions[0]).toMatchObject({ id: named.body.id, kind: 'named', label: 'before the Q3 change' });
    const v1 = list.versions.find((v) => v.seq === 1)!;
    const old = await api(srv.base, 'GET', `/api/notebooks/${notebook}/versions/${v1.id}`, { token: vic.token });
    expect(old.status).toBe(200);
    expect(old.body.title).toBe('Revenue');
    expect(old.body.cells.map((c: { name: string; source: string }) => [c.name, c.source])).toEqual([['a', 'select region\nfrom sales']]);
  });

  it('diffs two versions exactly, and a version against the live notebook', async () => {
    const list = (await versions()).versions;
    const [v1, v2] = [list.find((v) => v.seq === 1)!, list.find((v) => v.seq === 2)!];
    const d = await api(srv.base, 'GET', `/api/notebooks/${notebook}/diff?from=${v1.id}&to=${v2.id}`, { token: vic.token });
    expect(d.status).toBe(200);
    const cells = d.body.cells as CellChange[];
    expect(cells.map((c) => [c.name, c.change])).toEqual([
      ['a', 'changed'],
      ['b', 'added']
    ]);
    expect(cells[0].before!.source).toBe('select region\nfrom sales');
    expect(cells[0].after!.source).toBe('select region\nfrom sales\nwhere amount > 0');
    expect(cells[1].after).toMatchObject({ kind: 'js', source: 'a.numRows' });

    await editNotebook(srv.ws, notebook, ana.token, (doc) => {
      cellsOf(doc).get(cellB)!.set('name', 'rows');
      const order = orderOf(doc);
      order.delete(0, order.length);
      order.insert(0, [cellB, cellA]);
    });
    const live = await api(srv.base, 'GET', `/api/notebooks/${notebook}/diff?from=${v2.id}&to=current`, { token: ana.token });
    const changes = live.body.cells as CellChange[];
    expect(changes.find((c) => c.id === cellB)).toMatchObject({ change: 'renamed', name: 'rows' });
    // One of the two swapped cells moved; the other held its place.
    expect(changes.filter((c) => c.changes.includes('moved'))).toHaveLength(1);
  });

  it('attributes each cell and each line of source to who wrote it', async () => {
    const r = await api(srv.base, 'GET', `/api/notebooks/${notebook}/attribution`, { token: vic.token });
    expect(r.status).toBe(200);
    const a = r.body.cells.find((c: { cellId: string }) => c.cellId === cellA);
    expect(a.lines).toEqual([ana.user.id, ana.user.id, bea.user.id]);
    expect(a.by).toBe(bea.user.id);
    expect(typeof a.at).toBe('string');
    const b = r.body.cells.find((c: { cellId: string }) => c.cellId === cellB);
    // Ana renamed it last.
    expect(b.by).toBe(ana.user.id);
    expect(r.body.people.map((p: { name: string }) => p.name).sort()).toEqual(['Ana', 'Bea']);
  });

  it('restores an old version as a new edit that connected clients receive, without duplicating cells', async () => {
    // The rename and move above are a version of their own once editing paused.
    const list = (await waitForVersions(4)).versions;
    const v1 = list.find((v) => v.seq === 1)!;
    const watcher = connectClient(srv.ws, notebook, bea.token);
    await synced(watcher);
    expect(readOrder(watcher.doc)).toEqual([cellB, cellA]);
    const before = (await versions()).versions.length;

    const restored = await api(srv.base, 'POST', `/api/notebooks/${notebook}/restore`, { token: ana.token, body: { versionId: v1.id } });
    expect(restored.status).toBe(200);
    await waitFor(() => readOrder(watcher.doc).length === 1 && sourceOf(watcher.doc, cellA) === 'select region\nfrom sales', 'the restore to reach the client');
    expect(orderOf(watcher.doc).toArray()).toEqual([cellA]);
    expect(cellsToJSON(watcher.doc).map((c) => c.name)).toEqual(['a']);

    const after = (await versions()).versions;
    expect(after.length).toBe(before + 1);
    expect(after[0]).toMatchObject({ id: restored.body.versionId, kind: 'restore', label: 'Restored version 1', authors: [ana.user.id] });
    const undone = await api(srv.base, 'GET', `/api/notebooks/${notebook}/diff?from=${after[1].id}&to=current`, { token: ana.token });
    expect(undone.body.cells.map((c: CellChange) => [c.id, c.change])).toEqual([
      [cellB, 'removed'],
      [cellA, 'changed']
    ]);

    // Restoring the version before the restore brings the removed cell back, under its own id.
    await api(srv.base, 'POST', `/api/notebooks/${notebook}/restore`, { token: ana.token, body: { versionId: after[1].id } });
    await waitFor(() => readOrder(watcher.doc).length === 2, 'the second restore to reach the client');
    expect(readOrder(watcher.doc)).toEqual([cellB, cellA]);
    expect(cellsOf(watcher.doc).get(cellB)!.get('name')).toBe('rows');
    watcher.destroy();
  });

  it('refuses bad requests clearly and changes nothing', async () => {
    const other = await createNotebook(srv.base, ana.token, 'Other');
    const theirs = await api(srv.base, 'POST', `/api/notebooks/${other}/versions`, { token: ana.token, body: { label: 'x' } });
    const count = (await versions()).versions.length;
    const foreign = await api(srv.base, 'POST', `/api/notebooks/${notebook}/restore`, { token: ana.token, body: { versionId: theirs.body.id } });
    expect(foreign.status).toBe(404);
    expect((await api(srv.base, 'GET', `/api/notebooks/${notebook}/versions/${theirs.body.id}`, { token: ana.token })).status).toBe(404);
    expect((await api(srv.base, 'GET', `/api/notebooks/${notebook}/diff?from=nope&to=current`, { token: ana.token })).status).toBe(404);
    expect((await api(srv.base, 'POST', `/api/notebooks/${notebook}/versions`, { token: ana.token, body: { label: '' } })).status).toBe(400);
    const v = (await versions()).versions[0];
    expect((await api(srv.base, 'POST', `/api/notebooks/${notebook}/restore`, { token: vic.token, body: { versionId: v.id } })).status).toBe(403);
    for (const path of ['versions', `versions/${v.id}`, `diff?from=${v.id}`, 'attribution']) {
      expect((await api(srv.base, 'GET', `/api/notebooks/${notebook}/${path}`, { token: outsider.token })).status).toBe(404);
    }
    expect((await api(srv.base, 'POST', `/api/notebooks/${notebook}/restore`, { token: outsider.token, body: { versionId: v.id } })).status).toBe(404);
    expect((await versions()).versions.length).toBe(count);
  });

  it('refuses an update that writes under another collaborator’s client id', async () => {
    const honest = connectClient(srv.ws, notebook, ana.token);
    await synced(honest);
    insertCell(honest.doc, { kind: 'text' });
    await new Promise((r) => setTimeout(r, 200));
    const forger = connectClient(srv.ws, notebook, bea.token);
    await synced(forger);
    // Bea's copy takes Ana's client id and writes: the server must not store it as Ana's.
    const own = forger.doc.clientID;
    forger.doc.clientID = honest.doc.clientID;
    insertCell(forger.doc, { kind: 'sql', name: 'forged', source: 'select 1' });
    await waitFor(() => forger.closes.includes(4403), 'the forged update to be refused');
    forger.doc.clientID = own;
    const view = await api(srv.base, 'GET', `/api/notebooks/${notebook}`, { token: ana.token });
    expect(view.body.cells.map((c: { name: string }) => c.name)).not.toContain('forged');
    honest.destroy();
    forger.destroy();
  });
});
