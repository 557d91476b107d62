/**
 * A report's refresh schedule (docs/api.md, "Reports"): five cron fields, `@hourly` or
 * `@daily`, read in an IANA time zone (UTC when none is given). croner does the calendar;
 * this module keeps Cairn's narrower contract (no seconds field, no years) and its errors.
 */
import { Cron } from 'croner';
import { AppError } from '../errors.js';

const NICKNAMES = new Set(['@hourly', '@daily']);

function cronFor(schedule: string, timezone: string | undefined): Cron {
  const text = schedule.trim();
  if (!NICKNAMES.has(text) && text.split(/\s+/).length !== 5) {
    throw new AppError('bad_request', `The schedule "${text}" is not five cron fields (minute hour day month weekday), @hourly or @daily.`);
  }
  try {
    return new Cron(text, { timezone: timezone ?? 'UTC', paused: true });
  } catch (err) {
    throw new AppError('bad_request', `The schedule "${text}" does not parse: ${(err as Error).message}`);
  }
}

/** Throws a 400 AppError that says what is wrong when `schedule` (in `timezone`) is not a schedule. */
export function checkSchedule(schedule: string, timezone?: string): void {
  const cron = cronFor(schedule, timezone);
  // A pattern no date ever matches (30 February) is as useless as one that does not parse.
  if (cron.nextRun(new Date()) === null) throw new AppError('bad_request', `The schedule "${schedule.trim()}" never runs.`);
}

/** When a refresh on `schedule` is next due after `after`; null when never. */
export function nextRefresh(schedule: string, timezone: string | undefined, after: Date): Date | null {
  return cronFor(schedule, timezone).nextRun(after);
}

/** A report's refresh policy, as published (`refresh` of the publish body). */
export interface RefreshPolicy {
  ttlMinutes?: number;
  schedule?: string;
  timezone?: string;
}

/**
 * When the scheduler should next refresh a report with `policy`, strictly after `after`:
 * the schedule's next occurrence in its time zone; with `ttlMinutes` alone, `after` plus the
 * ttl; null when the policy asks for no scheduled refresh. Always the next *future* time,
 * never a missed one, so a refresh missed while no server ran happens once, not once per
 * missed occurrence.
 */
export function nextRefreshAt(policy: RefreshPolicy, after: Date): Date | null {
  if (policy.schedule) return nextRefresh(policy.schedule, policy.timezone, after);
  if (policy.ttlMinutes) return new Date(after.getTime() + policy.ttlMinutes * 60_000);
  return null;
}
