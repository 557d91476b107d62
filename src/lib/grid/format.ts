/**
 * How a result grid shows an Arrow value, by the column's Arrow type. Pure: no DOM, no
 * Svelte, so it is tested in Node. Exact values, raw text and ISO dates come from
 * kernels/arrow/plain-values.ts, shared with downloads; this adds only what is for the eye
 * (thousands separators, shortened text). Each column gets one formatter (`cellFormatter`), made
 * once per table and called only for the cells on screen.
 */
import { DataType } from 'apache-arrow';
import { decimalToBigInt } from '../../../kernels/arrow/decimal.js';
import { decimalText } from '../../../kernels/arrow/exact-decimal.js';
import { dateText, floatText, formatTime, formatTimestamp, hexText, plainJson, timestampText, toPlain } from '../../../kernels/arrow/plain-values.js';
import type { CairnTextType } from '../../../kernels/arrow/field-metadata.js';

/** What a cell shows: its text, the full value for a tooltip when the text is cut, and how to align it. */
export interface FormattedCell {
  text: string;
  /** The full value when `text` is shortened (or a precise form of it); else undefined. */
  title?: string;
  /** `null` cells are dimmed; `number` cells are right-aligned in a monospace font. */
  kind: 'null' | 'number' | 'text' | 'bool' | 'temporal' | 'nested';
}

/** Longest text a cell shows before it is cut with an ellipsis (the tooltip keeps the full value). */
export const MAX_CELL_CHARS = 120;
/** Longest tooltip; beyond this even the tooltip is cut (a 10 MB string has no place in a title). */
const MAX_TITLE_CHARS = 4000;

const NULL_CELL: FormattedCell = { text: 'null', kind: 'null' };

const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const bigFloatFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });
const smallFloatFormat = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });

/**
 * An integer (number or bigint) with thousands separators: 1234567 → "1,234,567". Safe
 * integers (row numbers, most int columns) are grouped by hand: Intl's format is several
 * times slower and allocates more, and the grid calls this for every drawn cell of a scroll.
 */
export function formatInteger(value: number | bigint): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return groupThousands(value);
  return intFormat.format(value);
}

function groupThousands(n: number): string {
  if (n > -1000 && n < 1000) return Object.is(n, -0) ? '-0' : String(n);
  const digits = String(n < 0 ? -n : n);
  let head = digits.length % 3 || 3;
  let out = digits.slice(0, head);
  for (; head < digits.length; head += 3) out += ',' + digits.slice(head, head + 3);
  return n < 0 ? '-' + out : out;
}

/**
 * A float with thousands separators and sensible decimals: at most 3 decimals from 1 up,
 * 4 significant digits below 1, exponent notation for the very large and very small.
 */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '∞';
  if (value === -Infinity) return '-∞';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const abs = Math.abs(value);
  if (abs >= 1e15 || abs < 1e-6) return trimExponent(value.toExponential(4));
  return abs >= 1 ? bigFloatFormat.format(value) : smallFloatFormat.format(value);
}

/** 1.2000e+21 → 1.2e21: fewer characters, same value. */
function trimExponent(text: string): string {
  return text.replace(/\.?0+e/, 'e').replace('e+', 'e');
}

/**
 * Exact decimal text (`-1234.50`, `NaN`, `Infinity`) with thousands separators in its
 * integer part: "-1,234.50". The digits are never touched, so nothing is rounded.
 */
export function groupDigits(text: string): string {
  const m = /^([+-]?)(\d{4,})(.*)$/s.exec(text);
  return m ? m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + m[3] : text;
}

/** The exact value of a decimal's unscaled integer at `scale`, grouped: (123456n, 2) → "1,234.56". */
export function formatDecimal(unscaled: bigint, scale: number): string {
  return groupDigits(decimalText(unscaled, scale));
}

/** A `cairn.type: decimal` value as the grid shows it: grouped digits; NaN and ±Infinity as for floats. */
export function formatDecimalText(text: string): string {
  if (text === 'Infinity' || text === '+Infinity') return '∞';
  if (text === '-Infinity') return '-∞';
  return groupDigits(text);
}

/** Whether a column of this type holds numbers (right-aligned, numeric filters); a `decimal` text column does. */
export function isNumericType(type: DataType, textType?: CairnTextType): boolean {
  const t = DataType.isDictionary(type) ? type.dictionary : type;
  return DataType.isInt(t) || DataType.isFloat(t) || DataType.isDecimal(t) || (textType === 'decimal' && isTextType(t));
}

/** Whether a column of this type holds text (a filter's plain word means "contains"). */
export function isTextType(type: DataType): boolean {
  const t = DataType.isDictionary(type) ? type.dictionary : type;
  return DataType.isUtf8(t) || DataType.isLargeUtf8(t);
}

