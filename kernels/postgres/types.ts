/**
 * PostgreSQL result columns → Arrow fields, and how each column's values are read off the
 * wire. Every column arrives in PostgreSQL's binary format; a type we have no binary
 * decoder for is cast in SQL (`c::text`, `c::text[]` for its arrays, `c::numeric` for
 * money), so what reaches the decoders is always one of the {@link ValueKind}s below.
 * docs/types.md has the whole mapping; the choices worth knowing:
 * - numeric(p, s) with p ≤ 38 → Decimal128(p, s). Unconstrained numeric, numeric wider
 *   than 38 digits and money → a decimal column whose type the first batch's values choose
 *   (kernels/arrow/decimal-column.ts): Decimal128(38, s) or exact text.
 * - A value no Arrow form of its column holds (NaN in a numeric(10,2), an infinite date or
 *   timestamp) is never dropped: the run is redone with that column as PostgreSQL's text
 *   (kernels/arrow/widening.ts).
 * - Multi-dimensional array values are flattened in row-major order into the List.
 * - json/jsonb → Utf8 with field metadata `cairn.type: json`; types without an Arrow
 *   counterpart (interval, uuid, inet, ranges, enums, timetz…) → PostgreSQL's text, with
 *   `cairn.db_type` naming the type.
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
import { DECIMAL128_DIGITS, notedField, type DecimalChoice, type Widening } from '../arrow/index.js';

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
  | 'numeric'
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
  /** The type's name as SQL spells it (`uuid`, `mood[]`). */
  name?: string;
}

/** A decimal column whose Arrow type its values choose (kernels/arrow/decimal-column.ts). */
export interface DecimalPlan {
  declaredScale?: number;
  choice?: DecimalChoice;
  dbType: string;
}

/** How one result column is fetched and decoded. */
export interface ColumnPlan {
  field: Field;
  /** The decoder for the value (for a list, for each item). */
  kind: ValueKind;
  list: boolean;
  /** A cast applied in the wrapping select (`text`, `text[]`, `numeric`…), or null. */
  cast: string | null;
  /** Result format code when the SQL cannot be wrapped: 1 binary, 0 text (then `kind` is 'text'). */
  format: 0 | 1;
  /** For kind 'numeric': how its type is chosen. */
  decimal?: DecimalPlan;
}

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
  money: 790,
  moneyArray: 791,
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


