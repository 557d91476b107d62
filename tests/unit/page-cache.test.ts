/**
 * Public report pages from memory (server/http/page-cache.ts): a crowd asking for one page
 * renders it once, an expired page is served while one request renders its successor,
 * and pages asked for with a session, or answered with an error, are never kept.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PageCache } from '../../server/http/page-cache.js';

describe('report page cache', () => {
  let server: Server | null = null;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** A server rendering `/r/…` slowly through the cache; counts renders. */
  async function start(cache: PageCache, status = () => 200, renderMs = 40): Promise<{ base: string; renders: () => number }> {
    let renders = 0;
    server = createServer(async (req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (PageCache.cacheable(req, url.pathname) && (await cache.serve(req, res, url.pathname + url.search))) return;
      if (PageCache.cacheable(req, url.pathname)) cache.record(req, res, url.pathname + url.search);
      renders++;
      const n = renders;
      setTimeout(() => {
        res.writeHead(status(), { 'content-type': 'text/html', 'content-security-policy': "script-src 'sha256-x'" });
        res.write('<p>render ');
        res.end(`${n}</p>`);
      }, renderMs);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
    return { base: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, renders: () => renders };
  }

  it('renders once for a crowd, and answers everyone the same page with its headers', async () => {
    const { base, renders } = await start(new PageCache());
    const bodies = await Promise.all(Array.from({ length: 50 }, () => fetch(`${base}/r/q3`).then(async (r) => [r.status, r.headers.get('content-security-policy'), await r.text()])));
    expect(renders()).toBe(1);
    for (const b of bodies) expect(b).toEqual([200, "script-src 'sha256-x'", '<p>render 1</p>']);
    // Inputs make another page.
    expect(await (await fetch(`${base}/r/q3?region=east`)).text()).toBe('<p>render 2</p>');
  });

  it('serves the expired page while one request renders the next', async () => {
    // A slow render, so the crowd arrives while it runs even on a busy machine.
    const { base, renders } = await start(new PageCache(100), () => 200, 400);
    await (await fetch(`${base}/r/q3`)).text();
    await new Promise((r) => setTimeout(r, 150));
    const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${base}/r/q3`).then((r) => r.text())));
    expect(renders()).toBe(2);
    expect(answers.filter((a) => a === '<p>render 1</p>').length).toBeGreaterThanOrEqual(15);
    expect(answers.every((a) => a === '<p>render 1</p>' || a === '<p>render 2</p>')).toBe(true);
    expect(answers).toContain('<p>render 2</p>');
  });

  it('answers a HEAD from a kept page, and never keeps a HEAD’s empty body', async () => {
    const { base, renders } = await start(new PageCache());
    expect((await fetch(`${base}/r/q3`, { method: 'HEAD' })).status).toBe(200);
    expect(await (await fetch(`${base}/r/q3`)).text()).toBe('<p>render 2</p>');
    expect((await fetch(`${base}/r/q3`, { method: 'HEAD' })).headers.get('content-length')).toBe(String('<p>render 2</p>'.length));
    expect(renders()).toBe(2);
  });

  it('keeps no page asked for with a session, nor an error', async () => {
    let status = 404;
    const { base, renders } = await start(new PageCache(), () => status);
    await fetch(`${base}/r/q3`, { headers: { cookie: 'cairn_session=abc' } });
    await fetch(`${base}/r/q3`, { headers: { cookie: 'cairn_session=abc' } });
    expect(renders()).toBe(2);
    expect((await fetch(`${base}/r/q3`)).status).toBe(404);
    status = 200;
    expect((await fetch(`${base}/r/q3`)).status).toBe(200);
    expect(renders()).toBe(4);
  });
});
