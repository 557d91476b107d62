/**
 * Alerts on published reports (docs/api.md, "Scheduled refresh and alerts"): checked after
 * every refresh, notifying a real local webhook once per ok → triggered change, retrying
 * what failed with every attempt in the history, and keeping each cell's last good state
 * when a refresh fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tableFromArrays } from 'apache-arrow';
import { createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { api, createNotebook, signUp, type SignedUp } from '../support/api.js';
import { connectClient, synced } from '../support/yclient.js';
import { insertCell } from '../../src/lib/doc/index.js';
import { lastRefreshError, refreshErrorHeader } from '../../server/reports/refresher.js';
import type { CellRefresh, ComputeReport } from '../../server/reports/refresh.js';

/** What the next refresh computes for the `revenue` cell: its one row's value, a cell error, or a failure of the whole report. */
type Outcome = { value: number } | { cellError: string } | { reportError: string };
let next: Outcome = { value: 0 };
let revenueCell = '';

const computeReport: ComputeReport = async () => {
  const at = new Date();
  if ('reportError' in next) throw new Error(next.reportError);
  if ('cellError' in next) return [{ cellId: revenueCell, cell: 'revenue', ok: false, table: null, rows: null, error: next.cellError, at }];
  const table = tableFromArrays({ region: ['north'], total_revenue: Float64Array.from([next.value]) });
  return [{ cellId: revenueCell, cell: 'revenue', ok: true, table, rows: table.numRows, error: null, at } satisfies CellRefresh];
};

