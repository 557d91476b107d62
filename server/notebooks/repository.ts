/** Notebook rows: the listing side of a notebook (its content is the Yjs document). */
import { randomBytes } from 'node:crypto';
import type { Db, Queryable } from '../store/index.js';
import type { GeneralAccess, NotebookAccess, NotebookAccessView, NotebookSummary } from '../../src/lib/contract/index.js';
import { notebookAccessExpr, notebookAccessJoins } from '../access/policy.js';

export interface NotebookRow {
  id: string;
  title: string;
  updatedAt: string;
  forkedFrom: string | null;
}

/** A short, URL-safe, unguessable notebook id. */
export function newNotebookId(): string {
  return randomBytes(12).toString('base64url');
}

/** The notebooks of a workspace that `userId` may read, newest first, optionally filtered by a title substring. */
export async function listNotebooks(db: Queryable, workspaceId: string, userId: string, search?: string): Promise<NotebookSummary[]> {
  const rows = await db.query<{ id: string; title: string; updated_at: Date; forked_from: string | null; access: NotebookAccess | null }>(
    `select * from (
       select n.id, n.title, n.updated_at, n.forked_from, ${notebookAccessExpr(1)} as access
       from notebooks n ${notebookAccessJoins(1)}
       where n.workspace_id = $2 and n.deleted_at is null and ($3::text is null or n.title ilike '%' || $3 || '%')
     ) visible where access is not null
     order by updated_at desc, id`,
    [userId, workspaceId, search ? escapeLike(search) : null]
  );
  return rows.map((r) => ({ ...toRow(r), access: r.access! }));
}

/** Who has access to a notebook besides its workspace role. */
export async function getNotebookAccess(db: Queryable, id: string): Promise<NotebookAccessView> {
  const general = await db.query<{ general_access: GeneralAccess }>('select general_access from notebooks where id = $1', [id]);
  const grants = await db.query<{ userId: string; role: NotebookAccess }>('select user_id as "userId", role from notebook_grants where notebook_id = $1 order by user_id', [id]);
  return { general: general[0]?.general_access ?? 'edit', grants };
}

/** Replace a notebook's general access and grants (grants only to members of its workspace). */
export async function setNotebookAccess(db: Db, id: string, workspaceId: string, access: NotebookAccessView): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('update notebooks set general_access = $2 where id = $1', [id, access.general]);
    await tx.query('delete from notebook_grants where notebook_id = $1', [id]);
    for (const g of access.grants) {
      await tx.query(
        `insert into notebook_grants (notebook_id, user_id, role)
         select $1, $2, $3 where exists (select 1 from workspace_members where workspace_id = $4 and user_id = $2)`,
        [id, g.userId, g.role, workspaceId]
      );
    }
  });
}

export async function getNotebookRow(db: Queryable, id: string): Promise<NotebookRow | null> {
  const rows = await db.query<{ id: string; title: string; updated_at: Date; forked_from: string | null }>(
    'select id, title, updated_at, forked_from from notebooks where id = $1 and deleted_at is null',
    [id]
  );
  return rows[0] ? toRow(rows[0]) : null;
}

export async function insertNotebook(db: Queryable, row: { id: string; workspaceId: string; title: string; createdBy: string; forkedFrom?: string | null }): Promise<void> {
  await db.query('insert into notebooks (id, workspace_id, title, created_by, forked_from) values ($1, $2, $3, $4, $5)', [
    row.id,
    row.workspaceId,
    row.title,
    row.createdBy,
    row.forkedFrom ?? null
  ]);
}

/** Mirror the document's title (and touch updated_at) for listings. */
export async function touchNotebook(db: Queryable, id: string, title: string | null): Promise<void> {
  if (title === null) await db.query('update notebooks set updated_at = now() where id = $1', [id]);
  else await db.query('update notebooks set title = $2, updated_at = now() where id = $1', [id, title]);
}

/** Soft-delete: the row stays for audit; the notebook disappears from lists and sockets. */
export async function softDeleteNotebook(db: Queryable, id: string): Promise<boolean> {
  const rows = await db.query('update notebooks set deleted_at = now() where id = $1 and deleted_at is null returning id', [id]);
  return rows.length > 0;
}

function toRow(r: { id: string; title: string; updated_at: Date; forked_from: string | null }): NotebookRow {
  return { id: r.id, title: r.title, updatedAt: new Date(r.updated_at).toISOString(), forkedFrom: r.forked_from };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}
