/** Who is making an HTTP request: the one place routes ask. */
import type { IncomingMessage } from 'node:http';
import type { Queryable } from '../store/index.js';
import { HttpError } from '../http/errors.js';
import { userForToken, type SessionUser } from './sessions.js';
import { tokenFromRequest } from './tokens.js';
import { DEFAULT_WORKSPACE_ID, memberRole, type Role } from '../notebooks/workspaces.js';

/**
 * The signed-in user, or a 401. Writes from another site (CSRF) never get here: every
 * write's Origin is checked against the public address first, in server/http/request-guard.ts.
 * `url` is unused now; callers still pass it.
 */
export async function requireUser(db: Queryable, req: IncomingMessage, url: URL): Promise<SessionUser> {
  const token = tokenFromRequest(req);
  if (!token) throw new HttpError(401, 'unauthenticated', 'Sign in first: send a session cookie or an Authorization: Bearer token.');
  const user = await userForToken(db, token);
  if (!user) throw new HttpError(401, 'unauthenticated', 'Your session has expired or is not valid; sign in again.');
  return user;
}

/**
 * The signed-in user and the workspace they act in. Every account belongs to the default
 * workspace for now (see notebooks/workspaces.ts); this is where choosing one will go.
 */
export async function requireMember(db: Queryable, req: IncomingMessage, url: URL): Promise<{ user: SessionUser; workspaceId: string; role: Role }> {
  const user = await requireUser(db, req, url);
  const role = await memberRole(db, DEFAULT_WORKSPACE_ID, user.id);
  if (!role) throw new HttpError(403, 'forbidden', 'You are not a member of this workspace.');
  return { user, workspaceId: DEFAULT_WORKSPACE_ID, role };
}