/** A webhook receiver on loopback: `/ok` answers 200, `/flaky` 500 then 200, `/hang` never answers. */
class Hook {
  readonly posts: { path: string; body: any; type: string | undefined }[] = [];
  private readonly hanging: ServerResponse[] = [];
  private flaky = 0;
  private server!: Server;
  base = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let text = '';
      req.on('data', (d) => (text += d));
      req.on('end', () => {
        this.posts.push({ path: req.url ?? '', body: JSON.parse(text), type: req.headers['content-type'] });
        if (req.url === '/hang') return void this.hanging.push(res);
        if (req.url === '/flaky' && this.flaky++ % 2 === 0) return void res.writeHead(500).end('upstream exploded');
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  to(path: string) {
    return this.posts.filter((p) => p.path === path);
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('report alerts', () => {
  let store: TestStore;
  let srv: RunningServer;
  let hook: Hook;
  let owner: SignedUp;
  let editor: SignedUp;
  let slug = '';
  let reportId = '';

  const refresh = async (outcome: Outcome) => {
    next = outcome;
    const r = await api(srv.base, 'POST', `/api/reports/${slug}/refresh`, { token: editor.token, body: {} });
    expect(r.status).toBe(200);
    return r.body;
  };
  const addAlert = async (token: string, body: object) => {
    const r = await api(srv.base, 'POST', `/api/reports/${slug}/alerts`, { token, body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };
  /** The alert's history once no delivery is pending any more. */
  const history = async (alertId: string, count: number) => {
    for (let t0 = Date.now(); ; await sleep(25)) {
      const r = await api(srv.base, 'GET', `/api/reports/${slug}/alerts/${alertId}/deliveries`, { token: editor.token });
      expect(r.status).toBe(200);
      const done = r.body.deliveries.filter((d: { status: string }) => d.status !== 'pending');
      if (r.body.deliveries.length >= count && done.length === r.body.deliveries.length) return r.body.deliveries;
      if (Date.now() - t0 > 10_000) throw new Error(`deliveries of ${alertId} did not finish: ${JSON.stringify(r.body)}`);
    }
  };

  beforeAll(async () => {
    hook = new Hook();
    await hook.start();
    store = await createTestStore('embedded');
    srv = await startInProcess(store, { computeReport, env: { CAIRN_WEBHOOK_TIMEOUT_MS: '300', CAIRN_WEBHOOK_ATTEMPTS: '3', CAIRN_WEBHOOK_BACKOFF_MS: '50' } });
    owner = await signUp(srv.base, 'Olga', 'owner');
    editor = await signUp(srv.base, 'Ed', 'editor');
    const notebook = await createNotebook(srv.base, owner.token, 'Q3');
    const client = connectClient(srv.ws, notebook, owner.token);
    await synced(client);
    revenueCell = insertCell(client.doc, { kind: 'sql', name: 'revenue', source: 'select region, sum(amount) as total_revenue from sales group by 1' });
    await sleep(200);
    client.destroy();
    const published = await api(srv.base, 'POST', `/api/notebooks/${notebook}/publish`, { token: owner.token, body: { visibility: 'workspace' } });
    slug = published.body.slug;
    reportId = (await srv.cairn.context.db.query<{ id: string }>('select id from reports where slug = $1', [slug]))[0]!.id;
  });

  afterAll(async () => {
    await srv?.close();
    await hook?.stop();
    await store?.dispose();
  });

  it('posts to its webhook once per change from ok to triggered, not at every refresh while triggered', async () => {
    const alert = await addAlert(owner.token, { cell: 'revenue', name: 'Revenue', condition: { column: 'total_revenue', op: '>', value: 1000 }, webhook: `${hook.base}/ok` });
    // ok, triggered, still triggered, ok, triggered: two notifications.
    for (const value of [500, 1234, 1500, 800, 2000]) await refresh({ value });
    const deliveries = await history(alert, 2);
    await sleep(300);
    expect(hook.to('/ok')).toHaveLength(2);
    const [first, second] = hook.to('/ok');
    expect(first!.type).toBe('application/json');
    expect(first!.body).toMatchObject({ text: 'Revenue alert: total_revenue is 1,234 (> 1,000) in report Q3 — triggered', report: slug, cell: 'revenue', state: 'triggered', value: 1234, threshold: 1000 });
    expect(new Date(first!.body.at).toISOString()).toBe(first!.body.at);
    expect(second!.body.value).toBe(2000);
    // Newest first, each delivered at the first attempt.
    expect(deliveries.map((d: any) => [d.status, d.attempts, d.statusCode, d.payload.value])).toEqual([
      ['delivered', 1, 200, 2000],
      ['delivered', 1, 200, 1234]
    ]);
    const listed = await api(srv.base, 'GET', `/api/reports/${slug}/alerts`, { token: owner.token });
    expect(listed.body.alerts).toEqual([expect.objectContaining({ id: alert, cell: 'revenue', state: 'triggered', hasWebhookUrl: true, webhook: `${hook.base}/ok` })]);
    // Editors manage the alert but do not see the URL an owner entered.
    const asEditor = await api(srv.base, 'GET', `/api/reports/${slug}/alerts`, { token: editor.token });
    expect(asEditor.body.alerts[0].webhook).toBeUndefined();
    expect((await api(srv.base, 'DELETE', `/api/reports/${slug}/alerts/${alert}`, { token: editor.token })).status).toBe(200);
  });

  it('retries a webhook that answers 500, and keeps both attempts in the history', async () => {
    const saved = await api(srv.base, 'POST', '/api/workspaces/default/webhooks', { token: owner.token, body: { name: 'Ops channel', url: `${hook.base}/flaky` } });
    expect(saved.status).toBe(201);
    const listed = await api(srv.base, 'GET', '/api/workspaces/default/webhooks', { token: editor.token });
    expect(listed.body.webhooks).toEqual([{ id: saved.body.id, name: 'Ops channel', createdAt: expect.any(String) }]);
    // An editor may not enter a URL, but may choose a saved webhook.
    const alert = await addAlert(editor.token, { cell: 'revenue', condition: { fails: true }, webhookId: saved.body.id });
    await refresh({ value: 1 });
    const outcome = await refresh({ cellError: 'relation "sales" does not exist' });
    expect(outcome).toMatchObject({ ok: false, cells: [{ cell: 'revenue', ok: false, error: 'relation "sales" does not exist' }] });
    const [delivery] = await history(alert, 1);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2, statusCode: 200, answer: 'ok' });
    expect(delivery.tries.map((t: any) => [t.attempt, t.statusCode, t.answer, t.error])).toEqual([
      [1, 500, 'upstream exploded', 'The webhook answered 500 Internal Server Error.'],
      [2, 200, 'ok', null]
    ]);
    expect(delivery.payload.text).toBe('revenue alert: revenue failed to refresh (relation "sales" does not exist) in report Q3 — triggered');
    expect(hook.to('/flaky')).toHaveLength(2);
    await api(srv.base, 'DELETE', `/api/reports/${slug}/alerts/${alert}`, { token: editor.token });
  });

  it('records a webhook that never answers as timed out at every attempt, and nothing else waits for it', async () => {
    await refresh({ value: 0 });
    const alert = await addAlert(owner.token, { cell: 'revenue', condition: { column: 'total_revenue', op: '>=', value: '10.5' }, webhook: `${hook.base}/hang` });
    const t0 = Date.now();
    await refresh({ value: 10.5 });
    // The refresh answered without waiting for the webhook's 300 ms timeout.
    expect(Date.now() - t0).toBeLessThan(300);
    expect((await api(srv.base, 'GET', `/api/reports/${slug}`, { token: editor.token })).status).toBe(200);
    const [delivery] = await history(alert, 1);
    expect(delivery.status).toBe('failed');
    expect(delivery.tries).toHaveLength(3);
    for (const attempt of delivery.tries) expect(attempt).toMatchObject({ statusCode: null, answer: null, error: 'The webhook did not answer within 300 ms.' });
    expect(hook.to('/hang')).toHaveLength(3);
    await api(srv.base, 'DELETE', `/api/reports/${slug}/alerts/${alert}`, { token: owner.token });
  });

  it('keeps a cell’s last good state through a failed refresh, and records the error for the author', async () => {
    await refresh({ value: 42 });
    const good = (await api(srv.base, 'GET', `/api/reports/${slug}/refresh`, { token: editor.token })).body;
    expect(good.cells).toEqual([{ cellId: revenueCell, cell: 'revenue', lastOkAt: expect.any(String), lastRows: 1, lastError: null, lastErrorAt: null }]);
    expect(await lastRefreshError(srv.cairn.context.db, reportId, revenueCell)).toBeNull();

    await refresh({ cellError: 'permission denied for table sales' });
    const bad = (await api(srv.base, 'GET', `/api/reports/${slug}/refresh`, { token: editor.token })).body;
    expect(bad.cells).toEqual([{ cellId: revenueCell, cell: 'revenue', lastOkAt: good.cells[0].lastOkAt, lastRows: 1, lastError: 'permission denied for table sales', lastErrorAt: expect.any(String) }]);
    expect(await lastRefreshError(srv.cairn.context.db, reportId, revenueCell)).toEqual({ error: 'permission denied for table sales', at: expect.any(Date) });
    expect(await refreshErrorHeader(srv.cairn.context.db, reportId, revenueCell)).toEqual({ 'x-cairn-refresh-error': 'permission denied for table sales' });
    await refresh({ cellError: 'column “amount” does not exist\nLINE 1: select amount' });
    expect(await refreshErrorHeader(srv.cairn.context.db, reportId, revenueCell)).toEqual({ 'x-cairn-refresh-error': 'column %E2%80%9Camount%E2%80%9D does not exist LINE 1: select amount' });

    // A refresh that fails as a whole fails every cell it knows, and says so on the report too.
    await refresh({ reportError: 'the warehouse is down' });
    const down = (await api(srv.base, 'GET', `/api/reports/${slug}/refresh`, { token: editor.token })).body;
    expect(down).toMatchObject({ lastError: 'the warehouse is down', cells: [{ lastOkAt: good.cells[0].lastOkAt, lastRows: 1, lastError: 'the warehouse is down' }] });

    await refresh({ value: 43 });
    const back = (await api(srv.base, 'GET', `/api/reports/${slug}/refresh`, { token: editor.token })).body;
    expect(back).toMatchObject({ lastError: null, cells: [{ lastRows: 1, lastError: null, lastErrorAt: null }] });
    expect(back.cells[0].lastOkAt > good.cells[0].lastOkAt).toBe(true);
    expect(await lastRefreshError(srv.cairn.context.db, reportId, revenueCell)).toBeNull();
    expect(await refreshErrorHeader(srv.cairn.context.db, reportId, revenueCell)).toEqual({});
  });

  it('refuses bad alert and webhook bodies, raw URLs from editors and unknown alerts, each with its status', async () => {
    const post = (token: string, body: object) => api(srv.base, 'POST', `/api/reports/${slug}/alerts`, { token, body });
    const threshold = { column: 'total_revenue', op: '>', value: 1 };
    for (const body of [
      { cell: 'revenue', condition: { column: 'total_revenue', op: '>>', value: 1 } },
      { cell: 'revenue', condition: { column: 'total_revenue', op: '>', value: 1, row: 'last' } },
      { cell: 'revenue', condition: { rowCountChanged: false } },
      { cell: 'revenue', condition: threshold, webhook: 'ftp://files.example.com/x' },
      { cell: 'revenue', condition: threshold, webhook: 'javascript:alert(1)' },
      { cell: 'revenue', condition: threshold, webhook: 'not a url' },
      { cell: 'revenue', condition: threshold, webhook: `${hook.base}/ok`, webhookId: 'x' },
      { cell: 'no_such_cell', condition: threshold },
      { cell: 'revenue', condition: threshold, webhookId: 'no-such-webhook' }
    ]) {
      const r = await post(owner.token, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.message.length, JSON.stringify(body)).toBeGreaterThan(5);
    }
    const editorUrl = await post(editor.token, { cell: 'revenue', condition: threshold, webhook: 'https://hooks.example.com/x' });
    expect(editorUrl.status).toBe(403);
    expect(editorUrl.body.error.message).toMatch(/owners and admins/);
    // Loopback and any http(s) URL are fine from an owner.
    const loopback = await post(owner.token, { cell: 'revenue', condition: threshold, webhook: 'http://localhost:9/hook' });
    expect(loopback.status).toBe(201);
    const none = await post(editor.token, { cell: 'revenue', condition: { rowCountChanged: true } });
    expect(none.status).toBe(201);

    for (const body of [{ name: 'x', url: 'file:///etc/passwd' }, { name: '', url: 'https://x.example.com' }, { url: 'https://x.example.com' }]) {
      expect((await api(srv.base, 'POST', '/api/workspaces/default/webhooks', { token: owner.token, body })).status, JSON.stringify(body)).toBe(400);
    }
    expect((await api(srv.base, 'POST', '/api/workspaces/default/webhooks', { token: editor.token, body: { name: 'x', url: 'https://x.example.com' } })).status).toBe(403);
    const owners = await api(srv.base, 'GET', '/api/workspaces/default/webhooks', { token: owner.token });
    expect(owners.body.webhooks[0]).toMatchObject({ name: 'Ops channel', url: `${hook.base}/flaky` });

    expect((await api(srv.base, 'DELETE', `/api/reports/${slug}/alerts/no-such-alert`, { token: editor.token })).status).toBe(404);
    expect((await api(srv.base, 'GET', `/api/reports/${slug}/alerts/no-such-alert/deliveries`, { token: editor.token })).status).toBe(404);
    expect((await api(srv.base, 'DELETE', '/api/workspaces/default/webhooks/no-such-webhook', { token: owner.token })).status).toBe(404);
    await api(srv.base, 'DELETE', `/api/reports/${slug}/alerts/${loopback.body.id}`, { token: owner.token });
    await api(srv.base, 'DELETE', `/api/reports/${slug}/alerts/${none.body.id}`, { token: owner.token });
  });

  it('records the change of an alert without a destination, and fails the deliveries of a deleted webhook saying why', async () => {
    const saved = await api(srv.base, 'POST', '/api/workspaces/default/webhooks', { token: owner.token, body: { name: 'Old channel', url: `${hook.base}/ok` } });
    const chosen = await addAlert(editor.token, { cell: 'revenue', name: 'Loss', condition: { column: 'total_revenue', op: '<', value: 0 }, webhookId: saved.body.id });
    const silent = await addAlert(editor.token, { cell: 'revenue', condition: { column: 'total_revenue', op: '<', value: 0 } });
    expect((await api(srv.base, 'DELETE', `/api/workspaces/default/webhooks/${saved.body.id}`, { token: owner.token })).status).toBe(200);
    const posts = hook.posts.length;
    await refresh({ value: -5 });
    const [recorded] = await history(silent, 1);
    expect(recorded).toMatchObject({ status: 'recorded', attempts: 0, tries: [] });
    expect(recorded.payload.text).toBe('revenue alert: total_revenue is -5 (< 0) in report Q3 — triggered');
    const [failed] = await history(chosen, 1);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, statusCode: null, error: 'The webhook "Old channel" was deleted.' });
    expect(failed.payload.text).toBe('Loss alert: total_revenue is -5 (< 0) in report Q3 — triggered');
    const listed = await api(srv.base, 'GET', `/api/reports/${slug}/alerts`, { token: editor.token });
    expect(listed.body.alerts.find((a: { id: string }) => a.id === chosen)).toMatchObject({ webhookId: saved.body.id, webhookName: 'Old channel', webhookDeleted: true, state: 'triggered' });
    await api(srv.base, 'DELETE', `/api/reports/${slug}/alerts/${silent}`, { token: editor.token });
    await api(srv.base, 'DELETE', `/api/reports/${slug}/alerts/${chosen}`, { token: editor.token });
    expect(hook.posts.length).toBe(posts);
  });
});

describe('report alerts on the server’s own results', () => {
  let store: TestStore;
  let srv: RunningServer;
  let hook: Hook;
  let owner: SignedUp;

  beforeAll(async () => {
    hook = new Hook();
    await hook.start();
    store = await createTestStore('embedded');
    // No ComputeReport passed: refreshes compute through the server's results code.
    srv = await startInProcess(store);
    owner = await signUp(srv.base, 'Rita', 'owner');
  });

  afterAll(async () => {
    await srv?.close();
    await hook?.stop();
    await store?.dispose();
  });

  it('publishing and refreshing record each cell’s outcome, and an exact decimal threshold notifies once', async () => {
    const notebook = await createNotebook(srv.base, owner.token, 'Ledger');
    const client = connectClient(srv.ws, notebook, owner.token);
    await synced(client);
    const totalCell = insertCell(client.doc, { kind: 'sql', name: 'total', engine: 'browser', source: 'select 1234.50::decimal(18,2) as amount' });
    const brokenCell = insertCell(client.doc, { kind: 'sql', name: 'broken', engine: 'browser', source: 'select * from no_such_table' });
    await sleep(200);
    client.destroy();
    const published = await api(srv.base, 'POST', `/api/notebooks/${notebook}/publish`, { token: owner.token, body: { visibility: 'workspace' } });
    expect(published.status).toBe(200);
    const slug = published.body.slug;

    // Publishing was the first refresh (it runs behind the publish answer).
    let state = (await api(srv.base, 'GET', `/api/reports/${slug}/refresh`, { token: owner.token })).body;
    for (let t0 = Date.now(); state.cells.length < 2 || !state.lastRefreshAt; await sleep(50)) {
      if (Date.now() - t0 > 30_000) throw new Error('publishing recorded no refresh within 30 s');
      state = (await api(srv.base, 'GET', `/api/reports/${slug}/refresh`, { token: owner.token })).body;
    }
    const byName = Object.fromEntries(state.cells.map((c: { cell: string }) => [c.cell, c]));
    expect(byName.total).toMatchObject({ cellId: totalCell, lastRows: 1, lastError: null, lastOkAt: expect.any(String) });
    expect(byName.broken).toMatchObject({ cellId: brokenCell, lastOkAt: null, lastError: expect.stringMatching(/no_such_table/) });

    const alert = await api(srv.base, 'POST', `/api/reports/${slug}/alerts`, {
      token: owner.token,
      body: { cell: 'total', name: 'Ledger', condition: { column: 'amount', op: '>', value: '1234.49' }, webhook: `${hook.base}/ok` }
    });
    expect(alert.status).toBe(201);
    for (let i = 0; i < 2; i++) {
      const r = await api(srv.base, 'POST', `/api/reports/${slug}/refresh`, { token: owner.token, body: {} });
      expect(r.status).toBe(200);
      expect(r.body.cells.map((c: { cell: string; ok: boolean }) => [c.cell, c.ok]).sort()).toEqual([['broken', false], ['total', true]]);
    }
    for (let t0 = Date.now(); hook.to('/ok').length === 0; await sleep(25)) {
      if (Date.now() - t0 > 10_000) throw new Error('the webhook got nothing within 10 s');
    }
    await sleep(300);
    expect(hook.to('/ok').map((p) => p.body.text)).toEqual(['Ledger alert: amount is 1,234.50 (> 1,234.49) in report Ledger — triggered']);
    expect(hook.to('/ok')[0]!.body).toMatchObject({ value: '1234.50', threshold: '1234.49', cell: 'total', report: slug });
  });
});
