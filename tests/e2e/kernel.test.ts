import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestStore, startApp, type ChildServer, type TestStore } from '../support/server.js';
import { launchBrowser } from '../support/browser.js';
import { signUp } from '../support/api.js';

/**
 * The browser engine in Chromium, served by the real entry point: DuckDB-WASM's worker and
 * wasm come from Cairn's own origin (no CDN), the 3M-row Parquet sample loads offline,
 * and files go up through `POST /api/files` and come back as tables. The page is the
 * minimal dev harness at /dev/kernel, which only exposes `$lib/kernel` as `window.cairnKernel`.
 */
/** What the harness exposes, as far as these tests use it (`$lib/kernel`; not imported: it is browser-only). */
interface Table {
  numRows: number;
  get(i: number): Record<string, unknown> | null;
}
interface HarnessKernel {
  getKernel(): Promise<{
    query(sql: string, options?: { rowLimit?: number }): Promise<{ table: Table; truncated: boolean }>;
    ensureSources(names: string[]): Promise<void>;
    setFiles(files: Record<string, unknown>): void;
  }>;
  kernelStatus: { subscribe(fn: (s: Status) => void): () => void };
  sqlParser: { tableNames(sql: string): Promise<string[]> };
  addFile(file: File): Promise<Added>;
  addUrl(url: string): Promise<Added>;
}
interface Status {
  phase: string;
  instantiateMs: number | null;
  sources: Record<string, { phase: string; rows?: number }>;
}
interface Added {
  hash: string;
  name: string;
  size: number;
  type: string;
  table: string;
  format: string;
}