interface Scalar {
  kind: ValueKind;
  type: DataType;
  json?: boolean;
  decimal?: DecimalPlan;
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
      if (ps && ps.precision <= DECIMAL128_DIGITS && ps.scale >= 0 && ps.scale <= ps.precision) {
        return { kind: 'decimal', type: new Decimal(ps.scale, ps.precision, 128) };
      }
      // Unconstrained, wider than Decimal128, or a scale Arrow cannot declare (negative, above the precision).
      const dbType = ps ? `numeric(${ps.precision},${ps.scale})` : 'numeric';
      return flexibleDecimal({ dbType, declaredScale: ps && ps.scale >= 0 ? ps.scale : undefined });
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

function flexibleDecimal(plan: DecimalPlan): Scalar {
  return { kind: 'numeric', type: new Decimal(plan.declaredScale ?? 0, DECIMAL128_DIGITS, 128), decimal: plan };
}

/** Array type oid → element oid (built-ins by number, others from pg_type), or 0 when not an array. */
function elementOf(oid: number, info: PgTypeInfo | undefined): number {
  if (oid in ARRAY_ELEMENTS) return ARRAY_ELEMENTS[oid];
  return info?.category === 'A' ? info.elem : 0;
}

/** Oids whose type this module cannot place without asking pg_type. */
export function unknownOids(columns: readonly PgColumn[]): number[] {
  const unknown = columns.map((c) => c.typeOid).filter((oid) => scalar(oid, -1) === null && !(oid in ARRAY_ELEMENTS) && oid !== OID.money && oid !== OID.moneyArray);
  return [...new Set(unknown)];
}

/**
 * How each column is fetched and decoded. `wrappable`: whether the query can be wrapped
 * in a select that casts; when not (EXPLAIN, SHOW, DML … RETURNING), columns that would
 * need a cast are fetched in text format instead and delivered as Utf8. `widen`: choices
 * from an earlier run of the query that met a value its first plan could not hold.
 */
export function planColumns(columns: readonly PgColumn[], types: ReadonlyMap<number, PgTypeInfo>, wrappable: boolean, widen: Widening = {}): ColumnPlan[] {
  return columns.map((c, i): ColumnPlan => {
    const choice = widen[i];
    const elem = elementOf(c.typeOid, types.get(c.typeOid));
    const list = elem !== 0 || c.typeOid === OID.moneyArray;
    const dbType = typeName(c, types);
    // money's text is locale-formatted ($1,234.50); as numeric it is the exact amount.
    const s = c.typeOid === OID.money ? flexibleDecimal({ dbType: 'money', declaredScale: 2 }) : scalar(c.typeOid, c.typeModifier);
    if (choice === 'text') return asText(c.name, list, wrappable, { dbType, decimal: s?.kind === 'numeric' || s?.kind === 'decimal', why: 'text' });
    if (s) {
      if (s.kind !== 'numeric') return { field: field(c.name, s), kind: s.kind, list: false, cast: null, format: 1 };
      const decimal = { ...s.decimal!, choice };
      return { field: field(c.name, s), kind: 'numeric', list: false, cast: c.typeOid === OID.money ? 'numeric' : null, format: 1, decimal };
    }
    if (list) {
      // The column's type modifier (numeric(12,2)[]) applies to its elements.
      const item = c.typeOid === OID.moneyArray ? null : scalar(elem, c.typeModifier);
      if (item && item.kind !== 'numeric') return { field: new Field(c.name, new List(field('item', item)), true), kind: item.kind, list: true, cast: null, format: 1 };
      // Arrays of unconstrained numeric and money: exact decimal text per item.
      const decimals = c.typeOid === OID.moneyArray || item?.kind === 'numeric';
      return asText(c.name, true, wrappable, { dbType, decimal: decimals, cast: c.typeOid === OID.moneyArray ? 'numeric[]::text[]' : undefined });
    }
    return asText(c.name, false, wrappable, { dbType });
  });
}

/** A column delivered as PostgreSQL's own text (cast in SQL, or text format when the query cannot be wrapped). */
function asText(
  name: string,
  list: boolean,
  wrappable: boolean,
  how: { dbType: string; decimal?: boolean; cast?: string; why?: 'text' }
): ColumnPlan {
  const item = notedField(list ? 'item' : name, new Utf8(), {
    textType: how.decimal ? 'decimal' : undefined,
    dbType: list ? undefined : how.dbType,
    note: how.why === 'text' ? TEXT_REDO_NOTE : undefined
  });
  const note = how.why === 'text' ? TEXT_REDO_NOTE : undefined;
  // Without a wrapping select an array comes as its one text value ({1,2}), not a list.
  if (!wrappable) return { field: notedField(name, new Utf8(), { dbType: how.dbType, note }), kind: 'text', list: false, cast: null, format: 0 };
  const field = list ? notedField(name, new List(item), { dbType: how.dbType, note }) : item;
  return { field, kind: 'text', list, cast: how.cast ?? (list ? 'text[]' : 'text'), format: 1 };
}

const TEXT_REDO_NOTE = 'Has values no Arrow type of this column holds (NaN, an infinite date): the values are PostgreSQL\'s text.';

/** The column's type as SQL names it, for `cairn.db_type`. */
function typeName(c: PgColumn, types: ReadonlyMap<number, PgTypeInfo>): string {
  const known = Object.entries(OID).find(([, oid]) => oid === c.typeOid)?.[0];
  if (c.typeOid === OID.numeric) {
    const ps = numericPrecisionScale(c.typeModifier);
    return ps ? `numeric(${ps.precision},${ps.scale})` : 'numeric';
  }
  if (c.typeOid === OID.moneyArray) return 'money[]';
  return types.get(c.typeOid)?.name ?? known ?? `oid ${c.typeOid}`;
}

function field(name: string, s: Scalar): Field {
  return notedField(name, s.type, { textType: s.json ? 'json' : undefined, dbType: s.decimal?.dbType });
}
