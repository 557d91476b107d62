/**
 * One timed open of a page in Chromium: navigation start → the frame after the first
 * result was visible and after all of them (bench/report/paint.ts's watcher), and every
 * byte the page and its workers transferred until all were painted and the network was
 * idle. Optionally over an emulated link (CDP `Network.emulateNetworkConditions`).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { watch } from '../report/paint.js';

export interface Link {
  /** Bits per second, both ways. */
  bitsPerSecond: number;
  latencyMs: number;
}

export interface Opened {
  firstMs: number;
  allMs: number;
  first: string;
  /** Bytes over the wire (headers and bodies as received, i.e. compressed) until painted and idle. */
  bytes: number;
  requests: number;
  /** Requests for DuckDB's wasm. */
  engineWasm: number;
}

/** A page in `context` that times its opens of `cells` (`charts` among them), over `link` when given. */
export async function timedPage(context: BrowserContext, cells: string[], charts: string[], link?: Link): Promise<(url: string) => Promise<Opened>> {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[bench] open: page error:', e));
  // tsx (esbuild keepNames) wraps named functions in __name(); evaluated code needs it in the page.
  await page.addInitScript('globalThis.__name = (f) => f');
  await page.addInitScript(watch, [cells, charts] as [string[], string[]]);
  if (link) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const bytesPerSecond = link.bitsPerSecond / 8;
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: link.latencyMs, downloadThroughput: bytesPerSecond, uploadThroughput: bytesPerSecond });
  }
  return (url) => open(page, url);
}

async function open(page: Page, url: string): Promise<Opened> {
  const sizes: Promise<number>[] = [];
  const urls: string[] = [];
  const inFlight = new Set<import('playwright-core').Request>();
  let lastActivity = Date.now();
  const onRequest = (r: import('playwright-core').Request) => {
    urls.push(r.url());
    inFlight.add(r);
    lastActivity = Date.now();
  };
  const onFinished = (r: import('playwright-core').Request) => {
    inFlight.delete(r);
    lastActivity = Date.now();
    sizes.push(r.sizes().then((s) => s.responseHeadersSize + s.responseBodySize, () => 0));
  };
  const onFailed = (r: import('playwright-core').Request) => {
    inFlight.delete(r);
    lastActivity = Date.now();
  };
  page.on('request', onRequest);
  page.on('requestfinished', onFinished);
  page.on('requestfailed', onFailed);
  try {
    await page.goto(url, { waitUntil: 'commit' });
    const handle = await page.waitForFunction(
      () => {
        const p = (window as unknown as { __paint?: { allMs: number | null } }).__paint;
        return p && p.allMs !== null ? p : null;
      },
      null,
      { timeout: 300_000, polling: 50 }
    );
    const state = (await handle.jsonValue()) as { first: string; firstMs: number; allMs: number };
    // Network idle: no request in flight for 1 s (the engine starts behind the painted results).
    const deadline = Date.now() + 120_000;
    while ((inFlight.size > 0 || Date.now() - lastActivity < 1000) && Date.now() < deadline) await page.waitForTimeout(100);
    const bytes = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
    return { firstMs: state.firstMs, allMs: state.allMs, first: state.first, bytes, requests: urls.length, engineWasm: urls.filter((u) => /\/duckdb-eh[^/]*\.wasm(\?|$)/.test(u)).length };
  } finally {
    page.off('request', onRequest);
    page.off('requestfinished', onFinished);
    page.off('requestfailed', onFailed);
  }
}
