/**
 * Report alerts in the store: creating, listing and deleting them, and reading an alert's
 * delivery history. Checking them after a refresh is refresher.ts; posting is
 * alert-delivery.ts. A raw webhook URL is sealed, bound to its alert.
 */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../store/index.js';
import { AppError } from '../errors.js';
import { openSecret, sealSecret } from '../connections/secrets.js';
import type { AlertCondition, AlertPayload, AlertView, DeliveryAttempt, DeliveryView } from '../../src/lib/contract/index.js';

/** What a sealed alert URL is bound to. */
export const alertBinding = (id: string) => `alert:${id}`;

const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

export interface NewAlert {
  cell: string;
  name: string;
  condition: AlertCondition;
  /** A raw URL (the caller checked that an owner or admin gave it). */
  webhook: string | null;
  /** A saved webhook of the report's workspace (the caller checked it). */
  webhookId: string | null;
}

/** Save a new alert on report `reportId` (state ok); returns its id. */
export async function createAlert(db: Queryable, key: Buffer, reportId: string, userId: string, alert: NewAlert): Promise<string> {
  const id = randomBytes(9).toString('base64url');
  await db.query(
    `insert into report_alerts (id, report_id, cell_name, name, condition, webhook_url_sealed, webhook_id, created_by, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, now())`,
    [id, reportId, alert.cell, alert.name, JSON.stringify(alert.condition), alert.webhook === null ? null : sealSecret(key, alert.webhook, alertBinding(id)), alert.webhookId, userId]
  );
  return id;
}

interface AlertRow {
  id: string;
  cell_name: string;
  name: string;
  condition: AlertCondition | string;
  webhook_url_sealed: string | null;
  webhook_id: string | null;
  webhook_name: string | null;
  webhook_deleted: boolean | null;
  state: 'ok' | 'triggered';
  state_changed_at: Date | string | null;
  last_check_error: string | null;
  created_at: Date | string;
}

/** Report `reportId`'s alerts, oldest first; raw URLs only when `withUrls` (owners and admins). */
export async function listAlerts(db: Queryable, key: Buffer, reportId: string, withUrls: boolean): Promise<AlertView[]> {
  const rows = await db.query<AlertRow>(
    `select a.id, a.cell_name, a.name, a.condition, a.webhook_url_sealed, a.webhook_id, w.name as webhook_name, (w.deleted_at is not null) as webhook_deleted, a.state, a.state_changed_at, a.last_check_error, a.created_at
     from report_alerts a left join workspace_webhooks w on w.id = a.webhook_id
     where a.report_id = $1 order by a.created_at, a.id`,
    [reportId]
  );
  return rows.map((r) => ({
    id: r.id,
    cell: r.cell_name,
    name: r.name,
    condition: json(r.condition),
    webhookId: r.webhook_id,
    webhookName: r.webhook_name,
    webhookDeleted: r.webhook_deleted === true,
    hasWebhookUrl: r.webhook_url_sealed !== null,
    ...(withUrls && r.webhook_url_sealed !== null ? { webhook: openSecret(key, r.webhook_url_sealed, alertBinding(r.id)) } : {}),
    state: r.state,
    stateChangedAt: iso(r.state_changed_at),
    lastCheckError: r.last_check_error,
    createdAt: iso(r.created_at)!
  }));
}

/** Delete alert `alertId` of report `reportId`, its history with it; 404 when the report has no such alert. */
export async function deleteAlert(db: Queryable, reportId: string, alertId: string): Promise<void> {
  const rows = await db.query('delete from report_alerts where id = $1 and report_id = $2 returning id', [alertId, reportId]);
  if (rows.length === 0) throw new AppError('not_found', 'No such alert on this report.');
}

/** Alert `alertId`'s deliveries, newest first, each with its attempts; 404 when report `reportId` has no such alert. */
export async function alertDeliveries(db: Queryable, reportId: string, alertId: string, limit = 200): Promise<DeliveryView[]> {
  const found = await db.query('select 1 from report_alerts where id = $1 and report_id = $2', [alertId, reportId]);
  if (found.length === 0) throw new AppError('not_found', 'No such alert on this report.');
  const deliveries = await db.query<{ id: string; status: DeliveryView['status']; payload: AlertPayload | string; attempts: number; created_at: Date | string; finished_at: Date | string | null }>(
    'select id, status, payload, attempts, created_at, finished_at from alert_deliveries where alert_id = $1 order by created_at desc, id desc limit $2',
    [alertId, limit]
  );
  const ids = deliveries.map((d) => d.id);
  const attempts = ids.length
    ? await db.query<{ delivery_id: string; attempt: number; at: Date | string; duration_ms: number; status_code: number | null; answer: string | null; error: string | null }>(
        'select delivery_id, attempt, at, duration_ms, status_code, answer, error from alert_delivery_attempts where delivery_id = any($1::text[]) order by delivery_id, attempt',
        [ids]
      )
    : [];
  const tries = new Map<string, DeliveryAttempt[]>();
  for (const a of attempts) {
    const list = tries.get(a.delivery_id) ?? [];
    list.push({ attempt: a.attempt, at: iso(a.at)!, durationMs: a.duration_ms, statusCode: a.status_code, answer: a.answer, error: a.error });
    tries.set(a.delivery_id, list);
  }
  return deliveries.map((d) => {
    const list = tries.get(d.id) ?? [];
    const last = list[list.length - 1];
    return {
      id: d.id,
      status: d.status,
      payload: json(d.payload),
      attempts: d.attempts,
      statusCode: last?.statusCode ?? null,
      answer: last?.answer ?? null,
      error: last?.error ?? null,
      createdAt: iso(d.created_at)!,
      finishedAt: iso(d.finished_at),
      tries: list
    };
  });
}
