/**
 * Result grid benchmark, in Chromium against the built app's dev page (/dev/grid, a
 * generated table of ?rows= rows × 6 mixed columns):
 *   - first paint of the grid for 1M rows vs 1k rows (virtualized: should not depend on rows);
 *   - a scripted 10 s scroll from the top to the bottom of 1M rows, one scroll step per
 *     animation frame, timing every frame with requestAnimationFrame.
 * Needs `npx vite build` first. Missed targets are printed, never fail the run.
 */
import { cpus, loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { fmt, target, type BenchResult, type Cell } from '../report.js';
import { startGridApp } from './app.js';

const MOUNTS = Number(process.env.CAIRN_BENCH_GRID_MOUNTS) || 21;
const SCROLL_SECONDS = Number(process.env.CAIRN_BENCH_SECONDS) || 10;
/** A frame "over 16 ms": longer than one 60 Hz frame (16.7 ms) plus 1 ms of vsync jitter. */
const SLOW_FRAME_MS = 17.7;
const JANK_FRAME_MS = 50;

interface PaintResult {
  rows: number;
  generatedMs: number;
  samplesMs: number[];
  medianMs: number;
  domRows: number;
}

interface ScrollResult {
  seconds: number;
  frames: number;
  over16: number;
  over50: number;
  p50: number;
  p95: number;
  p99: number;
  maxMs: number;
  domRowsMax: number;
  lastRowShown: string;
  scrollHeight: number;
}

const quantile = (sorted: number[], q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
const median = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5);

async function openGrid(page: Page, base: string, rows: number, mount: boolean): Promise<number> {
  await page.goto(`${base}/dev/grid?rows=${rows}${mount ? '' : '&mount=0'}`);
  await page.waitForFunction(() => 'cairnGrid' in window, null, { timeout: 120_000 });
  return page.evaluate(() => (window as unknown as { cairnGrid: { generatedMs: number } }).cairnGrid.generatedMs);
}

/**
 * First paint for each table size, mounting them in turn (1k, 1M, 1k, 1M…) in two pages
 * so that load from anything else on the machine falls on both alike.
 */
async function firstPaints(pages: Page[], base: string, sizes: number[]): Promise<PaintResult[]> {
  const generated: number[] = [];
  for (let i = 0; i < sizes.length; i++) generated.push(await openGrid(pages[i], base, sizes[i], false));
  const samples: number[][] = sizes.map(() => []);
  for (let round = 0; round < MOUNTS + 1; round++) {
    for (let i = 0; i < sizes.length; i++) {
      await pages[i].bringToFront();
      const ms = await pages[i].evaluate(() => (window as unknown as { cairnGrid: { mount(): Promise<number> } }).cairnGrid.mount());
      if (round > 0) samples[i].push(ms); // the first round warms up the code paths
    }
  }
  return Promise.all(
    sizes.map(async (rows, i) => {
      const sorted = [...samples[i]].sort((a, b) => a - b);
      const domRows = await pages[i].locator('[role=grid] .data').count();
      return { rows, generatedMs: generated[i], samplesMs: samples[i], medianMs: quantile(sorted, 0.5), domRows };
    })
  );
}

async function scrollThrough(page: Page, base: string, rows: number): Promise<ScrollResult> {
  await openGrid(page, base, rows, true);
  await page.waitForSelector('[role=grid] .data');
  const seconds = SCROLL_SECONDS;
  const r = await page.evaluate(async (seconds) => {
    const scroller = document.querySelector<HTMLElement>('[role=grid]')!;
    const max = scroller.scrollHeight - scroller.clientHeight;
    const deltas: number[] = [];
    let domRowsMax = 0;
    await new Promise<void>((resolve) => {
      let start = -1;
      let last = -1;
      const frame = (now: number) => {
        if (start < 0) start = now;
        else deltas.push(now - last);
        last = now;
        const t = Math.min(1, (now - start) / (seconds * 1000));
        scroller.scrollTop = Math.round(t * max);
        domRowsMax = Math.max(domRowsMax, scroller.querySelectorAll('.data').length);
        if (t < 1) requestAnimationFrame(frame);
        else resolve();
      };
      requestAnimationFrame(frame);
    });
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    // The grid keeps its rows in a pool whose DOM order is not row order: the last row is the highest number.
    const nums = [...scroller.querySelectorAll('.data .rownum')].map((e) => Number((e.textContent ?? '').replace(/,/g, '')));
    const lastRowShown = nums.length > 0 ? Math.max(...nums).toLocaleString('en-US') : '';
    return { deltas, domRowsMax, lastRowShown, scrollHeight: scroller.scrollHeight };
  }, seconds);
  const sorted = [...r.deltas].sort((a, b) => a - b);
  return {
    seconds,
    frames: r.deltas.length,
    over16: r.deltas.filter((d) => d > SLOW_FRAME_MS).length,
    over50: r.deltas.filter((d) => d > JANK_FRAME_MS).length,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1] ?? NaN,
    domRowsMax: r.domRowsMax,
    lastRowShown: r.lastRowShown,
    scrollHeight: r.scrollHeight
  };
}

