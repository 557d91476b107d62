/**
 * What one refresh of a report does, whoever asked for it (the scheduler, the author's
 * "refresh now", publishing): compute the results (an injected ComputeReport), record each
 * cell's outcome, check the report's alerts — all recorded in one transaction — and only
 * after it commits hand new notifications to the deliverer, which posts them without the
 * refresh waiting. Alert state rows are locked in that transaction, so two refreshes racing
 * (two processes, or a manual one beside a scheduled one) notify a change once.
 */
import { randomBytes } from 'node:crypto';
import type { Db, Queryable } from '../store/index.js';
import type { AlertCondition, AlertPayload } from '../../src/lib/contract/index.js';
import type { CellRefresh, ComputeReport, RefreshReason } from './refresh.js';
import type { ReportRow } from './repository.js';
import { checkCondition, displayValue } from './alert-condition.js';
import { forgetOtherCells, knownCells, recordCellRefreshes } from './refresh-state.js';
import type { AlertDeliveries } from './alert-delivery.js';
import { logger } from '../log.js';

export { lastRefreshError, refreshErrorHeader, reportRefreshState } from './refresh-state.js';

const log = logger('refresh');

export class ReportRefresher {
  constructor(
    private readonly db: Db,
    private readonly compute: ComputeReport,
    private readonly deliveries: AlertDeliveries,
    /** The report's address for notifications (`/r/:slug` made absolute). */
    private readonly link: (path: string) => string
  ) {}

  private readonly background = new Set<Promise<unknown>>();

  /**
   * Refresh `report` without waiting (publishing answers at once; a reader who arrives
   * before it is done shares the computation). Failures are recorded as any refresh's.
   */
  refreshInBackground(report: ReportRow, reason: RefreshReason): void {
    const run = this.refresh(report, reason)
      .catch((err) => log.warn('background report refresh failed', { report: report.id, reason, err }))
      .finally(() => this.background.delete(run));
    this.background.add(run);
  }

  /** Wait for background refreshes (before the store closes). */
  async settle(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  /**
   * Refresh `report` now. Resolves with each cell's outcome once it is recorded and the
   * alerts are checked (notifications may still be on their way). A failing ComputeReport
   * fails every cell the report has refreshed before, and is recorded on the report too.
   */
  async refresh(report: ReportRow, reason: RefreshReason): Promise<CellRefresh[]> {
    let cells: CellRefresh[];
    let wholeError: string | null = null;
    try {
      cells = await this.compute(report, reason);
    } catch (err) {
      wholeError = (err as Error)?.message || String(err);
      log.warn('report refresh failed', { report: report.id, reason, err });
      const at = new Date();
      cells = (await knownCells(this.db, report.id)).map((c) => ({ ...c, ok: false, table: null, rows: null, error: wholeError, at }));
    }
    const deliveries = await this.db.transaction(async (tx) => {
      await tx.query(
        `update reports set last_refresh_at = now(), last_refresh_error = $2::text,
           last_refresh_error_at = case when $2::text is null then null else now() end where id = $1`,
        [report.id, wholeError]
      );
      // A ComputeReport that ran gave every cell the report shows: the rest are gone from it.
      if (wholeError === null) await forgetOtherCells(tx, report.id, cells.map((c) => c.cellId));
      const previousRows = await recordCellRefreshes(tx, report.id, cells);
      return this.checkAlerts(tx, report, cells, previousRows);
    });
    for (const id of deliveries) this.deliveries.send(id);
    return cells;
  }

  /** Check every alert of `report` whose cell was refreshed; returns the deliveries to send. */
  private async checkAlerts(tx: Queryable, report: ReportRow, cells: CellRefresh[], previousRows: Map<string, number | null>): Promise<string[]> {
    const alerts = await tx.query<{ id: string; cell_name: string; name: string; condition: AlertCondition | string; state: 'ok' | 'triggered'; has_destination: boolean }>(
      `select id, cell_name, name, condition, state, (webhook_url_sealed is not null or webhook_id is not null) as has_destination
       from report_alerts where report_id = $1 order by id for update`,
      [report.id]
    );
    const byName = new Map(cells.map((c) => [c.cell, c]));
    const toSend: string[] = [];
    for (const alert of alerts) {
      const refresh = byName.get(alert.cell_name);
      if (!refresh) continue;
      const condition = typeof alert.condition === 'string' ? (JSON.parse(alert.condition) as AlertCondition) : alert.condition;
      const check = checkCondition(condition, refresh, previousRows.get(refresh.cell) ?? null);
      if (!check.decided) {
        if (check.why) await tx.query('update report_alerts set last_check_error = $2 where id = $1', [alert.id, check.why]);
        continue;
      }
      const next = check.triggered ? 'triggered' : 'ok';
      if (next === alert.state) {
        await tx.query('update report_alerts set last_check_error = null where id = $1 and last_check_error is not null', [alert.id]);
        continue;
      }
      await tx.query('update report_alerts set state = $2, state_changed_at = $3, last_check_error = null where id = $1', [alert.id, next, refresh.at]);
      // Only ok → triggered notifies; back to ok re-arms the alert silently.
      if (next !== 'triggered') continue;
      const payload = this.payload(report, alert, condition, refresh, check.value, check.threshold);
      const id = randomBytes(9).toString('base64url');
      await tx.query(`insert into alert_deliveries (id, alert_id, payload, status, created_at, finished_at) values ($1, $2, $3, $4, now(), $5)`, [
        id,
        alert.id,
        JSON.stringify(payload),
        alert.has_destination ? 'pending' : 'recorded',
        alert.has_destination ? null : new Date()
      ]);
      if (alert.has_destination) toSend.push(id);
    }
    return toSend;
  }

  private payload(report: ReportRow, alert: { id: string; name: string }, condition: AlertCondition, refresh: CellRefresh, value: unknown, threshold: unknown): AlertPayload {
    let what: string;
    if ('fails' in condition) what = `${refresh.cell} failed to refresh (${refresh.error ?? 'no reason given'})`;
    else if ('rowCountChanged' in condition) what = `${refresh.cell} has ${displayValue(value)} rows (was ${displayValue(threshold)})`;
    else what = `${condition.column} is ${displayValue(value)} (${condition.op} ${displayValue(threshold)})`;
    return {
      text: `${alert.name} alert: ${what} in report ${report.title} — triggered`,
      report: report.slug,
      reportTitle: report.title,
      url: this.link(`/r/${report.slug}`),
      cell: refresh.cell,
      alert: { id: alert.id, name: alert.name },
      state: 'triggered',
      condition,
      value: value ?? null,
      threshold: threshold ?? null,
      at: refresh.at.toISOString()
    };
  }
}