/** Shorten `text` to MAX_CELL_CHARS on one line; the cell then carries the full value as its title. */
function textCell(text: string, kind: FormattedCell['kind'] = 'text'): FormattedCell {
  const oneLine = text.replace(/\r\n|\r|\n/g, '↵').replace(/\t/g, ' ');
  if (oneLine.length <= MAX_CELL_CHARS && oneLine === text) return { text, kind };
  const shown = oneLine.length > MAX_CELL_CHARS ? oneLine.slice(0, MAX_CELL_CHARS - 1) + '…' : oneLine;
  const title = text.length > MAX_TITLE_CHARS ? text.slice(0, MAX_TITLE_CHARS - 1) + '…' : text;
  return { text: shown, title, kind };
}

/** Digits past which a decimal cell carries its exact text as a tooltip too: a narrowed column may cut it. */
const LONG_NUMBER_CHARS = 20;

/** A decimal's cell from its exact text: grouped, shortened only past MAX_CELL_CHARS, the exact text as the title when long. */
function numberCell(exact: string, text = groupDigits(exact)): FormattedCell {
  if (text.length > MAX_CELL_CHARS) return { ...textCell(text, 'number'), title: exact.length > MAX_TITLE_CHARS ? exact.slice(0, MAX_TITLE_CHARS - 1) + '…' : exact };
  return exact.length > LONG_NUMBER_CHARS ? { text, kind: 'number', title: exact } : { text, kind: 'number' };
}

/** A function formatting one column's values for display; make one per column, call it per visible cell. */
export type CellFormatter = (value: unknown) => FormattedCell;

/**
 * The display formatter for a column of `type`; `textType` is the field's `cairn.type`
 * (kernels/arrow/field-metadata.ts): a `decimal` text column shows numbers, grouped and
 * right-aligned, every digit kept.
 */
export function cellFormatter(type: DataType, textType?: CairnTextType): CellFormatter {
  if (DataType.isDictionary(type)) return nullable(cellFormatter(type.dictionary, textType));
  if (textType === 'decimal' && (DataType.isUtf8(type) || DataType.isLargeUtf8(type))) {
    return nullable((v) => numberCell(v as string, formatDecimalText(v as string)));
  }
  if (DataType.isInt(type)) {
    return nullable((v) => ({ text: formatInteger(v as number | bigint), kind: 'number' }));
  }
  if (DataType.isFloat(type)) {
    return nullable((v) => {
      const n = v as number;
      const text = formatFloat(n);
      const exact = floatText(n);
      return { text, kind: 'number', title: exact !== text.replace(/,/g, '') ? exact : undefined };
    });
  }
  if (DataType.isDecimal(type)) {
    const scale = type.scale;
    return nullable((v) => numberCell(decimalText(decimalToBigInt(v), scale)));
  }
  if (DataType.isBool(type)) return nullable((v) => ({ text: v ? 'true' : 'false', kind: 'bool' }));
  if (DataType.isDate(type)) {
    const unit = type.unit;
    return nullable((v) => ({ text: dateText(v as number | bigint, unit), kind: 'temporal' }));
  }
  if (DataType.isTimestamp(type)) {
    const { timezone: zone, unit } = type;
    // A bigint is the exact raw value (columnReader); a number, milliseconds from get().
    return nullable((v) => ({ text: typeof v === 'bigint' ? timestampText(v, unit, zone) : formatTimestamp(v as number, zone), kind: 'temporal' }));
  }
  if (DataType.isTime(type)) {
    const unit = type.unit;
    return nullable((v) => ({ text: formatTime(v as number | bigint, unit), kind: 'temporal' }));
  }
  if (DataType.isDuration(type)) {
    const suffix = ['s', 'ms', 'µs', 'ns'][type.unit];
    return nullable((v) => ({ text: `${formatInteger(v as number | bigint)} ${suffix}`, kind: 'number' }));
  }
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return nullable((v) => textCell(v as string));
  if (DataType.isBinary(type) || DataType.isLargeBinary(type) || DataType.isFixedSizeBinary(type)) {
    return nullable((v) => {
      const bytes = v as Uint8Array;
      return { text: `${hexText(bytes)} (${formatInteger(bytes.length)} B)`, kind: 'text' };
    });
  }
  if (DataType.isList(type) || DataType.isFixedSizeList(type) || DataType.isStruct(type) || DataType.isMap(type)) {
    return nullable((v) => textCell(plainJson(toPlain(v, type)), 'nested'));
  }
  if (DataType.isNull(type)) return () => NULL_CELL;
  return nullable((v) => textCell(typeof v === 'string' ? v : plainJson(toPlain(v, type))));
}

function nullable(format: CellFormatter): CellFormatter {
  return (v) => (v === null || v === undefined ? NULL_CELL : format(v));
}

/** A run time for the footer: "850 ms", "1.24 s", "12.5 s", "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** "1 row", "1,000,000 rows" (and the same for any noun with a plain plural). */
export function countLabel(n: number, noun: string): string {
  return `${formatInteger(n)} ${noun}${n === 1 ? '' : 's'}`;
}
