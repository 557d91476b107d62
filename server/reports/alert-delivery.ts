/**
 * Posting alert notifications to their webhooks, off the refresh's path: the refresher
 * records a `pending` delivery in its transaction and hands the id here. Each attempt is
 * recorded (status and the start of the answer, or the error); network errors, timeouts,
 * 429 and 5xx answers are retried with exponential backoff. A webhook that hangs or fails
 * ends as a `failed` delivery in the alert's history and harms nothing else.
 */
import type { Queryable } from '../store/index.js';
import type { RefreshSettings } from '../config.js';
import { openSecret } from '../connections/secrets.js';
import { alertBinding } from './alerts.js';
import { webhookBinding } from '../workspaces/webhooks.js';
import { logger } from '../log.js';

const log = logger('alerts');

/** The start of an answer kept for the history page. */
const ANSWER_CHARS = 1000;

type Settings = Pick<RefreshSettings, 'webhookTimeoutMs' | 'webhookAttempts' | 'webhookBackoffMs'>;

interface Attempt {
  statusCode: number | null;
  answer: string | null;
  error: string | null;
  retry: boolean;
}

export class AlertDeliveries {
  private readonly running = new Set<Promise<void>>();
  private readonly closing = new AbortController();

  constructor(
    private readonly db: Queryable,
    private readonly secretKey: Buffer,
    private readonly settings: Settings
  ) {}

  /** Start delivering `deliveryId` (a `pending` row); returns at once, the outcome goes to the store. */
  send(deliveryId: string): void {
    const run = this.deliver(deliveryId)
      .catch((err) => log.error('alert delivery failed to record', { deliveryId, err }))
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }

  /** Resolves when every delivery started so far has finished (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Cut waits and attempts short, and wait for what is running to record its end. */
  async close(): Promise<void> {
    this.closing.abort();
    await this.settled();
  }

  private async deliver(deliveryId: string): Promise<void> {
    const target = await this.destination(deliveryId);
    if (!target) return;
    if ('error' in target) return this.finish(deliveryId, 'failed', target.error);
    const { url, body } = target;
    const { webhookAttempts, webhookBackoffMs } = this.settings;
    for (let attempt = 1; attempt <= webhookAttempts; attempt++) {
      const at = new Date();
      const outcome = await this.post(url, body);
      await this.db.query(
        `insert into alert_delivery_attempts (delivery_id, attempt, at, duration_ms, status_code, answer, error) values ($1, $2, $3, $4, $5, $6, $7)`,
        [deliveryId, attempt, at, Date.now() - at.getTime(), outcome.statusCode, outcome.answer, outcome.error]
      );
      await this.db.query('update alert_deliveries set attempts = $2 where id = $1', [deliveryId, attempt]);
      if (outcome.error === null) return this.finish(deliveryId, 'delivered');
      if (!outcome.retry || attempt === webhookAttempts || this.closing.signal.aborted) break;
      await sleep(webhookBackoffMs * 2 ** (attempt - 1), this.closing.signal);
    }
    await this.finish(deliveryId, 'failed');
  }

  /** The URL and body of a pending delivery, an error when its destination is gone, null when not pending. */
  private async destination(deliveryId: string): Promise<{ url: string; body: string } | { error: string } | null> {
    const rows = await this.db.query<{ alert_id: string; payload: unknown; webhook_url_sealed: string | null; webhook_id: string | null; url_sealed: string | null; webhook_name: string | null; deleted_at: Date | null }>(
      `select d.alert_id, d.payload, a.webhook_url_sealed, a.webhook_id, w.url_sealed, w.name as webhook_name, w.deleted_at
       from alert_deliveries d join report_alerts a on a.id = d.alert_id left join workspace_webhooks w on w.id = a.webhook_id
       where d.id = $1 and d.status = 'pending'`,
      [deliveryId]
    );
    const row = rows[0];
    if (!row) return null;
    const body = typeof row.payload === 'string' ? row.payload : JSON.stringify(row.payload);
    try {
      if (row.webhook_url_sealed !== null) return { url: openSecret(this.secretKey, row.webhook_url_sealed, alertBinding(row.alert_id)), body };
      if (row.webhook_id !== null && row.url_sealed !== null && row.deleted_at === null) return { url: openSecret(this.secretKey, row.url_sealed, webhookBinding(row.webhook_id)), body };
    } catch (err) {
      return { error: `The webhook URL cannot be read: ${(err as Error).message}.` };
    }
    return { error: row.webhook_name ? `The webhook "${row.webhook_name}" was deleted.` : 'The alert has no webhook.' };
  }

  /** One POST. Never throws: what happened is the attempt's record. */
  private async post(url: string, body: string): Promise<Attempt> {
    // One controller and a plain timer, not AbortSignal.any(AbortSignal.timeout(…)): on Node 20
    // the combined signal's timeout can be collected before it fires, and the attempt hangs.
    const controller = new AbortController();
    const signal = controller.signal;
    const timer = setTimeout(() => controller.abort(), this.settings.webhookTimeoutMs);
    const onClose = () => controller.abort();
    this.closing.signal.addEventListener('abort', onClose, { once: true });
    try {
      // Redirects are not followed: the destination is the URL an owner or admin entered.
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'Cairn alerts' }, body, signal, redirect: 'manual' });
      const answer = (await res.text()).slice(0, ANSWER_CHARS);
      if (res.status >= 200 && res.status < 300) return { statusCode: res.status, answer, error: null, retry: false };
      const retry = res.status >= 500 || res.status === 429;
      return { statusCode: res.status, answer, error: `The webhook answered ${res.status}${res.statusText ? ' ' + res.statusText : ''}.`, retry };
    } catch (err) {
      if (this.closing.signal.aborted) return { statusCode: null, answer: null, error: 'The server stopped before the webhook answered.', retry: false };
      if (signal.aborted) return { statusCode: null, answer: null, error: `The webhook did not answer within ${this.settings.webhookTimeoutMs} ms.`, retry: true };
      return { statusCode: null, answer: null, error: `The webhook could not be reached: ${networkReason(err)}.`, retry: true };
    } finally {
      clearTimeout(timer);
      this.closing.signal.removeEventListener('abort', onClose);
    }
  }

  private async finish(deliveryId: string, status: 'delivered' | 'failed', error?: string): Promise<void> {
    if (error) {
      await this.db.query(
        `insert into alert_delivery_attempts (delivery_id, attempt, at, duration_ms, status_code, answer, error) values ($1, 1, now(), 0, null, null, $2)`,
        [deliveryId, error]
      );
      await this.db.query('update alert_deliveries set attempts = 1 where id = $1', [deliveryId]);
    }
    await this.db.query('update alert_deliveries set status = $2, finished_at = now() where id = $1', [deliveryId, status]);
    if (status === 'failed') log.warn('alert delivery failed', { deliveryId });
  }
}

/** fetch's "fetch failed" hides the reason in `cause` (ECONNREFUSED, ENOTFOUND…). */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message ?? String(err);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
