/**
 * The report author's page (`/r/:slug/manage`) in words: refresh times in the report's time
 * zone and the reader's, a cell's last refresh, an alert's condition and destination. Pure
 * functions of their arguments (and `now`), so they are tested without a browser.
 */
import type { AlertCondition, AlertView, CellRefreshState, PublishBody } from '../contract/index.js';
import { timeAgo } from '../time.js';

/** The reader's IANA time zone (the browser's). */
export function readerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** "06:00" on `now`'s day in `zone`, "tomorrow 06:00" / "yesterday 06:00" beside it, else "3 Dec 06:00". */
export function clockIn(iso: string, zone: string, now: number = Date.now()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const clock = at.toLocaleTimeString('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit' });
  const days = dayNumber(at, zone) - dayNumber(new Date(now), zone);
  if (days === 0) return clock;
  if (days === 1) return `tomorrow ${clock}`;
  if (days === -1) return `yesterday ${clock}`;
  return `${at.toLocaleDateString('en-GB', { timeZone: zone, month: 'short', day: 'numeric' })} ${clock}`;
}

/** The calendar day `t` falls on in `zone`, as days since 1970-01-01. */
function dayNumber(t: Date, zone: string): number {
  const ymd = t.toLocaleDateString('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return Math.round(Date.parse(`${ymd}T00:00:00Z`) / 86_400_000);
}

/** "in 3 h", "in 12 min", "in 2 d" for a future time; "due now" within the minute; `timeAgo` for a past one. */
export function timeUntil(iso: string, now: number = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = Math.round((t - now) / 1000);
  if (s < -45) return timeAgo(iso, now);
  if (s < 60) return 'due now';
  const m = Math.round(s / 60);
  if (m < 60) return `in ${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `in ${h} h`;
  return `in ${Math.round(h / 24)} d`;
}

/**
 * A refresh time for the author: "06:00 Europe/Paris (in 3 h)", with the reader's clock
 * added when their zone shows another time ("06:00 Europe/Paris (05:00 your time, in 3 h)").
 * Without the report's zone (null), the reader's clock alone, named. `past` marks a time that
 * has happened, however the caller's `now` lags.
 */
export function whenWords(iso: string, reportZone: string | null, reader: string = readerZone(), now: number = Date.now(), past = false): string {
  // A past event ("last refresh") just after the page's clock last ticked is "just now", not "due now".
  const relative = past || Date.parse(iso) <= now ? timeAgo(iso, Math.max(now, Date.parse(iso))) : timeUntil(iso, now);
  if (!reportZone) return `${clockIn(iso, reader, now)} ${reader} (${relative})`;
  const there = clockIn(iso, reportZone, now);
  const here = clockIn(iso, reader, now);
  return here === there ? `${there} ${reportZone} (${relative})` : `${there} ${reportZone} (${here} your time, ${relative})`;
}

/** How the report refreshes, as `publish` set it: a schedule, a TTL, or only on demand. */
export function refreshPolicyWords(refresh: PublishBody['refresh'] | null | undefined): string {
  if (refresh?.schedule) {
    const every = refresh.schedule === '@hourly' ? 'every hour' : refresh.schedule === '@daily' ? 'every day at midnight' : `on the schedule ${refresh.schedule}`;
    const bound = refresh.ttlMinutes ? `, and no result older than ${refresh.ttlMinutes} min` : '';
    return `Refreshes ${every} (${refresh.timezone ?? 'UTC'})${bound}.`;
  }
  if (refresh?.ttlMinutes) return `Refreshes every ${refresh.ttlMinutes} min.`;
  return 'Refreshes only when published and when you press Refresh now.';
}

/** A cell's refresh in one line: "total — 1 row at 06:00" or "total — refresh failed 10:02: …; readers see the result from 06:00". */
export function cellRefreshWords(cell: CellRefreshState, zone: string, now: number = Date.now()): { ok: boolean; text: string } {
  const good = cell.lastOkAt ? `${cell.lastRows === null ? 'result' : `${cell.lastRows.toLocaleString('en-US')} ${cell.lastRows === 1 ? 'row' : 'rows'}`} at ${clockIn(cell.lastOkAt, zone, now)}` : null;
  if (cell.lastError) {
    const failedAt = cell.lastErrorAt ? ` ${clockIn(cell.lastErrorAt, zone, now)}` : '';
    const readers = cell.lastOkAt ? `readers see the result from ${clockIn(cell.lastOkAt, zone, now)}` : 'readers see no result';
    return { ok: false, text: `refresh failed${failedAt}: ${cell.lastError}; ${readers}` };
  }
  return { ok: true, text: good ? `last good result: ${good}` : 'not refreshed yet' };
}

/** When an alert was last checked: after every refresh of its cell, so that cell's latest refresh. */
export function lastCheckedAt(cell: CellRefreshState | undefined): string | null {
  if (!cell) return null;
  const times = [cell.lastOkAt, cell.lastErrorAt].filter((t): t is string => t !== null);
  return times.length ? times.reduce((a, b) => (Date.parse(a) > Date.parse(b) ? a : b)) : null;
}

/** An alert's condition in words: "n > 0 in the first row", "the row count changes", "the refresh fails". */
export function conditionWords(condition: AlertCondition): string {
  if ('fails' in condition) return 'the refresh fails';
  if ('rowCountChanged' in condition) return 'the row count changes';
  const value = typeof condition.value === 'string' ? JSON.stringify(condition.value) : String(condition.value);
  return `${condition.column} ${condition.op} ${value} in ${condition.row === 'any' ? 'any row' : 'the first row'}`;
}

/** Where an alert's notifications go, as far as the caller may know. */
export function destinationWords(alert: AlertView): string {
  if (alert.webhookId) return alert.webhookDeleted ? `${alert.webhookName ?? 'a saved webhook'} (deleted)` : (alert.webhookName ?? 'a saved webhook');
  if (alert.hasWebhookUrl) return alert.webhook ? hostOf(alert.webhook) : 'a webhook URL';
  return 'history only';
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * A threshold typed into the form, as the API takes it: a number when the text is one a
 * double holds exactly enough (the server compares numbers exactly either way), else the
 * text itself — more digits than a double keeps stay a string, as docs/api.md advises.
 */
export function thresholdValue(text: string): number | string {
  const t = text.trim();
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) && t.replace(/[^0-9]/g, '').replace(/^0+/, '').length <= 15) return Number(t);
  return t;
}
