/**
 * DuckDB column types as Arrow fields, and how each column's values get there: fixed-width
 * types, VARCHAR and BLOB are copied from the vector's memory in bulk (`physical`, read by
 * vectors.ts); the rest go value by value (`getColumnVector(i).getItem(row)` through
 * `convert`, in the value conventions of `kernels/arrow/column-builder.ts`). Runs in the
 * worker, column by column over each data chunk, never through row objects.
 *
 * The mapping, type by type, and why, is docs/types.md, "DuckDB (server)". In short: every
 * value arrives unchanged. Integers, floats, DECIMAL, dates, times and timestamps (in their
 * own unit) map to their Arrow namesakes; UBIGINT to Uint64; HUGEINT, UHUGEINT and BIGNUM
 * to a decimal column whose values choose Decimal128(38, 0) or exact text
 * (kernels/arrow/decimal-column.ts); STRUCT, MAP and UNION to JSON text; INTERVAL, UUID,
 * TIMETZ, ENUM, BIT and types unknown here to DuckDB's own text. A value no Arrow form of
 * its column holds (an infinite date, a 39-digit integer inside a list) asks for the
 * column as text (kernels/arrow/widening.ts) instead of being changed.
 */
import { DuckDBTypeId, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import {
  Binary,
  Bool,
  DataType,
  DateDay,
  Decimal,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  List,
  TimeMicrosecond,
  TimeNanosecond,
  TimeUnit,
  Timestamp,
  Uint64,
  Utf8,
  Field
} from 'apache-arrow';
import {
  BatchBuilder,
  DECIMAL128_DIGITS,
  DecimalColumnBuilder,
  fitsDecimal128,
  notedField,
  type ColumnBuilder,
  type DecimalChoice,
  type FieldNotes
} from '../arrow/index.js';
import { NeedsText, duckdbText, infinityText, jsonText } from './text-forms.js';
import { BULK_SUPPORTED, type Physical } from './vectors.js';

/** Field metadata that marks a Utf8 column holding JSON text. */
export const JSON_METADATA: ReadonlyMap<string, string> = new Map([['cairn.type', 'json']]);

/** The engine name a worker-side redo request carries; the main thread puts its own id in (engine.ts). */
export const WORKER_ENGINE = 'duckdb';

/** How one DuckDB column becomes an Arrow column. */
export interface ColumnMapping {
  /** The column's field; a decimal column's final field follows its first batch (decimal-column.ts). */
  field: Field;
  /** A non-null DuckDB value as the column builder's value; `null` passes through. May throw {@link NeedsText}. */
  convert: ((value: DuckDBValue) => unknown) | null;
  /** The vector's layout when the column is read in bulk (vectors.ts); `null`: value by value. */
  physical: Physical | null;
  /** The column's own builder (a decimal column); `null`: the one `columnBuilder(field.type)` makes. */
  builder: ColumnBuilder | null;
}

/** Where a column sits in the result, and a choice for it from an earlier run (`RunOptions.widen`). */
export interface MappingOptions {
  index: number;
  choice?: DecimalChoice;
}

/** `name` of DuckDB type `type` as an Arrow field, a value converter and a bulk layout. */
export function columnMapping(name: string, type: DuckDBType, options: MappingOptions = { index: 0 }): ColumnMapping {
  const { index, choice } = options;
  const decimalKind = WIDE_INTEGERS.get(type.typeId);
  if (decimalKind) {
    const builder = new DecimalColumnBuilder({ engine: WORKER_ENGINE, index, name, dbType: decimalKind.dbType, choice });
    const physical = BULK_SUPPORTED ? (decimalKind.physical ?? null) : null;
    return { field: builder.field(new Field(name, builder.type, true)), convert: toBigInt, physical, builder };
  }
  const mapped = choice === 'text' && !isText(type) ? asDuckDbText(type) : mapType(type, false);
  const field = notedField(name, mapped.arrow, mapped.notes);
  return { field, convert: mapped.convert, physical: BULK_SUPPORTED ? (mapped.physical ?? null) : null, builder: null };
}

/** A batch builder for a result's columns, each with its own builder where it has one. */
export function resultBuilder(mappings: readonly ColumnMapping[], batchRows?: number): BatchBuilder {
  const builders = new Map<number, ColumnBuilder>();
  mappings.forEach((m, i) => m.builder && builders.set(i, m.builder));
  return new BatchBuilder(
    mappings.map((m) => m.field),
    batchRows,
    builders
  );
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
  notes?: FieldNotes;
}

/** 128-bit and arbitrary-size integers: no fixed Arrow type always holds them (docs/types.md). */
const WIDE_INTEGERS = new Map<DuckDBTypeId, { dbType: string; physical?: Physical }>([
  [DuckDBTypeId.HUGEINT, { dbType: 'HUGEINT', physical: { kind: 'int128', signed: true } }],
  [DuckDBTypeId.UHUGEINT, { dbType: 'UHUGEINT', physical: { kind: 'int128', signed: false } }],
  [DuckDBTypeId.BIGNUM, { dbType: 'BIGNUM' }]
]);

const NOTES = {
  interval:
    "DuckDB's text for an INTERVAL (months, days and microseconds): Arrow's month-day-nano interval would hold it, but apache-arrow 17 cannot read that type.",
  timetz: "DuckDB's text for a TIME WITH TIME ZONE: no Arrow time type keeps the offset.",
  geometry: "DuckDB's GEOMETRY as WKB bytes (DuckDB's ST_GeomFromWKB reads them back).",
  unknown: "A DuckDB type with no Arrow form here: the values are DuckDB's own text.",
  widened: "Has values its Arrow type cannot hold (such as an infinite date): the values are DuckDB's own text.",
  nested: (kind: string) =>
    `DuckDB's ${kind} as JSON text: every number keeps all its digits; NaN and Infinity are strings, other values DuckDB's own text.`
};

const copy = (element: Extract<Physical, { kind: 'copy' }>['element'], infinity?: 'date' | 'timestamp'): Physical => ({ kind: 'copy', element, infinity });

function toBigInt(value: DuckDBValue): bigint {
  return typeof value === 'bigint' ? value : BigInt(String(value));
}

/** A date or timestamp's stored value, refusing DuckDB's ±infinity (an Arrow date would show a year in the millions). */
function finite<T extends number | bigint>(raw: T, day: boolean): T {
  if (infinityText(raw, day) !== null) throw new NeedsText(day ? 'an infinite date, which no Arrow date holds' : 'an infinite timestamp, which no Arrow timestamp holds');
  return raw;
}

const days = (v: DuckDBValue) => finite((v as { days: number }).days, true);
const timestamp = (key: 'micros' | 'seconds' | 'millis' | 'nanos') => (v: DuckDBValue) => finite((v as unknown as Record<string, bigint>)[key]!, false);

/** Whether a column is text already: a 'text' choice changes nothing. */
function isText(type: DuckDBType): boolean {
  return type.typeId === DuckDBTypeId.VARCHAR;
}

/** Any column as DuckDB's own text (JSON for nested values): what a 'text' choice delivers. */
function asDuckDbText(type: DuckDBType): Mapped {
  const dbType = String(type);
  if (isNested(type.typeId)) return json(type);
  if (type.typeId === DuckDBTypeId.DECIMAL) {
    return { arrow: new Utf8(), convert: (v) => duckdbText(v, type), notes: { textType: 'decimal', dbType, note: NOTES.widened } };
  }
  return { arrow: new Utf8(), convert: (v) => duckdbText(v, type), notes: { dbType, note: NOTES.widened } };
}

function isNested(typeId: DuckDBTypeId): boolean {
  return typeId === DuckDBTypeId.STRUCT || typeId === DuckDBTypeId.MAP || typeId === DuckDBTypeId.UNION || typeId === DuckDBTypeId.LIST || typeId === DuckDBTypeId.ARRAY;
}

/** Whether a list of `type` must be JSON text: it holds a STRUCT, MAP or UNION somewhere. */
function holdsRecords(type: DuckDBType): boolean {
  const id = type.typeId;
  if (id === DuckDBTypeId.STRUCT || id === DuckDBTypeId.MAP || id === DuckDBTypeId.UNION) return true;
  if (id === DuckDBTypeId.LIST || id === DuckDBTypeId.ARRAY) return holdsRecords((type as unknown as { valueType: DuckDBType }).valueType);
  return false;
}

function json(type: DuckDBType): Mapped {
  const kind = type.typeId === DuckDBTypeId.LIST || type.typeId === DuckDBTypeId.ARRAY ? 'list' : DuckDBTypeId[type.typeId]!;
  return { arrow: new Utf8(), convert: (v) => jsonText(v, type), notes: { textType: 'json', dbType: String(type), note: NOTES.nested(kind) } };
}

function text(type: DuckDBType, note?: string): Mapped {
  const dbType = type.typeId === DuckDBTypeId.ENUM ? 'ENUM' : String(type);
  return { arrow: new Utf8(), convert: (v) => duckdbText(v, type), notes: { dbType, note } };
}

/** `type` as an Arrow type; `nested` inside a LIST/ARRAY, where no column builder of its own is possible. */
function mapType(type: DuckDBType, nested: boolean): Mapped {
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
      // The 64 bits as they are (the column builder's int64 buffer reinterpreted as uint64).
      return { arrow: new Uint64(), convert: null, physical: copy('int64') };
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      // Top-level columns get a DecimalColumnBuilder (columnMapping); in a list, the items
      // must fit Decimal128(38, 0), else the column is redone as JSON text.
      return {
        arrow: new Decimal(0, DECIMAL128_DIGITS, 128),
        convert: (v) => {
          const n = toBigInt(v);
          if (!fitsDecimal128(n)) throw new NeedsText(`a value of more than ${DECIMAL128_DIGITS} digits, more than an Arrow decimal holds`);
          return n;
        }
      };
    case DuckDBTypeId.FLOAT:
      return { arrow: new Float32(), convert: null, physical: copy('float') };
    case DuckDBTypeId.DOUBLE:
      return { arrow: new Float64(), convert: null, physical: copy('double') };
    case DuckDBTypeId.DECIMAL: {
      const { width, scale } = type as unknown as { width: number; scale: number };
      // DuckDB stores a DECIMAL in the narrowest integer that holds its width.
      const element = width <= 4 ? 'int16' : width <= 9 ? 'int32' : width <= 18 ? 'int64' : 'int128';
      return { arrow: new Decimal(scale, width, 128), convert: (v) => (v as { value: bigint }).value, physical: { kind: 'decimal', element } };
    }
    case DuckDBTypeId.VARCHAR:
      return { arrow: new Utf8(), convert: null, physical: { kind: 'string' }, notes: type.alias === 'JSON' ? { textType: 'json' } : undefined };
    case DuckDBTypeId.BLOB:
      return { arrow: new Binary(), convert: (v) => (v as { bytes: Uint8Array }).bytes, physical: { kind: 'string' } };
    case DuckDBTypeId.GEOMETRY:
      return { arrow: new Binary(), convert: (v) => (v as { bytes: Uint8Array }).bytes, notes: { dbType: 'GEOMETRY', note: NOTES.geometry } };
    case DuckDBTypeId.DATE:
      return { arrow: new DateDay(), convert: days, physical: copy('int32', 'date') };
    case DuckDBTypeId.TIMESTAMP:
      return { arrow: new Timestamp(TimeUnit.MICROSECOND), convert: timestamp('micros'), physical: copy('int64', 'timestamp') };
    case DuckDBTypeId.TIMESTAMP_S:
      return { arrow: new Timestamp(TimeUnit.SECOND), convert: timestamp('seconds'), physical: copy('int64', 'timestamp') };
    case DuckDBTypeId.TIMESTAMP_MS:
      return { arrow: new Timestamp(TimeUnit.MILLISECOND), convert: timestamp('millis'), physical: copy('int64', 'timestamp') };
    case DuckDBTypeId.TIMESTAMP_NS:
      return { arrow: new Timestamp(TimeUnit.NANOSECOND), convert: timestamp('nanos'), physical: copy('int64', 'timestamp') };
    case DuckDBTypeId.TIMESTAMP_TZ:
      return { arrow: new Timestamp(TimeUnit.MICROSECOND, 'UTC'), convert: timestamp('micros'), physical: copy('int64', 'timestamp') };
    case DuckDBTypeId.TIME:
      return { arrow: new TimeMicrosecond(), convert: (v) => (v as { micros: bigint }).micros, physical: copy('int64') };
    case DuckDBTypeId.TIME_NS:
      return { arrow: new TimeNanosecond(), convert: (v) => (v as { nanos: bigint }).nanos, physical: copy('int64') };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      if (holdsRecords(type)) return json(type);
      const child = mapType((type as unknown as { valueType: DuckDBType }).valueType, true);
      const convertChild = child.convert;
      const items = (v: DuckDBValue) => (v as { items: readonly DuckDBValue[] }).items;
      return {
        arrow: new List(new Field('item', child.arrow, true)),
        convert: convertChild ? (v) => items(v).map((item) => (item === null ? null : convertChild(item))) : items,
        // The Arrow type says "list of …"; DuckDB's says which (INTEGER[2], a list of UUIDs).
        notes: nested ? undefined : { dbType: String(type) }
      };
    }
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
    case DuckDBTypeId.UNION:
      return json(type);
    case DuckDBTypeId.INTERVAL:
      return text(type, NOTES.interval);
    case DuckDBTypeId.TIME_TZ:
      return text(type, NOTES.timetz);
    case DuckDBTypeId.UUID:
    case DuckDBTypeId.ENUM:
    case DuckDBTypeId.BIT:
      // Their text is the value exactly; the column only says what the text is.
      return text(type);
    default:
      // VARIANT, SQLNULL and whatever later DuckDB versions add: readable text, never a failure.
      return text(type, NOTES.unknown);
  }
}
