/**
 * Invitation links: a random token (stored only as its SHA-256) that lets a new or
 * existing account join one workspace with one role, until it expires, is used up or is
 * revoked. Anything not usable reads as "no such invitation".
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '../store/index.js';
import type { InvitationPreview, InvitationView, WorkspaceRole } from '../../src/lib/contract/index.js';
import { AppError } from '../errors.js';

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

interface Row {
  id: string;
  workspace_id: string;
  role: WorkspaceRole;
  email: string | null;
  expires_at: Date | string;
  max_uses: number;
  used: number;
  created_by: string | null;
  created_at: Date | string;
}

const USABLE = 'revoked_at is null and expires_at > now() and used < max_uses';

export async function createInvitation(
  db: Queryable,
  workspaceId: string,
  createdBy: string,
  input: { role: WorkspaceRole; email?: string; expiresInHours: number; uses: number }
): Promise<{ id: string; token: string }> {
  const id = randomUUID();
  const token = randomBytes(24).toString('base64url');
  await db.query(
    `insert into invitations (id, token_hash, workspace_id, role, email, expires_at, max_uses, created_by)
     values ($1, $2, $3, $4, $5, now() + make_interval(hours => $6), $7, $8)`,
    [id, digest(token), workspaceId, input.role, input.email?.toLowerCase() ?? null, input.expiresInHours, input.uses, createdBy]
  );
  return { id, token };
}

/** The workspace's invitations that can still be used, newest first. */
export async function listInvitations(db: Queryable, workspaceId: string): Promise<InvitationView[]> {
  const rows = await db.query<Row>(`select * from invitations where workspace_id = $1 and ${USABLE} order by created_at desc`, [workspaceId]);
  return rows.map((r) => ({
    id: r.id,
    role: r.role,
    email: r.email,
    expiresAt: iso(r.expires_at),
    uses: r.max_uses,
    used: r.used,
    createdBy: r.created_by,
    createdAt: iso(r.created_at)
  }));
}

export async function revokeInvitation(db: Queryable, workspaceId: string, id: string): Promise<void> {
  const rows = await db.query(`update invitations set revoked_at = now() where workspace_id = $1 and id = $2 and revoked_at is null returning id`, [workspaceId, id]);
  if (rows.length === 0) throw new AppError('not_found', 'No such invitation.');
}

/** What a usable invitation offers, for its landing page; null when not usable. */
export async function previewInvitation(db: Queryable, token: string): Promise<InvitationPreview | null> {
  if (token.length > 100) return null;
  const rows = await db.query<Row & { workspace_name: string; inviter: string | null }>(
    `select i.*, w.name as workspace_name, u.name as inviter from invitations i
     join workspaces w on w.id = i.workspace_id left join users u on u.id = i.created_by
     where i.token_hash = $1 and i.revoked_at is null and i.expires_at > now() and i.used < i.max_uses`,
    [digest(token)]
  );
  const r = rows[0];
  return r ? { workspace: { id: r.workspace_id, name: r.workspace_name }, role: r.role, email: r.email, invitedBy: r.inviter } : null;
}

/**
 * Use one of the invitation's uses for `email` (inside the caller's transaction). Throws
 * `not_found` when it is not usable or is meant for another email.
 */
export async function consumeInvitation(tx: Queryable, token: string, email: string): Promise<{ workspaceId: string; role: WorkspaceRole }> {
  const rows = await tx.query<Row>(
    `update invitations set used = used + 1 where token_hash = $1 and ${USABLE} and (email is null or email = lower($2))
     returning workspace_id, role`,
    [digest(token.slice(0, 100)), email]
  );
  const row = rows[0];
  if (!row) throw new AppError('not_found', 'This invitation is not valid: it may have expired, been used up or revoked, or be meant for another email.');
  return { workspaceId: row.workspace_id, role: row.role };
}

function iso(v: Date | string): string {
  return (v instanceof Date ? v : new Date(v)).toISOString();
}