describe('the browser engine in Chromium', () => {
  let store: TestStore;
  let srv: ChildServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    store = await createTestStore('embedded');
    srv = await startApp(store);
    browser = await launchBrowser();
    context = await browser.newContext();
    // Files are private: the harness's uploads and downloads carry this user's session cookie.
    const { token } = await signUp(srv.base, 'Kernel');
    const { hostname } = new URL(srv.base);
    await context.addCookies([{ name: 'cairn_session', value: token, domain: hostname, path: '/' }]);
    page = await context.newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${srv.base}/dev/kernel`);
    await page.waitForSelector('[data-ready="true"]', { timeout: 30_000 });
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    await srv?.stop();
    await store?.dispose();
  });

  it('starts DuckDB-WASM from Cairn’s own origin and counts the 3M-row Parquet sample', async () => {
    const result = await page.evaluate(async () => {
      const k = (window as unknown as { cairnKernel: HarnessKernel }).cairnKernel;
      const t0 = performance.now();
      const kernel = await k.getKernel();
      const start = performance.now() - t0;
      let status: Status | null = null;
      k.kernelStatus.subscribe((s) => (status = s))();
      const t1 = performance.now();
      await kernel.ensureSources(['flights_3m']);
      const load = performance.now() - t1;
      const count = await kernel.query('select count(*)::int as n from flights_3m');
      const t2 = performance.now();
      const groups = await kernel.query('select origin, count(*) as n, avg(delay) as delay from flights_3m group by origin order by n desc');
      const groupBy = performance.now() - t2;
      k.kernelStatus.subscribe((s) => (status = s))();
      const s = status as unknown as Status;
      return {
        n: count.table.get(0)!.n as number,
        groups: groups.table.numRows,
        top: groups.table.get(0)!.origin as string,
        start,
        instantiateMs: s.instantiateMs,
        load,
        groupBy,
        phase: s.phase,
        sourcePhase: s.sources.flights_3m?.phase,
        sourceRows: s.sources.flights_3m?.rows
      };
    });
    console.log(
      `Chromium: getKernel ${Math.round(result.start)} ms (instantiate ${result.instantiateMs} ms); flights_3m load ${Math.round(result.load)} ms; group by origin ${Math.round(result.groupBy)} ms`
    );
    expect(result.n).toBe(3_000_000);
    expect(result.groups).toBeGreaterThan(100);
    expect(result.top).toBe('ORD');
    expect(result).toMatchObject({ phase: 'ready', sourcePhase: 'done', sourceRows: 3_000_000 });

    const origin = new URL(srv.base).origin;
    const foreign = requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
    expect(foreign).toEqual([]);
    expect(requests.some((u) => /duckdb-eh[^/]*\.wasm/.test(u))).toBe(true);
    expect(requests.some((u) => /duckdb-browser-eh\.worker[^/]*\.js/.test(u))).toBe(true);
    expect(requests.some((u) => /parquet_wasm_bg[^/]*\.wasm/.test(u))).toBe(true);
    expect(requests.some((u) => u.endsWith('/samples/flights-3m.parquet'))).toBe(true);
  });

  it('underlines errors: a QueryError with its position, and parses without opening files', async () => {
    const result = await page.evaluate(async () => {
      const k = (window as unknown as { cairnKernel: HarnessKernel }).cairnKernel;
      const kernel = await k.getKernel();
      let error: { name: string; message: string; position: number | null } | null = null;
      try {
        await kernel.query('select nope from flights_3m');
      } catch (e) {
        const q = e as Error & { position: number | null };
        error = { name: q.name, message: q.message, position: q.position };
      }
      const tp = performance.now();
      const tables = await k.sqlParser.tableNames("select * from read_csv('https://example.invalid/x.csv') join flights_3m on true");
      const parserMs = performance.now() - tp;
      const truncated = await kernel.query('select * from flights_3m', { rowLimit: 1000 });
      return { error, tables, parserMs, truncated: { rows: truncated.table.numRows, truncated: truncated.truncated } };
    });
    console.log(`Chromium: parser instance start + first tableNames ${Math.round(result.parserMs)} ms`);
    expect(result.error).toMatchObject({ name: 'QueryError', position: 'select '.length });
    expect(result.error!.message).toMatch(/Referenced column "nope" not found/);
    expect(result.tables).toEqual(['flights_3m']);
    expect(result.truncated).toEqual({ rows: 1000, truncated: true });
    expect(requests.some((u) => u.includes('example.invalid'))).toBe(false);
  });

  it('adds a file from disk and from a URL, and reads both as tables', async () => {
    const result = await page.evaluate(async () => {
      const k = (window as unknown as { cairnKernel: HarnessKernel }).cairnKernel;
      const kernel = await k.getKernel();
      const csv = new File(['city,visits\nOslo,3\nLima,5\n'], 'My Trips (2024).csv', { type: 'text/csv' });
      const disk = await k.addFile(csv);
      const url = await k.addUrl(`${location.origin}/samples/penguins.json`);
      kernel.setFiles({ [disk.table]: disk, [url.table]: url });
      await kernel.ensureSources([disk.table, url.table]);
      const trips = await kernel.query(`select sum(visits)::int as v from ${disk.table}`);
      const penguins = await kernel.query(`select count(*)::int as n from ${url.table}`);
      const errors: string[] = [];
      for (const attempt of [
        () => k.addFile(new File(['x'], 'notes.docx')),
        () => k.addFile(new File([], 'empty.csv')),
        () => k.addUrl('http://127.0.0.1:9/data.csv')
      ]) {
        try {
          await attempt();
        } catch (e) {
          errors.push(`${(e as Error).name}: ${(e as Error).message}`);
        }
      }
      return { disk, url, visits: trips.table.get(0)!.v as number, penguins: penguins.table.get(0)!.n as number, errors };
    });
    expect(result.disk).toMatchObject({ name: 'My Trips (2024).csv', table: 'my_trips_2024', format: 'csv', size: 26 });
    expect(result.disk.hash).toMatch(/^[0-9a-f]{16,}$/);
    expect(result.url).toMatchObject({ name: 'penguins.json', table: 'penguins', format: 'json' });
    expect(result.visits).toBe(8);
    expect(result.penguins).toBe(344);
    expect(result.errors).toEqual([
      expect.stringMatching(/^FileInputError: notes.docx is not a file Cairn can read/),
      expect.stringMatching(/^FileInputError: empty.csv is empty/),
      expect.stringMatching(/^FileInputError: Could not fetch http:\/\/127.0.0.1:9\/data.csv: .*CORS/)
    ]);
  });

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
