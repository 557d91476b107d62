/**
 * Report benchmark: what a published report costs its readers, on loopback.
 *
 *   1. 200 concurrent anonymous readers of a cached report page (`GET /r/:slug`) and of a
 *      cached cell result (`GET /api/reports/:slug/cells/<name>.json`), each against a
 *      static file of the same byte size served by the same server (SvelteKit's static
 *      handler over build/client): time to first byte, p50 and p95, and the p95 ratios.
 *   2. Chromium, a fresh context each time: navigation → the first result painted, and →
 *      all of them, for the report page of three server cells and a chart, against the
 *      notebook page /n/:id to the same results. Also the report page's `.wasm` requests.
 *
 * The report is made through the real API (sign-up, a server DuckDB connection, cells over
 * the collaboration socket, publish). The static handler reads its file list at start, so
 * the server is started once to publish and learn the body sizes, stopped, given the
 * same-size files, and started again on the same data directory. Missed targets never
 * fail the run.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { launchBrowser } from '../../tests/support/browser.js';
import { createTestStore, startApp, ROOT, type ChildServer } from '../../tests/support/server.js';
import { median, quantile } from '../browser-sql/page.js';
import { fmt, target, type BenchResult, type Cell } from '../report.js';
import { keepAlive, load, type LoadRun } from './load.js';
import { CHART, EMAIL, PASSWORD, RESULT_CELLS, SERVER_CELLS, publishReport } from './notebook.js';
import { timePaint, type Painted } from './paint.js';

const CONCURRENCY = Number(process.env.CAIRN_BENCH_REPORT_CONCURRENCY) || 200;
const REQUESTS = Number(process.env.CAIRN_BENCH_REPORT_REQUESTS) || 3000;
const WARMUP = Number(process.env.CAIRN_BENCH_REPORT_WARMUP) || 600;
/** Rounds over the four targets, rotating their order; each target's samples are pooled. */
const ROUNDS = 2;
const PAINT_ROUNDS = Number(process.env.CAIRN_BENCH_REPORT_PAINT_ROUNDS) || 3;
const TTFB_GOAL = 2;
/** Where the same-size static files go (build/ is gitignored; removed afterwards). */
const STATIC_DIR = join(ROOT, 'build', 'client', 'bench-report');

type TargetName = 'page' | 'static-page' | 'json' | 'static-json';

/** A file of exactly `bytes` bytes of the given kind. */
function filler(bytes: number, kind: 'html' | 'json'): string {
  const head = kind === 'html' ? '<!doctype html><html><body><pre>' : '{"filler":"';
  const tail = kind === 'html' ? '</pre></body></html>\n' : '"}\n';
  return head + 'x'.repeat(Math.max(0, bytes - head.length - tail.length)) + tail;
}

const stat = (run: LoadRun[]) => {
  const all = run.flatMap((r) => r.ttfb);
  const ms = run.reduce((s, r) => s + r.ms, 0);
  const requests = run.reduce((s, r) => s + r.requests, 0);
  return { p50: quantile(all, 0.5), p95: quantile(all, 0.95), p99: quantile(all, 0.99), rps: (requests / ms) * 1000, failed: run.reduce((s, r) => s + r.failed, 0), bytes: run[0]?.bytes ?? 0, requests };
};