export async function run(): Promise<BenchResult> {
  const app = await startGridApp();
  try {
    const pages: Page[] = [];
    for (let i = 0; i < 2; i++) {
      const page = await app.browser.newPage({ viewport: { width: 1200, height: 800 } });
      page.on('pageerror', (e) => console.error('[grid] page error:', e));
      // tsx (esbuild keepNames) wraps named functions in __name(); evaluated code needs it in the page.
      await page.addInitScript('globalThis.__name = (f) => f');
      pages.push(page);
    }
    const loadBefore = loadavg()[0];
    console.log('[bench] grid: first paint, 1k and 1M rows in turn…');
    const [small, large] = await firstPaints(pages, app.base, [1_000, 1_000_000]);
    await pages[0].close();
    console.log(`[bench] grid: scrolling 1M rows for ${SCROLL_SECONDS} s…`);
    const scroll = await scrollThrough(pages[1], app.base, 1_000_000);
    await pages[1].close();
    const loadAfter = loadavg()[0];

    // Each round mounts 1k then 1M back to back; the median of the per-round ratios is steadier
    // than a ratio of medians while the shared machine's load drifts (both are printed).
    const pairedRatio = median(large.samplesMs.map((ms, i) => ms / small.samplesMs[i]));
    const ratio = large.medianMs / small.medianMs;
    const paintRows: Cell[][] = [small, large].map((p) => [
      `${fmt(p.rows)} rows`,
      p.medianMs,
      Math.min(...p.samplesMs),
      Math.max(...p.samplesMs),
      p.domRows,
      p.generatedMs
    ]);
    paintRows.push(['ratio 1M / 1k (of the medians)', ratio, null, null, null, null]);
    paintRows.push(['ratio 1M / 1k (median of per-round ratios)', pairedRatio, null, null, null, null]);
    return {
      name: 'grid',
      title: 'Result grid: first paint and scrolling (Chromium, /dev/grid)',
      tables: [
        { title: `First paint (mount → next frame), median of ${MOUNTS}`, columns: ['table', 'median ms', 'min ms', 'max ms', 'DOM rows', 'table gen ms'], rows: paintRows },
        {
          title: `Scripted scroll, top to bottom of 1,000,000 rows in ${SCROLL_SECONDS} s`,
          columns: ['frames', `> ${SLOW_FRAME_MS} ms`, `> ${JANK_FRAME_MS} ms`, 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'DOM rows max', 'last row shown'],
          rows: [[scroll.frames, scroll.over16, scroll.over50, scroll.p50, scroll.p95, scroll.p99, scroll.maxMs, scroll.domRowsMax, scroll.lastRowShown]]
        }
      ],
      targets: [
        target('first paint 1M rows / 1k rows, median of the per-round ratios', pairedRatio, { max: 1.2 }),
        target(`frames over ${JANK_FRAME_MS} ms while scrolling 1M rows`, scroll.over50, { max: 0 })
      ],
      notes: [
        `"Over 16 ms" counts requestAnimationFrame intervals above ${SLOW_FRAME_MS} ms (one 60 Hz frame plus 1 ms of vsync jitter), i.e. frames that missed their vsync.`,
        `The scroller is ${fmt(scroll.scrollHeight)} px tall for 1M rows: past 15M px the grid scales scroll positions to rows.`,
        'Headless Chromium with --disable-gpu (software compositing); a desktop browser with a GPU has more headroom.',
        `Machine: ${cpus().length} cores, 1-minute load average ${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after; frame times are sensitive to other load.`
      ],
      data: { small, large, ratio, pairedRatio, scroll, loadavg: [loadBefore, loadAfter] }
    };
  } finally {
    await app.close();
  }
}
