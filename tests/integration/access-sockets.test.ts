/**
 * The access model seen from outside: who may open, read and change a notebook over the
 * collaboration socket, how a change of role, sharing or session reaches sockets already
 * open, and the limits on sign-in, sockets, awareness, sync requests, runs and uploads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import { dictionary } from '@zxcvbn-ts/language-common';
import { createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { api, createNotebook, invite, signUp, testEmail, type SignedUp } from '../support/api.js';
import { connectClient, synced, waitFor, type YClient } from '../support/yclient.js';
import { cellsOf, cellsToJSON, insertCell } from '../../src/lib/doc/index.js';
import { CLOSE } from '../../src/lib/contract/close-codes.js';
import { MESSAGE_AWARENESS, MESSAGE_SYNC } from '../../server/collab/protocol.js';

const PASSWORD = 'correct horse battery staple';

/** A raw websocket that records how it was closed and how many messages it received. */
interface RawSocket {
  ws: WebSocket;
  messages: number;
  closed: number | null;
  opened: Promise<void>;
}

function rawSocket(url: string): RawSocket {
  const ws = new WebSocket(url);
  const socket: RawSocket = { ws, messages: 0, closed: null, opened: new Promise((resolve) => ws.once('open', () => resolve())) };
  ws.on('message', () => socket.messages++);
  ws.on('close', (code) => (socket.closed = code));
  ws.on('error', () => undefined);
  return socket;
}

