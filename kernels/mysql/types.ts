/**
 * MySQL/MariaDB result columns → Arrow fields, decided from the column definitions the
 * server sends (type code, flags, scale, character set), plus the conversion of each
 * value mysql2 decodes into the conventions of kernels/arrow/column-builder.ts.
 *
 * The connection asks mysql2 for lossless raw forms (see `driverOptions` in engine.ts):
 * BIGINT and DECIMAL as strings, dates as strings (no local-time-zone conversion), JSON as
 * text. Everything exact is parsed here.
 */
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  Float64,
  Int32,
  Int64,
  TimestampMicrosecond,
  Uint64,
  Utf8,
  type DataType
} from 'apache-arrow';
import type { FieldPacket } from 'mysql2';

/** Wire type codes (include/mysql_com.h, `enum_field_types`). */
const T = {
  DECIMAL: 0x00,
  TINY: 0x01,
  SHORT: 0x02,
  LONG: 0x03,
  FLOAT: 0x04,
  DOUBLE: 0x05,
  NULL: 0x06,
  TIMESTAMP: 0x07,
  LONGLONG: 0x08,
  INT24: 0x09,
  DATE: 0x0a,
  TIME: 0x0b,
  DATETIME: 0x0c,
  YEAR: 0x0d,
  NEWDATE: 0x0e,
  BIT: 0x10,
  JSON: 0xf5,
  NEWDECIMAL: 0xf6,
  GEOMETRY: 0xff
} as const;

const UNSIGNED_FLAG = 32;
/** The `binary` character set: BLOB/BINARY/VARBINARY rather than text. */
const BINARY_CHARSET = 63;
/** Arrow's Decimal128 holds at most 38 digits; MySQL's DECIMAL goes to 65. */
const MAX_DECIMAL128_PRECISION = 38;

/** Turns one driver value (never null) into the column builder's convention. */
export type Convert = (value: unknown) => unknown;

/** An Arrow field for a result column, with the conversion its values need (none: pass through). */
export interface ColumnMapping {
  field: Field;
  convert: Convert | null;
}

/** The Arrow field and value conversion for a column definition. */
export function mapColumn(def: FieldPacket): ColumnMapping {
  const type = def.columnType ?? def.type ?? T.NULL;
  const flags = typeof def.flags === 'number' ? def.flags : 0;
  const unsigned = (flags & UNSIGNED_FLAG) !== 0;
  const name = def.name;
  const field = (t: DataType, convert: Convert | null = null, metadata?: Map<string, string>): ColumnMapping => ({
    field: new Field(name, t, true, metadata),
    convert
  });

  if (def.extendedFormat === 'json') return field(new Utf8(), null, jsonMetadata());
  switch (type) {
    case T.TINY:
    case T.SHORT:
    case T.INT24:
    case T.YEAR:
      // BOOLEAN is TINYINT(1) and may hold any tinyint (2, -1): kept as an integer.
      return field(new Int32());
    case T.LONG:
      return unsigned ? field(new Int64(), toBigInt) : field(new Int32());
    case T.LONGLONG:
      // Unsigned BIGINT reaches 2^64 - 1: Uint64 keeps every value (the bits are the same
      // in the builder's 64-bit buffer).
      return field(unsigned ? new Uint64() : new Int64(), toBigInt);
    case T.FLOAT:
      return field(new Float64(), shortestFloat32);
    case T.DOUBLE:
      return field(new Float64());
    case T.DECIMAL:
    case T.NEWDECIMAL:
      return decimalField(def, unsigned);
    case T.BIT:
      // BIT(1) is a flag; wider BITs are bit sets read as an unsigned number.
      return (def.columnLength ?? 1) === 1 ? field(new Bool(), bitToBool) : field(new Int64(), bitToBigInt);
    case T.DATE:
    case T.NEWDATE:
      return field(new DateDay(), parseDateDays);
    case T.DATETIME:
      return field(new TimestampMicrosecond(), parseTimestampMicros);
    case T.TIMESTAMP:
      // The session time zone is '+00:00', so a TIMESTAMP's text is UTC.
      return field(new TimestampMicrosecond('UTC'), parseTimestampMicros);
    case T.TIME:
      // TIME spans ±838 hours: text, not a time of day.
      return field(new Utf8());
    case T.JSON:
      return field(new Utf8(), null, jsonMetadata());
    case T.GEOMETRY:
      // mysql2 decodes geometries into {x, y} objects and arrays: kept as their JSON.
      return field(new Utf8(), (v) => JSON.stringify(v), jsonMetadata());
    case T.NULL:
      return field(new Utf8());
    default:
      // CHAR/VARCHAR/TEXT/ENUM/SET and their binary forms; BLOB types share codes with TEXT.
      return def.characterSet === BINARY_CHARSET ? field(new Binary()) : field(new Utf8());
  }
}

