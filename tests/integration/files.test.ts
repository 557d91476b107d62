import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { signUp } from '../support/api.js';

describe('files users add (content-addressed)', () => {
  let store: TestStore;
  let srv: RunningServer;
  let token: string;

  beforeAll(async () => {
    store = await createTestStore('embedded');
    store.env.CAIRN_MAX_UPLOAD_MB = '1';
    srv = await startInProcess(store);
    token = (await signUp(srv.base, 'Fil')).token;
  });
  afterAll(async () => {
    await srv?.close();
    await store?.dispose();
  });

  const upload = (body: BodyInit, name = 'data.csv', auth = true) =>
    fetch(`${srv.base}/api/files`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', 'x-file-name': encodeURIComponent(name), ...(auth ? { authorization: `Bearer ${token}` } : {}) },
      body
    });

  it('stores bytes under their SHA-256 and serves them back', async () => {
    const csv = 'a,b\n1,2\n3,4\n';
    const r = await upload(csv, 'numbers é.csv');
    expect(r.status).toBe(201);
    const body = await r.json();
    expect(body).toEqual({ hash: createHash('sha256').update(csv).digest('hex'), size: csv.length, name: 'numbers é.csv', type: 'text/csv' });
    const back = await fetch(`${srv.base}/api/files/${body.hash}`, { headers: { authorization: `Bearer ${token}` } });
    expect(back.headers.get('cache-control')).toMatch(/immutable/);
    expect(await back.text()).toBe(csv);
  });

  it('keeps identical bytes once', async () => {
    const a = await (await upload('same bytes', 'one.csv')).json();
    const b = await (await upload('same bytes', 'two.csv')).json();
    expect(a.hash).toBe(b.hash);
    const dir = join(store.env.CAIRN_DATA_DIR, 'files');
    expect(readdirSync(dir).filter((f) => f === a.hash)).toHaveLength(1);
  });

  it('refuses a file over the limit with 413 and keeps nothing of it', async () => {
    const dir = join(store.env.CAIRN_DATA_DIR, 'files');
    const before = readdirSync(dir).length;
    const r = await upload(new Uint8Array(2 * 1024 * 1024), 'big.bin');
    expect(r.status).toBe(413);
    expect((await r.json()).error.code).toBe('file_too_large');
    expect(readdirSync(dir).length).toBe(before);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });

  it('needs a session, and answers 404 for an unknown hash', async () => {
    expect((await upload('x', 'x.csv', false)).status).toBe(401);
    const r = await fetch(`${srv.base}/api/files/${'0'.repeat(64)}`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(404);
    const bad = await fetch(`${srv.base}/api/files/..%2Fsecret.key`, { headers: { authorization: `Bearer ${token}` } });
    expect(bad.status).toBe(404);
  });
});
