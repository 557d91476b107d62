/**
 * MySQL/MariaDB result columns → Arrow fields, decided from the column definitions the
 * server sends (type code, flags, length, scale, character set), plus the conversion of
 * each value mysql2 decodes into the conventions of kernels/arrow/column-builder.ts. The
 * table of choices, and why, is docs/types.md, "MySQL and MariaDB".
 *
 * The connection asks mysql2 for lossless raw forms (see the pool options in engine.ts):
 * BIGINT and DECIMAL as strings, dates as strings (no local-time-zone conversion), JSON as
 * text. Everything exact is parsed here; what no Arrow type holds is text with a note, and
 * a type this module does not know is text, never a failed query.
 */
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int32,
  Int64,
  TimestampMicrosecond,
  Uint64,
  Utf8,
  type DataType
} from 'apache-arrow';
import type { FieldPacket } from 'mysql2';
import {
  DECIMAL128_DIGITS,
  DecimalColumnBuilder,
  WiderResultNeeded,
  notedField,
  type ColumnBuilder,
  type DecimalChoice,
  type FieldNotes
} from '../arrow/index.js';

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
const ENUM_FLAG = 256;
const SET_FLAG = 2048;
/** The `binary` character set: BLOB/BINARY/VARBINARY rather than text. */
const BINARY_CHARSET = 63;
/** The most fractional-second digits MySQL keeps; a larger `decimals` means "not fixed". */
const MAX_FSP = 6;

const TIME_NOTE = "MySQL's TIME is a duration of up to ±838:59:59, which no Arrow time of day holds: the values are the database's text.";
const DATE_TEXT_NOTE =
  "Holds a zero date (0000-00-00) or a date with a zero or impossible month or day, which no Arrow date holds: the values are the database's text.";
const TEXT_NOTE = "A value did not fit this column's Arrow type: the values are the database's text.";
const GEOMETRY_NOTE = 'Geometry as JSON coordinates ({"x": 1, "y": 2}); the SRID is not kept.';

/** Turns one driver value (never null) into the column builder's convention. */
export type Convert = (value: unknown) => unknown;

/** Where a column sits in its result, and what an earlier run asked of it (kernels/arrow/widening.ts). */
export interface ColumnContext {
  /** The engine's id, for the error that asks for a redo. */
  engine: string;
  /** The column's index in the result. */
  index: number;
  /** A form chosen up front by a redo: for decimals their Arrow type, 'text' for any column. */
  choice?: DecimalChoice;
}

/** An Arrow field for a result column, with the conversion its values need (none: pass through). */
export interface ColumnMapping {
  field: Field;
  convert: Convert | null;
  /** The builder to use instead of `columnBuilder(field.type)`: decimals whose type their values choose. */
  builder?: ColumnBuilder;
}