function jsonMetadata(): Map<string, string> {
  return new Map([['cairn.type', 'json']]);
}

function decimalField(def: FieldPacket, unsigned: boolean): ColumnMapping {
  const scale = def.decimals;
  // The display length counts the digits, a point when there is a fraction, and a sign
  // unless unsigned.
  const digits = (def.columnLength ?? 0) - (scale > 0 ? 1 : 0) - (unsigned ? 0 : 1);
  const precision = Math.min(MAX_DECIMAL128_PRECISION, Math.max(1, digits, scale));
  return {
    // Expressions such as SUM() can declare more than 38 digits; values that really need
    // them are refused in parseDecimal rather than wrapped.
    field: new Field(def.name, new Decimal(scale, precision, 128), true),
    convert: (v) => parseDecimal(String(v), scale)
  };
}

const MAX_DECIMAL128 = 10n ** 38n;

/** '-12.3' at scale 2 → -1230n: exact, from the server's text. */
export function parseDecimal(text: string, scale: number): bigint {
  const negative = text.startsWith('-');
  const body = negative || text.startsWith('+') ? text.slice(1) : text;
  const point = body.indexOf('.');
  const whole = point === -1 ? body : body.slice(0, point);
  let fraction = point === -1 ? '' : body.slice(point + 1);
  // The server sends exactly `scale` digits; anything longer is cut, shorter is padded.
  fraction = fraction.length >= scale ? fraction.slice(0, scale) : fraction.padEnd(scale, '0');
  const unscaled = BigInt((whole || '0') + fraction);
  if (unscaled >= MAX_DECIMAL128) throw new RangeError(`decimal ${text} has more than 38 digits`);
  return negative ? -unscaled : unscaled;
}

function toBigInt(v: unknown): bigint {
  return typeof v === 'bigint' ? v : BigInt(v as string | number);
}

/**
 * FLOAT is single precision; the binary protocol hands its exact value (1.1 arrives as
 * 1.100000023841858). The shortest decimal that reads back as the same float is what a
 * MySQL client shows, and is what users typed.
 */
export function shortestFloat32(v: unknown): number {
  const x = Number(v);
  if (!Number.isFinite(x)) return x;
  for (let digits = 6; digits < 9; digits++) {
    const candidate = Number(x.toPrecision(digits));
    if (Math.fround(candidate) === x) return candidate;
  }
  return Number(x.toPrecision(9));
}

function bitToBool(v: unknown): boolean {
  return bitToBigInt(v) !== 0n;
}

/** BIT values arrive as big-endian bytes. */
function bitToBigInt(v: unknown): bigint {
  if (typeof v === 'number' || typeof v === 'bigint') return BigInt(v);
  let n = 0n;
  for (const byte of v as Uint8Array) n = (n << 8n) | BigInt(byte);
  return BigInt.asIntN(64, n);
}

const DATE_TIME = /^(-?\d{1,4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?/;

/** 'YYYY-MM-DD' → days since 1970-01-01; zero dates ('0000-00-00', a zero month or day) → null. */
export function parseDateDays(v: unknown): number | null {
  const m = DATE_TIME.exec(String(v));
  if (!m) return null;
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month === 0 || day === 0) return null;
  return daysFromCivil(Number(m[1]), month, day);
}

/** 'YYYY-MM-DD HH:MM:SS[.ffffff]' → microseconds since 1970-01-01 (as written: no zone applied); zero dates → null. */
export function parseTimestampMicros(v: unknown): bigint | null {
  const m = DATE_TIME.exec(String(v));
  if (!m) return null;
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month === 0 || day === 0) return null;
  const days = daysFromCivil(Number(m[1]), month, day);
  const seconds = Number(m[4] ?? 0) * 3600 + Number(m[5] ?? 0) * 60 + Number(m[6] ?? 0);
  const micros = m[7] === undefined ? 0 : Number(m[7].padEnd(6, '0'));
  return (BigInt(days) * 86_400n + BigInt(seconds)) * 1_000_000n + BigInt(micros);
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm: exact for any year, no Date object). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}
