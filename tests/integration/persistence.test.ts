import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { STORES, createTestStore, startChild, type ChildServer, type TestStore } from '../support/server.js';
import { createNotebook, signUp } from '../support/api.js';
import { connectClient, synced, waitFor } from '../support/yclient.js';
import { cellsOf, insertCell, readOrder } from '../../src/lib/doc/index.js';

describe.each(STORES)('persistence across restarts (%s store)', (kind) => {
  let store: TestStore;
  let srv: ChildServer;
  let token: string;

  beforeAll(async () => {
    store = await createTestStore(kind);
    srv = await startChild(store);
    token = (await signUp(srv.base, 'Ana')).token;
  });
  afterAll(async () => {
    await srv?.kill9().catch(() => undefined);
    await store?.dispose();
  });

  /** Type `count` edits, and return the text and order a second client saw. */
  async function editAndObserve(id: string, count: number) {
    const a = connectClient(srv.ws, id, token);
    const b = connectClient(srv.ws, id, token);
    await synced(a);
    await synced(b);
    const cell = insertCell(a.doc, { kind: 'sql', source: '' });
    await waitFor(() => cellsOf(b.doc).has(cell), 'b to see the cell');
    const text = cellsOf(a.doc).get(cell)!.get('source') as Y.Text;
    for (let i = 0; i < count; i++) {
      text.insert(text.length, String(i % 10));
      if (i % 25 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    const bText = () => (cellsOf(b.doc).get(cell)?.get('source') as Y.Text | undefined)?.toString();
    // What b has seen is what the server broadcast, and so what it must have stored.
    await waitFor(() => bText() === text.toString(), 'b to see every edit');
    const seen = { text: bText()!, order: readOrder(b.doc), cell };
    a.destroy();
    b.destroy();
    return seen;
  }

  async function reopen(id: string) {
    const c = connectClient(srv.ws, id, token);
    await synced(c, 20_000);
    const out = { doc: c.doc, order: readOrder(c.doc) };
    return { ...out, text: (cell: string) => (cellsOf(c.doc).get(cell)?.get('source') as Y.Text | undefined)?.toString(), destroy: () => c.destroy() };
  }

  it('keeps every edit across a graceful restart', async () => {
    const id = await createNotebook(srv.base, token, 'restart');
    const seen = await editAndObserve(id, 300);
    await srv.stop();
    srv = await startChild(store, srv.port);
    const back = await reopen(id);
    expect(back.text(seen.cell)).toBe(seen.text);
    expect(back.order).toEqual(seen.order);
    expect(back.doc.getMap('meta').get('title')).toBe('restart');
    back.destroy();
  });

  it('keeps every edit any client has seen across kill -9', async () => {
    const id = await createNotebook(srv.base, token, 'crash');
    const seen = await editAndObserve(id, 800);
    await srv.kill9();
    srv = await startChild(store, srv.port);
    const back = await reopen(id);
    expect(back.text(seen.cell)).toBe(seen.text);
    expect(back.order).toEqual(seen.order);
    back.destroy();
  });

  it('keeps edits made after a crash recovery too (the log stays appendable)', async () => {
    const id = await createNotebook(srv.base, token, 'twice');
    const first = await editAndObserve(id, 100);
    await srv.kill9();
    srv = await startChild(store, srv.port);
    const second = await editAndObserve(id, 100);
    await srv.kill9();
    srv = await startChild(store, srv.port);
    const back = await reopen(id);
    expect(back.text(first.cell)).toBe(first.text);
    expect(back.text(second.cell)).toBe(second.text);
    back.destroy();
  });
});
