import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { openStore, type Db } from '../../server/store/index.js';
import { SqlUpdateLog } from '../../server/store/sql-update-log.js';
import { CollabServer } from '../../server/collab/server.js';
import type { CollabHooks } from '../../server/collab/hooks.js';
import { encodeUpdate } from '../../server/collab/protocol.js';
import { setLogLevel } from '../../server/log.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { connectClient, synced, waitFor } from '../support/yclient.js';
import { cellsOf, insertCell } from '../../src/lib/doc/index.js';

/**
 * Loading is where y-websocket and Hocuspocus have lost data: a sync sent before the stored
 * document loaded, or an empty document stored over a real one after a failed load. These
 * tests hold the store's load open, or make it fail, with the real update log behind it.
 */
describe('loading a document safely', () => {
  let database: TestDatabase;
  let db: Db;
  let log: SqlUpdateLog;
  let http: Server;
  let collab: CollabServer;
  let port: number;
  let gate: Promise<void> = Promise.resolve();
  let failLoads = false;

  beforeAll(async () => {
    setLogLevel('error');
    database = await createTestDatabase();
    db = await openStore({ databaseUrl: database.url, dataDir: mkdtempSync(join(tmpdir(), 'cairn-load-')) });
    log = new SqlUpdateLog(db);
    await db.query(`insert into users (id, email, name, password_hash) values ('u', 'u@example.com', 'U', 'x')`);
    await db.query(`insert into workspaces (id, name, owner_id) values ('w', 'W', 'u')`);
    const hooks: CollabHooks = {
      authenticate: async () => ({ userId: 'u', name: 'U' }),
      authorize: async () => 'edit',
      load: async (name) => {
        await gate;
        if (failLoads) throw new Error('store went away');
        return log.load(name);
      },
      store: (name, updates) => log.append(name, updates),
      compact: (name) => log.compact(name)
    };
    collab = new CollabServer(hooks, { maxFrameBytes: 16 * 1024 * 1024, idleMs: 50 });
    http = createServer((_, res) => res.end());
    http.on('upgrade', (req, socket, head) => collab.handleUpgrade(req, socket, head));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    port = (http.address() as { port: number }).port;
  });
  afterAll(async () => {
    await collab?.close();
    http?.close();
    await db?.close();
    await database?.drop();
  });

  /** A notebook row whose stored document holds one SQL cell. */
  async function storedNotebook(id: string): Promise<string> {
    await db.query(`insert into notebooks (id, workspace_id, title) values ($1, 'w', 't')`, [id]);
    const doc = new Y.Doc();
    const cell = insertCell(doc, { kind: 'sql', source: 'stored before' });
    await log.append(id, [Y.encodeStateAsUpdate(doc)]);
    return cell;
  }

  it('sends nothing before the load finishes, and keeps what the client sent meanwhile', async () => {
    const cell = await storedNotebook('slow');
    let release!: () => void;
    gate = new Promise((r) => (release = r));
    const offline = new Y.Doc();
    const mine = insertCell(offline, { kind: 'js', source: 'typed while loading' });
    let received = 0;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/collab/slow`);
    ws.on('message', () => received++);
    await new Promise((r) => ws.on('open', r));
    ws.send(encodeUpdate(Y.encodeStateAsUpdate(offline)));
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toBe(0);
    release();
    await waitFor(() => received > 0, 'the sync after the load');
    const reader = connectClient(`ws://127.0.0.1:${port}/collab`, 'slow');
    await synced(reader);
    await waitFor(() => cellsOf(reader.doc).has(mine), 'the early update to be applied');
    expect(cellsOf(reader.doc).has(cell)).toBe(true);
    ws.close();
    reader.destroy();
    const stored = new Y.Doc();
    for (const u of await log.load('slow')) Y.applyUpdate(stored, u);
    expect(cellsOf(stored).has(cell) && cellsOf(stored).has(mine)).toBe(true);
  });

  it('a failed load closes its clients with 1011, stores nothing, and the next load gets the real document', async () => {
    const cell = await storedNotebook('flaky');
    const before = (await log.load('flaky')).length;
    failLoads = true;
    const closed = await new Promise<{ code: number; messages: number }>((resolve) => {
      let messages = 0;
      const ws = new WebSocket(`ws://127.0.0.1:${port}/collab/flaky`);
      ws.on('message', () => messages++);
      ws.on('close', (code) => resolve({ code, messages }));
    });
    expect(closed).toEqual({ code: 1011, messages: 0 });
    expect((await log.load('flaky')).length).toBe(before);
    failLoads = false;
    const c = connectClient(`ws://127.0.0.1:${port}/collab`, 'flaky');
    await synced(c);
    expect((cellsOf(c.doc).get(cell)!.get('source') as Y.Text).toString()).toBe('stored before');
    c.destroy();
  });
});
