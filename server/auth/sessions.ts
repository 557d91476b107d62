/**
 * Sessions: random 256-bit tokens, stored only as their SHA-256 (a leaked table reveals
 * no usable token), with an id to list and end them by. A session ends at its expiry or
 * after `IDLE_MS` without use, whichever comes first; `purgeExpiredSessions` deletes them.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../store/index.js';
import type { SessionView } from '../../src/lib/contract/index.js';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  instanceAdmin: boolean;
}

/** A live session: who, and which session (sockets remember it, so logout can close them). */
export interface Session {
  id: string;
  user: SessionUser;
}

/** A session unused for this long is over. */
export const IDLE_MS = 14 * 24 * 60 * 60 * 1000;
/** Last-use times are written at most this often per session. */
const TOUCH_EVERY_MS = 60_000;

const LIVE = `s.expires_at > now() and s.last_used_at > now() - make_interval(secs => ${IDLE_MS / 1000})`;

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Open a session for `userId`; returns the token to hand to the client (once) and the session id. */
export async function createSession(db: Queryable, userId: string, ttlMs: number, userAgent: string | null = null): Promise<{ token: string; id: string }> {
  const token = randomBytes(32).toString('base64url');
  const id = randomBytes(12).toString('base64url');
  await db.query('insert into sessions (id, token_hash, user_id, expires_at, user_agent) values ($1, $2, $3, $4, $5)', [
    id,
    digest(token),
    userId,
    new Date(Date.now() + ttlMs),
    userAgent?.slice(0, 300) ?? null
  ]);
  return { token, id };
}

/** The live session behind a token, or null (unknown, expired or idle too long). Marks it used. */
export async function sessionForToken(db: Queryable, token: string): Promise<Session | null> {
  if (!token || token.length > 200) return null;
  const rows = await db.query<{ sid: string; last_used_at: Date | string; id: string; email: string; name: string; instance_admin: boolean }>(
    `select s.id as sid, s.last_used_at, u.id, u.email, u.name, u.instance_admin from sessions s join users u on u.id = s.user_id
     where s.token_hash = $1 and ${LIVE}`,
    [digest(token)]
  );
  const row = rows[0];
  if (!row) return null;
  if (Date.now() - new Date(row.last_used_at).getTime() > TOUCH_EVERY_MS) {
    await db.query('update sessions set last_used_at = now() where id = $1', [row.sid]);
  }
  return { id: row.sid, user: { id: row.id, email: row.email, name: row.name, instanceAdmin: row.instance_admin } };
}

/** Whether session `id` is still live (not ended, expired or idle too long); does not mark it used. */
export async function sessionLive(db: Queryable, id: string): Promise<boolean> {
  const rows = await db.query(`select 1 from sessions s where s.id = $1 and ${LIVE}`, [id]);
  return rows.length > 0;
}

/** End the session of `token`; returns its id when there was one. */
export async function deleteSessionByToken(db: Queryable, token: string): Promise<string | null> {
  const rows = await db.query<{ id: string }>('delete from sessions where token_hash = $1 returning id', [digest(token)]);
  return rows[0]?.id ?? null;
}

/** End sessions of `userId`: one by id, or all of them but `keep`. Returns the ids ended. */
export async function deleteSessions(db: Queryable, userId: string, which: { id: string } | { except: string | null }): Promise<string[]> {
  const rows =
    'id' in which
      ? await db.query<{ id: string }>('delete from sessions where user_id = $1 and id = $2 returning id', [userId, which.id])
      : await db.query<{ id: string }>('delete from sessions where user_id = $1 and ($2::text is null or id <> $2) returning id', [userId, which.except]);
  return rows.map((r) => r.id);
}

/** `userId`'s live sessions, most recently used first. */
export async function listSessions(db: Queryable, userId: string, currentId: string): Promise<SessionView[]> {
  const rows = await db.query<{ id: string; created_at: Date; last_used_at: Date; expires_at: Date; user_agent: string | null }>(
    `select s.id, s.created_at, s.last_used_at, s.expires_at, s.user_agent from sessions s where s.user_id = $1 and ${LIVE} order by s.last_used_at desc`,
    [userId]
  );
  return rows.map((r) => ({
    id: r.id,
    createdAt: new Date(r.created_at).toISOString(),
    lastUsedAt: new Date(r.last_used_at).toISOString(),
    expiresAt: new Date(r.expires_at).toISOString(),
    userAgent: r.user_agent,
    current: r.id === currentId
  }));
}

/** Delete every session past its expiry or idle limit; returns how many. */
export async function purgeExpiredSessions(db: Queryable): Promise<number> {
  const rows = await db.query(`delete from sessions s where not (${LIVE}) returning s.id`);
  return rows.length;
}
