/**
 * Chromium time to results painted: from navigation start (the document's time origin) to
 * the frame after the first cell's result is visible, and after every listed cell's is
 * (a table's rows, a result grid's rows, or a chart's SVG), in a fresh browser context.
 */
import type { Browser } from 'playwright-core';

export interface Painted {
  /** Navigation start → the frame after the first result was visible, ms. */
  firstMs: number;
  /** … after every listed cell's result was visible, ms. */
  allMs: number;
  /** Which cell was first. */
  first: string;
  requests: number;
  wasm: string[];
}

/** Installs `window.__paint`, filled in as results appear. Runs in the page before its scripts (bench/open uses it too). */
export function watch([cells, charts]: [string[], string[]]): void {
  const w = window as any;
  const state: { first: string | null; firstMs: number | null; allMs: number | null } = { first: null, firstMs: null, allMs: null };
  w.__paint = state;
  const visible = (el: Element | null) => !!el && el.getClientRects().length > 0 && (el as HTMLElement).offsetParent !== null;
  const shows = (name: string) => {
    const cell = document.querySelector(`[data-cell-name="${name}"]`);
    if (!cell || cell.getAttribute('data-status') !== 'done') return false;
    const result = charts.includes(name) ? cell.querySelector('.plot svg') : cell.querySelector('table tbody tr, .result-grid .data');
    return visible(result);
  };
  let framed = false;
  const check = () => {
    if (state.allMs !== null || framed) return;
    const done = cells.filter(shows);
    if (done.length === 0) return;
    // The time of the next frame after the result is in the DOM: when it is painted.
    framed = true;
    requestAnimationFrame(() => {
      framed = false;
      const now = performance.now();
      const still = cells.filter(shows);
      if (state.first === null && still.length > 0) {
        state.first = still[0];
        state.firstMs = now;
      }
      if (still.length === cells.length) {
        state.allMs = now;
        observer.disconnect();
      } else check();
    });
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status', 'open', 'class'] });
  document.addEventListener('DOMContentLoaded', check);
}

/**
 * Open `url` in a fresh context of `browser` (signed in first by `signIn` when given) and
 * time it until `cells` all show results (`charts` among them: their SVG).
 */
export async function timePaint(browser: Browser, url: string, cells: string[], charts: string[], signIn?: (ctx: import('playwright-core').BrowserContext) => Promise<void>): Promise<Painted> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  try {
    if (signIn) await signIn(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('[bench] report: page error:', e));
    // tsx (esbuild keepNames) wraps named functions in __name(); evaluated code needs it in the page.
    await page.addInitScript('globalThis.__name = (f) => f');
    await page.addInitScript(watch, [cells, charts] as [string[], string[]]);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url, { waitUntil: 'commit' });
    const handle = await page.waitForFunction(() => {
      const p = (window as any).__paint;
      return p && p.allMs !== null ? p : null;
    }, null, { timeout: 180_000, polling: 50 });
    const state = (await handle.jsonValue()) as { first: string; firstMs: number; allMs: number };
    await page.waitForLoadState('networkidle').catch(() => undefined);
    return { firstMs: state.firstMs, allMs: state.allMs, first: state.first, requests: requests.length, wasm: requests.filter((u) => /\.wasm(\?|$)/i.test(u)) };
  } finally {
    await context.close().catch(() => undefined);
  }
}
