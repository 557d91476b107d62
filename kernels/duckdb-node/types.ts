/**
 * DuckDB column types as Arrow fields, and how each column's values get there: fixed-width
 * types, VARCHAR and BLOB are copied from the vector's memory in bulk (`physical`, read by
 * vectors.ts); the rest go value by value (`getColumnVector(i).getItem(row)` through
 * `convert`, in the value conventions of `kernels/arrow/column-builder.ts`). Runs in the
 * worker, column by column over each data chunk, never through row objects.
 *
 * Choices where Arrow and DuckDB differ:
 * - TINYINT/SMALLINT → Int16; INTEGER/UTINYINT/USMALLINT → Int32; UINTEGER/BIGINT → Int64.
 * - UBIGINT → Decimal128(20, 0) and HUGEINT → Decimal128(38, 0): exact, where Int64 would
 *   overflow (a HUGEINT beyond 38 digits still round-trips: Decimal128 is 128 bits wide).
 * - TIMESTAMP_S/_MS/_NS → TimestampMicrosecond (nanoseconds truncated); TIMESTAMPTZ → UTC.
 * - INTERVAL, UUID, ENUM, TIME WITH TIME ZONE, UHUGEINT, STRUCT, MAP, UNION, BIT, … →
 *   Utf8 in DuckDB's own text form; JSON → Utf8 with field metadata `cairn.type: json`.
 * - LIST and ARRAY of any of these → List.
 */
import { DuckDBTypeId, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { BULK_SUPPORTED, type Physical } from './vectors.js';
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
  TimeUnit,
  Timestamp,
  TimestampMicrosecond,
  Utf8
} from 'apache-arrow';

/** Field metadata that marks a Utf8 column holding JSON text. */
export const JSON_METADATA: ReadonlyMap<string, string> = new Map([['cairn.type', 'json']]);

/** How one DuckDB column becomes an Arrow column. */
export interface ColumnMapping {
  field: Field;
  /** A non-null DuckDB value as the column builder's value; `null` passes through. */
  convert: ((value: DuckDBValue) => unknown) | null;
  /** The vector's layout when the column is read in bulk (vectors.ts); `null`: value by value. */
  physical: Physical | null;
}

/** `name` of DuckDB type `type` as an Arrow field and a value converter. */
export function columnMapping(name: string, type: DuckDBType): ColumnMapping {
  const { arrow, convert, physical } = mapType(type);
  const metadata = type.typeId === DuckDBTypeId.VARCHAR && type.alias === 'JSON' ? new Map(JSON_METADATA) : undefined;
  return { field: new Field(name, arrow, true, metadata), convert, physical: BULK_SUPPORTED ? (physical ?? null) : null };
}

/**
 * Result column names made unique the way DuckDB names a table's columns from such a
 * query (`a`, `a_1`): Arrow allows duplicates, but a result registered as a table does not.
 */
export function uniqueNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let unique = name;
    for (let n = 1; taken.has(unique.toLowerCase()); n++) unique = `${name}_${n}`;
    taken.add(unique.toLowerCase());
    return unique;
  });
}

interface Mapped {
  arrow: DataType;
  convert: ((value: DuckDBValue) => unknown) | null;
  physical?: Physical;
}

const copy = (element: Extract<Physical, { kind: 'copy' }>['element']): Physical => ({ kind: 'copy', element });
const toMicros = (multiply: bigint, divide: bigint): Physical => ({ kind: 'int64-to-micros', multiply, divide });

// DuckDB's value classes, by the property that carries the raw value.
const days = (v: DuckDBValue) => (v as { days: number }).days;
const micros = (v: DuckDBValue) => (v as { micros: bigint }).micros;
const asText = (v: DuckDBValue) => String(v);

