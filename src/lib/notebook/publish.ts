/**
 * The author's side of publishing, as plain data (docs/api.md, "Reports"): how a cell shows
 * in the report, the publish dialog's form and the body it sends, refresh schedules in
 * words, embed snippets, and which field a server error is about. No DOM, no fetch: the
 * dialog and the cell control call these, and tests/unit/notebook-publish.test.ts checks them.
 */
import type * as Y from 'yjs';
import { cellKind, cellsOf, setCellField, type CellKind } from '$doc';
import type { PublishBody, PublishState, ReportVisibility } from '$lib/contract/reports.js';

/** How a cell appears in the published report. */
export type ReportShow = 'code' | 'shown' | 'hidden';

/** Whether a kind has code a report may show (SQL and JS); the others are shown or hidden. */
export function hasReportCode(kind: CellKind): boolean {
  return kind === 'sql' || kind === 'js';
}

/** A cell's report appearance from its `hidden` and `showCode` fields (`showCode` counts only for SQL and JS). */
export function reportShowOf(kind: CellKind, hidden: boolean, showCode: boolean): ReportShow {
  if (hidden) return 'hidden';
  return hasReportCode(kind) && showCode ? 'code' : 'shown';
}

/** The choices the cell control offers for `kind`, labelled for people. */
export function reportShowChoices(kind: CellKind): { value: ReportShow; label: string }[] {
  if (!hasReportCode(kind)) {
    return [
      { value: 'shown', label: 'Shown' },
      { value: 'hidden', label: 'Hidden' }
    ];
  }
  return [
    { value: 'code', label: 'Shown with code' },
    { value: 'shown', label: 'Shown without code' },
    { value: 'hidden', label: 'Hidden' }
  ];
}

/**
 * The document fields that give `show`: `hidden` always; `showCode` only for SQL and JS, and
 * left as it is when hiding (so hiding and showing again keeps the author's code choice).
 */
export function reportShowFields(kind: CellKind, show: ReportShow): { hidden: boolean; showCode?: boolean } {
  if (show === 'hidden') return { hidden: true };
  return hasReportCode(kind) ? { hidden: false, showCode: show === 'code' } : { hidden: false };
}

/**
 * Make cell `id` show as `show` in the report: its `hidden` and (SQL, JS) `showCode` fields,
 * in one transaction with `origin` — one update on the wire, one undo step. Writes only the
 * fields that change; returns whether any did.
 */
export function applyReportShow(doc: Y.Doc, id: string, show: ReportShow, origin?: unknown): boolean {
  const cell = cellsOf(doc).get(id);
  const kind = cell ? cellKind(cell) : null;
  if (!cell || !kind) return false;
  const fields = reportShowFields(kind, show);
  const hiddenChanges = (cell.get('hidden') === true) !== fields.hidden;
  const codeChanges = fields.showCode !== undefined && (cell.get('showCode') === true) !== fields.showCode;
  if (!hiddenChanges && !codeChanges) return false;
  doc.transact(() => {
    if (hiddenChanges) setCellField(doc, id, 'hidden', fields.hidden, origin);
    if (codeChanges) setCellField(doc, id, 'showCode', fields.showCode as boolean, origin);
  }, origin);
  return true;
}

/** Schedule presets the dialog offers; `custom` is a five-field cron the author types. */
export type SchedulePreset = 'none' | 'hourly' | 'daily' | 'custom';

/** The cron text each preset sends ("Daily at 06:00" is a cron, so the time zone applies to it). */
export const PRESET_SCHEDULES: Record<Exclude<SchedulePreset, 'none' | 'custom'>, string> = {
  hourly: '@hourly',
  daily: '0 6 * * *'
};

/** The publish dialog's fields, as its inputs hold them. */
export interface PublishForm {
  visibility: ReportVisibility;
  members: string[];
  /** Minutes a result stays fresh; null for none (a number input bound with Svelte gives a number, or null when empty). */
  ttlMinutes: number | null;
  schedule: SchedulePreset;
  /** Five cron fields, when `schedule` is `custom`. */
  cron: string;
  /** IANA time zone the schedule is read in. */
  timezone: string;
}

/** The browser's time zone (the dialog's default), UTC where the browser does not say. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** The form for a first publish, or prefilled from what is live. */
export function formFromState(report: PublishState['report'], timezone: string = browserTimeZone()): PublishForm {
  const form: PublishForm = { visibility: 'public', members: [], ttlMinutes: null, schedule: 'none', cron: '', timezone };
  if (!report) return form;
  form.visibility = report.visibility;
  form.members = [...report.members];
  const refresh = report.refresh ?? {};
  if (typeof refresh.ttlMinutes === 'number') form.ttlMinutes = refresh.ttlMinutes;
  if (refresh.timezone) form.timezone = refresh.timezone;
  const schedule = refresh.schedule?.trim();
  if (schedule) {
    const preset = (Object.keys(PRESET_SCHEDULES) as (keyof typeof PRESET_SCHEDULES)[]).find((k) => PRESET_SCHEDULES[k] === schedule);
    form.schedule = preset ?? 'custom';
    if (!preset) form.cron = schedule;
  }
  return form;
}