/** The Arrow field, value conversion and (for wide decimals) builder for a column definition. */
export function mapColumn(def: FieldPacket, ctx: ColumnContext): ColumnMapping {
  const type = columnType(def);
  const name = def.name;
  const dbType = sqlTypeName(def);
  const field = (t: DataType, convert: Convert | null = null, notes?: FieldNotes): ColumnMapping => ({
    field: notedField(name, t, notes),
    convert
  });

  if (type === T.DECIMAL || type === T.NEWDECIMAL) return decimalColumn(def, ctx, dbType);
  if (ctx.choice === 'text') {
    const note = type === T.DATE || type === T.NEWDATE || type === T.DATETIME || type === T.TIMESTAMP ? DATE_TEXT_NOTE : TEXT_NOTE;
    return field(new Utf8(), databaseText(def), { dbType, note });
  }
  if (def.extendedFormat === 'json') return field(new Utf8(), null, { textType: 'json' });
  switch (type) {
    case T.TINY:
    case T.SHORT:
    case T.INT24:
      // BOOLEAN is TINYINT(1) and may hold any tinyint (2, -1): kept as an integer.
      return field(new Int32());
    case T.YEAR:
      // 1901…2155, and 0 for the zero year (which MySQL prints as 0000).
      return field(new Int32(), null, { dbType });
    case T.LONG:
      return isUnsigned(def) ? field(new Int64(), toBigInt) : field(new Int32());
    case T.LONGLONG:
      // Unsigned BIGINT reaches 2^64 - 1: Uint64 keeps every value, and DuckDB reads it as
      // UBIGINT (the builder's 64-bit buffer holds the same bits).
      return isUnsigned(def) ? field(new Uint64(), toBigInt, { dbType }) : field(new Int64(), toBigInt);
    case T.FLOAT:
      // Single precision, exactly as stored (the binary protocol sends the float itself).
      return field(new Float32());
    case T.DOUBLE:
      return field(new Float64());
    case T.BIT:
      // BIT(1) is a flag; wider BITs are bit sets, read as an unsigned number of up to 64 bits.
      return bitLength(def) === 1 ? field(new Bool(), (v) => bitValue(v) !== 0n) : field(new Uint64(), bitValue, { dbType });
    case T.DATE:
    case T.NEWDATE:
      return field(new DateDay(), (v) => parseDateDays(v) ?? misfit(ctx, name, v));
    case T.DATETIME:
      return field(new TimestampMicrosecond(), (v) => parseTimestampMicros(v) ?? misfit(ctx, name, v));
    case T.TIMESTAMP:
      // The session time zone is '+00:00' (session.ts), so a TIMESTAMP's text is UTC.
      return field(new TimestampMicrosecond('UTC'), (v) => parseTimestampMicros(v) ?? misfit(ctx, name, v));
    case T.TIME:
      return field(new Utf8(), databaseText(def), { dbType, note: TIME_NOTE });
    case T.JSON:
      return field(new Utf8(), null, { textType: 'json' });
    case T.GEOMETRY:
      // mysql2 decodes geometries into {x, y} objects and arrays: kept as their JSON.
      return field(new Utf8(), (v) => JSON.stringify(v), { textType: 'json', dbType, note: GEOMETRY_NOTE });
    case T.NULL:
      return field(new Utf8());
    default: {
      // CHAR/VARCHAR/TEXT/ENUM/SET and their binary forms (BLOB types share codes with
      // TEXT), and any type this module does not know: its text.
      if (def.characterSet === BINARY_CHARSET) return field(new Binary());
      const flags = flagsOf(def);
      const known = (flags & (ENUM_FLAG | SET_FLAG)) !== 0 || def.extendedTypeName;
      return field(new Utf8(), anyText, known ? { dbType } : undefined);
    }
  }
}

/**
 * DECIMAL(p, s) with p ≤ 38 is Decimal128(p, s). Wider ones (MySQL's go to 65, and SUM()
 * of a DECIMAL(65,30) declares 65) let their values choose Decimal128(38, s) or exact
 * text (decimal-column.ts); so does any decimal a redo asked a form for.
 */
function decimalColumn(def: FieldPacket, ctx: ColumnContext, dbType: string): ColumnMapping {
  const scale = def.decimals;
  const precision = decimalPrecision(def);
  if (precision > DECIMAL128_DIGITS || ctx.choice !== undefined) {
    const builder = new DecimalColumnBuilder({
      engine: ctx.engine,
      index: ctx.index,
      name: def.name,
      declaredScale: scale,
      choice: ctx.choice,
      dbType
    });
    return { field: notedField(def.name, builder.type, { dbType }), convert: null, builder };
  }
  const convert = (v: unknown): bigint => {
    try {
      return parseDecimal(String(v), scale);
    } catch (e) {
      // More digits than declared: not seen from MySQL or MariaDB, but if an expression
      // ever does it, the redo delivers the column as exact text rather than failing.
      if (e instanceof RangeError) {
        throw new WiderResultNeeded(ctx.engine, def.name, { [ctx.index]: 'text' }, `the value ${String(v)}, more digits than ${dbType} declares`);
      }
      throw e;
    }
  };
  return { field: notedField(def.name, new Decimal(scale, precision, 128)), convert };
}

/** The declared digits of a DECIMAL: its display length less the point (when there is a fraction) and the sign (unless unsigned). */
function decimalPrecision(def: FieldPacket): number {
  const scale = def.decimals;
  const digits = (def.columnLength ?? 0) - (scale > 0 ? 1 : 0) - (isUnsigned(def) ? 0 : 1);
  return Math.max(1, digits, scale);
}

