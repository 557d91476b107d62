/**
 * The default workspace. Until roles and sharing arrive, every account is a member of this
 * one workspace; the first account owns it.
 */
import type { Queryable } from '../store/index.js';

export const DEFAULT_WORKSPACE_ID = 'default';

export interface Workspace {
  id: string;
  name: string;
  ownerId: string | null;
}

export type Role = 'owner' | 'admin' | 'editor' | 'viewer';

/** Make `userId` a member of the default workspace, creating it (owned by them) when new. */
export async function ensureDefaultWorkspace(tx: Queryable, userId: string): Promise<{ workspace: Workspace; created: boolean }> {
  const inserted = await tx.query<{ id: string }>(
    `insert into workspaces (id, name, owner_id) values ($1, 'Workspace', $2)
     on conflict (id) do nothing returning id`,
    [DEFAULT_WORKSPACE_ID, userId]
  );
  const created = inserted.length > 0;
  await tx.query(
    `insert into workspace_members (workspace_id, user_id, role) values ($1, $2, $3)
     on conflict do nothing`,
    [DEFAULT_WORKSPACE_ID, userId, created ? 'owner' : 'editor']
  );
  const rows = await tx.query<{ id: string; name: string; owner_id: string | null }>('select id, name, owner_id from workspaces where id = $1', [
    DEFAULT_WORKSPACE_ID
  ]);
  return { workspace: { id: rows[0].id, name: rows[0].name, ownerId: rows[0].owner_id }, created };
}

/** Claim the right to seed the sample notebook: true exactly once per workspace. */
export async function claimSampleSeeding(db: Queryable, workspaceId: string): Promise<boolean> {
  const rows = await db.query('update workspaces set sample_seeded = true where id = $1 and not sample_seeded returning id', [workspaceId]);
  return rows.length > 0;
}

/** `userId`'s role in workspace `workspaceId`, or null when they are not a member. */
export async function memberRole(db: Queryable, workspaceId: string, userId: string): Promise<Role | null> {
  const rows = await db.query<{ role: Role }>('select role from workspace_members where workspace_id = $1 and user_id = $2', [workspaceId, userId]);
  return rows[0]?.role ?? null;
}
