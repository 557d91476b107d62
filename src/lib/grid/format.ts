/**
 * How a result grid shows an Arrow value, by the column's Arrow type. Pure: no DOM, no
 * Svelte, so it is tested in Node. Each column gets one formatter (`cellFormatter`), made
 * once per table and called only for the cells on screen.
 */
import { DataType, DateUnit, TimeUnit, type Field } from 'apache-arrow';

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

/** The exact value of a decimal's unscaled integer at `scale`: (123456n, 2) → "1,234.56". */
export function formatDecimal(unscaled: bigint, scale: number, separators = true): string {
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  let fraction = '';
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    fraction = '.' + digits.slice(digits.length - scale);
    digits = digits.slice(0, digits.length - scale);
  } else if (scale < 0) {
    digits = digits + '0'.repeat(-scale);
  }
  const whole = separators ? digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : digits;
  return (negative ? '-' : '') + whole + fraction;
}

/**
 * A decimal value as Arrow JS returns it (little-endian 32-bit words, two's complement,
 * of 128 or 256 bits) to its unscaled bigint. A bigint or number passes through.
 */
export function decimalToBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  const words = value as Uint32Array;
  let result = 0n;
  for (let i = words.length - 1; i >= 0; i--) result = (result << 32n) | BigInt(words[i] >>> 0);
  const bits = BigInt(words.length * 32);
  if (words.length > 0 && words[words.length - 1] & 0x80000000) result -= 1n << bits;
  return result;
}

const pad2 = (n: number) => (n < 10 ? '0' : '') + n;
const pad3 = (n: number) => (n < 10 ? '00' : n < 100 ? '0' : '') + n;

/** Epoch milliseconds to an ISO date, "2024-03-09" (UTC, so a date never shifts a day). */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  const y = d.getUTCFullYear();
  const year = y >= 0 && y <= 9999 ? String(y).padStart(4, '0') : (y < 0 ? '-' : '+') + String(Math.abs(y)).padStart(6, '0');
  return `${year}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** Epoch milliseconds to "2024-03-09 14:05:00" (UTC), with ".123" only when there are milliseconds. */
export function formatTimestamp(ms: number, zone: string | null = null): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  const millis = d.getUTCMilliseconds();
  const time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}${millis ? '.' + pad3(millis) : ''}`;
  // A zoned timestamp is an instant; it is shown in UTC and says so.
  return `${formatDate(ms)} ${time}${zone ? 'Z' : ''}`;
}

/** A time of day in `unit`s since midnight to "14:05:09" (with a fraction when there is one). */
export function formatTime(value: number | bigint, unit: TimeUnit): string {
  const perSecond = unit === TimeUnit.SECOND ? 1n : unit === TimeUnit.MILLISECOND ? 1000n : unit === TimeUnit.MICROSECOND ? 1_000_000n : 1_000_000_000n;
  const v = BigInt(value);
  const seconds = Number(v / perSecond);
  const fraction = v % perSecond;
  const digits = perSecond.toString().length - 1;
  const frac = fraction === 0n ? '' : '.' + fraction.toString().padStart(digits, '0').replace(/0+$/, '');
  return `${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}${frac}`;
}

/** The short type name a column header shows: int32, float64, decimal(18,2), utf8, timestamp, list, struct… */
export function typeLabel(type: DataType): string {
  if (DataType.isDictionary(type)) return typeLabel(type.dictionary);
  if (DataType.isInt(type)) return `${type.isSigned ? 'int' : 'uint'}${type.bitWidth}`;
  if (DataType.isFloat(type)) return `float${[16, 32, 64][type.precision]}`;
  if (DataType.isDecimal(type)) return `decimal(${type.precision},${type.scale})`;
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return 'utf8';
  if (DataType.isBool(type)) return 'bool';
  if (DataType.isDate(type)) return 'date';
  if (DataType.isTimestamp(type)) return type.timezone ? 'timestamptz' : 'timestamp';
  if (DataType.isTime(type)) return 'time';
  if (DataType.isDuration(type)) return 'duration';
  if (DataType.isInterval(type)) return 'interval';
  if (DataType.isList(type) || DataType.isFixedSizeList(type)) return 'list';
  if (DataType.isStruct(type)) return 'struct';
  if (DataType.isMap(type)) return 'map';
  if (DataType.isUnion(type)) return 'union';
  if (DataType.isBinary(type) || DataType.isLargeBinary(type) || DataType.isFixedSizeBinary(type)) return 'binary';
  if (DataType.isNull(type)) return 'null';
  return String(type).toLowerCase();
}

