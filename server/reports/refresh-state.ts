/**
 * How each refresh of a report went, cell by cell, in the store: the last good time and row
 * count, and the error of the last refresh when it failed. A failed refresh touches only
 * the error fields, so readers keep the last good result's facts; a good one clears them.
 */
import { BriefCache } from './brief-cache.js';
import type { ReportRow } from './repository.js';
import type { Queryable } from '../store/index.js';
import type { CellRefreshState, ReportRefreshState } from '../../src/lib/contract/index.js';
import type { CellRefresh } from './refresh.js';

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

/**
 * Record `cells`' outcomes for report `reportId`. Returns, by cell name, the row count of
 * each cell's last good refresh *before* this one (null when it had none), which
 * `rowCountChanged` alerts compare with. Run it in the transaction that checks the alerts.
 */
export async function recordCellRefreshes(tx: Queryable, reportId: string, cells: CellRefresh[]): Promise<Map<string, number | null>> {
  recentErrors.clear();
  const previous = new Map<string, number | null>();
  for (const cell of cells) {
    const rows = await tx.query<{ last_rows: number | null }>('select last_rows from report_cell_state where report_id = $1 and cell_id = $2 for update', [reportId, cell.cellId]);
    previous.set(cell.cell, rows[0]?.last_rows ?? null);
    if (cell.ok) {
      await tx.query(
        `insert into report_cell_state (report_id, cell_id, cell_name, last_ok_at, last_rows) values ($1, $2, $3, $4, $5)
         on conflict (report_id, cell_id) do update set cell_name = excluded.cell_name, last_ok_at = excluded.last_ok_at,
           last_rows = excluded.last_rows, last_error = null, last_error_at = null`,
        [reportId, cell.cellId, cell.cell, cell.at, cell.rows ?? cell.table?.numRows ?? null]
      );
    } else {
      await tx.query(
        `insert into report_cell_state (report_id, cell_id, cell_name, last_error, last_error_at) values ($1, $2, $3, $4, $5)
         on conflict (report_id, cell_id) do update set cell_name = excluded.cell_name, last_error = excluded.last_error, last_error_at = excluded.last_error_at`,
        [reportId, cell.cellId, cell.cell, cell.error ?? 'The refresh failed.', cell.at]
      );
    }
  }
  return previous;
}

/** Drop the state of cells a complete refresh no longer produced (removed or hidden since publishing). */
export async function forgetOtherCells(tx: Queryable, reportId: string, keep: string[]): Promise<void> {
  await tx.query('delete from report_cell_state where report_id = $1 and not (cell_id = any($2::text[]))', [reportId, keep]);
}

/** The cells report `reportId` has refreshed before, as (id, name): what a refresh that failed as a whole failed for. */
export async function knownCells(db: Queryable, reportId: string): Promise<{ cellId: string; cell: string }[]> {
  const rows = await db.query<{ cell_id: string; cell_name: string }>('select cell_id, cell_name from report_cell_state where report_id = $1 order by cell_id', [reportId]);
  return rows.map((r) => ({ cellId: r.cell_id, cell: r.cell_name }));
}

/**
 * The error of cell `cellId`'s last refresh when that refresh failed (what
 * `x-cairn-refresh-error` says); null when the last refresh was good or there was none.
 */
export async function lastRefreshError(db: Queryable, reportId: string, cellId: string): Promise<{ error: string; at: Date } | null> {
  return (await lastRefreshErrors(db, reportId)).get(cellId) ?? null;
}

/** Every report read asks; refreshes in this process clear it (see brief-cache.ts). */
const recentErrors = new BriefCache<Map<string, { error: string; at: Date }>>(2_000);

/** {@link lastRefreshError} for every cell of report `reportId` whose last refresh failed, by cell id: one query for a whole page. */
export function lastRefreshErrors(db: Queryable, reportId: string): Promise<Map<string, { error: string; at: Date }>> {
  return recentErrors.get(reportId, () => readRefreshErrors(db, reportId));
}

async function readRefreshErrors(db: Queryable, reportId: string): Promise<Map<string, { error: string; at: Date }>> {
  const rows = await db.query<{ cell_id: string; last_error: string | null; last_error_at: Date | string | null }>(
    'select cell_id, last_error, last_error_at from report_cell_state where report_id = $1 and last_error is not null',
    [reportId]
  );
  return new Map(rows.filter((r) => r.last_error).map((r) => [r.cell_id, { error: r.last_error!, at: new Date(r.last_error_at ?? Date.now()) }]));
}

/**
 * The `x-cairn-refresh-error` header for cell `cellId`'s result when its last refresh
 * failed, else no header: one line, at most 500 characters, characters outside printable
 * ASCII percent-encoded (an HTTP header takes nothing else, and `’` in a message would throw).
 */
export async function refreshErrorHeader(db: Queryable, reportId: string, cellId: string): Promise<Record<string, string>> {
  const failed = await lastRefreshError(db, reportId, cellId);
  if (!failed) return {};
  const line = failed.error.replace(/\s+/g, ' ').trim().slice(0, 500);
  return { 'x-cairn-refresh-error': line.replace(/[^\x20-\x7e]/gu, (c) => encodeURIComponent(c)) };
}

/** What a report's author sees about its refreshes: when, when next, and each cell's last good time and error. */
export async function reportRefreshState(db: Queryable, report: Pick<ReportRow, 'id' | 'notebookId' | 'workspaceId' | 'refresh'>): Promise<ReportRefreshState> {
  const reportId = report.id;
  const rows = await db.query<{ last_refresh_at: Date | string | null; next_refresh_at: Date | string | null; last_refresh_error: string | null; last_refresh_error_at: Date | string | null }>(
    'select last_refresh_at, next_refresh_at, last_refresh_error, last_refresh_error_at from reports where id = $1',
    [reportId]
  );
  const cells = await db.query<{ cell_id: string; cell_name: string; last_ok_at: Date | string | null; last_rows: number | null; last_error: string | null; last_error_at: Date | string | null }>(
    'select cell_id, cell_name, last_ok_at, last_rows, last_error, last_error_at from report_cell_state where report_id = $1 order by cell_name, cell_id',
    [reportId]
  );
  const r = rows[0];
  return {
    notebookId: report.notebookId,
    workspaceId: report.workspaceId,
    refresh: report.refresh,
    lastRefreshAt: iso(r?.last_refresh_at ?? null),
    nextRefreshAt: iso(r?.next_refresh_at ?? null),
    lastError: r?.last_refresh_error ?? null,
    lastErrorAt: iso(r?.last_refresh_error_at ?? null),
    cells: cells.map(
      (c): CellRefreshState => ({
        cellId: c.cell_id,
        cell: c.cell_name,
        lastOkAt: iso(c.last_ok_at),
        lastRows: c.last_rows,
        lastError: c.last_error,
        lastErrorAt: iso(c.last_error_at)
      })
    )
  };
}
