import { describe, expect, it } from 'vitest';
import { checkSchedule, nextRefresh, nextRefreshAt } from '../../server/reports/schedule.js';

describe('report refresh schedules', () => {
  it('reads five cron fields and the nicknames in the report’s time zone', () => {
    // 06:00 in Paris is 05:00 UTC in winter.
    expect(nextRefresh('0 6 * * *', 'Europe/Paris', new Date('2026-12-03T10:00:00Z'))?.toISOString()).toBe('2026-12-04T05:00:00.000Z');
    expect(nextRefresh('@hourly', undefined, new Date('2026-12-03T10:30:00Z'))?.toISOString()).toBe('2026-12-03T11:00:00.000Z');
    expect(nextRefresh('@daily', 'UTC', new Date('2026-12-03T10:30:00Z'))?.toISOString()).toBe('2026-12-04T00:00:00.000Z');
    expect(nextRefresh('*/15 9-17 * * 1-5', 'America/New_York', new Date('2026-12-05T12:00:00Z'))?.toISOString()).toBe('2026-12-07T14:00:00.000Z');
  });

  it('refuses what is not a schedule, saying why', () => {
    expect(() => checkSchedule('every morning')).toThrow(/not five cron fields/);
    expect(() => checkSchedule('0 0 6 * * *')).toThrow(/not five cron fields/);
    expect(() => checkSchedule('99 * * * *')).toThrow(/does not parse/);
    expect(() => checkSchedule('0 0 30 2 *')).toThrow(/never runs/);
    expect(() => checkSchedule('0 6 * * *', 'Europe/Paris')).not.toThrow();
  });

  it('gives the next future refresh of a policy: the schedule’s next occurrence, else now plus the ttl, else none', () => {
    const now = new Date('2026-12-03T10:07:00Z');
    // However many occurrences were missed, the next one is after now.
    expect(nextRefreshAt({ schedule: '*/5 * * * *', ttlMinutes: 60 }, now)?.toISOString()).toBe('2026-12-03T10:10:00.000Z');
    expect(nextRefreshAt({ ttlMinutes: 90 }, now)?.toISOString()).toBe('2026-12-03T11:37:00.000Z');
    expect(nextRefreshAt({ schedule: '0 6 * * *', timezone: 'Asia/Tokyo' }, now)?.toISOString()).toBe('2026-12-03T21:00:00.000Z');
    expect(nextRefreshAt({}, now)).toBeNull();
  });
});
