/**
 * Scheduled report refresh across processes (docs/api.md, "Scheduled refresh and alerts"):
 * several servers share one real Postgres, and each due refresh runs once — not once per
 * process, and after a restart not once per occurrence missed while no server ran.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromArrays } from 'apache-arrow';
import { createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { api, createNotebook, signUp, type SignedUp } from '../support/api.js';
import { openPostgres } from '../../server/store/postgres.js';
import type { Db } from '../../server/store/index.js';
import { RefreshScheduler } from '../../server/reports/scheduler.js';
import type { ComputeReport } from '../../server/reports/refresh.js';

/** Every scheduled refresh by any process or scheduler, by report id (publishing computes too, and is not counted). */
const refreshes = new Map<string, number>();
const count = (reportId: string) => refreshes.set(reportId, (refreshes.get(reportId) ?? 0) + 1);

/** The seam the real results code fills: one cell, computed as a real Arrow table. */
const computeReport: ComputeReport = async (report, reason) => {
  if (reason === 'schedule') count(report.id);
  // Long enough that a second claimer would overlap it if claims were not exclusive.
  await new Promise((r) => setTimeout(r, 50));
  const table = tableFromArrays({ n: Int32Array.from([1, 2, 3]) });
  return [{ cellId: 'cell-1', cell: 'numbers', ok: true, table, rows: table.numRows, error: null, at: new Date() }];
};

const FAST = { CAIRN_SCHEDULER_INTERVAL_MS: '50' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('scheduled report refresh', () => {
  let store: TestStore;
  let a: RunningServer;
  let b: RunningServer;
  let owner: SignedUp;
  let db: Db;

  async function publish(server: RunningServer, title: string, refresh: object): Promise<{ id: string; slug: string }> {
    const notebook = await createNotebook(server.base, owner.token, title);
    const r = await api(server.base, 'POST', `/api/notebooks/${notebook}/publish`, { token: owner.token, body: { visibility: 'workspace', refresh } });
    expect(r.status).toBe(200);
    const rows = await db.query<{ id: string }>('select id from reports where slug = $1', [r.body.slug]);
    return { id: rows[0]!.id, slug: r.body.slug };
  }

  const nextRefresh = async (id: string) => (await db.query<{ next_refresh_at: Date | null }>('select next_refresh_at from reports where id = $1', [id]))[0]!.next_refresh_at;

  beforeAll(async () => {
    store = await createTestStore('postgres');
    a = await startInProcess(store, { env: FAST, computeReport });
    b = await startInProcess(store, { env: FAST, computeReport });
    owner = await signUp(a.base, 'Sched');
    // The test's own pool, as a third process would have.
    db = await openPostgres(store.env.DATABASE_URL!);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.close();
    await store?.dispose();
  });

  it('sets the next refresh when publishing, from the refresh policy', async () => {
    const before = Date.now();
    const ttl = await publish(a, 'Hourly by ttl', { ttlMinutes: 60 });
    const next = (await nextRefresh(ttl.id))!.getTime();
    expect(next).toBeGreaterThanOrEqual(before + 60 * 60_000 - 1000);
    expect(next).toBeLessThanOrEqual(Date.now() + 60 * 60_000 + 1000);
    const none = await publish(a, 'Never refreshed', {});
    expect(await nextRefresh(none.id)).toBeNull();
  });

  it('refreshes a due report exactly once while two servers poll the same store', async () => {
    const report = await publish(a, 'Due now', { ttlMinutes: 60 });
    await db.query(`update reports set next_refresh_at = now() - interval '1 second' where id = $1`, [report.id]);
    for (let t0 = Date.now(); !refreshes.get(report.id); ) {
      if (Date.now() - t0 > 10_000) throw new Error('no server refreshed the due report within 10 s');
      await sleep(20);
    }
    // Forty more polls between the two servers: none runs it again.
    await sleep(1000);
    expect(refreshes.get(report.id)).toBe(1);
    expect((await nextRefresh(report.id))!.getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
    const state = await api(a.base, 'GET', `/api/reports/${report.slug}/refresh`, { token: owner.token });
    expect(state.body.cells).toEqual([{ cellId: 'cell-1', cell: 'numbers', lastOkAt: expect.any(String), lastRows: 3, lastError: null, lastErrorAt: null }]);
    expect(state.body.lastRefreshAt).not.toBeNull();
  });

  it('never lets two schedulers on separate pools claim the same due report, however their polls interleave', async () => {
    const reports = await Promise.all(Array.from({ length: 12 }, (_, i) => publish(b, `Race ${i}`, { ttlMinutes: 30 })));
    const ids = reports.map((r) => r.id);
    const pools = [await openPostgres(store.env.DATABASE_URL!), await openPostgres(store.env.DATABASE_URL!)];
    const run = async (report: { id: string }) => {
      count(report.id);
      await sleep(30);
    };
    const schedulers = pools.map((pool) => new RefreshScheduler(pool, run, { intervalMs: 60_000, maxRunning: 5 }));
    try {
      await db.query(`update reports set next_refresh_at = now() - interval '5 minutes' where id = any($1::text[])`, [ids]);
      // The two servers poll too: four claimers in all.
      const claimed: string[] = [];
      for (let round = 0; round < 6; round++) {
        const got = await Promise.all(schedulers.flatMap((s) => [s.tick(), s.tick()]));
        claimed.push(...got.flat());
        await Promise.all(schedulers.map((s) => s.settled()));
      }
      await sleep(500);
      expect(new Set(claimed).size).toBe(claimed.length);
      for (const id of ids) expect(refreshes.get(id), id).toBe(1);
      const next = await db.query<{ next_refresh_at: Date }>('select next_refresh_at from reports where id = any($1::text[])', [ids]);
      for (const row of next) expect(row.next_refresh_at.getTime()).toBeGreaterThan(Date.now() + 29 * 60_000);
    } finally {
      await Promise.all(schedulers.map((s) => s.stop()));
      await Promise.all(pools.map((p) => p.close()));
    }
  });

  it('runs a refresh missed while no server ran once at start, and schedules the next one in the future', async () => {
    const report = await publish(a, 'Every five minutes', { schedule: '*/5 * * * *', timezone: 'Europe/Paris' });
    await a.close();
    await b.close();
    // Three hours down: 36 occurrences missed.
    await db.query(`update reports set next_refresh_at = now() - interval '3 hours' where id = $1`, [report.id]);
    const before = refreshes.get(report.id) ?? 0;
    a = await startInProcess(store, { env: FAST, computeReport });
    b = await startInProcess(store, { env: FAST, computeReport });
    for (let t0 = Date.now(); (refreshes.get(report.id) ?? 0) === before; ) {
      if (Date.now() - t0 > 10_000) throw new Error('the restarted servers did not run the missed refresh within 10 s');
      await sleep(20);
    }
    await sleep(1000);
    expect((refreshes.get(report.id) ?? 0) - before).toBe(1);
    const next = (await nextRefresh(report.id))!;
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime()).toBeLessThanOrEqual(Date.now() + 5 * 60_000);
    expect(next.getUTCMinutes() % 5).toBe(0);
    expect(next.getUTCSeconds()).toBe(0);
  });
});
