/**
 * Workspaces and their members. Every notebook, connection, file, run and cached result
 * belongs to one workspace; a user may belong to several and acts in one at a time.
 */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../store/index.js';
import { WORKSPACE_ROLES, type Member, type WorkspaceDetail, type WorkspaceRole, type WorkspaceSummary } from '../../src/lib/contract/index.js';
import { AppError } from '../errors.js';

export const DEFAULT_WORKSPACE_ID = 'default';

/** Make the default workspace (owned by the instance's first account) if it is not there yet. */
export async function createDefaultWorkspace(tx: Queryable, ownerId: string): Promise<void> {
  await tx.query(`insert into workspaces (id, name, owner_id) values ($1, 'Workspace', $2) on conflict (id) do nothing`, [DEFAULT_WORKSPACE_ID, ownerId]);
  await addMember(tx, DEFAULT_WORKSPACE_ID, ownerId, 'owner');
}

/** A new workspace owned by `ownerId`; returns its id. */
export async function createWorkspace(tx: Queryable, ownerId: string, name: string): Promise<string> {
  const id = randomUUID();
  await tx.query('insert into workspaces (id, name, owner_id) values ($1, $2, $3)', [id, name, ownerId]);
  await addMember(tx, id, ownerId, 'owner');
  return id;
}

/** Add `userId` with `role`; an existing member keeps the stronger of the two roles. */
export async function addMember(tx: Queryable, workspaceId: string, userId: string, role: WorkspaceRole): Promise<void> {
  await tx.query(
    `insert into workspace_members (workspace_id, user_id, role) values ($1, $2, $3)
     on conflict (workspace_id, user_id) do update set role = case
       when array_position($4::text[], excluded.role) < array_position($4::text[], workspace_members.role)
       then excluded.role else workspace_members.role end`,
    [workspaceId, userId, role, WORKSPACE_ROLES]
  );
}

/** `userId`'s role in `workspaceId`, or null when they are not a member. */
export async function memberRole(db: Queryable, workspaceId: string, userId: string): Promise<WorkspaceRole | null> {
  const rows = await db.query<{ role: WorkspaceRole }>('select role from workspace_members where workspace_id = $1 and user_id = $2', [workspaceId, userId]);
  return rows[0]?.role ?? null;
}

/** The workspaces `userId` belongs to, by name. */
export async function workspacesOf(db: Queryable, userId: string): Promise<WorkspaceSummary[]> {
  return db.query<WorkspaceSummary>(
    `select w.id, w.name, m.role from workspaces w join workspace_members m on m.workspace_id = w.id
     where m.user_id = $1 order by lower(w.name), w.id`,
    [userId]
  );
}

export async function workspaceDetail(db: Queryable, workspaceId: string, role: WorkspaceRole): Promise<WorkspaceDetail | null> {
  const rows = await db.query<{ id: string; name: string; allowed_domains: string[] | string }>('select id, name, allowed_domains from workspaces where id = $1', [workspaceId]);
  const row = rows[0];
  if (!row) return null;
  return { id: row.id, name: row.name, role, allowedDomains: jsonArray(row.allowed_domains) };
}

export async function updateWorkspace(db: Queryable, workspaceId: string, patch: { name?: string; allowedDomains?: string[] }): Promise<void> {
  await db.query(
    `update workspaces set name = coalesce($2, name), allowed_domains = coalesce($3::jsonb, allowed_domains) where id = $1`,
    [workspaceId, patch.name ?? null, patch.allowedDomains ? JSON.stringify([...new Set(patch.allowedDomains)]) : null]
  );
}

/** The first workspace that lets accounts with this email domain join, if any. */
export async function workspaceAllowingDomain(db: Queryable, email: string): Promise<string | null> {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  if (!domain) return null;
  const rows = await db.query<{ id: string }>(`select id from workspaces where allowed_domains @> $1::jsonb order by created_at limit 1`, [JSON.stringify([domain])]);
  return rows[0]?.id ?? null;
}

export async function listMembers(db: Queryable, workspaceId: string): Promise<Member[]> {
  return db.query<Member>(
    `select u.id as "userId", u.name, u.email, m.role from workspace_members m join users u on u.id = m.user_id
     where m.workspace_id = $1 order by lower(u.name), u.id`,
    [workspaceId]
  );
}

/**
 * Change a member's role. Only owners make or unmake owners, and the last owner stays:
 * a workspace without one could never be managed again.
 */
export async function setMemberRole(db: Queryable, workspaceId: string, actorRole: WorkspaceRole, userId: string, role: WorkspaceRole): Promise<void> {
  const current = await memberRole(db, workspaceId, userId);
  if (!current) throw new AppError('not_found', 'No such member.');
  if ((current === 'owner' || role === 'owner') && actorRole !== 'owner') throw new AppError('forbidden', 'Only owners make or change owners.');
  if (current === 'owner' && role !== 'owner') await assertAnotherOwner(db, workspaceId, userId);
  await db.query('update workspace_members set role = $3 where workspace_id = $1 and user_id = $2', [workspaceId, userId, role]);
}

/** Remove a member (and their notebook grants in this workspace). */
export async function removeMember(db: Queryable, workspaceId: string, actorRole: WorkspaceRole, userId: string): Promise<void> {
  const current = await memberRole(db, workspaceId, userId);
  if (!current) throw new AppError('not_found', 'No such member.');
  if (current === 'owner' && actorRole !== 'owner') throw new AppError('forbidden', 'Only owners remove owners.');
  if (current === 'owner') await assertAnotherOwner(db, workspaceId, userId);
  await db.query('delete from workspace_members where workspace_id = $1 and user_id = $2', [workspaceId, userId]);
  await db.query('delete from notebook_grants where user_id = $1 and notebook_id in (select id from notebooks where workspace_id = $2)', [userId, workspaceId]);
  await db.query('update users set current_workspace_id = null where id = $1 and current_workspace_id = $2', [userId, workspaceId]);
}

async function assertAnotherOwner(db: Queryable, workspaceId: string, userId: string): Promise<void> {
  const rows = await db.query<{ n: number }>(`select count(*)::int as n from workspace_members where workspace_id = $1 and role = 'owner' and user_id <> $2`, [workspaceId, userId]);
  if ((rows[0]?.n ?? 0) === 0) throw new AppError('conflict', 'A workspace keeps at least one owner: make someone else an owner first.');
}

/** Claim the right to seed the sample notebook: true exactly once per workspace. */
export async function claimSampleSeeding(db: Queryable, workspaceId: string): Promise<boolean> {
  const rows = await db.query('update workspaces set sample_seeded = true where id = $1 and not sample_seeded returning id', [workspaceId]);
  return rows.length > 0;
}

function jsonArray(v: string[] | string): string[] {
  return typeof v === 'string' ? (JSON.parse(v) as string[]) : v;
}
