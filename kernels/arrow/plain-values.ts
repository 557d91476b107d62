/**
 * Arrow values as exact plain data: the one value path of downloads (CSV, JSON), the
 * clipboard and, on the server, report exports (docs/types.md, "In the browser"). Every
 * digit is kept: decimals as their exact text with their scale (`12.50`), 64-bit integers
 * beyond 2^53 as text, dates and times as ISO text. No DOM: it runs in the browser and in
 * Node alike. The grid's display formatting (thousands separators, shortening) is
 * src/lib/grid/format.ts, built on this.
 */
import { DataType, DateUnit, TimeUnit, type Data, type Field, type Vector } from 'apache-arrow';
import { decimalToBigInt } from './decimal.js';
import { decimalText } from './exact-decimal.js';
import { isDecimalText, isJsonText } from './field-metadata.js';

const pad2 = (n: number) => (n < 10 ? '0' : '') + n;
const pad3 = (n: number) => (n < 10 ? '00' : n < 100 ? '0' : '') + n;

/**
 * A reader for `vector`'s values, the one way writers and the grid read a column: what
 * `get(r)` gives, except for dates and timestamps, which come as the bigint in the buffer
 * (days for Date32, the type's unit for timestamps). apache-arrow's `get()` turns those into
 * whole milliseconds — dropping micro- and nanoseconds, and throwing past 2^53 of them — so
 * every function here takes a bigint as the exact raw value.
 */
export function columnReader(vector: Vector): (r: number) => unknown {
  const type = vector.type as DataType;
  if (!DataType.isTimestamp(type) && !DataType.isDate(type)) return (r) => vector.get(r);
  const chunks = vector.data as Data[];
  let at = 0;
  let start = 0;
  return (r) => {
    // Rows are read mostly in order: start from the chunk of the last read.
    if (r < start) {
      at = 0;
      start = 0;
    }
    while (r >= start + chunks[at]!.length) start += chunks[at++]!.length;
    const data = chunks[at]!;
    const i = r - start;
    if (!data.getValid(i)) return null;
    return BigInt((data.values as ArrayLike<number | bigint>)[data.offset + i]!);
  };
}

const DAY_MS = 86_400_000n;

/** Days since 1970-01-01 → proleptic Gregorian y-m-d, any year (Howard Hinnant's civil_from_days). */
function civil(days: bigint): { y: bigint; m: number; d: number } {
  const z = days + 719_468n;
  const era = (z >= 0n ? z : z - 146_096n) / 146_097n;
  const doe = Number(z - era * 146_097n);
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: BigInt(yoe) + era * 400n + (m <= 2 ? 1n : 0n), m, d };
}

/** ISO date text for days since 1970 (years past 9999 or before 0 as ISO's ±YYYYYY). */
function daysText(days: bigint): string {
  const { y, m, d } = civil(days);
  const year = y >= 0n && y <= 9999n ? y.toString().padStart(4, '0') : (y < 0n ? '-' : '+') + (y < 0n ? -y : y).toString().padStart(6, '0');
  return `${year}-${pad2(m)}-${pad2(d)}`;
}

/** Exact text of a raw timestamp (`unit`s since 1970, UTC): "2024-03-09 14:05:00.123456", a fraction only when there is one. */
export function timestampText(raw: bigint, unit: TimeUnit, zone: string | null = null): string {
  const perSecond = unit === TimeUnit.SECOND ? 1n : unit === TimeUnit.MILLISECOND ? 1000n : unit === TimeUnit.MICROSECOND ? 1_000_000n : 1_000_000_000n;
  const perDay = 86_400n * perSecond;
  let days = raw / perDay;
  let rest = raw % perDay;
  if (rest < 0n) {
    rest += perDay;
    days -= 1n;
  }
  return `${daysText(days)} ${formatTime(rest, unit)}${zone ? 'Z' : ''}`;
}

/** Exact text of a raw date (days for Date32, milliseconds for Date64). */
function rawDateText(raw: bigint, unit: DateUnit): string {
  if (unit === DateUnit.DAY) return daysText(raw);
  return raw % DAY_MS === 0n ? daysText(raw / DAY_MS) : timestampText(raw, TimeUnit.MILLISECOND);
}

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

/** A date column's value as ISO text: the day alone when it has no time of day. A bigint is the raw value ({@link columnReader}). */
export function dateText(value: number | bigint, unit: DateUnit): string {
  if (typeof value === 'bigint') return rawDateText(value, unit);
  return unit === DateUnit.DAY || isMidnight(value) ? formatDate(value) : formatTimestamp(value);
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
  if (DataType.isDate(type)) return typeof value === 'bigint' ? rawDateText(value, type.unit) : dateText(value as number, type.unit);
  if (DataType.isTimestamp(type)) {
    const text = typeof value === 'bigint' ? timestampText(value, type.unit, type.timezone) : formatTimestamp(value as number, type.timezone);
    return text.replace(' ', 'T');
  }
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
