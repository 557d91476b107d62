/** Comment rows: threads of comments on a notebook's cells, stored beside the Yjs document. */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../store/index.js';
import type { CommentRange, CommentView } from '../../src/lib/contract/index.js';

/** A stored comment as the service checks it before replying or resolving. */
export interface CommentRow {
  id: string;
  notebookId: string;
  proposalId: string | null;
  cellId: string | null;
  parentId: string | null;
  authorId: string | null;
}

export interface NewComment {
  notebookId: string;
  proposalId: string | null;
  cellId: string | null;
  parentId: string | null;
  authorId: string;
  body: string;
  range: CommentRange | null;
  mentions: string[];
}

/** A short, URL-safe, unguessable comment id. */
export function newCommentId(): string {
  return randomBytes(12).toString('base64url');
}

/** Store a new comment; returns its id. */
export async function insertComment(db: Queryable, c: NewComment): Promise<string> {
  const id = newCommentId();
  await db.query(
    `insert into comments (id, notebook_id, proposal_id, cell_id, parent_id, author_id, body, range_start, range_end, mentions)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [id, c.notebookId, c.proposalId, c.cellId, c.parentId, c.authorId, c.body, c.range?.start ?? null, c.range?.end ?? null, JSON.stringify(c.mentions)]
  );
  return id;
}

/** A comment by id, or null. */
export async function getComment(db: Queryable, id: string): Promise<CommentRow | null> {
  const rows = await db.query<{ id: string; notebook_id: string; proposal_id: string | null; cell_id: string | null; parent_id: string | null; author_id: string | null }>(
    'select id, notebook_id, proposal_id, cell_id, parent_id, author_id from comments where id = $1',
    [id]
  );
  const r = rows[0];
  return r ? { id: r.id, notebookId: r.notebook_id, proposalId: r.proposal_id, cellId: r.cell_id, parentId: r.parent_id, authorId: r.author_id } : null;
}

/**
 * The comments of a notebook, oldest first: those on the notebook itself (`proposalId`
 * null) or those of one proposal. A reply carries its thread root's resolved state.
 */
export async function listComments(db: Queryable, notebookId: string, proposalId: string | null, ids?: string[]): Promise<CommentView[]> {
  const rows = await db.query<{
    id: string;
    cell_id: string | null;
    parent_id: string | null;
    author_id: string | null;
    author_name: string | null;
    body: string;
    created_at: Date | string;
    resolved: boolean;
    range_start: string | null;
    range_end: string | null;
    mentions: string[] | string;
  }>(
    `select c.id, c.cell_id, c.parent_id, c.author_id, u.name as author_name, c.body, c.created_at,
       coalesce(root.resolved_at, c.resolved_at) is not null as resolved, c.range_start, c.range_end, c.mentions
     from comments c
     left join comments root on root.id = c.parent_id
     left join users u on u.id = c.author_id
     where c.notebook_id = $1 and c.proposal_id is not distinct from $2 and ($3::text[] is null or c.id = any($3::text[]))
     order by c.created_at, c.id`,
    [notebookId, proposalId, ids ?? null]
  );
  return rows.map((r) => {
    const view: CommentView = {
      id: r.id,
      cellId: r.cell_id,
      parentId: r.parent_id,
      author: r.author_id ? { id: r.author_id, name: r.author_name ?? '' } : null,
      body: r.body,
      at: new Date(r.created_at).toISOString(),
      resolved: r.resolved,
      mentions: typeof r.mentions === 'string' ? (JSON.parse(r.mentions) as string[]) : r.mentions
    };
    if (r.range_start && r.range_end) view.range = { start: r.range_start, end: r.range_end };
    return view;
  });
}

/** Resolve or reopen thread `rootId`. */
export async function setThreadResolved(db: Queryable, rootId: string, resolved: boolean, userId: string): Promise<void> {
  if (resolved) await db.query('update comments set resolved_at = coalesce(resolved_at, now()), resolved_by = coalesce(resolved_by, $2) where id = $1', [rootId, userId]);
  else await db.query('update comments set resolved_at = null, resolved_by = null where id = $1', [rootId]);
}

/** Delete every comment of a notebook (with the notebook). */
export async function deleteNotebookComments(db: Queryable, notebookId: string): Promise<void> {
  await db.query('delete from comments where notebook_id = $1', [notebookId]);
}

/** Which of `userIds` are members of workspace `workspaceId`. */
export async function membersAmong(db: Queryable, workspaceId: string, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db.query<{ user_id: string }>('select user_id from workspace_members where workspace_id = $1 and user_id = any($2::text[])', [workspaceId, userIds]);
  return new Set(rows.map((r) => r.user_id));
}
