/**
 * Public report pages answered from memory for a few seconds. A crowd opening one public
 * report would otherwise render it once per reader; this renders it once per interval.
 * Only requests without a session or token are cached (so only pages anyone may see),
 * only 200 answers that set no cookie, keyed by path and query (inputs). The pages' CSP
 * allows inline scripts by hash, not nonce, so a replayed page stays valid
 * (svelte.config.js). Publishing or unpublishing in this process clears it; another
 * process shows the change within {@link PAGE_TTL_MS}.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** How long a rendered public report page is reused. */
export const PAGE_TTL_MS = 5_000;
/** Pages held at once (each is tens of kilobytes). */
const MAX_PAGES = 500;

interface Page {
  at: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

export class PageCache {
  private readonly pages = new Map<string, Page>();

  /** Whether `req` may be answered from (and its answer kept in) the cache. */
  static cacheable(req: IncomingMessage, pathname: string): boolean {
    return (req.method === 'GET' || req.method === 'HEAD') && pathname.startsWith('/r/') && !req.headers.cookie && !req.headers.authorization;
  }

  /** Answer `req` from the cache; false when there is no fresh page for it. */
  serve(req: IncomingMessage, res: ServerResponse, key: string): boolean {
    const page = this.pages.get(key);
    if (!page || Date.now() - page.at > PAGE_TTL_MS) return false;
    res.writeHead(200, { ...page.headers, 'content-length': String(page.body.byteLength) });
    res.end(req.method === 'HEAD' ? undefined : page.body);
    return true;
  }

  /** Keep what is written to `res` under `key` when it is a cookie-free 200. */
  record(res: ServerResponse, key: string): void {
    const chunks: Buffer[] = [];
    const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      chunks.push(Buffer.isBuffer(chunk) ? chunk : typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : Buffer.from(chunk as Uint8Array));
    };
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      return write(chunk, ...rest);
    }) as ServerResponse['write'];
    res.end = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      if (res.statusCode === 200 && !res.hasHeader('set-cookie')) {
        const headers = res.getHeaders();
        delete headers['content-length'];
        delete headers['transfer-encoding'];
        if (this.pages.size >= MAX_PAGES) this.pages.delete(this.pages.keys().next().value!);
        this.pages.set(key, { at: Date.now(), headers, body: Buffer.concat(chunks) });
      }
      return end(...args);
    }) as ServerResponse['end'];
  }

  clear(): void {
    this.pages.clear();
  }
}
