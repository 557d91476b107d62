import { describe, expect, it } from 'vitest';
import { tableFromArrays, type Table } from 'apache-arrow';
import { checkCondition, displayValue } from '../../server/reports/alert-condition.js';
import type { CellRefresh } from '../../server/reports/refresh.js';
import { bigintData, decimalData, decimalTextColumn, fieldFor, tableOf } from '../support/arrow-values.js';

const ok = (table: Table): CellRefresh => ({ cellId: 'c1', cell: 'revenue', ok: true, table, rows: table.numRows, error: null, at: new Date('2026-12-03T10:00:00Z') });
const failed: CellRefresh = { cellId: 'c1', cell: 'revenue', ok: false, table: null, rows: null, error: 'relation "sales" does not exist', at: new Date() };
const triggered = (table: Table, op: '>' | '>=' | '<' | '<=' | '=' | '!=', value: number | string | boolean, row?: 'first' | 'any') => {
  const r = checkCondition({ column: 'v', op, value, row }, ok(table), null);
  return r.decided ? r.triggered : null;
};

describe('alert conditions', () => {
  it('compare a float column with a threshold on the first row by default', () => {
    const t = tableFromArrays({ v: Float64Array.from([1234.5, 10]) });
    expect(triggered(t, '>', 1000)).toBe(true);
    expect(triggered(t, '<', 1000)).toBe(false);
    expect(triggered(t, '<', 1000, 'any')).toBe(true);
    expect(checkCondition({ column: 'v', op: '>', value: 1000 }, ok(t), null)).toEqual({ decided: true, triggered: true, value: 1234.5, threshold: 1000 });
  });

  it('compare 64-bit integers beyond 2^53 exactly', () => {
    const t = tableOf([fieldFor('v', bigintData([9007199254740993n]))]);
    // As floats both sides are 9007199254740992: only an exact comparison sees the difference.
    expect(triggered(t, '>', '9007199254740992')).toBe(true);
    expect(triggered(t, '=', '9007199254740993')).toBe(true);
    expect(triggered(t, '!=', 9007199254740992)).toBe(true);
  });

  it('compare decimals exactly, whatever the scale of the threshold', () => {
    const t = tableOf([fieldFor('v', decimalData([100010n], 38, 2))]); // 1000.10
    expect(triggered(t, '>', 1000.1)).toBe(false);
    expect(triggered(t, '>=', '1000.1')).toBe(true);
    expect(triggered(t, '>', '1000.09999999999999999999')).toBe(true);
    const text = tableOf([decimalTextColumn('v', ['123456789012345678901234567890123456789.5'])]);
    expect(triggered(text, '>', '123456789012345678901234567890123456789.4')).toBe(true);
  });

  it('compare text and dates as text, and never trigger on a null', () => {
    const t = tableFromArrays({ v: ['late', 'on time'] });
    expect(triggered(t, '=', 'late')).toBe(true);
    expect(triggered(t, '!=', 'late')).toBe(false);
    expect(triggered(tableFromArrays({ v: [null, 5] as (number | null)[] }), '<', 10)).toBe(false);
  });

  it('say why when the column is not in the result, and keep the state on a failed refresh', () => {
    expect(checkCondition({ column: 'total', op: '>', value: 1 }, ok(tableFromArrays({ v: [1] })), null)).toEqual({ decided: false, why: 'the result has no column "total" (it has v)' });
    expect(checkCondition({ column: 'v', op: '>', value: 1 }, failed, null)).toEqual({ decided: false, why: null });
  });

  it('trigger on a changed row count only when there was one to compare with', () => {
    const t = tableFromArrays({ v: [1, 2, 3] });
    expect(checkCondition({ rowCountChanged: true }, ok(t), null)).toMatchObject({ decided: true, triggered: false });
    expect(checkCondition({ rowCountChanged: true }, ok(t), 3)).toMatchObject({ decided: true, triggered: false });
    expect(checkCondition({ rowCountChanged: true }, ok(t), 2)).toEqual({ decided: true, triggered: true, value: 3, threshold: 2 });
  });

  it('trigger on a failed refresh with the error as the value', () => {
    expect(checkCondition({ fails: true }, failed, null)).toEqual({ decided: true, triggered: true, value: 'relation "sales" does not exist', threshold: null });
    expect(checkCondition({ fails: true }, ok(tableFromArrays({ v: [1] })), null)).toMatchObject({ triggered: false });
  });

  it('write numbers for people with thousands separators, every digit kept', () => {
    expect(displayValue(1234)).toBe('1,234');
    expect(displayValue('-1234567.50')).toBe('-1,234,567.50');
    expect(displayValue('late')).toBe('late');
    expect(displayValue(null)).toBe('empty');
  });
});