function mapType(type: DuckDBType): Mapped {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { arrow: new Bool(), convert: null, physical: { kind: 'bool' } };
    case DuckDBTypeId.TINYINT:
      return { arrow: new Int16(), convert: null, physical: copy('int8') };
    case DuckDBTypeId.SMALLINT:
      return { arrow: new Int16(), convert: null, physical: copy('int16') };
    case DuckDBTypeId.INTEGER:
      return { arrow: new Int32(), convert: null, physical: copy('int32') };
    case DuckDBTypeId.UTINYINT:
      return { arrow: new Int32(), convert: null, physical: copy('uint8') };
    case DuckDBTypeId.USMALLINT:
      return { arrow: new Int32(), convert: null, physical: copy('uint16') };
    case DuckDBTypeId.UINTEGER:
      return { arrow: new Int64(), convert: null, physical: { kind: 'uint32-to-int64' } };
    case DuckDBTypeId.BIGINT:
      return { arrow: new Int64(), convert: null, physical: copy('int64') };
    case DuckDBTypeId.UBIGINT:
      return { arrow: new Decimal(0, 20, 128), convert: null, physical: { kind: 'decimal', element: 'uint64' } };
    case DuckDBTypeId.HUGEINT:
      return { arrow: new Decimal(0, 38, 128), convert: null, physical: { kind: 'decimal', element: 'int128' } };
    case DuckDBTypeId.FLOAT:
      return { arrow: new Float32(), convert: null, physical: copy('float') };
    case DuckDBTypeId.DOUBLE:
      return { arrow: new Float64(), convert: null, physical: copy('double') };
    case DuckDBTypeId.DECIMAL: {
      const { width, scale } = type as { width: number; scale: number };
      // DuckDB stores a DECIMAL in the narrowest integer that holds its width.
      const element = width <= 4 ? 'int16' : width <= 9 ? 'int32' : width <= 18 ? 'int64' : 'int128';
      return { arrow: new Decimal(scale, width, 128), convert: (v) => (v as { value: bigint }).value, physical: { kind: 'decimal', element } };
    }
    case DuckDBTypeId.VARCHAR:
      return { arrow: new Utf8(), convert: null, physical: { kind: 'string' } };
    case DuckDBTypeId.BLOB:
      return { arrow: new Binary(), convert: (v) => (v as { bytes: Uint8Array }).bytes, physical: { kind: 'string' } };
    case DuckDBTypeId.DATE:
      return { arrow: new DateDay(), convert: days, physical: copy('int32') };
    case DuckDBTypeId.TIMESTAMP:
      return { arrow: new TimestampMicrosecond(), convert: micros, physical: copy('int64') };
    case DuckDBTypeId.TIMESTAMP_S:
      return { arrow: new TimestampMicrosecond(), convert: (v) => (v as { seconds: bigint }).seconds * 1_000_000n, physical: toMicros(1_000_000n, 1n) };
    case DuckDBTypeId.TIMESTAMP_MS:
      return { arrow: new TimestampMicrosecond(), convert: (v) => (v as { millis: bigint }).millis * 1_000n, physical: toMicros(1_000n, 1n) };
    case DuckDBTypeId.TIMESTAMP_NS:
      return { arrow: new TimestampMicrosecond(), convert: (v) => (v as { nanos: bigint }).nanos / 1_000n, physical: toMicros(1n, 1_000n) };
    case DuckDBTypeId.TIMESTAMP_TZ:
      return { arrow: new Timestamp(TimeUnit.MICROSECOND, 'UTC'), convert: micros, physical: copy('int64') };
    case DuckDBTypeId.TIME:
      return { arrow: new TimeMicrosecond(), convert: micros, physical: copy('int64') };
    case DuckDBTypeId.TIME_NS:
      return { arrow: new TimeMicrosecond(), convert: (v) => (v as { nanos: bigint }).nanos / 1_000n, physical: toMicros(1n, 1_000n) };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const child = mapType((type as { valueType: DuckDBType }).valueType);
      const convertChild = child.convert;
      const items = (v: DuckDBValue) => (v as { items: readonly DuckDBValue[] }).items;
      return {
        arrow: new List(new Field('item', child.arrow, true)),
        convert: convertChild
          ? (v) => items(v).map((item) => (item === null ? null : convertChild(item)))
          : items
      };
    }
    default:
      // INTERVAL, UUID, ENUM, TIME_TZ, UHUGEINT, BIGNUM, STRUCT, MAP, UNION, BIT, NULL, …:
      // DuckDB's text form, which is what its own CAST(… AS VARCHAR) gives.
      return { arrow: new Utf8(), convert: asText };
  }
}