export async function run(): Promise<BenchResult> {
  const store = await createTestStore('embedded');
  store.env.CAIRN_REPORT_READS_PER_IP = '10000000';
  store.env.CAIRN_REPORT_READS_PER_TOKEN = '10000000';
  let app: ChildServer | null = null;
  const loadBefore = loadavg()[0];
  try {
    // First start: publish the report and learn the bodies' sizes.
    app = await startApp(store);
    console.log('[bench] report: publishing the report (three server cells and a chart)…');
    const published = await publishReport(app.base, app.ws);
    const pagePath = `/r/${published.slug}`;
    const jsonPath = `/api/reports/${published.slug}/cells/${SERVER_CELLS[0].name}.json`;
    const probe = keepAlive(4);
    const pageProbe = await load(probe, app.base, pagePath, 3, 1);
    const jsonProbe = await load(probe, app.base, jsonPath, 3, 1);
    probe.destroy();
    if (pageProbe.failed || jsonProbe.failed) throw new Error(`the report did not answer 200: page ${JSON.stringify(pageProbe.statuses)}, json ${JSON.stringify(jsonProbe.statuses)}\n${app.output()}`);
    console.log(`[bench] report: published in ${fmt(published.publishMs)} ms; page ${pageProbe.bytes} bytes, ${SERVER_CELLS[0].name}.json ${jsonProbe.bytes} bytes`);
    await app.stop();
    app = null;

    // Same-size static files, then the second start on the same data directory.
    mkdirSync(STATIC_DIR, { recursive: true });
    writeFileSync(join(STATIC_DIR, 'page.html'), filler(pageProbe.bytes, 'html'));
    writeFileSync(join(STATIC_DIR, 'cell.json'), filler(jsonProbe.bytes, 'json'));
    app = await startApp(store);
    const paths: Record<TargetName, string> = { page: pagePath, 'static-page': '/bench-report/page.html', json: jsonPath, 'static-json': '/bench-report/cell.json' };

    // 1. TTFB under 200 concurrent readers.
    const agent = keepAlive(CONCURRENCY);
    const names = Object.keys(paths) as TargetName[];
    console.log(`[bench] report: warming up (${WARMUP} requests per target)…`);
    for (const name of names) await load(agent, app.base, paths[name], WARMUP, CONCURRENCY);
    const runs: Record<TargetName, LoadRun[]> = { page: [], 'static-page': [], json: [], 'static-json': [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + round) % names.length];
        const r = await load(agent, app.base, paths[name], Math.ceil(REQUESTS / ROUNDS), CONCURRENCY);
        runs[name].push(r);
        console.log(`[bench] report: round ${round + 1} ${name}: p50 ${fmt(quantile(r.ttfb, 0.5))} ms, p95 ${fmt(quantile(r.ttfb, 0.95))} ms, ${fmt((r.requests / r.ms) * 1000)} req/s`);
      }
    }
    agent.destroy();
    const s = Object.fromEntries(names.map((n) => [n, stat(runs[n])])) as Record<TargetName, ReturnType<typeof stat>>;
    const pageRatio = s.page.p95 / s['static-page'].p95;
    const jsonRatio = s.json.p95 / s['static-json'].p95;

    // 2. Chromium: the report page vs the notebook page, each from a fresh context.
    console.log(`[bench] report: Chromium, report page vs notebook page, ${PAINT_ROUNDS} rounds…`);
    const browser = await launchBrowser();
    const reportPaints: Painted[] = [];
    const notebookPaints: Painted[] = [];
    const base = app.base;
    const signIn = async (ctx: import('playwright-core').BrowserContext) => {
      const r = await ctx.request.post(`${base}/api/auth/login`, { data: { email: EMAIL, password: PASSWORD } });
      if (!r.ok()) throw new Error(`login answered ${r.status()}: ${await r.text()}`);
    };
    try {
      for (let round = 0; round < PAINT_ROUNDS; round++) {
        const order = round % 2 ? ['notebook', 'report'] : ['report', 'notebook'];
        for (const which of order) {
          const p =
            which === 'report'
              ? await timePaint(browser, `${base}${pagePath}`, RESULT_CELLS, [CHART.name])
              : await timePaint(browser, `${base}/n/${published.notebookId}`, RESULT_CELLS, [CHART.name], signIn);
          (which === 'report' ? reportPaints : notebookPaints).push(p);
          console.log(`[bench] report: ${which}: first result ${fmt(p.firstMs)} ms (${p.first}), all ${fmt(p.allMs)} ms, ${p.requests} requests, ${p.wasm.length} .wasm`);
        }
      }
    } finally {
      await browser.close();
    }
    const loadAfter = loadavg()[0];
    const med = (xs: Painted[], k: 'firstMs' | 'allMs') => median(xs.map((p) => p[k]));
    const paintFirstRatio = med(notebookPaints, 'firstMs') / med(reportPaints, 'firstMs');
    const paintAllRatio = med(notebookPaints, 'allMs') / med(reportPaints, 'allMs');
    const reportWasm = Math.max(...reportPaints.map((p) => p.wasm.length));
    const notebookWasm = Math.max(...notebookPaints.map((p) => p.wasm.length));

    const ttfbRow = (label: string, n: TargetName): Cell[] => [label, s[n].bytes, s[n].p50, s[n].p95, s[n].p99, s[n].rps, s[n].requests, s[n].failed];
    const paintRow = (label: string, xs: Painted[]): Cell[] => [
      label,
      med(xs, 'firstMs'),
      med(xs, 'allMs'),
      Math.min(...xs.map((p) => p.allMs)),
      Math.max(...xs.map((p) => p.allMs)),
      median(xs.map((p) => p.requests)),
      Math.max(...xs.map((p) => p.wasm.length))
    ];

    return {
      name: 'report',
      title: `Report reads: ${CONCURRENCY} concurrent readers (TTFB vs same-size static files) and Chromium paint (report page vs notebook page)`,
      tables: [
        {
          title: `Time to first byte, ${CONCURRENCY} requests in flight over keep-alive, ${fmt(s.page.requests)} requests per target after ${WARMUP} warm-up (${ROUNDS} rounds, order rotated)`,
          columns: ['target', 'bytes', 'p50 ms', 'p95 ms', 'p99 ms', 'req/s', 'requests', 'non-200'],
          rows: [
            ttfbRow(`report page GET /r/:slug`, 'page'),
            ttfbRow('static file, same size', 'static-page'),
            ['p95 ratio report page / static (target ≤ 2)', null, s.page.p50 / s['static-page'].p50, pageRatio, null, null, null, null],
            ttfbRow(`cell result GET …/cells/${SERVER_CELLS[0].name}.json`, 'json'),
            ttfbRow('static file, same size', 'static-json'),
            ['p95 ratio .json / static (target ≤ 2)', null, s.json.p50 / s['static-json'].p50, jsonRatio, null, null, null, null]
          ]
        },
        {
          title: `Chromium, fresh context each time: navigation start → frame after results visible; medians of ${PAINT_ROUNDS} (order alternated)`,
          columns: ['page', 'first result ms', 'all results ms', 'all min ms', 'all max ms', 'requests', '.wasm requests'],
          rows: [
            paintRow('report page /r/:slug (anonymous)', reportPaints),
            paintRow('notebook page /n/:id (signed in)', notebookPaints),
            ['ratio notebook / report', paintFirstRatio, paintAllRatio, null, null, null, null]
          ]
        }
      ],
      targets: [
        target('p95 TTFB ratio report page / same-size static file @200 concurrent', pageRatio, { max: TTFB_GOAL }),
        target('p95 TTFB ratio cell .json / same-size static file @200 concurrent', jsonRatio, { max: TTFB_GOAL }),
        target('.wasm requests by the report page', reportWasm, { max: 0 })
      ],
      notes: [
        `Report: ${SERVER_CELLS.map((c) => c.name).join(', ')} on a server DuckDB connection (in-memory, bundled samples) and ${CHART.name}, a chart over ${CHART.config.source}; published public, so its results were cached before the first read; published in ${fmt(published.publishMs)} ms.`,
        'TTFB = request written → response headers, measured in the bench process (which shares the 2 cores with the server): under 200 requests in flight it is mostly queueing, so the p95 ratio is close to the ratio of server time per request.',
        'Static files: same byte size, served by SvelteKit\'s static handler in the same server process (build/client/bench-report/, removed afterwards).',
        `Chromium: a fresh context per load (no HTTP cache); the notebook page signed in, running its cells as it does on open (server cells answered from the server\'s cache, the chart in DuckDB-WASM); notebook pages made ${notebookWasm} .wasm request(s).`,
        `Machine: ${cpus().length} cores, 1-minute load average ${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after.`
      ],
      data: { published, probe: { page: pageProbe.bytes, json: jsonProbe.bytes }, ttfb: s, runs: Object.fromEntries(names.map((n) => [n, runs[n].map(({ ttfb, ...r }) => r)])), reportPaints, notebookPaints, paintFirstRatio, paintAllRatio }
    };
  } finally {
    if (app) await app.stop().catch(() => undefined);
    rmSync(STATIC_DIR, { recursive: true, force: true });
    await store.dispose();
  }
}
