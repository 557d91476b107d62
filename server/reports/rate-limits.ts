/**
 * How often one address, and one report token, may read reports: report pages and result
 * endpoints are open to the public, so a scraper or a runaway dashboard must not starve
 * everyone else. Over the limit: 429 with `retry-after`. In memory, per process (as the
 * sign-in limits, server/auth/rate-limits.ts).
 *
 * The report page's own server-side fetch of its data comes from this process, not from
 * the reader: it carries a secret made at start (see {@link PAGE_FETCH_HEADER}) and is not
 * counted again; the page request itself was.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors.js';
import { REPORT_TOKEN_PREFIX } from './repository.js';
import { tokenFromRequest } from '../auth/tokens.js';

export interface ReportRateLimitSettings {
  /** Report reads per IP address per minute (default 1,200). */
  perIp: number;
  /** Reads per report token per minute (default 600). */
  perToken: number;
}

/** The header src/hooks.server.ts puts on the report page's fetches of its own data. */
export const PAGE_FETCH_HEADER = 'x-cairn-page-fetch';
/** Where server/main.ts leaves the secret for src/hooks.server.ts (same process). */
export const PAGE_FETCH_SECRET_ENV = 'CAIRN_PAGE_FETCH_SECRET';

export class ReportRateLimits {
  private readonly byIp: RateLimiterMemory;
  private readonly byToken: RateLimiterMemory;
  private readonly secret = Buffer.from(randomBytes(24).toString('base64url'));

  constructor(settings: ReportRateLimitSettings) {
    this.byIp = new RateLimiterMemory({ keyPrefix: 'report-ip', points: settings.perIp, duration: 60 });
    this.byToken = new RateLimiterMemory({ keyPrefix: 'report-token', points: settings.perToken, duration: 60 });
  }

  /** What the page's own fetches carry (the SvelteKit side reads it from the environment). */
  get pageFetchSecret(): string {
    return this.secret.toString();
  }

  /** Count one read by `req`; refuses past either limit. */
  async take(req: IncomingMessage): Promise<void> {
    if (this.isPageFetch(req)) return;
    const token = tokenFromRequest(req);
    try {
      await this.byIp.consume(req.socket.remoteAddress ?? 'unknown');
      if (token?.startsWith(REPORT_TOKEN_PREFIX)) await this.byToken.consume(token);
    } catch (res) {
      if (res instanceof RateLimiterRes) throw new AppError('rate_limited', 'Too many requests for reports from here; try again shortly.', Math.ceil(res.msBeforeNext / 1000));
      throw res;
    }
  }

  private isPageFetch(req: IncomingMessage): boolean {
    const sent = req.headers[PAGE_FETCH_HEADER];
    if (typeof sent !== 'string') return false;
    const given = Buffer.from(sent);
    return given.length === this.secret.length && timingSafeEqual(given, this.secret);
  }
}