/** Whether a column of this type holds numbers (right-aligned, numeric filters). */
export function isNumericType(type: DataType): boolean {
  const t = DataType.isDictionary(type) ? type.dictionary : type;
  return DataType.isInt(t) || DataType.isFloat(t) || DataType.isDecimal(t);
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

function hex(bytes: Uint8Array, max = 16): string {
  let out = '';
  for (let i = 0; i < Math.min(bytes.length, max); i++) out += bytes[i].toString(16).padStart(2, '0');
  return `0x${out}${bytes.length > max ? '…' : ''}`;
}

/**
 * A value of `type` as plain JSON-able data, for nested cells and JSON: bigints as numbers
 * when exact (else strings), temporal values as ISO text, decimals as exact strings.
 */
export function toPlain(value: unknown, type: DataType): unknown {
  if (value === null || value === undefined) return null;
  if (DataType.isDictionary(type)) return toPlain(value, type.dictionary);
  if (DataType.isInt(type) || DataType.isDuration(type)) {
    if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    return value;
  }
  if (DataType.isFloat(type)) return Number.isFinite(value) ? value : String(value);
  if (DataType.isDecimal(type)) return formatDecimal(decimalToBigInt(value), type.scale, false);
  if (DataType.isDate(type)) return type.unit === DateUnit.DAY || isMidnight(value as number) ? formatDate(value as number) : formatTimestamp(value as number);
  if (DataType.isTimestamp(type)) return formatTimestamp(value as number, type.timezone).replace(' ', 'T');
  if (DataType.isTime(type)) return formatTime(value as number | bigint, type.unit);
  if (DataType.isBinary(type) || DataType.isLargeBinary(type) || DataType.isFixedSizeBinary(type)) return hex(value as Uint8Array, 64);
  if (DataType.isList(type) || DataType.isFixedSizeList(type)) {
    const child = type.children[0].type;
    const list = value as { length: number; get(i: number): unknown };
    const out: unknown[] = [];
    for (let i = 0; i < list.length; i++) out.push(toPlain(list.get(i), child));
    return out;
  }
  if (DataType.isStruct(type)) {
    const row = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const field of type.children as Field[]) out[field.name] = toPlain(row[field.name], field.type);
    return out;
  }
  if (DataType.isMap(type)) {
    const entry = type.children[0].type as DataType;
    const [keyType, valueType] = [entry.children[0].type, entry.children[1].type];
    const out: Record<string, unknown> = {};
    for (const [k, v] of value as Iterable<[unknown, unknown]>) out[String(toPlain(k, keyType))] = toPlain(v, valueType);
    return out;
  }
  if (typeof value === 'bigint') return value.toString();
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value === 'object' && value !== null && 'toJSON' in value) return (value as { toJSON(): unknown }).toJSON();
  return value;
}

function isMidnight(ms: number): boolean {
  return ms % 86_400_000 === 0;
}

/** A function formatting one column's values for display; make one per column, call it per visible cell. */
export type CellFormatter = (value: unknown) => FormattedCell;

/** The display formatter for a column of `type`. */
export function cellFormatter(type: DataType): CellFormatter {
  if (DataType.isDictionary(type)) return nullable(cellFormatter(type.dictionary));
  if (DataType.isInt(type)) {
    return nullable((v) => ({ text: formatInteger(v as number | bigint), kind: 'number' }));
  }
  if (DataType.isFloat(type)) {
    return nullable((v) => {
      const n = v as number;
      const text = formatFloat(n);
      const exact = String(n);
      return { text, kind: 'number', title: exact !== text.replace(/,/g, '') ? exact : undefined };
    });
  }
  if (DataType.isDecimal(type)) {
    const scale = type.scale;
    return nullable((v) => ({ text: formatDecimal(decimalToBigInt(v), scale), kind: 'number' }));
  }
  if (DataType.isBool(type)) return nullable((v) => ({ text: v ? 'true' : 'false', kind: 'bool' }));
  if (DataType.isDate(type)) {
    const day = type.unit === DateUnit.DAY;
    return nullable((v) => ({ text: day || isMidnight(v as number) ? formatDate(v as number) : formatTimestamp(v as number), kind: 'temporal' }));
  }
  if (DataType.isTimestamp(type)) {
    const zone = type.timezone;
    return nullable((v) => ({ text: formatTimestamp(v as number, zone), kind: 'temporal' }));
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
      return { text: `${hex(bytes)} (${formatInteger(bytes.length)} B)`, kind: 'text' };
    });
  }
  if (DataType.isList(type) || DataType.isFixedSizeList(type) || DataType.isStruct(type) || DataType.isMap(type)) {
    return nullable((v) => textCell(stringifyPlain(toPlain(v, type)), 'nested'));
  }
  if (DataType.isNull(type)) return () => NULL_CELL;
  return nullable((v) => textCell(typeof v === 'string' ? v : stringifyPlain(toPlain(v, type))));
}

function nullable(format: CellFormatter): CellFormatter {
  return (v) => (v === null || v === undefined ? NULL_CELL : format(v));
}

/** Compact JSON, with any bigint left over written as a number. */
export function stringifyPlain(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
}

/**
 * A value as raw text for CSV, TSV and the clipboard: no thousands separators, full
 * precision, ISO dates, nested values as JSON, null as the empty string.
 */
export function rawText(value: unknown, type: DataType): string {
  if (value === null || value === undefined) return '';
  if (DataType.isDictionary(type)) return rawText(value, type.dictionary);
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return value as string;
  if (DataType.isInt(type) || DataType.isFloat(type) || DataType.isDuration(type)) return String(value);
  if (DataType.isBool(type)) return value ? 'true' : 'false';
  const plain = toPlain(value, type);
  return typeof plain === 'string' ? plain : stringifyPlain(plain);
}

/** A raw value read once per column: the column's `rawText` with the type bound. */
export function rawFormatter(type: DataType): (value: unknown) => string {
  return (value) => rawText(value, type);
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
