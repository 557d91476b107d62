/**
 * What one refresh of a report produced, cell by cell: the seam between computing a
 * report's results (results.ts) and what happens after every refresh — recording its
 * outcome for readers and authors, and checking alerts (refresher.ts).
 */
import type { Table } from 'apache-arrow';
import type { ReportRow } from './repository.js';

export type RefreshReason = 'publish' | 'schedule' | 'manual';

/** One shown cell's outcome: a fresh result, or the error that left the last good one in place. */
export interface CellRefresh {
  cellId: string;
  /** The cell's name (what endpoints and alerts address it by). */
  cell: string;
  ok: boolean;
  /** The result, decoded (null when the refresh failed). */
  table: Table | null;
  rows: number | null;
  /** Why the refresh failed, as the author should read it (null when ok). */
  error: string | null;
  /** When the result was computed (a failed refresh: when it failed). */
  at: Date;
}

/** Computes every result the report shows, with its published input values, bypassing fresh cache entries. */
export type ComputeReport = (report: ReportRow, reason: RefreshReason) => Promise<CellRefresh[]>;
