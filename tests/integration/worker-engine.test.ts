/**
 * Server engines in a worker thread (kernels/worker-engine) against the real
 * PostgreSQL and MariaDB on this machine: the same results as the in-thread engine,
 * streaming, cancel on the database, row cap, errors with positions, crash recovery, and
 * — the point of it — the server's event loop stays responsive while a big result streams.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { RecordBatch } from 'apache-arrow';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IpcStreamEncoder } from '../../kernels/arrow/index.js';
import { QueryError, type RunResult, type ServerEngine, type ServerEngineOptions } from '../../kernels/engine.js';
import { createPostgresEngine, type PostgresConfig } from '../../kernels/postgres/index.js';
import { createWorkerEngine } from '../../kernels/worker-engine/index.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { createTestMysqlDatabase } from '../support/mysql.js';

const POSTGRES = { module: new URL('../../kernels/postgres/index.ts', import.meta.url).href, factory: 'createPostgresEngine' };
const MYSQL = { module: new URL('../../kernels/mysql/index.ts', import.meta.url).href, factory: 'createMysqlEngine' };

let db: TestDatabase;
let config: PostgresConfig;
let admin: pg.Client;
const engines: ServerEngine[] = [];

function worker(options: Partial<ServerEngineOptions> = {}, overrides: Partial<PostgresConfig> = {}): ServerEngine {
  const e = createWorkerEngine(POSTGRES, { ...config, ...overrides }, { id: 'pg-worker', ...options });
  engines.push(e);
  return e;
}

function inThread(options: Partial<ServerEngineOptions> = {}): ServerEngine {
  const e = createPostgresEngine(config, { id: 'pg-worker', ...options });
  engines.push(e);
  return e;
}

async function collect(result: RunResult): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = [];
  for await (const b of result.batches) batches.push(b);
  return batches;
}

/** A result as one Arrow IPC stream. */
async function ipcBytes(result: RunResult): Promise<Buffer> {
  const encoder = new IpcStreamEncoder(result.schema);
  const parts = [encoder.start()];
  for await (const b of result.batches) parts.push(encoder.encode(b));
  parts.push(encoder.end());
  return Buffer.concat(parts);
}

async function active(marker: string): Promise<number> {
  const r = await admin.query(`select pid from pg_stat_activity where query like '%${marker}%' and state = 'active' and pid <> pg_backend_pid()`);
  return r.rows.length;
}

/** Waits (up to 5 s: the machine is shared) until no backend runs the query marked `marker`. */
async function settled(marker: string): Promise<number> {
  const until = Date.now() + 5000;
  let n = await active(marker);
  while (n > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    n = await active(marker);
  }
  return n;
}

beforeAll(async () => {
  db = await createTestDatabase();
  const url = new URL(db.url);
  config = { host: url.hostname, port: Number(url.port || 5432), database: url.pathname.slice(1), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
});

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close().catch(() => undefined)));
  await admin?.end();
  await db?.drop();
});

const MIXED = `
  select g as id, g::int8 * 1000000007 as big, g / 7.0::float8 as ratio, (g * 1.25)::numeric(12, 2) as amount,
         'row ' || g as label, g % 3 = 0 as flag, date '2024-01-01' + g as day,
         timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute' as at,
         case when g % 5 = 0 then null else array[g, g + 1] end as pair, '{"a": 1}'::jsonb as doc,
         gen_random_uuid() is not null as has_uuid
  from generate_series(1, 50000) g`;

