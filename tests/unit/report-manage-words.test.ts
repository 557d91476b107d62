import { describe, expect, it } from 'vitest';
import { cellRefreshWords, clockIn, conditionWords, destinationWords, lastCheckedAt, refreshPolicyWords, thresholdValue, timeUntil, whenWords } from '../../src/lib/report/manage-words.js';
import type { AlertView } from '../../src/lib/contract/index.js';

describe('the report author’s page in words', () => {
  const now = Date.parse('2026-12-03T20:00:00Z');

  it('tells a refresh time in the report’s zone, and the reader’s clock when it differs', () => {
    expect(whenWords('2026-12-04T05:00:00Z', 'Europe/Paris', 'UTC', now)).toBe('tomorrow 06:00 Europe/Paris (tomorrow 05:00 your time, in 9 h)');
    expect(whenWords('2026-12-04T05:00:00Z', 'Europe/Paris', 'Europe/Berlin', now)).toBe('tomorrow 06:00 Europe/Paris (in 9 h)');
    expect(whenWords('2026-12-03T19:10:00Z', null, 'UTC', now)).toBe('19:10 UTC (50 min ago)');
    // The last refresh, made after the page's clock last ticked, happened "just now".
    expect(whenWords('2026-12-03T20:00:20Z', 'UTC', 'UTC', now, true)).toBe('20:00 UTC (just now)');
    expect(clockIn('2026-11-28T09:00:00Z', 'UTC', now)).toBe('28 Nov 09:00');
    expect(clockIn('2026-12-02T23:30:00Z', 'UTC', now)).toBe('yesterday 23:30');
    expect(timeUntil('2026-12-03T20:00:30Z', now)).toBe('due now');
    expect(timeUntil('2026-12-06T20:00:00Z', now)).toBe('in 3 d');
  });

  it('says how the report refreshes, as it was published', () => {
    expect(refreshPolicyWords({ schedule: '0 6 * * *', timezone: 'Europe/Paris' })).toBe('Refreshes on the schedule 0 6 * * * (Europe/Paris).');
    expect(refreshPolicyWords({ schedule: '@hourly', ttlMinutes: 30 })).toBe('Refreshes every hour (UTC), and no result older than 30 min.');
    expect(refreshPolicyWords({ ttlMinutes: 15 })).toBe('Refreshes every 15 min.');
    expect(refreshPolicyWords(undefined)).toMatch(/only when published/);
  });

  it('puts a failed cell’s error first, with the result readers still see', () => {
    const failed = { cellId: 'c1', cell: 'total', lastOkAt: '2026-12-03T06:00:00Z', lastRows: 1, lastError: 'relation "sales" does not exist', lastErrorAt: '2026-12-03T10:02:00Z' };
    expect(cellRefreshWords(failed, 'UTC', now)).toEqual({ ok: false, text: 'refresh failed 10:02: relation "sales" does not exist; readers see the result from 06:00' });
    expect(cellRefreshWords({ ...failed, lastOkAt: null }, 'UTC', now).text).toMatch(/readers see no result$/);
    expect(cellRefreshWords({ ...failed, lastError: null, lastErrorAt: null, lastRows: 1234 }, 'UTC', now)).toEqual({ ok: true, text: 'last good result: 1,234 rows at 06:00' });
    expect(lastCheckedAt(failed)).toBe('2026-12-03T10:02:00Z');
    expect(lastCheckedAt(undefined)).toBeNull();
  });

  it('words an alert’s condition and destination', () => {
    expect(conditionWords({ column: 'n', op: '>', value: 0 })).toBe('n > 0 in the first row');
    expect(conditionWords({ column: 'status', op: '=', value: 'down', row: 'any' })).toBe('status = "down" in any row');
    expect(conditionWords({ rowCountChanged: true })).toBe('the row count changes');
    expect(conditionWords({ fails: true })).toBe('the refresh fails');
    const alert = { webhookId: 'w1', webhookName: 'Ops', webhookDeleted: false, hasWebhookUrl: false } as AlertView;
    expect(destinationWords(alert)).toBe('Ops');
    expect(destinationWords({ ...alert, webhookDeleted: true })).toBe('Ops (deleted)');
    expect(destinationWords({ ...alert, webhookId: null, hasWebhookUrl: true, webhook: 'https://hooks.example.com/x' })).toBe('hooks.example.com');
    expect(destinationWords({ ...alert, webhookId: null, hasWebhookUrl: true })).toBe('a webhook URL');
    expect(destinationWords({ ...alert, webhookId: null })).toBe('history only');
  });

  it('sends a typed threshold as a number unless a double would lose digits', () => {
    expect(thresholdValue(' 1000 ')).toBe(1000);
    expect(thresholdValue('-2.5')).toBe(-2.5);
    expect(thresholdValue('12345678901234567890')).toBe('12345678901234567890');
    expect(thresholdValue('2026-01-01')).toBe('2026-01-01');
    expect(thresholdValue('true')).toBe('true');
  });
});
