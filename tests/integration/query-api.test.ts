/**
 * Server-side SQL through the API, end to end: a real PostgreSQL warehouse behind
 * `/api/connections` and `/api/query`, the audit log, the cache, cancel and the queue.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { api, signUp } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { WarehouseApi, runServerQuery, ApiError } from '../../src/lib/warehouse/index.js';
import { setLogLevel } from '../../server/log.js';

const PASSWORD = 'hunter2-not-logged';

describe('server-side SQL over the API (embedded store, PostgreSQL warehouse)', () => {
  let store: TestStore;
  let srv: RunningServer;
  let warehouse: TestDatabase;
  let owner: Awaited<ReturnType<typeof signUp>>;
  let client: WarehouseApi;
  let connectionId: string;
  const logged: string[] = [];
  const restore: Array<() => void> = [];

  beforeAll(async () => {
    // Every line the server logs, to check no secret reaches it.
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        logged.push(String(chunk));
        return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      restore.push(() => (stream.write = write));
    }
    warehouse = await createTestDatabase();
    const seed = new pg.Client({ connectionString: warehouse.url });
    await seed.connect();
    // A login with a password, so the secret path is real (trust auth ignores it, but the server must still never echo it).
    await seed.query(`create table orders as select g as id, (g % 7) as region, g * 1.5 as total from generate_series(1, 50000) g`);
    await seed.end();
    store = await createTestStore('embedded');
    srv = await startInProcess(store);
    // Every level, so the secret check below sees everything the server could write.
    setLogLevel('debug');
    owner = await signUp(srv.base, 'Owner');
    client = new WarehouseApi({ baseUrl: srv.base, token: owner.token });
    const url = new URL(warehouse.url);
    const created = await client.createConnection({
      name: 'Warehouse',
      kind: 'postgres',
      config: { host: url.hostname, port: Number(url.port), database: url.pathname.slice(1), user: url.username, password: PASSWORD },
      // The test server's `postgres` is a superuser: accepted here, refused by default (warehouse-privileges.test.ts).
      options: { maxConnections: 1, rowLimit: 40_000, acceptPrivilegedAccount: true }
    });
    connectionId = created.id;
  });

  afterAll(async () => {
    for (const r of restore) r();
    setLogLevel('error');
    await srv?.close();
    await store?.dispose();
    await warehouse?.drop();
  });

  it('adds connections for owners only, and never shows or stores the password in clear', async () => {
    const list = await api(srv.base, 'GET', '/api/connections', { token: owner.token });
    expect(list.status).toBe(200);
    const mine = list.body.connections.find((c: { id: string }) => c.id === connectionId);
    expect(mine).toMatchObject({ name: 'Warehouse', kind: 'postgres', hasPassword: true, builtin: false });
    expect(list.body.connections.some((c: { id: string }) => c.id === 'cairn')).toBe(true);
    expect(JSON.stringify(list.body)).not.toContain(PASSWORD);

    const editor = await signUp(srv.base, 'Editor');
    const refused = await api(srv.base, 'POST', '/api/connections', { token: editor.token, body: { name: 'x', kind: 'duckdb', config: {} } });
    expect(refused.status).toBe(403);
    const bad = await api(srv.base, 'POST', '/api/connections', { token: owner.token, body: { name: 'x', kind: 'oracle', config: {} } });
    expect(bad.status).toBe(400);
    const dup = await api(srv.base, 'POST', '/api/connections', { token: owner.token, body: { name: 'warehouse', kind: 'duckdb', config: {} } });
    expect(dup.status).toBe(409);

    const rows = await srv.cairn.context.db.query<{ config: unknown; secret: string }>('select config, secret from connections where id = $1', [connectionId]);
    expect(JSON.stringify(rows[0].config)).not.toContain(PASSWORD);
    expect(rows[0].secret).toMatch(/^v1\./);
    expect(rows[0].secret).not.toContain(PASSWORD);
    expect(rows[0].secret).not.toContain(Buffer.from(PASSWORD).toString('base64url'));
  });

  it('tests a connection, and a wrong port fails with a clear error that leaves the password out', async () => {
    const ok = await api(srv.base, 'POST', `/api/connections/${connectionId}/test`, { token: owner.token, body: {} });
    expect(ok.status).toBe(200);
    expect(ok.body.ok).toBe(true);
    const wrong = await api(srv.base, 'POST', '/api/connections/test', {
      token: owner.token,
      body: { name: 'bad', kind: 'postgres', config: { host: '127.0.0.1', port: 1, database: 'x', user: 'x', password: PASSWORD } }
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('connection_failed');
    expect(wrong.body.error.message).toMatch(/127\.0\.0\.1|ECONNREFUSED|connect/i);
    expect(JSON.stringify(wrong.body)).not.toContain(PASSWORD);
  });

  it('streams Arrow with a run id, logs the run, and its resultHash is the hash of the bytes sent', async () => {
    const r = await fetch(`${srv.base}/api/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ connectionId, sql: 'select region, count(*)::int as n, sum(total) as total from orders where region < $1 group by region order by region', params: [3] })
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
    const runId = r.headers.get('x-cairn-run-id')!;
    const bytes = new Uint8Array(await r.arrayBuffer());
    const table = tableFromIPC(bytes);
    expect(table.numRows).toBe(3);
    expect([...table.getChild('n')!]).toEqual([7142, 7143, 7143]);
    const run = await client.run(runId);
    expect(run).toMatchObject({ status: 'done', rows: 3, truncated: false, cache: 'miss', connectionId, params: [3], error: null, userId: owner.user.id, userName: 'Owner' });
    expect(run.resultHash).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(run.bytes).toBe(bytes.byteLength);
  });

  it('answers an error before the first batch as JSON with the position, and logs it', async () => {
    const runId = crypto.randomUUID();
    const r = await api(srv.base, 'POST', '/api/query', { token: owner.token, body: { connectionId, sql: 'select nope from orders', runId } });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('query_error');
    expect(r.body.error.message).toMatch(/nope/);
    expect(r.body.error.position).toBe(7);
    const run = await client.run(runId);
    expect(run.status).toBe('error');
    expect(run.error).toMatch(/nope/);
  });

  it('refuses writes on a read-only connection and the data stays', async () => {
    for (const sql of ['insert into orders values (0, 0, 0)', 'create table t (x int)', 'delete from orders']) {
      await expect(runServerQuery(client, { connectionId, sql })).rejects.toThrow(/read-only/);
    }
    const count = await runServerQuery(client, { connectionId, sql: 'select count(*)::int as n from orders' });
    expect(count!.table.getChild('n')!.get(0)).toBe(50_000);
  });

  it('caps rows at the connection limit and says so', async () => {
    const r = await runServerQuery(client, { connectionId, sql: 'select * from orders order by id' });
    expect(r!.rows).toBe(40_000);
    expect(r!.truncated).toBe(true);
    expect(r!.table.numRows).toBe(40_000);
  });

  it('serves the cache within maxAge, misses past it, and shares one execution per run token', async () => {
    const sql = `select count(*)::int as n, '${crypto.randomUUID()}' as tag from orders`;
    const first = await runServerQuery(client, { connectionId, sql, maxAge: 60 });
    expect(first!.cache).toBe('miss');
    const second = await runServerQuery(client, { connectionId, sql, maxAge: 60 });
    expect(second!.cache).toBe('hit');
    expect(second!.rows).toBe(1);
    expect(second!.resultAt.getTime()).toBe(first!.resultAt.getTime());
    await new Promise((r) => setTimeout(r, 50));
    const stale = await runServerQuery(client, { connectionId, sql, maxAge: 0.01 });
    expect(stale!.cache).toBe('miss');
    const onlyCached = await runServerQuery(client, { connectionId, sql: `${sql} -- never ran`, cacheOnly: true });
    expect(onlyCached).toBeNull();

    // Three copies of a notebook ask for the same shared run at once: one query runs.
    const token = crypto.randomUUID();
    const slow = `select pg_sleep(0.3)::text as s, '${token}' as tag`;
    const copies = await Promise.all([1, 2, 3].map(() => runServerQuery(client, { connectionId, sql: slow, runToken: token })));
    expect(copies.map((c) => c!.cache).sort()).toEqual(['hit', 'hit', 'miss']);
    const runs = (await client.listRuns({ connectionId })).filter((r) => r.sql === slow);
    expect(runs).toHaveLength(3);
    expect(runs.filter((r) => r.cache === 'miss')).toHaveLength(1);
    expect(new Set(runs.map((r) => r.resultHash)).size).toBe(1);
  });

  it('queues past maxConnections, shows the place in the queue, and cancels on the database', async () => {
    const slow = runServerQuery(client, { connectionId, sql: `select pg_sleep(30), '${crypto.randomUUID()}'` });
    slow.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const controller = new AbortController();
    const queuedSql = `select 1 as one, '${crypto.randomUUID()}' as tag`;
    const queued = runServerQuery(client, { connectionId, sql: queuedSql }, { signal: controller.signal });
    queued.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const live = await client.listRuns({ connectionId, limit: 5 });
    const waiting = live.find((r) => r.sql === queuedSql)!;
    expect(waiting.status).toBe('queued');
    expect(waiting.queuePosition).toBe(0);
    const running = live.find((r) => r.sql.includes('pg_sleep(30)'))!;
    expect(running.status).toBe('running');

    expect((await client.cancelRun(running.id)).canceled).toBe(true);
    await expect(slow).rejects.toThrow();
    // The queued query gets the slot and runs.
    const after = await queued;
    expect(after!.table.getChild('one')!.get(0)).toBe(1);
    expect((await client.run(running.id)).status).toBe('canceled');
    const admin = new pg.Client({ connectionString: warehouse.url });
    await admin.connect();
    const active = await admin.query(`select count(*)::int as n from pg_stat_activity where query like '%pg_sleep(30)%' and pid <> pg_backend_pid()`);
    await admin.end();
    expect(active.rows[0].n).toBe(0);
  });

  it('a mid-stream failure ends the stream early and the run log has the error', async () => {
    const sql = 'select g, case when g < 30000 then g else 1 / (g - g) end as x from generate_series(1, 39000) g';
    await expect(runServerQuery(client, { connectionId, sql })).rejects.toThrow(/division by zero/);
    const run = (await client.listRuns({ connectionId })).find((r) => r.sql === sql)!;
    expect(run.status).toBe('error');
    expect(run.error).toMatch(/division by zero/);
  });

  it('a value wider than the first batch chose is never rounded: the run ends result_widened, and the run again is exact', async () => {
    // 16,384 integers choose Decimal128(38, 0); the 1.125 in row 20,000 does not fit it.
    const sql = 'select g, case when g = 20000 then 1.125 else g::numeric end as v from generate_series(1, 30000) g';
    const runId = crypto.randomUUID();
    const first = await fetch(`${srv.base}/api/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ connectionId, sql, runId })
    });
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    expect(await client.run(runId)).toMatchObject({ status: 'error', errorCode: 'result_widened' });

    // The client's query function runs it again; the server starts that run with the wider type.
    const result = await runServerQuery(client, { connectionId, sql });
    const v = result!.table.getChild('v')!;
    expect(String(v.type)).toBe('Decimal[38e+3]');
    expect(result!.rows).toBe(30_000);
    const unscaled = (i: number) => {
      const w = v.get(i) as Uint32Array;
      return (BigInt(w[1]!) << 32n) | BigInt(w[0]!);
    };
    expect(unscaled(19_999)).toBe(1125n);
    expect(unscaled(29_999)).toBe(30_000_000n);
    const runs = (await client.listRuns({ connectionId })).filter((r) => r.sql === sql);
    expect(runs.map((r) => r.status)).toEqual(['done', 'error']);
  });

  it('the built-in cairn connection answers SQL over the audit log', async () => {
    const r = await runServerQuery(client, { connectionId: 'cairn', sql: `select cache, count(*)::int as n from runs where connection_id = $1 group by cache order by cache`, params: [connectionId] });
    const who = await runServerQuery(client, { connectionId: 'cairn', sql: `select distinct user_name from runs where connection_id = $1`, params: [connectionId] });
    expect(who!.table.getChild('user_name')!.toArray()).toEqual(['Owner']);
    const counts = Object.fromEntries(r!.table.toArray().map((row) => [row.cache, row.n]));
    expect(counts.hit).toBeGreaterThanOrEqual(3);
    expect(counts.miss).toBeGreaterThanOrEqual(5);
    await expect(runServerQuery(client, { connectionId: 'cairn', sql: 'delete from runs' })).rejects.toThrow(ApiError);
  });

  it('never logged the password', () => {
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('')).not.toContain(PASSWORD);
  });
});
