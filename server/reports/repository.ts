/** Report rows: who published what, when, for whom (the content is the stored Yjs snapshot). */
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../store/index.js';
import { BriefCache } from './brief-cache.js';
import type { PublishBody, ReportVisibility } from '../../src/lib/contract/index.js';
import { nextRefreshAt } from './schedule.js';

export interface ReportRow {
  id: string;
  notebookId: string;
  workspaceId: string;
  slug: string;
  title: string;
  visibility: ReportVisibility;
  version: number;
  refresh: NonNullable<PublishBody['refresh']>;
  publishedBy: string | null;
  publishedByName: string | null;
  publishedAt: Date;
}

interface Row {
  id: string;
  notebook_id: string;
  workspace_id: string;
  slug: string;
  title: string;
  visibility: ReportVisibility;
  version: number;
  refresh: PublishBody['refresh'] | string;
  published_by: string | null;
  published_by_name: string | null;
  published_at: Date | string;
}

const COLUMNS = `r.id, r.notebook_id, r.workspace_id, r.slug, r.title, r.visibility, r.version, r.refresh, r.published_by, u.name as published_by_name, r.published_at`;
const FROM = 'reports r left join users u on u.id = r.published_by';

function toRow(r: Row): ReportRow {
  return {
    id: r.id,
    notebookId: r.notebook_id,
    workspaceId: r.workspace_id,
    slug: r.slug,
    title: r.title,
    visibility: r.visibility,
    version: Number(r.version),
    refresh: (typeof r.refresh === 'string' ? JSON.parse(r.refresh) : r.refresh) ?? {},
    publishedBy: r.published_by,
    publishedByName: r.published_by_name,
    publishedAt: r.published_at instanceof Date ? r.published_at : new Date(r.published_at)
  };
}

/** Every report read looks its report up; publishing and unpublishing in this process clear it (see brief-cache.ts). */
const recentSlugs = new BriefCache<ReportRow | null>(2_000);

/** The live report with `slug` (null when there is none, or it was unpublished). */
export function reportBySlug(db: Queryable, slug: string): Promise<ReportRow | null> {
  return recentSlugs.get(slug.slice(0, 200), () => readReportBySlug(db, slug));
}

async function readReportBySlug(db: Queryable, slug: string): Promise<ReportRow | null> {
  const rows = await db.query<Row>(`select ${COLUMNS} from ${FROM} where r.slug = $1 and r.unpublished_at is null`, [slug.slice(0, 200)]);
  return rows[0] ? toRow(rows[0]) : null;
}

/** The live report with id `id` (null when there is none, or it was unpublished). */
export async function reportById(db: Queryable, id: string): Promise<ReportRow | null> {
  const rows = await db.query<Row>(`select ${COLUMNS} from ${FROM} where r.id = $1 and r.unpublished_at is null`, [id]);
  return rows[0] ? toRow(rows[0]) : null;
}

/** Notebook `notebookId`'s report, live or not (its slug survives an unpublish). */
export async function reportOfNotebook(db: Queryable, notebookId: string): Promise<(ReportRow & { live: boolean }) | null> {
  const rows = await db.query<Row & { unpublished_at: Date | null }>(`select ${COLUMNS}, r.unpublished_at from ${FROM} where r.notebook_id = $1`, [notebookId]);
  return rows[0] ? { ...toRow(rows[0]), live: rows[0].unpublished_at === null } : null;
}

/** The stored Yjs state a report shows. */
export async function reportSnapshot(db: Queryable, reportId: string): Promise<Uint8Array> {
  const rows = await db.query<{ snapshot: Uint8Array }>('select snapshot from reports where id = $1', [reportId]);
  if (!rows[0]) throw new Error(`report ${reportId} has no snapshot`);
  return new Uint8Array(rows[0].snapshot);
}

export interface PublishRow {
  notebookId: string;
  workspaceId: string;
  title: string;
  visibility: ReportVisibility;
  refresh: NonNullable<PublishBody['refresh']>;
  snapshot: Uint8Array;
  publishedBy: string;
  members: string[];
}

/**
 * Publish (or publish again) a notebook's report: the first time a new slug, later the same
 * slug with the version one up. Members are replaced by `members` (only those of the
 * report's workspace are kept).
 */
