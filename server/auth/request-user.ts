/** Who is making an HTTP request: the one place routes ask (through server/access/rules.ts). */
import type { IncomingMessage } from 'node:http';
import type { Queryable } from '../store/index.js';
import { HttpError } from '../http/errors.js';
import { sessionForToken, type Session } from './sessions.js';
import { tokenFromRequest } from './tokens.js';

/** The request's live session, or a 401. Cookie-authenticated writes must come from this origin (CSRF). */
export async function requireSession(db: Queryable, req: IncomingMessage, url: URL): Promise<Session> {
  const token = tokenFromRequest(req);
  if (!token) throw new HttpError(401, 'unauthenticated', 'Sign in first: send a session cookie or an Authorization: Bearer token.');
  const bearer = req.headers.authorization?.startsWith('Bearer ') ?? false;
  if (!bearer && req.method !== 'GET' && req.method !== 'HEAD') assertSameOrigin(req, url);
  const session = await sessionForToken(db, token);
  if (!session) throw new HttpError(401, 'unauthenticated', 'Your session has expired or is not valid; sign in again.');
  return session;
}

function assertSameOrigin(req: IncomingMessage, url: URL): void {
  const origin = req.headers.origin;
  if (!origin) return; // non-browser clients send none; browsers always do on cross-site writes
  if (new URL(origin).host !== (req.headers.host ?? url.host)) {
    throw new HttpError(403, 'cross_origin', 'Cross-site requests are refused.');
  }
}
