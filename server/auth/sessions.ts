/**
 * Sessions: random 256-bit tokens, stored only as their SHA-256 (a leaked table reveals
 * no usable token), with an expiry.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../store/index.js';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Open a session for `userId`; returns the token to hand to the client (once). */
export async function createSession(db: Queryable, userId: string, ttlMs: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query('insert into sessions (token_hash, user_id, expires_at) values ($1, $2, $3)', [
    digest(token),
    userId,
    new Date(Date.now() + ttlMs)
  ]);
  return token;
}

/** The user behind a live token, or null (unknown or expired). */
export async function userForToken(db: Queryable, token: string): Promise<SessionUser | null> {
  if (!token || token.length > 200) return null;
  const rows = await db.query<SessionUser>(
    `select u.id, u.email, u.name from sessions s join users u on u.id = s.user_id
     where s.token_hash = $1 and s.expires_at > now()`,
    [digest(token)]
  );
  return rows[0] ?? null;
}

/** End the session of `token`. */
export async function deleteSession(db: Queryable, token: string): Promise<void> {
  await db.query('delete from sessions where token_hash = $1', [digest(token)]);
}
