/** Version rows and the client-id → user map that attributes every Yjs item. */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../store/index.js';
import { toBytes } from '../store/sql-update-log.js';
import type { HistoryPerson, VersionInfo, VersionKind, VersionSummary } from '../../src/lib/contract/index.js';
import type { Fingerprint } from './cell-diff.js';

export interface VersionRow extends VersionInfo {
  notebookId: string;
  snapshot: Uint8Array;
  fingerprint: Fingerprint;
}

interface DbVersion {
  id: string;
  notebook_id: string;
  seq: number;
  at: Date;
  kind: VersionKind;
  label: string | null;
  authors: string[];
  summary: VersionSummary;
  snapshot: Uint8Array;
  fingerprint: Fingerprint;
}

const COLUMNS = 'id, notebook_id, seq, at, kind, label, authors, summary, snapshot, fingerprint';

function toRow(r: DbVersion): VersionRow {
  return {
    id: r.id,
    notebookId: r.notebook_id,
    seq: r.seq,
    at: new Date(r.at).toISOString(),
    kind: r.kind,
    ...(r.label ? { label: r.label } : {}),
    authors: r.authors ?? [],
    summary: r.summary,
    snapshot: toBytes(r.snapshot),
    fingerprint: r.fingerprint
  };
}

/** The public view of a version row. */
export function versionInfo(row: VersionRow): VersionInfo {
  return { id: row.id, seq: row.seq, at: row.at, kind: row.kind, authors: row.authors, ...(row.label ? { label: row.label } : {}), summary: row.summary };
}

export function newVersionId(): string {
  return 'v' + randomBytes(9).toString('base64url');
}

export async function insertVersion(
  db: Queryable,
  v: { notebookId: string; kind: VersionKind; label: string | null; authors: string[]; summary: VersionSummary; snapshot: Uint8Array; fingerprint: Fingerprint }
): Promise<VersionRow> {
  const rows = await db.query<DbVersion>(
    `insert into notebook_versions (id, notebook_id, seq, kind, label, authors, summary, snapshot, fingerprint)
     select $1, $2, coalesce(max(seq), 0) + 1, $3, $4, $5, $6, $7, $8 from notebook_versions where notebook_id = $2
     returning ${COLUMNS}`,
    [newVersionId(), v.notebookId, v.kind, v.label, v.authors, JSON.stringify(v.summary), v.snapshot, JSON.stringify(v.fingerprint)]
  );
  return toRow(rows[0]);
}

/** A notebook's versions, newest first, without their snapshots. */
export async function listVersions(db: Queryable, notebookId: string, limit = 500): Promise<VersionInfo[]> {
  const rows = await db.query<Omit<DbVersion, 'snapshot' | 'fingerprint' | 'notebook_id'>>(
    'select id, seq, at, kind, label, authors, summary from notebook_versions where notebook_id = $1 order by seq desc limit $2',
    [notebookId, limit]
  );
  return rows.map((r) => ({ id: r.id, seq: r.seq, at: new Date(r.at).toISOString(), kind: r.kind, authors: r.authors ?? [], ...(r.label ? { label: r.label } : {}), summary: r.summary }));
}

/** One version of one notebook: another notebook's version id is as unknown as a missing one. */
export async function getVersion(db: Queryable, notebookId: string, versionId: string): Promise<VersionRow | null> {
  const rows = await db.query<DbVersion>(`select ${COLUMNS} from notebook_versions where notebook_id = $1 and id = $2`, [notebookId, versionId]);
  return rows[0] ? toRow(rows[0]) : null;
}

export async function latestVersion(db: Queryable, notebookId: string): Promise<VersionRow | null> {
  const rows = await db.query<DbVersion>(`select ${COLUMNS} from notebook_versions where notebook_id = $1 order by seq desc limit 1`, [notebookId]);
  return rows[0] ? toRow(rows[0]) : null;
}

/** Every version's time and snapshot, oldest first (attribution dates items by them). */
export async function versionSnapshots(db: Queryable, notebookId: string): Promise<{ at: string; snapshot: Uint8Array }[]> {
  const rows = await db.query<{ at: Date; snapshot: Uint8Array }>('select at, snapshot from notebook_versions where notebook_id = $1 order by seq', [notebookId]);
  return rows.map((r) => ({ at: new Date(r.at).toISOString(), snapshot: toBytes(r.snapshot) }));
}

/** Versions cut after `seq`. */
export async function countVersionsAfter(db: Queryable, notebookId: string, seq: number): Promise<number> {
  const rows = await db.query<{ n: number | string }>('select count(*) as n from notebook_versions where notebook_id = $1 and seq > $2', [notebookId, seq]);
  return Number(rows[0]?.n ?? 0);
}

/** Record that Yjs client ids belong to `userId` (the first claim of an id holds). */
export async function claimClients(db: Queryable, notebookId: string, userId: string, clientIds: number[]): Promise<void> {
  if (clientIds.length === 0) return;
  await db.query(
    `insert into doc_clients (notebook_id, client_id, user_id)
     select $1, c, $2 from unnest($3::bigint[]) as c
     on conflict (notebook_id, client_id) do nothing`,
    [notebookId, userId, clientIds]
  );
}

/** Every client id of a notebook and its user. */
export async function clientOwners(db: Queryable, notebookId: string): Promise<Map<number, string>> {
  const rows = await db.query<{ client_id: string | number; user_id: string }>('select client_id, user_id from doc_clients where notebook_id = $1', [notebookId]);
  return new Map(rows.map((r) => [Number(r.client_id), r.user_id]));
}

/** Give a fork the origin's client map, so items copied from the origin keep their authors. */
export async function copyClients(db: Queryable, fromNotebook: string, toNotebook: string): Promise<void> {
  await db.query(
    `insert into doc_clients (notebook_id, client_id, user_id, first_at)
     select $2, client_id, user_id, first_at from doc_clients where notebook_id = $1
     on conflict (notebook_id, client_id) do nothing`,
    [fromNotebook, toNotebook]
  );
}

export async function peopleNamed(db: Queryable, ids: string[]): Promise<HistoryPerson[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  return db.query<HistoryPerson>('select id, name from users where id = any($1::text[]) order by name', [unique]);
}
