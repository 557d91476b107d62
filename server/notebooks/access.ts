/**
 * The one access check for notebooks: REST routes and the collaboration socket both ask
 * here, so roles and sharing plug in at this single place.
 */
import type { Queryable } from '../store/index.js';
import type { Access } from '../collab/hooks.js';
import type { Role } from './workspaces.js';

/** What `userId` may do with notebook `notebookId`. */
export async function notebookAccess(db: Queryable, userId: string, notebookId: string): Promise<Access> {
  const rows = await db.query<{ role: Role | null }>(
    `select m.role from notebooks n
     left join workspace_members m on m.workspace_id = n.workspace_id and m.user_id = $1
     where n.id = $2 and n.deleted_at is null`,
    [userId, notebookId]
  );
  if (rows.length === 0) return 'missing';
  const role = rows[0].role;
  if (!role) return 'none';
  return role === 'viewer' ? 'view' : 'edit';
}
