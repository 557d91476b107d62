/**
 * Whether an alert's condition holds for one refresh of its cell. Pure: no store, no clock.
 * Numbers compare exactly — Arrow ints and bigints, floats (by their shortest text, the one
 * people see), decimals and Cairn's decimal-text columns all become an exact decimal first —
 * so `total > 1000.10` on a decimal(38,2) is never decided through a float. Text, dates and
 * booleans compare as their plain text (ISO dates and timestamps sort as text too).
 */
import { DataType, type Field, type Table } from 'apache-arrow';
import { columnReader, toPlain } from '../../kernels/arrow/plain-values.js';
import { isDecimalText } from '../../kernels/arrow/field-metadata.js';
import { parseDecimal, pow10, type DecimalValue, type ExactDecimal } from '../../kernels/arrow/exact-decimal.js';
import type { AlertCondition, AlertOp, ThresholdCondition } from '../../src/lib/contract/index.js';
import type { CellRefresh } from './refresh.js';

/**
 * What a check found. `decided: false` keeps the alert's state as it was: a threshold cannot
 * be read from a failed refresh, and `why` says when the condition itself does not fit the
 * result (a column it does not have).
 */
export type CheckResult = { decided: true; triggered: boolean; value: unknown; threshold: unknown } | { decided: false; why: string | null };

/** Check `condition` against `refresh`; `previousRows` is the row count of the cell's last good refresh before this one. */
export function checkCondition(condition: AlertCondition, refresh: CellRefresh, previousRows: number | null): CheckResult {
  if ('fails' in condition) return { decided: true, triggered: !refresh.ok, value: refresh.error, threshold: null };
  if (!refresh.ok) return { decided: false, why: null };
  if ('rowCountChanged' in condition) {
    const rows = refresh.rows ?? refresh.table?.numRows ?? null;
    // The first refresh has nothing to differ from.
    const changed = rows !== null && previousRows !== null && rows !== previousRows;
    return { decided: true, triggered: changed, value: rows, threshold: previousRows };
  }
  return checkThreshold(condition, refresh.table);
}

function checkThreshold(condition: ThresholdCondition, table: Table | null): CheckResult {
  if (!table) return { decided: false, why: 'the refresh gave no result to check' };
  const index = table.schema.fields.findIndex((f) => f.name === condition.column);
  const vector = index < 0 ? null : table.getChildAt(index);
  if (!vector) return { decided: false, why: `the result has no column "${condition.column}" (it has ${table.schema.fields.map((f) => f.name).join(', ') || 'none'})` };
  const field = table.schema.fields[index]!;
  const read = columnReader(vector);
  const rows = condition.row === 'any' ? table.numRows : Math.min(1, table.numRows);
  let first: unknown = null;
  for (let r = 0; r < rows; r++) {
    const value = toPlain(read(r), field.type);
    if (r === 0) first = value;
    if (holds(value, field, condition.op, condition.value)) return { decided: true, triggered: true, value, threshold: condition.value };
  }
  return { decided: true, triggered: false, value: first, threshold: condition.value };
}

/** Whether `value op threshold` holds for one plain value of a column. A null never triggers. */
export function holds(value: unknown, field: Field, op: AlertOp, threshold: string | number | boolean): boolean {
  if (value === null || value === undefined) return false;
  if (isNumeric(field)) {
    const a = exact(value);
    const b = exact(threshold);
    if (a !== null && b !== null) return test(compareDecimals(a, b), op);
  }
  const a = String(value);
  const b = String(threshold);
  return test(a < b ? -1 : a > b ? 1 : 0, op);
}

function isNumeric(field: Field): boolean {
  const type: DataType = DataType.isDictionary(field.type) ? field.type.dictionary : field.type;
  return DataType.isInt(type) || DataType.isFloat(type) || DataType.isDecimal(type) || isDecimalText(field);
}

/** A plain number or numeric text as an exact decimal; null when it is not a number. */
function exact(value: unknown): DecimalValue | null {
  if (typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : value === Infinity ? 'Infinity' : value === -Infinity ? '-Infinity' : parseDecimal(String(value));
  if (typeof value !== 'string' || value.trim() === '') return null;
  try {
    return parseDecimal(value);
  } catch {
    return null;
  }
}

/** -1, 0, 1, or NaN when either side is NaN (every comparison but != is then false). */
function compareDecimals(a: DecimalValue, b: DecimalValue): number {
  if (a === 'NaN' || b === 'NaN') return NaN;
  if (typeof a === 'string' || typeof b === 'string') {
    const rank = (v: DecimalValue) => (v === '-Infinity' ? -1 : v === 'Infinity' ? 1 : 0);
    return Math.sign(rank(a) - rank(b));
  }
  const scale = Math.max(a.scale, b.scale);
  const x = at(a, scale);
  const y = at(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

const at = (v: ExactDecimal, scale: number) => v.unscaled * pow10(scale - v.scale);

function test(order: number, op: AlertOp): boolean {
  if (Number.isNaN(order)) return op === '!=';
  switch (op) {
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
  }
}

/** A value for a sentence: numbers with thousands separators (every digit kept), text as it is. */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  const text = typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' ? String(value) : JSON.stringify(value);
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(text);
  if (!m) return text;
  return m[1] + m[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (m[3] ?? '');
}