/**
 * The `POST …/publish` body for `form`. It does not validate beyond shape: the server's
 * answer names what is wrong, and the dialog shows it beside the field.
 */
export function bodyOf(form: PublishForm): PublishBody {
  const body: PublishBody = { visibility: form.visibility };
  if (form.visibility === 'members') body.members = [...form.members];
  const refresh: NonNullable<PublishBody['refresh']> = {};
  // Sent as typed (0, 1.5): the server's message says what is wrong, beside the field.
  if (typeof form.ttlMinutes === 'number' && Number.isFinite(form.ttlMinutes)) refresh.ttlMinutes = form.ttlMinutes;
  const schedule = form.schedule === 'none' ? '' : form.schedule === 'custom' ? form.cron.trim() : PRESET_SCHEDULES[form.schedule];
  if (form.schedule === 'custom' || schedule) {
    refresh.schedule = schedule;
    if (form.timezone.trim()) refresh.timezone = form.timezone.trim();
  }
  if (Object.keys(refresh).length > 0) body.refresh = refresh;
  return body;
}

/**
 * A report's refresh policy in words, as the server applies it (server/reports/schedule.ts):
 * a schedule runs at its occurrences; `ttlMinutes` alone refreshes that often; either way a
 * result older than `ttlMinutes` is recomputed when read.
 */
export function describeRefresh(refresh: PublishBody['refresh'] | undefined): string {
  const schedule = refresh?.schedule?.trim();
  const ttl = refresh?.ttlMinutes;
  if (!schedule) return typeof ttl === 'number' ? `Every ${ttl} min` : 'Only when published';
  const zone = refresh?.timezone ? ` (${refresh.timezone})` : ' (UTC)';
  const when =
    schedule === '@hourly'
      ? 'Every hour'
      : schedule === '@daily'
        ? `Daily at 00:00${zone}`
        : schedule === PRESET_SCHEDULES.daily
          ? `Daily at 06:00${zone}`
          : `Cron “${schedule}”${zone}`;
  return typeof ttl === 'number' ? `${when} · results at most ${ttl} min old` : when;
}

/** Who may read a report, in words. */
export function describeVisibility(visibility: ReportVisibility, memberCount = 0): string {
  if (visibility === 'public') return 'Public: anyone with the link';
  if (visibility === 'workspace') return 'Workspace members';
  return memberCount === 1 ? '1 specific member' : `${memberCount} specific members`;
}

/** The embed URL of a report (`url` is its `/r/:slug` link), or of one cell of it. */
export function embedUrl(url: string, cell?: string): string {
  return `${url.replace(/\/+$/, '')}/embed${cell ? `?cell=${encodeURIComponent(cell)}` : ''}`;
}

/** An `<iframe>` snippet that embeds the report, or one cell of it, in another page. */
export function embedCode(url: string, title: string, cell?: string): string {
  const src = escapeAttribute(embedUrl(url, cell));
  const label = escapeAttribute(cell ? `${title} — ${cell}` : title);
  const height = cell ? 420 : 640;
  return `<iframe src="${src}" title="${label}" width="100%" height="${height}" style="border:0" loading="lazy"></iframe>`;
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A form field a server error is about, so the dialog shows it there. */
export type PublishField = 'visibility' | 'members' | 'ttlMinutes' | 'schedule' | 'timezone';

/**
 * Which field a 400 from `POST …/publish` is about: the body validator names the path
 * (`refresh.schedule: …`), the schedule check says "The schedule …". Null: about the whole form.
 */
export function fieldOfError(message: string): PublishField | null {
  const path = /^([\w.]+(?:\.\d+)?):\s/.exec(message)?.[1] ?? '';
  if (path.startsWith('refresh.ttlMinutes')) return 'ttlMinutes';
  if (path.startsWith('refresh.schedule') || /^The schedule\b/.test(message)) return 'schedule';
  if (path.startsWith('refresh.timezone')) return 'timezone';
  if (path.startsWith('members')) return 'members';
  if (path.startsWith('visibility')) return 'visibility';
  return null;
}

/** A validator message without its field path, for showing under the field it names. */
export function withoutPath(message: string): string {
  const m = /^[\w.]+:\s(.*)$/s.exec(message);
  return m ? capitalise(m[1]) : message;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
