/**
 * Arrow values as exact plain data: the one value path of downloads (CSV, JSON), the
 * clipboard and, on the server, report exports (docs/types.md, "In the browser"). Every
 * digit is kept: decimals as their exact text with their scale (`12.50`), 64-bit integers
 * beyond 2^53 as text, dates and times as ISO text. No DOM: it runs in the browser and in
 * Node alike. The grid's display formatting (thousands separators, shortening) is
 * src/lib/grid/format.ts, built on this.
 */
import { DataType, DateUnit, TimeUnit, type Field } from 'apache-arrow';
import { decimalToBigInt } from './decimal.js';
import { decimalText } from './exact-decimal.js';
import { isDecimalText, isJsonText } from './field-metadata.js';

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

/** A float's exact shortest text, keeping the sign of zero: -0 → "-0", NaN → "NaN", Infinity → "Infinity". */
export function floatText(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

/** The short name of an Arrow type: int32, float64, decimal(18,2), utf8, timestamp, list, struct… */
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

/** A column's type name for people and exports: `decimal` or `json` for Cairn's text columns (field-metadata.ts), else {@link typeLabel}. */
export function fieldTypeLabel(field: Field): string {
  if (isDecimalText(field)) return 'decimal';
  if (isJsonText(field)) return 'json';
  return typeLabel(field.type);
}

/** Lowercase hex of the first `max` bytes, `0x…`, with an ellipsis when cut. */
export function hexText(bytes: Uint8Array, max = 16): string {
  let out = '';
  for (let i = 0; i < Math.min(bytes.length, max); i++) out += bytes[i].toString(16).padStart(2, '0');
  return `0x${out}${bytes.length > max ? '…' : ''}`;
}

function isMidnight(ms: number): boolean {
  return ms % 86_400_000 === 0;
}

/** A date column's value as ISO text: the day alone when it has no time of day. */
export function dateText(ms: number, unit: DateUnit): string {
  return unit === DateUnit.DAY || isMidnight(ms) ? formatDate(ms) : formatTimestamp(ms);
}

/**
 * A value of `type` as plain JSON-able data: integers as numbers when exact (else their
 * decimal text), floats as numbers (NaN and ±Infinity as "NaN", "Infinity", "-Infinity"),
 * decimals as their exact text, temporal values as ISO text, lists and structs as arrays
 * and objects of the same. Text stays text, so a `cairn.type: decimal` column's values are
 * their exact text too.
 */
export function toPlain(value: unknown, type: DataType): unknown {
  if (value === null || value === undefined) return null;
  if (DataType.isDictionary(type)) return toPlain(value, type.dictionary);
  if (DataType.isInt(type) || DataType.isDuration(type)) {
    if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    return value;
  }
  if (DataType.isFloat(type)) return Number.isFinite(value) ? value : String(value);
  if (DataType.isDecimal(type)) return decimalText(decimalToBigInt(value), type.scale);
  if (DataType.isDate(type)) return dateText(value as number, type.unit);
  if (DataType.isTimestamp(type)) return formatTimestamp(value as number, type.timezone).replace(' ', 'T');
  if (DataType.isTime(type)) return formatTime(value as number | bigint, type.unit);
  if (DataType.isBinary(type) || DataType.isLargeBinary(type) || DataType.isFixedSizeBinary(type)) return hexText(value as Uint8Array, 64);
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

/**
 * Plain data (from {@link toPlain}) as compact JSON text. Unlike `JSON.stringify` it keeps
 * the sign of a float zero (`-0`) and writes a leftover bigint as a string, never throws on one.
 */
export function plainJson(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? floatText(value) : JSON.stringify(String(value));
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (Array.isArray(value)) return '[' + value.map(plainJson).join(',') + ']';
  if (value !== null && typeof value === 'object') {
    return '{' + Object.entries(value).map(([k, v]) => JSON.stringify(k) + ':' + plainJson(v === undefined ? null : v)).join(',') + '}';
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A value as raw text for CSV, TSV and the clipboard: every digit, decimals with their
 * scale (`12.50`), no thousands separators, ISO dates, nested values as JSON, null as the
 * empty string.
 */
export function rawText(value: unknown, type: DataType): string {
  if (value === null || value === undefined) return '';
  if (DataType.isDictionary(type)) return rawText(value, type.dictionary);
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return value as string;
  if (DataType.isFloat(type)) return floatText(value as number);
  if (DataType.isInt(type) || DataType.isDuration(type)) return String(value);
  if (DataType.isBool(type)) return value ? 'true' : 'false';
  const plain = toPlain(value, type);
  return typeof plain === 'string' ? plain : plainJson(plain);
}

/** {@link rawText} with the type bound: make one per column, call it per value. */
export function rawFormatter(type: DataType): (value: unknown) => string {
  return (value) => rawText(value, type);
}