/** A y-websocket frame: the message type, then the payload `write` adds. */
function frame(type: number, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('access over sockets and limits (embedded store)', () => {
  let store: TestStore;
  let authStore: TestStore;
  let srv: RunningServer;
  /** A server with tight sign-in limits, so running out of them does not disturb the rest. */
  let authSrv: RunningServer;
  let owner: SignedUp;
  const clients: YClient[] = [];
  const sockets: RawSocket[] = [];
  const client = (room: string, token: string) => {
    const c = connectClient(srv.ws, room, token);
    clients.push(c);
    return c;
  };
  const raw = (room: string, token: string) => {
    const s = rawSocket(`${srv.ws}/${room}?token=${encodeURIComponent(token)}`);
    sockets.push(s);
    return s;
  };
  /** Resolve with how long `c` took to be closed with `code`, from `since`. */
  const closedWith = async (c: YClient, code: number, since: number) => {
    await waitFor(() => c.closes.includes(code), `close code ${code}`, 3000);
    return Date.now() - since;
  };

  beforeAll(async () => {
    store = await createTestStore('embedded');
    authStore = await createTestStore('embedded');
    srv = await startInProcess(store, {
      env: { CAIRN_MAX_SOCKETS_PER_USER: '3', CAIRN_WORKSPACE_UPLOAD_GB: '0.000001', CAIRN_SIGNUPS_PER_IP: '100' }
    });
    authSrv = await startInProcess(authStore, { env: { CAIRN_LOGIN_FAILURES: '3', CAIRN_SIGNUPS_PER_IP: '3' } });
    owner = await signUp(srv.base, 'Owner');
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    for (const s of sockets) s.ws.terminate();
    await srv?.close();
    await authSrv?.close();
    await store?.dispose();
    await authStore?.dispose();
  });

  it('lets a viewer read a notebook but closes it with 4403 for a forged change, which is not stored', async () => {
    const id = await createNotebook(srv.base, owner.token);
    const writer = client(id, owner.token);
    await synced(writer);
    const kept = insertCell(writer.doc, { kind: 'sql', name: 'kept', source: 'select 1' });

    const viewer = await signUp(srv.base, 'Vic', 'viewer');
    const reader = client(id, viewer.token);
    await synced(reader);
    await waitFor(() => cellsOf(reader.doc).has(kept), 'the viewer to receive the document');
    expect(reader.doc.getMap('meta').get('title')).toBe('Test notebook');

    const forged = insertCell(reader.doc, { kind: 'sql', name: 'forged', source: 'drop table users' });
    await closedWith(reader, CLOSE.forbidden, Date.now());
    reader.destroy();

    const fresh = client(id, owner.token);
    await synced(fresh);
    expect(cellsOf(fresh.doc).has(kept)).toBe(true);
    expect(cellsOf(fresh.doc).has(forged)).toBe(false);
    const view = await api(srv.base, 'GET', `/api/notebooks/${id}`, { token: owner.token });
    expect(view.status).toBe(200);
    expect(view.body.cells.map((c: { id: string }) => c.id)).toEqual(cellsToJSON(fresh.doc).map((c) => c.id));
    expect(view.body.cells.some((c: { source: string }) => c.source === 'drop table users')).toBe(false);
  });

  it('keeps a shared run started in the writer’s own name, and refuses one in someone else’s (4403, not stored)', async () => {
    const id = await createNotebook(srv.base, owner.token);
    const writer = client(id, owner.token);
    await synced(writer);
    writer.doc.getMap('runs').set('c1', { runId: 'mine', by: owner.user.name, at: new Date().toISOString() });
    await sleep(150);
    expect(writer.closes).toEqual([]);

    writer.provider.shouldConnect = false; // keep the refusal visible instead of reconnecting
    writer.doc.getMap('runs').set('c2', { runId: 'forged', by: 'Somebody Else', at: new Date().toISOString() });
    await closedWith(writer, CLOSE.forbidden, Date.now());
    writer.destroy();

    const fresh = client(id, owner.token);
    await synced(fresh);
    expect((fresh.doc.getMap('runs').get('c1') as { runId: string } | undefined)?.runId).toBe('mine');
    expect(fresh.doc.getMap('runs').has('c2')).toBe(false);
    fresh.destroy();
  });

  it('answers a member of another workspace 4404 on the socket and 404 over HTTP', async () => {
    const id = await createNotebook(srv.base, owner.token);
    const created = await api(srv.base, 'POST', '/api/workspaces', { token: owner.token, body: { name: 'Elsewhere' } });
    expect(created.status).toBe(201);
    const invitation = await invite(srv.base, owner.token, 'editor', created.body.id);
    const signup = await api(srv.base, 'POST', '/api/auth/signup', { body: { email: testEmail('Out'), password: PASSWORD, name: 'Out', invitation } });
    expect(signup.status).toBe(201);
    const outsider = signup.body.token as string;

    const c = client(id, outsider);
    await closedWith(c, CLOSE.notFound, Date.now());
    expect(cellsOf(c.doc).size).toBe(0);
    expect(c.doc.getMap('meta').get('title')).toBeUndefined();
    expect((await api(srv.base, 'GET', `/api/notebooks/${id}`, { token: outsider })).status).toBe(404);
  });

  it('closes a removed member’s socket with 4404 within a second', async () => {
    const id = await createNotebook(srv.base, owner.token);
    const member = await signUp(srv.base, 'Rem');
    const c = client(id, member.token);
    await synced(c);
    const t0 = Date.now();
    const r = await api(srv.base, 'DELETE', `/api/workspaces/default/members/${member.user.id}`, { token: owner.token });
    expect(r.status).toBe(200);
    expect(await closedWith(c, CLOSE.notFound, t0)).toBeLessThan(1000);
  });

  it('closes a member lowered to viewer with 4403 within a second, and lets them back in read-only', async () => {
    const id = await createNotebook(srv.base, owner.token);
    const member = await signUp(srv.base, 'Low');
    const c = client(id, member.token);
    await synced(c);
    const t0 = Date.now();
    const r = await api(srv.base, 'PATCH', `/api/workspaces/default/members/${member.user.id}`, { token: owner.token, body: { role: 'viewer' } });
    expect(r.status).toBe(200);
    expect(await closedWith(c, CLOSE.forbidden, t0)).toBeLessThan(1000);
    c.destroy();

    const again = client(id, member.token);
    await synced(again);
    expect(again.doc.getMap('meta').get('title')).toBe('Test notebook');
    expect(again.closes).toEqual([]);
  });

  it('closes an editor’s socket with 4404 within a second when the notebook is no longer shared with them', async () => {
    const id = await createNotebook(srv.base, owner.token);
    const editor = await signUp(srv.base, 'Ed');
    const c = client(id, editor.token);
    await synced(c);
    const t0 = Date.now();
    const r = await api(srv.base, 'PUT', `/api/notebooks/${id}/access`, { token: owner.token, body: { general: 'none', grants: [] } });
    expect(r.status).toBe(200);
    expect(await closedWith(c, CLOSE.notFound, t0)).toBeLessThan(1000);
  });

  it('closes the sockets of a signed-out session with 4401 within a second, and keeps the user’s other session open', async () => {
    const id = await createNotebook(srv.base, owner.token);
    const user = await signUp(srv.base, 'Two');
    const second = await api(srv.base, 'POST', '/api/auth/login', { body: { email: user.email, password: user.password } });
    expect(second.status).toBe(200);
    const leaving = client(id, user.token);
    const staying = client(id, second.body.token);
    await synced(leaving);
    await synced(staying);

    const t0 = Date.now();
    expect((await api(srv.base, 'POST', '/api/auth/logout', { token: user.token })).status).toBe(200);
    expect(await closedWith(leaving, CLOSE.unauthenticated, t0)).toBeLessThan(1000);
    await sleep(300);
    expect(staying.closes).toEqual([]);
    expect(staying.provider.wsconnected).toBe(true);
  });

  it('ends the other sessions when the password changes, but not the current one', async () => {
    const user = await signUp(srv.base, 'Pat');
    const other = (await api(srv.base, 'POST', '/api/auth/login', { body: { email: user.email, password: user.password } })).body.token as string;
    expect((await api(srv.base, 'GET', '/api/auth/me', { token: other })).status).toBe(200);

    const r = await api(srv.base, 'POST', '/api/auth/password', { token: user.token, body: { currentPassword: user.password, newPassword: 'a different long passphrase' } });
    expect(r.status).toBe(200);
    expect((await api(srv.base, 'GET', '/api/auth/me', { token: other })).status).toBe(401);
    expect((await api(srv.base, 'GET', '/api/auth/me', { token: user.token })).status).toBe(200);
  });

  describe('sign-in limits', () => {
    let boss: SignedUp;
    let target: SignedUp;

    // Two of this server's three sign-ups per address; each test below stands on its own after them.
    beforeAll(async () => {
      boss = await signUp(authSrv.base, 'Boss');
      target = await signUp(authSrv.base, 'Tgt');
    });

    it('refuses a login with 429 and retry-after after 3 failures, even with the right password', async () => {
      const login = (password: string) => api(authSrv.base, 'POST', '/api/auth/login', { body: { email: target.email, password } });
      for (let i = 0; i < 3; i++) expect((await login('not the password at all')).status).toBe(401);
      const blocked = await login(target.password);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('refuses sign-ups from one address past CAIRN_SIGNUPS_PER_IP with 429', async () => {
      const signup = async () =>
        api(authSrv.base, 'POST', '/api/auth/signup', { body: { email: testEmail('Many'), password: PASSWORD, name: 'Many', invitation: await invite(authSrv.base, boss.token) } });
      expect((await signup()).status).toBe(201);
      const fourth = await signup();
      expect(fourth.status).toBe(429);
      expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('refuses a password of 9 characters and a common one with 400 invalid_password', async () => {
      const common = 'password1234';
      expect(dictionary['passwords-common']).toContain(common);
      const invitation = await invite(srv.base, owner.token);
      for (const password of ['ninechars', common]) {
        const r = await api(srv.base, 'POST', '/api/auth/signup', { body: { email: testEmail('Weak'), password, name: 'Weak', invitation } });
        expect(r.status).toBe(400);
        expect(r.body.error.code).toBe('invalid_password');
      }
    });
  });

  describe('socket limits', () => {
    it('closes a user’s fourth socket with 1008 and keeps the first three open', async () => {
      const id = await createNotebook(srv.base, owner.token);
      const user = await signUp(srv.base, 'Many');
      const first = [raw(id, user.token), raw(id, user.token), raw(id, user.token)];
      // Admitted sockets are sent the server's sync step 1.
      await waitFor(() => first.every((s) => s.messages > 0), 'three sockets to be admitted');
      const fourth = raw(id, user.token);
      await waitFor(() => fourth.closed !== null, 'the fourth socket to close');
      expect(fourth.closed).toBe(CLOSE.policy);
      expect(fourth.messages).toBe(0);
      expect(first.map((s) => s.closed)).toEqual([null, null, null]);
      for (const s of first) s.ws.close();
    });

    it('keeps a client that bursts 500 awareness messages connected, dropping the excess', async () => {
      const id = await createNotebook(srv.base, owner.token);
      const user = await signUp(srv.base, 'Cur');
      const s = raw(id, user.token);
      await waitFor(() => s.messages > 0, 'the socket to be admitted');
      const doc = new Y.Doc();
      const awareness = new awarenessProtocol.Awareness(doc);
      for (let i = 0; i < 500; i++) {
        awareness.setLocalStateField('cursor', { i });
        const update = awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]);
        s.ws.send(frame(MESSAGE_AWARENESS, (e) => encoding.writeVarUint8Array(e, update)));
      }
      await sleep(500);
      expect(s.closed).toBeNull();
      // Still served: a sync request is answered.
      const before = s.messages;
      s.ws.send(frame(MESSAGE_SYNC, (e) => syncProtocol.writeSyncStep1(e, doc)));
      await waitFor(() => s.messages > before, 'an answer to the sync request');
      expect(s.closed).toBeNull();
      awareness.destroy();
      s.ws.close();
    });

    it('closes a client that sends 30 sync requests within ten seconds with 1008', async () => {
      const id = await createNotebook(srv.base, owner.token);
      const user = await signUp(srv.base, 'Syn');
      const s = raw(id, user.token);
      await waitFor(() => s.messages > 0, 'the socket to be admitted');
      const request = frame(MESSAGE_SYNC, (e) => syncProtocol.writeSyncStep1(e, new Y.Doc()));
      for (let i = 0; i < 30; i++) s.ws.send(request);
      await waitFor(() => s.closed !== null, 'the socket to close');
      expect(s.closed).toBe(CLOSE.policy);
    });
  });

  it('answers a reused runId with 409 before anything starts, and leaves no slot held', async () => {
    const runId = crypto.randomUUID();
    const query = (id: string) => api(srv.base, 'POST', '/api/query', { token: owner.token, body: { connectionId: 'cairn', sql: 'select 1', runId: id } });
    expect((await query(runId)).status).toBe(200);
    const again = await query(runId);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    expect((await query(crypto.randomUUID())).status).toBe(200);
  });

  describe('upload quota', () => {
    const upload = (token: string, bytes: number) =>
      fetch(`${srv.base}/api/files`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', 'x-file-name': 'a.csv', authorization: `Bearer ${token}` },
        body: 'x'.repeat(bytes)
      });

    it('refuses an upload past the workspace quota with 413 quota_exceeded', async () => {
      const r = await upload(owner.token, 2048);
      expect(r.status).toBe(413);
      expect((await r.json()).error.code).toBe('quota_exceeded');
    });

    it('refuses a viewer’s upload with 403', async () => {
      const viewer = await signUp(srv.base, 'Upv', 'viewer');
      const r = await upload(viewer.token, 10);
      expect(r.status).toBe(403);
    });
  });
});
