/**
 * The access policy: what a member may do with a notebook, a connection or a run. Every
 * route rule (rules.ts), the collaboration socket and the listings ask here, so a change of
 * policy is a change of this file. The notebook rule is written once, in SQL, because
 * listings filter by it; the single-notebook check runs the same expression.
 *
 * - Not a member of the notebook's workspace: no access.
 * - Owners and admins: edit. The creator and `edit` grants: edit.
 * - General access `edit`: members act with their role (editors edit, viewers read);
 *   `view`: members read; `none`: only the above and grants.
 * - A workspace viewer never gets more than view, whatever the grant.
 */
import type { Queryable } from '../store/index.js';
import { isManager, roleAtLeast, type NotebookAccess, type WorkspaceRole } from '../../src/lib/contract/index.js';

/**
 * `from`-clause joins and the access expression for notebooks `n` and user `$<u>`. Callers
 * put `notebookAccessJoins(u)` after `from notebooks n` and select `notebookAccessExpr(u)`.
 */
export function notebookAccessJoins(u: number): string {
  return `left join workspace_members am on am.workspace_id = n.workspace_id and am.user_id = $${u}
    left join notebook_grants ag on ag.notebook_id = n.id and ag.user_id = $${u}`;
}

export function notebookAccessExpr(u: number): string {
  return `case
    when am.role is null then null
    when am.role in ('owner', 'admin') then 'edit'
    when am.role = 'viewer' then case when n.created_by = $${u} or ag.role is not null or n.general_access <> 'none' then 'view' end
    when n.created_by = $${u} or ag.role = 'edit' or n.general_access = 'edit' then 'edit'
    when ag.role = 'view' or n.general_access = 'view' then 'view'
  end`;
}

/** One user's standing in one notebook. */
export interface NotebookStanding {
  notebookId: string;
  workspaceId: string;
  role: WorkspaceRole | null;
  access: NotebookAccess | null;
  /** May change who has access: the creator, admins and owners. */
  canShare: boolean;
}

/** `userId`'s standing in a notebook; null when there is no such (live) notebook. */
export async function notebookStanding(db: Queryable, userId: string, notebookId: string): Promise<NotebookStanding | null> {
  const rows = await db.query<{ workspace_id: string; role: WorkspaceRole | null; access: NotebookAccess | null; created_by: string | null }>(
    `select n.workspace_id, am.role, ${notebookAccessExpr(1)} as access, n.created_by
     from notebooks n ${notebookAccessJoins(1)}
     where n.id = $2 and n.deleted_at is null`,
    [userId, notebookId]
  );
  const row = rows[0];
  if (!row) return null;
  return {
    notebookId,
    workspaceId: row.workspace_id,
    role: row.role,
    access: row.access,
    canShare: row.access !== null && (isManager(row.role) || (row.created_by === userId && row.role !== 'viewer'))
  };
}

/** Who may use a connection: every editor, or only named members. */
export type ConnectionAccess = 'editors' | { members: string[] };

/** Whether a member with `role` may run queries on a connection with `access`. Admins always. */
export function mayUseConnection(access: ConnectionAccess, userId: string, role: WorkspaceRole | null): boolean {
  if (isManager(role)) return true;
  if (!roleAtLeast(role, 'editor')) return false;
  return access === 'editors' || access.members.includes(userId);
}

/**
 * SQL for "runs `r` this user may see": managers see their workspace's; others the runs of
 * notebooks they can read and their own ad-hoc runs. `$<u>` is the user, `manager` a SQL
 * boolean saying whether they manage the run's workspace.
 */
export function visibleRunsSql(u: number, manager: string): string {
  return `(${manager} or (r.notebook_id is null and r.user_id = $${u}) or exists (
    select 1 from notebooks n ${notebookAccessJoins(u)}
    where n.id = r.notebook_id and ${notebookAccessExpr(u)} is not null))`;
}
