/** Who is making an HTTP request: the one place routes ask (through server/access/rules.ts). */
import { AppError } from '../errors.js';
import type { IncomingMessage } from 'node:http';
import type { Queryable } from '../store/index.js';
import { sessionForToken, type Session } from './sessions.js';
import { tokenFromRequest } from './tokens.js';

/**
 * The request's live session, or a 401. Writes from another site (CSRF) never get here:
 * every write's Origin is checked against the public address first, in
 * server/http/request-guard.ts.
 */
export async function requireSession(db: Queryable, req: IncomingMessage): Promise<Session> {
  const token = tokenFromRequest(req);
  if (!token) throw new AppError('unauthenticated', 'Sign in first: send a session cookie or an Authorization: Bearer token.');
  const session = await sessionForToken(db, token);
  if (!session) throw new AppError('unauthenticated', 'Your session has expired or is not valid; sign in again.');
  return session;
}
