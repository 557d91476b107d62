/**
 * PostgreSQL result columns → Arrow fields, and how each column's values are read off the
 * wire. Every column arrives in PostgreSQL's binary format; a type we have no binary
 * decoder for is cast to text in SQL (`c::text`, or `c::text[]` for its arrays), so what
 * reaches the decoders is always one of the {@link ValueKind}s below.
 *
 * Choices worth knowing:
 * - numeric with a declared precision ≤ 38 → Decimal128(scale, precision), exact;
 *   unconstrained numeric → Float64 (so sums and charts work; digits past ~15 are lost,
 *   NaN/±Infinity stay NaN/±Infinity); numeric with precision > 38 → Utf8 (exact text).
 * - ±infinity dates and timestamps → null (Arrow has no infinity; an extreme value would
 *   read as a real date). The same for a timestamp too far out for int64 µs since 1970.
 * - Multi-dimensional array values are flattened in row-major order into the List.
 * - json/jsonb → Utf8 with field metadata `cairn.type: json`.
 * - Domains arrive as their base type (PostgreSQL reports the base type's oid).
 */
import {
  Binary,
  Bool,
  DataType,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  List,
  TimeMicrosecond,
  TimestampMicrosecond,
  Utf8
} from 'apache-arrow';

/** How one value is decoded from PostgreSQL's binary format. */
export type ValueKind =
  | 'bool'
  | 'int2'
  | 'int4'
  | 'int8'
  | 'oid'
  | 'float4'
  | 'float8'
  | 'decimal'
  | 'numeric-float'
  | 'text'
  | 'jsonb'
  | 'bytea'
  | 'date'
  | 'timestamp'
  | 'time';

/** A column as PostgreSQL describes it. */
export interface PgColumn {
  name: string;
  typeOid: number;
  typeModifier: number;
}

/** What pg_type says about an oid this module does not know by number. */
export interface PgTypeInfo {
  /** Element type of an array type, else 0. */
  elem: number;
  /** pg_type.typcategory ('A' for arrays, 'E' for enums…). */
  category: string;
}

/** How one result column is fetched and decoded. */
export interface ColumnPlan {
  field: Field;
  /** The decoder for the value (for a list, for each item). */
  kind: ValueKind;
  list: boolean;
  /** A cast applied in the wrapping select (`text` or `text[]`), or null. */
  cast: 'text' | 'text[]' | null;
  /** Result format code when the SQL cannot be wrapped: 1 binary, 0 text (then `kind` is 'text'). */
  format: 0 | 1;
}

const JSON_METADATA = () => new Map([['cairn.type', 'json']]);

export const OID = {
  bool: 16,
  bytea: 17,
  char: 18,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
  jsonb: 3802
} as const;

/** Built-in array type oids → element oid, for the element types we decode. */
const ARRAY_ELEMENTS: Record<number, number> = {
  1000: OID.bool,
  1001: OID.bytea,
  1003: OID.name,
  1005: OID.int2,
  1007: OID.int4,
  1009: OID.text,
  1014: OID.bpchar,
  1015: OID.varchar,
  1016: OID.int8,
  1021: OID.float4,
  1022: OID.float8,
  1028: OID.oid,
  1115: OID.timestamp,
  1182: OID.date,
  1183: OID.time,
  1185: OID.timestamptz,
  1231: OID.numeric,
  199: OID.json,
  3807: OID.jsonb
};

/** Largest precision Decimal128 holds. */
const DECIMAL128_MAX_PRECISION = 38;

interface Scalar {
  kind: ValueKind;
  type: DataType;
  json?: boolean;
}

/** numeric's type modifier: ((precision << 16) | scale) + 4, or -1 when unconstrained. */
export function numericPrecisionScale(typeModifier: number): { precision: number; scale: number } | null {
  if (typeModifier < 4) return null;
  const m = typeModifier - 4;
  // PostgreSQL 15 allows a negative scale, stored as an 11-bit two's-complement field.
  const scale = ((m & 0x7ff) ^ 1024) - 1024;
  return { precision: (m >> 16) & 0xffff, scale };
}

