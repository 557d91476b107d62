/** Notebook rows: the listing side of a notebook (its content is the Yjs document). */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../store/index.js';

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

/** The workspace's notebooks, newest first, optionally filtered by a title substring. */
export async function listNotebooks(db: Queryable, userId: string, search?: string): Promise<NotebookRow[]> {
  const rows = await db.query<{ id: string; title: string; updated_at: Date; forked_from: string | null }>(
    `select n.id, n.title, n.updated_at, n.forked_from from notebooks n
     join workspace_members m on m.workspace_id = n.workspace_id and m.user_id = $1
     where n.deleted_at is null and ($2::text is null or n.title ilike '%' || $2 || '%')
     order by n.updated_at desc, n.id`,
    [userId, search ? escapeLike(search) : null]
  );
  return rows.map(toRow);
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
