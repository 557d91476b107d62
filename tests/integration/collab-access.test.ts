import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { openStore, type Db } from '../../server/store/index.js';
import { SqlUpdateLog } from '../../server/store/sql-update-log.js';
import { CollabServer } from '../../server/collab/server.js';
import type { Access, CollabHooks } from '../../server/collab/hooks.js';
import { setLogLevel } from '../../server/log.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { connectClient, synced, waitFor } from '../support/yclient.js';
import { cellsOf, insertCell } from '../../src/lib/doc/index.js';

/**
 * Read-only access is enforced by the server, not only hidden in the UI: a viewer reads the
 * document, and any change it sends closes its socket (4403) without being stored or
 * broadcast. Who is a viewer is the access hook's answer (roles arrive with sharing).
 */
describe('viewers', () => {
  let database: TestDatabase;
  let db: Db;
  let log: SqlUpdateLog;
  let http: Server;
  let collab: CollabServer;
  let ws: string;

  beforeAll(async () => {
    setLogLevel('error');
    database = await createTestDatabase();
    db = await openStore({ databaseUrl: database.url, dataDir: mkdtempSync(join(tmpdir(), 'cairn-acl-')) });
    log = new SqlUpdateLog(db);
    await db.query(`insert into workspaces (id, name) values ('w', 'W')`);
    await db.query(`insert into notebooks (id, workspace_id) values ('nb', 'w')`);
    const hooks: CollabHooks = {
      authenticate: async (_req, url) => {
        const token = url.searchParams.get('token');
        return token ? { userId: token, name: token } : null;
      },
      authorize: async (principal): Promise<Access> => (principal.userId === 'viewer' ? 'view' : 'edit'),
      load: (name) => log.load(name),
      store: (name, updates) => log.append(name, updates),
      compact: (name) => log.compact(name)
    };
    collab = new CollabServer(hooks, { maxFrameBytes: 1 << 24 });
    http = createServer((_, res) => res.end());
    http.on('upgrade', (req, socket, head) => collab.handleUpgrade(req, socket, head));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    ws = `ws://127.0.0.1:${(http.address() as { port: number }).port}/collab`;
  });
  afterAll(async () => {
    await collab?.close();
    http?.close();
    await db?.close();
    await database?.drop();
  });

  it('a viewer sees edits but its own changes are refused, not stored and not broadcast', async () => {
    const editor = connectClient(ws, 'nb', 'editor');
    const viewer = connectClient(ws, 'nb', 'viewer');
    await synced(editor);
    await synced(viewer);
    const shared = insertCell(editor.doc, { kind: 'sql', source: 'select 1' });
    await waitFor(() => cellsOf(viewer.doc).has(shared), 'the viewer to see the editor’s cell');

    viewer.provider.shouldConnect = false; // keep the refusal visible instead of reconnecting
    const forged = insertCell(viewer.doc, { kind: 'sql', source: 'drop table everything' });
    await waitFor(() => viewer.closes.includes(4403), 'the server to refuse the viewer’s change');
    await new Promise((r) => setTimeout(r, 100));
    expect(cellsOf(editor.doc).has(forged)).toBe(false);
    const stored = new Y.Doc();
    for (const u of await log.load('nb')) Y.applyUpdate(stored, u);
    expect(cellsOf(stored).has(shared)).toBe(true);
    expect(cellsOf(stored).has(forged)).toBe(false);
    editor.destroy();
    viewer.destroy();
  });
});
