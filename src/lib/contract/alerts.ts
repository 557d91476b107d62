/**
 * Report refresh, alerts and webhooks (docs/api.md, "Scheduled refresh and alerts"): the
 * bodies the server validates and the answers clients read.
 */
import { z } from 'zod';

export const ALERT_OPS = ['>', '>=', '<', '<=', '=', '!='] as const;
export type AlertOp = (typeof ALERT_OPS)[number];

/**
 * A webhook address: any http(s) URL, loopback and private hosts included — only workspace
 * owners and admins enter one, and an on-premises chat server is a normal destination.
 */
export const WebhookUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an http or https URL');

/** A threshold on a column: of the first row (the default) or of any row. */
export const ThresholdCondition = z
  .object({
    column: z.string().min(1).max(200),
    op: z.enum(ALERT_OPS),
    value: z.union([z.number().finite(), z.string().max(200), z.boolean()]),
    row: z.enum(['first', 'any']).optional()
  })
  .strict();
export type ThresholdCondition = z.infer<typeof ThresholdCondition>;

/** When an alert triggers: a threshold, a row count that changed since the last refresh, or a failed refresh. */
export const AlertCondition = z.union([ThresholdCondition, z.object({ rowCountChanged: z.literal(true) }).strict(), z.object({ fails: z.literal(true) }).strict()]);
export type AlertCondition = z.infer<typeof AlertCondition>;

/** `POST /api/reports/:slug/alerts`: a raw `webhook` URL (owners and admins) or a saved `webhookId`, or neither (the history alone). */
export const AlertCreate = z
  .object({
    cell: z.string().min(1).max(200),
    /** What the notification calls the alert ("Revenue alert: …"); the cell's name when absent. */
    name: z.string().trim().min(1).max(100).optional(),
    condition: AlertCondition,
    webhook: WebhookUrl.optional(),
    webhookId: z.string().min(1).max(100).optional()
  })
  .refine((a) => !(a.webhook && a.webhookId), { message: 'give a webhook URL or a saved webhookId, not both', path: ['webhookId'] });
export type AlertCreate = z.infer<typeof AlertCreate>;

/** `POST /api/workspaces/:id/webhooks`. */
export const WebhookCreate = z.object({ name: z.string().trim().min(1, 'is required').max(100), url: WebhookUrl });
export type WebhookCreate = z.infer<typeof WebhookCreate>;

/** A saved webhook as listed; `url` only for the workspace's owners and admins. */
export interface WebhookView {
  id: string;
  name: string;
  url?: string;
  createdAt: string;
}

/** An alert as `GET /api/reports/:slug/alerts` lists it. */
export interface AlertView {
  id: string;
  cell: string;
  name: string;
  condition: AlertCondition;
  /** The saved destination, when one was chosen. */
  webhookId: string | null;
  webhookName: string | null;
  /** The chosen webhook was deleted since: deliveries fail, saying so. */
  webhookDeleted: boolean;
  /** Whether a raw URL was given; the URL itself only for owners and admins. */
  hasWebhookUrl: boolean;
  webhook?: string;
  state: 'ok' | 'triggered';
  stateChangedAt: string | null;
  /** Why the last check could not decide (a column the result does not have). */
  lastCheckError: string | null;
  createdAt: string;
}

/** One try at posting a delivery. */
export interface DeliveryAttempt {
  attempt: number;
  at: string;
  durationMs: number;
  /** The answer's HTTP status; null when none came (network error, timeout). */
  statusCode: number | null;
  /** The start of the answer's body. */
  answer: string | null;
  error: string | null;
}

/** One notification of an alert (`GET …/alerts/:alertId/deliveries`), newest first. */
export interface DeliveryView {
  id: string;
  status: 'pending' | 'delivered' | 'failed' | 'recorded';
  /** What was posted. */
  payload: AlertPayload;
  attempts: number;
  /** The last attempt's status, answer and error, for a one-line summary. */
  statusCode: number | null;
  answer: string | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
  tries: DeliveryAttempt[];
}

/** What a webhook receives: Slack-compatible (`text`), with the facts for machines. */
export interface AlertPayload {
  text: string;
  /** The report's slug. */
  report: string;
  reportTitle: string;
  url: string;
  /** The cell's name. */
  cell: string;
  alert: { id: string; name: string };
  state: 'triggered';
  condition: AlertCondition;
  /** The value that triggered: the column's value (plain JSON, exact numbers as text beyond 2^53), the row count, or the error. */
  value: unknown;
  /** The threshold, the previous row count, or null for a failure. */
  threshold: unknown;
  /** When the refresh that triggered it ran (ISO 8601). */
  at: string;
}

/** A cell's outcome in `POST /api/reports/:slug/refresh`'s answer. */
export interface CellRefreshView {
  cellId: string;
  cell: string;
  ok: boolean;
  rows: number | null;
  error: string | null;
  at: string;
}

/** A cell's last refresh as its author sees it: when it was last good, and the error that followed, if any. */
export interface CellRefreshState {
  cellId: string;
  cell: string;
  lastOkAt: string | null;
  lastRows: number | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

/** `GET /api/reports/:slug/refresh`: the report's schedule and the outcome of its last refreshes. */
export interface ReportRefreshState {
  /** The report's notebook and workspace, and its refresh settings as published (for its author's page). */
  notebookId: string;
  workspaceId: string;
  refresh: { ttlMinutes?: number; schedule?: string; timezone?: string };
  lastRefreshAt: string | null;
  nextRefreshAt: string | null;
  /** Set when the last refresh failed as a whole, before any cell ran. */
  lastError: string | null;
  lastErrorAt: string | null;
  cells: CellRefreshState[];
}