/** The decoder and Arrow type for a scalar type, or null when it needs a text cast. */
function scalar(oid: number, typeModifier: number): Scalar | null {
  switch (oid) {
    case OID.bool:
      return { kind: 'bool', type: new Bool() };
    case OID.int2:
      return { kind: 'int2', type: new Int16() };
    case OID.int4:
      return { kind: 'int4', type: new Int32() };
    case OID.int8:
      return { kind: 'int8', type: new Int64() };
    case OID.oid:
      return { kind: 'oid', type: new Int64() };
    case OID.float4:
      return { kind: 'float4', type: new Float32() };
    case OID.float8:
      return { kind: 'float8', type: new Float64() };
    case OID.numeric: {
      const ps = numericPrecisionScale(typeModifier);
      if (ps === null) return { kind: 'numeric-float', type: new Float64() };
      if (ps.precision > DECIMAL128_MAX_PRECISION || ps.scale < 0 || ps.scale > ps.precision) return null;
      return { kind: 'decimal', type: new Decimal(ps.scale, ps.precision, 128) };
    }
    case OID.text:
    case OID.varchar:
    case OID.bpchar:
    case OID.name:
      return { kind: 'text', type: new Utf8() };
    case OID.json:
      return { kind: 'text', type: new Utf8(), json: true };
    case OID.jsonb:
      return { kind: 'jsonb', type: new Utf8(), json: true };
    case OID.bytea:
      return { kind: 'bytea', type: new Binary() };
    case OID.date:
      return { kind: 'date', type: new DateDay() };
    case OID.time:
      return { kind: 'time', type: new TimeMicrosecond() };
    case OID.timestamp:
      return { kind: 'timestamp', type: new TimestampMicrosecond() };
    case OID.timestamptz:
      return { kind: 'timestamp', type: new TimestampMicrosecond('UTC') };
    default:
      return null;
  }
}

/** Array type oid → element oid (built-ins by number, others from pg_type), or 0 when not an array. */
function elementOf(oid: number, info: PgTypeInfo | undefined): number {
  if (oid in ARRAY_ELEMENTS) return ARRAY_ELEMENTS[oid];
  return info?.category === 'A' ? info.elem : 0;
}

/** Oids whose type this module cannot place without asking pg_type. */
export function unknownOids(columns: readonly PgColumn[]): number[] {
  const unknown = columns.map((c) => c.typeOid).filter((oid) => scalar(oid, -1) === null && !(oid in ARRAY_ELEMENTS));
  return [...new Set(unknown)];
}

/**
 * How each column is fetched and decoded. `wrappable`: whether the query can be wrapped
 * in a select that casts; when not (EXPLAIN, SHOW, DML … RETURNING), columns that would
 * need a cast are fetched in text format instead and delivered as Utf8.
 */
export function planColumns(columns: readonly PgColumn[], types: ReadonlyMap<number, PgTypeInfo>, wrappable: boolean): ColumnPlan[] {
  return columns.map((c): ColumnPlan => {
    const s = scalar(c.typeOid, c.typeModifier);
    if (s) return { field: field(c.name, s), kind: s.kind, list: false, cast: null, format: 1 };
    const elem = elementOf(c.typeOid, types.get(c.typeOid));
    if (elem !== 0) {
      // The column's type modifier (numeric(12,2)[]) applies to its elements.
      const item = scalar(elem, c.typeModifier);
      if (item) return { field: new Field(c.name, new List(field('item', item)), true), kind: item.kind, list: true, cast: null, format: 1 };
      if (wrappable) return { field: new Field(c.name, new List(new Field('item', new Utf8(), true)), true), kind: 'text', list: true, cast: 'text[]', format: 1 };
    }
    if (wrappable) return { field: new Field(c.name, new Utf8(), true), kind: 'text', list: false, cast: 'text', format: 1 };
    return { field: new Field(c.name, new Utf8(), true), kind: 'text', list: false, cast: null, format: 0 };
  });
}

function field(name: string, s: Scalar): Field {
  return new Field(name, s.type, true, s.json ? JSON_METADATA() : undefined);
}