describe('PostgreSQL through a worker', () => {
  it('returns what the in-thread engine returns, byte for byte', async () => {
    const w = worker();
    for (const [sql, params] of [
      [MIXED, []],
      ['select $1::int4 + g as n, $2::text as t from generate_series(1, 3) g', [5, 'x']]
    ] as const) {
      const expected = await ipcBytes(await inThread().run(sql, [...params]));
      const got = await w.run(sql, [...params]);
      const bytes = await ipcBytes(got);
      expect(bytes.equals(expected)).toBe(true);
      expect((await got.summary).truncated).toBe(false);
    }
  });

  it('streams: the first batch arrives before a slow last row', async () => {
    const w = worker();
    const started = Date.now();
    const result = await w.run('select g, case when g = 200000 then pg_sleep(3) end from generate_series(1,200000) g', []);
    const iterator = result.batches[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
    let rows = first.value!.numRows;
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      rows += next.value.numRows;
    }
    expect(rows).toBe(200_000);
    expect(Date.now() - started).toBeGreaterThan(3000);
    expect(await result.summary).toEqual({ rows: 200_000, truncated: false });
  });

  it('cancels the query on the database', async () => {
    const w = worker({ maxConnections: 1 });
    const controller = new AbortController();
    const result = await w.run('select g, pg_sleep(case when g = 50000 then 30 else 0 end) as marker_wcancel from generate_series(1, 50000) g', [], { signal: controller.signal });
    const consumed = collect(result);
    await new Promise((r) => setTimeout(r, 500));
    expect(await active('marker_wcancel')).toBe(1);
    const started = Date.now();
    controller.abort(new Error('stopped by the user'));
    await expect(consumed).rejects.toThrow('stopped by the user');
    await expect(result.summary).rejects.toThrow('stopped by the user');
    expect(await settled('marker_wcancel')).toBe(0);
    expect(Date.now() - started).toBeLessThan(3000);
    // The one pooled connection came back.
    const next = await collect(await w.run('select 7 as n', []));
    expect(next[0]!.getChildAt(0)!.get(0)).toBe(7);
  });

  it('releases the run in the worker when the consumer quits early', async () => {
    const w = worker({ maxConnections: 1 });
    const result = await w.run('select g, pg_sleep(case when g = 70000 then 30 else 0 end) as marker_wquit from generate_series(1, 70000) g', []);
    for await (const _ of result.batches) break;
    await result.summary;
    // Without the release the backend would sleep 30 s on the last row.
    expect(await settled('marker_wquit')).toBe(0);
    const next = await collect(await w.run('select 1 as n', []));
    expect(next[0]!.numRows).toBe(1);
  });

  it('caps rows and says the result was truncated', async () => {
    const w = worker();
    const result = await w.run('select g from generate_series(1, 100000) g', [], { rowLimit: 1234 });
    const batches = await collect(result);
    expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(1234);
    expect(await result.summary).toEqual({ rows: 1234, truncated: true });
    const exact = await w.run('select g from generate_series(1, 10) g', [], { rowLimit: 10 });
    await collect(exact);
    expect(await exact.summary).toEqual({ rows: 10, truncated: false });
  });

  it('reports query errors as QueryError with the position, and no password', async () => {
    const w = worker();
    const sql = 'select 1 as a, nosuchcolumn from generate_series(1, 2) g';
    const err = await w.run(sql, []).catch((e) => e);
    expect(err).toBeInstanceOf(QueryError);
    expect(err.engine).toBe('pg-worker');
    expect(err.message).toMatch(/nosuchcolumn/);
    expect(err.position).toBe(sql.indexOf('nosuchcolumn'));
    const bad = worker({}, { password: 'hunter2-secret', user: 'nosuchuser' });
    const pingErr = await bad.ping().catch((e) => e);
    expect(pingErr).toBeInstanceOf(QueryError);
    expect(pingErr.message).not.toContain('hunter2-secret');
  });

  it('answers schema() and ping() from the worker', async () => {
    await admin.query('create table worker_items (id int primary key, name text)');
    const w = worker();
    await w.ping();
    const tables = await w.schema();
    const table = tables.find((t) => t.name === 'worker_items');
    expect(table?.columns.map((c) => c.name)).toEqual(['id', 'name']);
  });

  it('fails pending runs when the worker dies, and starts a fresh one for the next call', async () => {
    const w = worker();
    // run() answers with the first batch, which this query never sends.
    const consumed = w.run('select g, pg_sleep(case when g = 1000 then 30 else 0 end) as marker_wcrash from generate_series(1, 1000) g', []).then(collect);
    await new Promise((r) => setTimeout(r, 300));
    // The test reaches into the engine the way a crash would: the thread ends.
    const handle = (w as unknown as { handle: { worker: { terminate(): Promise<number> } } }).handle;
    await handle.worker.terminate();
    const err = await consumed.catch((e) => e);
    expect(err).toBeInstanceOf(QueryError);
    expect(err.message).toMatch(/worker thread stopped unexpectedly/);
    const next = await collect(await w.run('select 3 as n', []));
    expect(next[0]!.getChildAt(0)!.get(0)).toBe(3);
    // The dead thread's connection is gone; PostgreSQL ends its backend once it notices.
    await admin.query(`select pg_cancel_backend(pid) from pg_stat_activity where query like '%marker_wcrash%' and pid <> pg_backend_pid()`);
  });

  // Retried: the machine's other load (browsers, builds) can stall any thread for a moment.
  it('keeps the event loop responsive while 1M rows × 8 columns stream', { retry: 2, timeout: 180_000 }, async () => {
    const sql = `select g, g::int8 * 3 as big, g / 3.0::float8 as ratio, md5(g::text) as hash, g % 2 = 0 as even,
                        timestamptz '2024-01-01' + g * interval '1 second' as at, (g % 1000)::numeric(10, 2) as amount, 'label ' || g as label
                 from generate_series(1, 1000000) g`;
    async function measure(e: ServerEngine): Promise<{ max: number; p99: number; ms: number }> {
      const histogram = monitorEventLoopDelay({ resolution: 10 });
      const started = performance.now();
      histogram.enable();
      let rows = 0;
      const result = await e.run(sql, []);
      for await (const b of result.batches) rows += b.numRows;
      histogram.disable();
      expect(rows).toBe(1_000_000);
      return { max: histogram.max / 1e6, p99: histogram.percentile(99) / 1e6, ms: performance.now() - started };
    }
    const w = worker();
    await w.ping(); // the worker's start-up is not part of the measurement
    // The worker first: measured second, its window would also pay for collecting the
    // garbage the in-thread run left on this thread's heap.
    const off = await measure(w);
    const main = await measure(inThread());
    const f = (m: { max: number; p99: number; ms: number }) => `max ${m.max.toFixed(1)} ms, p99 ${m.p99.toFixed(1)} ms, ${m.ms.toFixed(0)} ms total`;
    console.log(`1M rows x 8 columns — main thread: ${f(main)}; worker: ${f(off)}`);
    // p99 is the stable signal on a shared 2-core machine; a single GC or CPU-steal spike
    // moves the max of either run (measured quiet: worker max 63 ms / p99 38 ms against
    // 180 / 88 ms on the main thread).
    expect(off.p99).toBeLessThan(main.p99);
  });
});

describe('MariaDB through a worker', () => {
  it('runs a query in the worker', async () => {
    const maria = await createTestMysqlDatabase();
    const w = createWorkerEngine(MYSQL, maria.config, { id: 'maria-worker' });
    try {
      await maria.admin.query('create table t (id int primary key, name varchar(20))');
      await maria.admin.query("insert into t values (1, 'one'), (2, 'two')");
      const result = await w.run('select id, name from t where id >= $1 order by id', [1]);
      const rows = (await collect(result)).flatMap((b) => b.toArray().map((r) => r.toJSON()));
      expect(rows).toEqual([
        { id: 1, name: 'one' },
        { id: 2, name: 'two' }
      ]);
      const err = await w.run('select nosuch from t', []).catch((e) => e);
      expect(err).toBeInstanceOf(QueryError);
      expect(err.engine).toBe('maria-worker');
    } finally {
      await w.close();
      await maria.drop();
    }
  });
});
