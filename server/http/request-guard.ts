/**
 * Checks every request passes before it reaches a route, a page or the collaboration
 * socket: the Host must name this server (DNS rebinding), and a write that carries an
 * Origin must come from Cairn's own pages (CSRF, including login and sign-up). Requests
 * without an Origin are non-browser clients, which cannot be forged into sending cookies.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { HttpError } from './errors.js';
import type { PublicSite } from './public-site.js';

/** Methods that read; everything else changes state and is origin-checked. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Paths load balancers probe by address rather than by name; they reveal nothing. */
const ANY_HOST_PATHS = new Set(['/healthz']);

/**
 * Why `req` is refused, or null when it may proceed. A websocket upgrade is a GET: its
 * Origin is checked by the collaboration hooks, which answer with a close code a client
 * understands (server/notebooks/collab-hooks.ts).
 */
export function refusal(site: PublicSite, req: IncomingMessage, pathname: string): HttpError | null {
  if (!ANY_HOST_PATHS.has(pathname) && !site.allowsHost(req.headers.host)) {
    return new HttpError(421, 'misdirected_request', 'This server does not answer to that host name; set CAIRN_PUBLIC_URL to the address people use.');
  }
  const origin = req.headers.origin;
  if (!SAFE_METHODS.has(req.method ?? 'GET') && origin !== undefined && !site.allowsOrigin(origin)) {
    return new HttpError(403, 'cross_origin', 'Cross-site requests are refused.');
  }
  return null;
}

/** Answer a websocket upgrade with a plain HTTP error (a socket is not open yet, so no close code). */
export function refuseUpgrade(socket: Duplex, error: HttpError): void {
  const body = JSON.stringify({ error: { code: error.code, message: error.message } });
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body
  );
}