/** The type as MySQL spells it, for `cairn.db_type`: `DECIMAL(65,30)`, `BIGINT UNSIGNED`, `BIT(8)`, `TIME(3)`. */
export function sqlTypeName(def: FieldPacket): string {
  const type = columnType(def);
  const fsp = def.decimals > 0 && def.decimals <= MAX_FSP ? `(${def.decimals})` : '';
  const unsigned = isUnsigned(def) ? ' UNSIGNED' : '';
  switch (type) {
    case T.DECIMAL:
    case T.NEWDECIMAL:
      return `DECIMAL(${decimalPrecision(def)},${def.decimals})${unsigned}`;
    case T.TINY:
      return `TINYINT${unsigned}`;
    case T.SHORT:
      return `SMALLINT${unsigned}`;
    case T.INT24:
      return `MEDIUMINT${unsigned}`;
    case T.LONG:
      return `INT${unsigned}`;
    case T.LONGLONG:
      return `BIGINT${unsigned}`;
    case T.FLOAT:
      return 'FLOAT';
    case T.DOUBLE:
      return 'DOUBLE';
    case T.YEAR:
      return 'YEAR';
    case T.BIT:
      return `BIT(${bitLength(def)})`;
    case T.DATE:
    case T.NEWDATE:
      return 'DATE';
    case T.DATETIME:
      return `DATETIME${fsp}`;
    case T.TIMESTAMP:
      return `TIMESTAMP${fsp}`;
    case T.TIME:
      return `TIME${fsp}`;
    case T.JSON:
      return 'JSON';
    case T.GEOMETRY:
      return (def.extendedTypeName ?? 'geometry').toUpperCase();
    case T.NULL:
      return 'NULL';
  }
  if (def.extendedTypeName) return def.extendedTypeName.toUpperCase();
  const flags = flagsOf(def);
  if (flags & ENUM_FLAG) return 'ENUM';
  if (flags & SET_FLAG) return 'SET';
  return def.characterSet === BINARY_CHARSET ? 'BINARY' : 'TEXT';
}

function columnType(def: FieldPacket): number {
  return def.columnType ?? def.type ?? T.NULL;
}

function flagsOf(def: FieldPacket): number {
  return typeof def.flags === 'number' ? def.flags : 0;
}

function isUnsigned(def: FieldPacket): boolean {
  return (flagsOf(def) & UNSIGNED_FLAG) !== 0;
}

function bitLength(def: FieldPacket): number {
  return def.columnLength ?? 1;
}

/**
 * A value that the column's Arrow type cannot hold (a zero date): the run is redone with
 * the column as the database's text (kernels/arrow/widening.ts).
 */
function misfit(ctx: ColumnContext, name: string, value: unknown): never {
  throw new WiderResultNeeded(ctx.engine, name, { [ctx.index]: 'text' }, `the value '${String(value)}', a date no calendar has`);
}

/**
 * How the database itself writes a column's values, for a column delivered as text: what
 * `mysql -B` prints, except binary strings, which are hex (`0x00FF`, the client's
 * `--binary-as-hex`), and BIT, which is its unsigned number.
 */
export function databaseText(def: FieldPacket): Convert {
  const type = columnType(def);
  const fsp = def.decimals >= 0 && def.decimals <= MAX_FSP ? def.decimals : null;
  switch (type) {
    case T.TINY:
    case T.SHORT:
    case T.INT24:
    case T.LONG:
    case T.LONGLONG:
      return (v) => String(v);
    case T.YEAR:
      return (v) => String(v).padStart(4, '0');
    case T.FLOAT:
      return (v) => numberText(shortestFloat32(v));
    case T.DOUBLE:
      return (v) => numberText(Number(v));
    case T.BIT:
      return (v) => bitValue(v).toString();
    case T.DATE:
    case T.NEWDATE:
    case T.DATETIME:
    case T.TIMESTAMP:
    case T.TIME:
      // mysql2 writes a fraction only when it is not zero, and TIME's without trailing
      // zeros; the database writes exactly the column's digits.
      return (v) => withFraction(String(v), fsp);
    case T.GEOMETRY:
      return (v) => JSON.stringify(v);
  }
  if (def.characterSet === BINARY_CHARSET) return (v) => (v instanceof Uint8Array ? '0x' + Buffer.from(v).toString('hex').toUpperCase() : anyText(v));
  return anyText;
}

