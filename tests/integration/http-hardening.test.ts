import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import WebSocket from 'ws';
import { createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { api, signUp } from '../support/api.js';
import { loadConfig } from '../../server/config.js';
import { createCairnServer } from '../../server/app.js';

/** A raw request, so the Host header and malformed paths go out exactly as written. */
function raw(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, setHost: !('host' in headers) }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let parsed: any = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode!, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Open a websocket and report how it ended: the HTTP status of a refused upgrade, or a close code. */
function socket(url: string, headers: Record<string, string>): Promise<{ status?: number; code?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode });
      res.resume();
    });
    ws.on('close', (code) => resolve({ code }));
    ws.on('error', () => undefined);
  });
}

describe('the HTTP layer under hostile requests', () => {
  let store: TestStore;
  let srv: RunningServer;
  let own: string;
  beforeAll(async () => {
    store = await createTestStore('embedded');
    srv = await startInProcess(store);
    own = `http://127.0.0.1:${srv.port}`;
  });
  afterAll(async () => {
    await srv?.close();
    await store?.dispose();
  });

  it('answers malformed percent-encoding with 400 and keeps serving', async () => {
    const { token } = await signUp(srv.base, 'Pct');
    for (const path of ['/api/notebooks/%', '/api/notebooks/%zz', '/api/files/%E0%A4%A']) {
      const r = await raw(srv.port, 'GET', path, { authorization: `Bearer ${token}` });
      expect(r.status, path).toBe(400);
      expect(r.body.error.code).toBe('bad_request');
    }
    const upload = await raw(srv.port, 'POST', '/api/files', { authorization: `Bearer ${token}`, 'x-file-name': '%zz', 'content-type': 'text/plain' }, 'hello');
    expect(upload.status).toBe(400);
    expect((await raw(srv.port, 'GET', '/healthz')).status).toBe(200);
  });

  it('treats a mangled session cookie as no session, not as a server error', async () => {
    const r = await raw(srv.port, 'GET', '/api/auth/me', { cookie: 'cairn_session=%zz' });
    expect(r.status).toBe(401);
  });

  it('answers a request target that is not a URL with 400', async () => {
    const r = await raw(srv.port, 'GET', 'http://[/api/notebooks');
    expect(r.status).toBe(400);
    expect((await raw(srv.port, 'GET', '/healthz')).status).toBe(200);
  });

  it('refuses a websocket upgrade to a malformed path without ending the process', async () => {
    expect(await socket(`${srv.ws}/%zz`, {})).toEqual({ status: 404 });
    expect((await raw(srv.port, 'GET', '/healthz')).status).toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding) on HTTP and on the websocket', async () => {
    const { token } = await signUp(srv.base, 'Dns');
    const r = await raw(srv.port, 'GET', '/api/notebooks', { host: `evil.example:${srv.port}`, authorization: `Bearer ${token}` });
    expect(r.status).toBe(421);
    expect(r.body.error.code).toBe('misdirected_request');
    expect((await raw(srv.port, 'GET', '/api/auth/me', { host: `127.0.0.1:${srv.port + 1}` })).status).toBe(421);
    expect(await socket(`${srv.ws}/anything?token=${token}`, { host: `evil.example:${srv.port}` })).toEqual({ status: 421 });
  });

  it('answers to localhost, 127.0.0.1 and [::1] on its own port when no public URL is set', async () => {
    for (const host of [`localhost:${srv.port}`, `127.0.0.1:${srv.port}`, `[::1]:${srv.port}`]) {
      expect((await raw(srv.port, 'GET', '/api/auth/me', { host })).status, host).toBe(401);
    }
  });

  it('refuses sign-up, login and logout posted by another site, and lets non-browser clients through', async () => {
    const u = await signUp(srv.base, 'Xs');
    const evil = { origin: 'https://evil.example' };
    const body = { email: 'xs-new@example.com', password: 'long enough password', name: 'Xs' };
    expect((await api(srv.base, 'POST', '/api/auth/signup', { body, headers: evil })).status).toBe(403);
    expect((await api(srv.base, 'POST', '/api/auth/login', { body: { email: u.email, password: u.password }, headers: evil })).status).toBe(403);
    expect((await api(srv.base, 'POST', '/api/auth/logout', { token: u.token, headers: evil })).status).toBe(403);
    // The session survived the forged logout.
    expect((await api(srv.base, 'GET', '/api/auth/me', { token: u.token })).status).toBe(200);
    expect((await api(srv.base, 'POST', '/api/auth/login', { body: { email: u.email, password: u.password }, headers: { origin: own } })).status).toBe(200);
    expect((await api(srv.base, 'POST', '/api/auth/login', { body: { email: u.email, password: u.password } })).status).toBe(200);
  });

  it('refuses a cookie-authenticated write from another site, and one from a sandboxed frame (Origin: null)', async () => {
    const u = await signUp(srv.base, 'Null');
    const cookie = `cairn_session=${encodeURIComponent(u.token)}`;
    for (const origin of ['https://evil.example', 'null', `http://127.0.0.1:${srv.port + 1}`, 'not a url']) {
      const r = await api(srv.base, 'POST', '/api/notebooks', { body: { title: 'x' }, headers: { cookie, origin } });
      expect(r.status, origin).toBe(403);
      expect(r.body.error.code).toBe('cross_origin');
    }
    expect((await api(srv.base, 'POST', '/api/notebooks', { body: { title: 'x' }, headers: { cookie, origin: own } })).status).toBe(201);
  });

  it('refuses a JSON body sent as text/plain with 415, and needs no content type without a body', async () => {
    const u = await signUp(srv.base, 'Ct');
    const r = await api(srv.base, 'POST', '/api/notebooks', { token: u.token, raw: '{"title":"x"}', headers: { 'content-type': 'text/plain' } });
    expect(r.status).toBe(415);
    expect(r.body.error.code).toBe('unsupported_media_type');
    const login = await raw(srv.port, 'POST', '/api/auth/login', { 'content-type': 'text/plain' }, JSON.stringify({ email: u.email, password: u.password }));
    expect(login.status).toBe(415);
    const logout = await raw(srv.port, 'POST', '/api/auth/logout', { authorization: `Bearer ${u.token}` });
    expect(logout.status).toBe(200);
  });

  it('puts nosniff and a referrer policy on every answer, and a deny-all policy on API answers', async () => {
    const u = await signUp(srv.base, 'Hdr');
    const answers = {
      json: await raw(srv.port, 'GET', '/api/notebooks', { authorization: `Bearer ${u.token}` }),
      error: await raw(srv.port, 'GET', '/api/notebooks'),
      missing: await raw(srv.port, 'GET', '/api/nothing-here'),
      sample: await raw(srv.port, 'GET', '/samples/penguins.csv'),
      health: await raw(srv.port, 'GET', '/healthz'),
      refused: await raw(srv.port, 'GET', '/api/notebooks', { host: 'evil.example' })
    };
    for (const [name, r] of Object.entries(answers)) {
      expect(r.headers['x-content-type-options'], name).toBe('nosniff');
      expect(r.headers['referrer-policy'], name).toBe('strict-origin-when-cross-origin');
    }
    expect(answers.json.headers['content-security-policy']).toContain("default-src 'none'");
    expect(answers.json.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('serves the JS sandbox document with a policy that lets cells run code but call no server', async () => {
    const r = await raw(srv.port, 'GET', '/sandbox.html');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'none'");
    expect(csp).toContain("form-action 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+' blob: https: 'unsafe-eval'/);
    expect(csp).toContain(`frame-ancestors http://localhost:${srv.port} http://127.0.0.1:${srv.port}`);
    const again = await raw(srv.port, 'GET', '/sandbox.html', { 'if-none-match': String(r.headers.etag) });
    expect(again.status).toBe(304);
  });
});

describe('a server with CAIRN_PUBLIC_URL', () => {
  let store: TestStore;
  let port: number;
  let close: () => Promise<void>;
  beforeAll(async () => {
    store = await createTestStore('embedded');
    const config = loadConfig({ ...store.env, PORT: '0', HOST: '127.0.0.1', CAIRN_PUBLIC_URL: 'https://cairn.example.com' }, []);
    const cairn = await createCairnServer(config, { roomIdleMs: 200 });
    port = await cairn.listen();
    close = () => cairn.close();
  });
  afterAll(async () => {
    await close?.();
    await store?.dispose();
  });

  const host = { host: 'cairn.example.com' };

  it('answers only to the public host name', async () => {
    expect((await raw(port, 'GET', '/api/auth/me', host)).status).toBe(401);
    expect((await raw(port, 'GET', '/api/auth/me', { host: 'cairn.example.com:443' })).status).toBe(401);
    expect((await raw(port, 'GET', '/api/auth/me', { host: `127.0.0.1:${port}` })).status).toBe(421);
    expect((await raw(port, 'GET', '/api/auth/me', { host: 'localhost' })).status).toBe(421);
  });

  it('sets Secure on the session cookie because the public URL is https', async () => {
    const body = JSON.stringify({ email: 'secure@example.com', password: 'long enough password', name: 'Sec' });
    const r = await raw(port, 'POST', '/api/auth/signup', { ...host, 'content-type': 'application/json', origin: 'https://cairn.example.com' }, body);
    expect(r.status).toBe(201);
    expect(String(r.headers['set-cookie'])).toMatch(/cairn_session=.+; Secure/);
  });

  it('takes writes only from the public origin, whatever Host the request names', async () => {
    const body = JSON.stringify({ email: 'secure@example.com', password: 'long enough password' });
    const json = { ...host, 'content-type': 'application/json' };
    expect((await raw(port, 'POST', '/api/auth/login', { ...json, origin: 'http://cairn.example.com' }, body)).status).toBe(403);
    expect((await raw(port, 'POST', '/api/auth/login', { ...json, origin: `http://127.0.0.1:${port}` }, body)).status).toBe(403);
    expect((await raw(port, 'POST', '/api/auth/login', { ...json, origin: 'https://cairn.example.com' }, body)).status).toBe(200);
  });
});
