/** Proposal rows: a fork's changes offered back to its origin. */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../store/index.js';
import type { NotebookDiff, ProposalState, ProposalSummary } from '../../src/lib/contract/index.js';

export interface ProposalRow extends ProposalSummary {
  description: string;
  mergedBy: string | null;
  mergeVersionId: string | null;
  finalDiff: NotebookDiff | null;
}

interface DbProposal {
  id: string;
  number: number;
  origin_id: string;
  fork_id: string;
  author_id: string | null;
  author_name: string | null;
  title: string;
  description: string;
  state: ProposalState;
  created_at: Date;
  merged_by: string | null;
  merge_version_id: string | null;
  final_diff: NotebookDiff | null;
}

const SELECT = `select p.id, p.number, p.origin_id, p.fork_id, p.author_id, u.name as author_name, p.title, p.description, p.state,
  p.created_at, p.merged_by, p.merge_version_id, p.final_diff
  from proposals p left join users u on u.id = p.author_id`;

function toRow(r: DbProposal): ProposalRow {
  return {
    id: r.id,
    number: r.number,
    title: r.title,
    state: r.state,
    author: r.author_id,
    ...(r.author_name ? { authorName: r.author_name } : {}),
    fork: r.fork_id,
    origin: r.origin_id,
    createdAt: new Date(r.created_at).toISOString(),
    description: r.description,
    mergedBy: r.merged_by,
    mergeVersionId: r.merge_version_id,
    finalDiff: r.final_diff
  };
}

export function summaryOf(row: ProposalRow): ProposalSummary {
  const { id, number, title, state, author, authorName, fork, origin, createdAt } = row;
  return { id, number, title, state, author, ...(authorName ? { authorName } : {}), fork, origin, createdAt };
}

export async function insertProposal(db: Queryable, p: { originId: string; forkId: string; authorId: string; title: string; description: string }): Promise<string> {
  const id = 'p' + randomBytes(9).toString('base64url');
  await db.query(
    `insert into proposals (id, number, origin_id, fork_id, author_id, title, description, state)
     select $1, coalesce(max(number), 0) + 1, $2, $3, $4, $5, $6, 'open' from proposals where origin_id = $2`,
    [id, p.originId, p.forkId, p.authorId, p.title, p.description]
  );
  return id;
}

export async function getProposal(db: Queryable, id: string): Promise<ProposalRow | null> {
  const rows = await db.query<DbProposal>(`${SELECT} where p.id = $1`, [id]);
  return rows[0] ? toRow(rows[0]) : null;
}

/** Proposals on notebook `id` and those made from it, newest first. */
export async function proposalsOf(db: Queryable, notebookId: string): Promise<ProposalRow[]> {
  const rows = await db.query<DbProposal>(`${SELECT} where p.origin_id = $1 or p.fork_id = $1 order by p.created_at desc`, [notebookId]);
  return rows.map(toRow);
}

/** Move an open proposal to `state`; false when it was no longer open (someone else got there first). */
export async function settleProposal(
  db: Queryable,
  id: string,
  state: 'merged' | 'closed',
  fields: { mergedBy?: string; mergeVersionId?: string; finalDiff: NotebookDiff }
): Promise<boolean> {
  const rows = await db.query(
    `update proposals set state = $2, merged_by = $3, merge_version_id = $4, final_diff = $5, updated_at = now()
     where id = $1 and state = 'open' returning id`,
    [id, state, fields.mergedBy ?? null, fields.mergeVersionId ?? null, JSON.stringify(fields.finalDiff)]
  );
  return rows.length > 0;
}