/** A value of a type this module does not know, as text: strings as they are, structures as JSON. */
function anyText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (typeof v === 'object' && v !== null) return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}

/** '12:00:00.5' with 3 digits → '12:00:00.500'; a date without a time, and digits beyond `fsp`, stay as they are. */
export function withFraction(text: string, fsp: number | null): string {
  const m = /^(.*:\d{2})(?:\.(\d*))?$/.exec(text);
  if (fsp === null || !m) return text;
  const fraction = m[2] ?? '';
  return fsp === 0 && fraction === '' ? m[1]! : `${m[1]}.${fraction.padEnd(fsp, '0')}`;
}

/** A double as MySQL writes it: `1e300`, not JavaScript's `1e+300`. */
function numberText(x: number): string {
  return String(x).replace('e+', 'e');
}

/** '-12.3' at scale 2 → -1230n: exact, from the server's text. */
export function parseDecimal(text: string, scale: number): bigint {
  const negative = text.startsWith('-');
  const body = negative || text.startsWith('+') ? text.slice(1) : text;
  const point = body.indexOf('.');
  const whole = point === -1 ? body : body.slice(0, point);
  let fraction = point === -1 ? '' : body.slice(point + 1);
  if (fraction.length > scale && /[1-9]/.test(fraction.slice(scale))) throw new RangeError(`decimal ${text} has more than ${scale} digits after the point`);
  fraction = fraction.length >= scale ? fraction.slice(0, scale) : fraction.padEnd(scale, '0');
  const unscaled = BigInt((whole || '0') + fraction);
  // A column declared with at most 38 digits never holds more; if one did, stop rather than wrap.
  if (unscaled >= 10n ** BigInt(DECIMAL128_DIGITS)) throw new RangeError(`decimal ${text} has more than ${DECIMAL128_DIGITS} digits`);
  return negative ? -unscaled : unscaled;
}

function toBigInt(v: unknown): bigint {
  return typeof v === 'bigint' ? v : BigInt(v as string | number);
}

/**
 * The shortest decimal that reads back as the same single-precision float (1.1 for the
 * float nearest 1.1, which the binary protocol hands over as 1.100000023841858): a FLOAT
 * delivered as text.
 */
export function shortestFloat32(v: unknown): number {
  const x = Number(v);
  if (!Number.isFinite(x)) return x;
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(x.toPrecision(digits));
    if (Math.fround(candidate) === x) return candidate;
  }
  return Number(x.toPrecision(9));
}

/** BIT values arrive as big-endian bytes; the unsigned number they spell (up to 2^64 - 1). */
export function bitValue(v: unknown): bigint {
  if (typeof v === 'number' || typeof v === 'bigint') return BigInt(v);
  let n = 0n;
  for (const byte of v as Uint8Array) n = (n << 8n) | BigInt(byte);
  return n;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?$/;

/** Whether a date with these parts exists in the proleptic Gregorian calendar (Arrow's). */
function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= days;
}

/**
 * 'YYYY-MM-DD' → days since 1970-01-01; null for what no calendar has: zero dates
 * ('0000-00-00'), a zero month or day, and the impossible days ALLOW_INVALID_DATES lets
 * MySQL store ('2021-02-30').
 */
export function parseDateDays(v: unknown): number | null {
  const m = DATE_TIME.exec(String(v));
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return isCalendarDate(year, month, day) ? daysFromCivil(year, month, day) : null;
}

/** 'YYYY-MM-DD HH:MM:SS[.ffffff]' → microseconds since 1970-01-01 (as written: no zone applied); null as for {@link parseDateDays}. */
export function parseTimestampMicros(v: unknown): bigint | null {
  const m = DATE_TIME.exec(String(v));
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (!isCalendarDate(year, month, day)) return null;
  const days = daysFromCivil(year, month, day);
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
