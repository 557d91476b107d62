import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { STORES, createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { createNotebook, signUp } from '../support/api.js';
import { connectClient, synced, waitFor, type YClient } from '../support/yclient.js';
import { cellsOf, insertCell, readOrder, setProseMarkdown, cellsToJSON } from '../../src/lib/doc/index.js';

/** Open a raw websocket and resolve with how it was closed (or 'open' if it stayed open). */
function rawSocket(url: string, send?: Buffer | Uint8Array): Promise<{ code: number | 'open'; messages: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    let messages = 0;
    const timer = setTimeout(() => {
      ws.terminate();
      resolve({ code: 'open', messages });
    }, 3000);
    ws.on('message', () => messages++);
    ws.on('open', () => send && ws.send(send));
    ws.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, messages });
    });
    ws.on('error', () => undefined);
  });
}

describe.each(STORES)('collaboration websocket (%s store)', (kind) => {
  let store: TestStore;
  let srv: RunningServer;
  let token: string;
  const clients: YClient[] = [];
  const client = (room: string, t: string | undefined = token) => {
    const c = connectClient(srv.ws, room, t);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    store = await createTestStore(kind);
    // One user opens a hundred-odd sockets across these tests (fifty at once in one of them).
    srv = await startInProcess(store, { env: { CAIRN_MAX_SOCKETS_PER_USER: '500' } });
    token = (await signUp(srv.base, 'Ana')).token;
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await srv?.close();
    await store?.dispose();
  });

  it('two stock y-websocket clients converge on concurrent edits', async () => {
    const id = await createNotebook(srv.base, token);
    const a = client(id);
    const b = client(id, (await signUp(srv.base, 'Bo')).token);
    await synced(a);
    await synced(b);
    const cell = insertCell(a.doc, { kind: 'sql', name: 'q', source: 'select 1' });
    await waitFor(() => cellsOf(b.doc).has(cell), 'b to see the cell');
    const ta = cellsOf(a.doc).get(cell)!.get('source') as Y.Text;
    const tb = cellsOf(b.doc).get(cell)!.get('source') as Y.Text;
    for (let i = 0; i < 40; i++) {
      ta.insert(ta.length, 'a');
      tb.insert(0, 'b');
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 3));
    }
    await waitFor(() => ta.toString() === tb.toString() && ta.length === 'select 1'.length + 80, 'convergence');
    expect(ta.toString()).toMatch(/^b{40}select 1a{40}$/);
    // The title set at creation is in the document both see.
    expect(b.doc.getMap('meta').get('title')).toBe('Test notebook');
  });

  it('shares awareness (cursors, names) between clients', async () => {
    const id = await createNotebook(srv.base, token);
    const a = client(id);
    const b = client(id);
    await synced(a);
    await synced(b);
    a.provider.awareness.setLocalStateField('user', { name: 'Ana', color: '#f00' });
    await waitFor(() => [...b.provider.awareness.getStates().values()].some((s) => s.user?.name === 'Ana'), 'b to see Ana');
    a.destroy();
    await waitFor(() => ![...b.provider.awareness.getStates().values()].some((s) => s.user?.name === 'Ana'), 'Ana to leave b’s awareness');
  });

  it('a client that edited offline merges on reconnect', async () => {
    const id = await createNotebook(srv.base, token);
    const a = client(id);
    const b = client(id);
    await synced(a);
    await synced(b);
    const cell = insertCell(a.doc, { kind: 'sql', source: 'x' });
    await waitFor(() => cellsOf(b.doc).has(cell), 'b to see the cell');
    b.provider.disconnect();
    (cellsOf(b.doc).get(cell)!.get('source') as Y.Text).insert(1, ' offline');
    const online = insertCell(a.doc, { kind: 'js', source: 'online' });
    await new Promise((r) => setTimeout(r, 100));
    b.provider.connect();
    await waitFor(() => cellsOf(b.doc).has(online), 'b to receive what it missed');
    await waitFor(() => (cellsOf(a.doc).get(cell)!.get('source') as Y.Text).toString() === 'x offline', 'a to receive the offline edit');
    expect(readOrder(a.doc)).toEqual(readOrder(b.doc));
  });

  it('text cells sync as y-prosemirror fragments and read back as Markdown', async () => {
    const id = await createNotebook(srv.base, token);
    const a = client(id);
    await synced(a);
    const cell = insertCell(a.doc, { kind: 'text' });
    setProseMarkdown(a.doc, cell, '## Notes\n\nHello *there*');
    const view = async () => (await fetch(`${srv.base}/api/notebooks/${id}`, { headers: { authorization: `Bearer ${token}` } })).json();
    let body: any = await view();
    const t0 = Date.now();
    // The cell and its prose are two updates: wait until the server has both.
    while (body.cells[0]?.source !== '## Notes\n\nHello *there*' && Date.now() - t0 < 5000) body = await view();
    expect(body.cells.map((c: any) => c.source)).toEqual(cellsToJSON(a.doc).map((c) => c.source));
    expect(body.cells[0]).toMatchObject({ kind: 'text', source: '## Notes\n\nHello *there*' });
  });

  it('refuses a socket without a token (4401) and sends it no document data', async () => {
    const id = await createNotebook(srv.base, token);
    const r = await rawSocket(`${srv.ws}/${id}`);
    expect(r).toEqual({ code: 4401, messages: 0 });
    const forged = await rawSocket(`${srv.ws}/${id}?token=forged`);
    expect(forged).toEqual({ code: 4401, messages: 0 });
  });

  it('refuses a cookie-authenticated socket opened by another site (cross-site websocket hijacking)', async () => {
    const id = await createNotebook(srv.base, token);
    const open = (origin: string) =>
      new Promise<{ code: number | 'open'; messages: number }>((resolve) => {
        const ws = new WebSocket(`${srv.ws}/${id}`, { headers: { cookie: `cairn_session=${encodeURIComponent(token)}`, origin } });
        let messages = 0;
        const timer = setTimeout(() => {
          ws.terminate();
          resolve({ code: 'open', messages });
        }, 1500);
        ws.on('message', () => messages++);
        ws.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, messages });
        });
        ws.on('error', () => undefined);
      });
    expect(await open('https://evil.example')).toEqual({ code: 4401, messages: 0 });
    expect(await open(`http://127.0.0.1:${srv.port}`)).toMatchObject({ code: 'open' });
  });

  it('refuses an unknown notebook with 4404', async () => {
    const r = await rawSocket(`${srv.ws}/no-such-notebook?token=${token}`);
    expect(r).toEqual({ code: 4404, messages: 0 });
  });

  it.each([
    ['garbage bytes', Buffer.from([0xff, 0xff, 0xff])],
    ['an empty frame', Buffer.alloc(0)],
    ['text', Buffer.from('not yjs at all')],
    ['a truncated message', Buffer.from([0, 2, 0xff, 0xff, 0xff, 0xff, 0x0f])],
    ['an update that is not Yjs', Buffer.from([0, 2, 5, 5, 200, 1, 2, 3, 4])]
  ])('closes a socket that sends %s with 1007; the room keeps working', async (_, payload) => {
    const id = await createNotebook(srv.base, token);
    const a = client(id);
    await synced(a);
    const r = await rawSocket(`${srv.ws}/${id}?token=${token}`, payload);
    expect(r.code).toBe(1007);
    const b = client(id);
    await synced(b);
    const cell = insertCell(a.doc, { kind: 'sql', source: 'still alive' });
    await waitFor(() => cellsOf(b.doc).has(cell), 'sync after the bad client');
  });

  it('closes a frame over 16 MiB with 1009', async () => {
    const id = await createNotebook(srv.base, token);
    const r = await rawSocket(`${srv.ws}/${id}?token=${token}`, Buffer.alloc(17 * 1024 * 1024, 1));
    expect(r.code).toBe(1009);
    expect((await fetch(`${srv.base}/healthz`)).status).toBe(200);
  });

  it('closes a client that floods messages with 1008, and others keep syncing', async () => {
    const id = await createNotebook(srv.base, token);
    const a = client(id);
    await synced(a);
    const code = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${srv.ws}/${id}?token=${token}`);
      ws.on('open', () => {
        const awarenessQuery = Buffer.from([3]);
        for (let i = 0; i < 5000; i++) ws.send(awarenessQuery);
      });
      ws.on('close', (c) => resolve(c));
      ws.on('error', () => undefined);
    });
    expect(code).toBe(1008);
    const b = client(id);
    await synced(b);
    const cell = insertCell(a.doc, { kind: 'sql' });
    await waitFor(() => cellsOf(b.doc).has(cell), 'sync after the flood');
  });

  it('fifty clients opening a cold notebook at once cause one load and all see it', async () => {
    const id = await createNotebook(srv.base, token);
    const before = srv.cairn.context.collab.stats.loads;
    const many = Array.from({ length: 50 }, () => client(id));
    await Promise.all(many.map((c) => synced(c, 20_000)));
    expect(srv.cairn.context.collab.stats.loads - before).toBe(1);
    expect(many.every((c) => c.doc.getMap('meta').get('title') === 'Test notebook')).toBe(true);
    for (const c of many) c.destroy();
  });

  it('persists across a room unload: a client that returns gets the document back', async () => {
    const id = await createNotebook(srv.base, token);
    const a = client(id);
    await synced(a);
    const cell = insertCell(a.doc, { kind: 'sql', source: 'kept' });
    await new Promise((r) => setTimeout(r, 50));
    a.destroy();
    // Rooms unload 200 ms after their last client leaves in tests; other tests' rooms may
    // still be open, so wait for this one's load counter to move on reconnect instead.
    await new Promise((r) => setTimeout(r, 500));
    const loads = srv.cairn.context.collab.stats.loads;
    const b = client(id);
    await synced(b);
    expect(srv.cairn.context.collab.stats.loads).toBe(loads + 1);
    expect((cellsOf(b.doc).get(cell)!.get('source') as Y.Text).toString()).toBe('kept');
  });

  it('closes open sockets with 4404 when the notebook is deleted', async () => {
    const id = await createNotebook(srv.base, token);
    const a = client(id);
    await synced(a);
    await fetch(`${srv.base}/api/notebooks/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    await waitFor(() => a.closes.includes(4404), 'the 4404 close');
  });
});
