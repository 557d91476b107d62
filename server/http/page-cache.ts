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

/** How long past its TTL a page may still be served while one request renders its successor. */
const STALE_MS = 60_000;

export class PageCache {
  private readonly pages = new Map<string, Page>();

  constructor(private readonly ttlMs = PAGE_TTL_MS) {}

  /** Keys being rendered now, with what resolves when the render ends. */
  private readonly rendering = new Map<string, { done: Promise<void>; end: () => void }>();

  /** Whether `req` may be answered from (and its answer kept in) the cache. */
  static cacheable(req: IncomingMessage, pathname: string): boolean {
    return (req.method === 'GET' || req.method === 'HEAD') && pathname.startsWith('/r/') && !req.headers.cookie && !req.headers.authorization;
  }

  /**
   * Answer `req` from the cache, or say that this request should render the page (false).
   * One request renders a key at a time: the others get the page it replaces while it is
   * under a minute past its TTL, or wait for the render when there is none — so a crowd
   * never renders the same page two hundred times when it expires.
   */
  async serve(req: IncomingMessage, res: ServerResponse, key: string): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const page = this.pages.get(key);
      const age = page ? Date.now() - page.at : Infinity;
      const rendering = this.rendering.get(key);
      if (page && (age <= this.ttlMs || (rendering && age <= this.ttlMs + STALE_MS))) return this.send(req, res, page);
      if (!rendering) break;
      await rendering.done;
    }
    return false;
  }

  /** Keep what is written to `res` under `key` when it is a cookie-free 200 (a HEAD has no body to keep). */
  record(req: IncomingMessage, res: ServerResponse, key: string): void {
    if (req.method !== 'GET') return;
    let end!: () => void;
    const done = new Promise<void>((resolve) => (end = resolve));
    const mine = { done, end };
    this.rendering.set(key, mine);
    const finished = () => {
      if (this.rendering.get(key) === mine) this.rendering.delete(key);
      mine.end();
    };
    res.once('close', finished);
    const chunks: Buffer[] = [];
    const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
    const endResponse = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      chunks.push(Buffer.isBuffer(chunk) ? chunk : typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : Buffer.from(chunk as Uint8Array));
    };
    // Headers given to writeHead are not in getHeaders(); set them so they are kept too.
    const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => ServerResponse;
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      const headers = rest.find((r) => typeof r === 'object' && r !== null && !Array.isArray(r)) as OutgoingHttpHeaders | undefined;
      for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) res.setHeader(name, value);
      return writeHead(status, ...rest.filter((r) => typeof r === 'string'));
    }) as ServerResponse['writeHead'];
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
      finished();
      return endResponse(...args);
    }) as ServerResponse['end'];
  }

  clear(): void {
    this.pages.clear();
  }

  private send(req: IncomingMessage, res: ServerResponse, page: Page): true {
    res.writeHead(200, { ...page.headers, 'content-length': String(page.body.byteLength) });
    res.end(req.method === 'HEAD' ? undefined : page.body);
    return true;
  }
}