export async function upsertReport(db: Queryable, p: PublishRow, slugFor: () => string): Promise<ReportRow> {
  recentSlugs.clear();
  const id = randomBytes(12).toString('base64url');
  await db.query(
    `insert into reports (id, notebook_id, workspace_id, slug, title, visibility, version, snapshot, refresh, published_by, published_at)
     values ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, now())
     on conflict (notebook_id) do update set
       title = excluded.title, visibility = excluded.visibility, version = reports.version + 1,
       snapshot = excluded.snapshot, refresh = excluded.refresh, published_by = excluded.published_by,
       published_at = excluded.published_at, unpublished_at = null`,
    [id, p.notebookId, p.workspaceId, slugFor(), p.title, p.visibility, p.snapshot, JSON.stringify(p.refresh), p.publishedBy]
  );
  recentSlugs.clear(); // again: a read between the first clear and the write may have kept the old row
  const report = (await reportOfNotebook(db, p.notebookId))!;
  // The scheduler (scheduler.ts) picks the report up from here; a changed policy takes effect now.
  await db.query('update reports set next_refresh_at = $2 where id = $1', [report.id, nextRefreshAt(p.refresh, new Date())]);
  await db.query('delete from report_members where report_id = $1', [report.id]);
  if (p.members.length > 0) {
    await db.query(
      `insert into report_members (report_id, user_id)
       select $1, m.user_id from workspace_members m where m.workspace_id = $2 and m.user_id = any($3::text[])
       on conflict do nothing`,
      [report.id, p.workspaceId, p.members]
    );
  }
  return report;
}

/** Take a report down: its slug answers 404 and its tokens stop working. */
export async function unpublishReport(db: Queryable, notebookId: string): Promise<boolean> {
  recentSlugs.clear();
  const rows = await db.query<{ id: string }>(`update reports set unpublished_at = now() where notebook_id = $1 and unpublished_at is null returning id`, [notebookId]);
  recentSlugs.clear();
  if (!rows[0]) return false;
  await db.query('update report_tokens set revoked_at = now() where report_id = $1 and revoked_at is null', [rows[0].id]);
  return true;
}

export async function reportMembers(db: Queryable, reportId: string): Promise<string[]> {
  const rows = await db.query<{ user_id: string }>('select user_id from report_members where report_id = $1 order by user_id', [reportId]);
  return rows.map((r) => r.user_id);
}

/** Whether `userId` is listed on a `members` report. */
export async function isReportMember(db: Queryable, reportId: string, userId: string): Promise<boolean> {
  const rows = await db.query('select 1 from report_members where report_id = $1 and user_id = $2', [reportId, userId]);
  return rows.length > 0;
}

/** Report tokens start with this, so a bearer token is told from a session token without a lookup. */
export const REPORT_TOKEN_PREFIX = 'cairn_rt_';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new token for machine clients of one report; only its hash is kept. */
export async function createReportToken(db: Queryable, reportId: string, userId: string): Promise<{ id: string; token: string }> {
  const token = REPORT_TOKEN_PREFIX + randomBytes(24).toString('base64url');
  const id = randomBytes(9).toString('base64url');
  await db.query('insert into report_tokens (id, report_id, token_hash, created_by, created_at) values ($1, $2, $3, $4, now())', [id, reportId, hashToken(token), userId]);
  return { id, token };
}

/** Whether `token` is a live token of report `reportId`. */
export async function reportTokenValid(db: Queryable, reportId: string, token: string): Promise<boolean> {
  if (!token.startsWith(REPORT_TOKEN_PREFIX)) return false;
  const rows = await db.query('select 1 from report_tokens where report_id = $1 and token_hash = $2 and revoked_at is null', [reportId, hashToken(token)]);
  return rows.length > 0;
}

export interface ReportTokenView {
  id: string;
  createdBy: string | null;
  createdAt: string;
  revokedAt: string | null;
}

/** The report's tokens (never their values: only hashes are kept). */
export async function listReportTokens(db: Queryable, reportId: string): Promise<ReportTokenView[]> {
  const rows = await db.query<{ id: string; created_by: string | null; created_at: Date | string; revoked_at: Date | string | null }>(
    'select id, created_by, created_at, revoked_at from report_tokens where report_id = $1 order by created_at desc',
    [reportId]
  );
  const iso = (v: Date | string) => (v instanceof Date ? v : new Date(v)).toISOString();
  return rows.map((r) => ({ id: r.id, createdBy: r.created_by, createdAt: iso(r.created_at), revokedAt: r.revoked_at === null ? null : iso(r.revoked_at) }));
}

/** Revoke one token of the report; false when the report has no such live token. */
export async function revokeReportToken(db: Queryable, reportId: string, tokenId: string): Promise<boolean> {
  const rows = await db.query('update report_tokens set revoked_at = now() where report_id = $1 and id = $2 and revoked_at is null returning id', [reportId, tokenId]);
  return rows.length > 0;
}
