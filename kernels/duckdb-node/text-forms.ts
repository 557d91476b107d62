/**
 * The text forms of DuckDB values for the columns that arrive as text (docs/types.md,
 * "DuckDB (server)"): DuckDB's own `::VARCHAR` text for a single value, and JSON for
 * STRUCT, MAP and UNION values (and lists of them), whose `::VARCHAR` form is neither
 * regular nor parseable.
 *
 * node-api's `toString` gives DuckDB's `::VARCHAR` text for most values; where it does
 * not (infinite dates and timestamps in units other than µs, floats), this does.
 * tests/integration/duckdb-types.test.ts compares both forms against DuckDB's own
 * (`::VARCHAR`, `to_json`) for every type.
 */
import { DuckDBTypeId, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { decimalText } from '../arrow/index.js';

/**
 * Thrown while converting a value that its column's Arrow type cannot hold (an infinite
 * date, a 39-digit integer in a list): vectors.ts turns it into a request to run the
 * query again with that column as text (kernels/arrow/widening.ts).
 */
export class NeedsText extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'NeedsText';
  }
}

/** DuckDB's stored value for `infinity` in a DATE (days) and -infinity; the timestamp ones are ±(2^63 - 1) in any unit. */
export const DATE_INFINITY = 2_147_483_647;
export const TIMESTAMP_INFINITY = 9_223_372_036_854_775_807n;

/** `infinity` / `-infinity` for a stored DATE or TIMESTAMP_* value, else null. */
export function infinityText(raw: number | bigint, day: boolean): string | null {
  const limit = day ? DATE_INFINITY : TIMESTAMP_INFINITY;
  if (raw === limit) return 'infinity';
  if (raw === -limit) return '-infinity';
  return null;
}

/** The raw stored value of a date or timestamp value, for the infinity check. */
function rawTemporal(value: DuckDBValue, typeId: DuckDBTypeId): number | bigint | null {
  const v = value as unknown as Record<string, number | bigint>;
  switch (typeId) {
    case DuckDBTypeId.DATE:
      return v.days!;
    case DuckDBTypeId.TIMESTAMP_S:
      return v.seconds!;
    case DuckDBTypeId.TIMESTAMP_MS:
      return v.millis!;
    case DuckDBTypeId.TIMESTAMP_NS:
      return v.nanos!;
    default:
      return null;
  }
}

/** A float as DuckDB prints it where the forms differ from JavaScript's (`nan`, `inf`, `-0.0`); finite values in JavaScript's shortest form. */
function floatText(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (Object.is(n, -0)) return '-0.0';
  return String(n);
}

/** One non-null value as DuckDB's `value::VARCHAR` prints it. */
export function duckdbText(value: DuckDBValue, type: DuckDBType): string {
  const typeId = type.typeId;
  if (typeId === DuckDBTypeId.FLOAT || typeId === DuckDBTypeId.DOUBLE) return floatText(value as number);
  const raw = rawTemporal(value, typeId);
  if (raw !== null) {
    const infinite = infinityText(raw, typeId === DuckDBTypeId.DATE);
    if (infinite) return infinite;
  }
  if (typeId === DuckDBTypeId.DECIMAL) return decimalText((value as { value: bigint }).value, (type as { scale: number }).scale);
  if (typeId === DuckDBTypeId.VARIANT) {
    // The inner value in its own type's text (node-api's display form quotes strings).
    const inner = value as { value: DuckDBValue; type?: DuckDBType };
    if (inner.value === null) return 'NULL';
    if (typeof inner.value === 'string') return inner.value;
    return inner.type ? duckdbText(inner.value, inner.type) : String(inner.value);
  }
  return String(value);
}

/**
 * A value as JSON text, laid out as DuckDB's `to_json` lays it out: a STRUCT is an object
 * in field order, a MAP an object keyed by each key's text, a UNION `{"tag": value}`, a
 * LIST or ARRAY an array. Unlike `to_json`, numbers keep every digit (a DECIMAL its
 * scale, a HUGEINT all 39 digits: never through a double), and NaN and ±Infinity, which
 * JSON has no numbers for, are the strings `"NaN"`, `"Infinity"`, `"-Infinity"`. Other
 * leaves are strings of DuckDB's own text; JSON values are embedded as they are.
 */
export function jsonText(value: DuckDBValue, type: DuckDBType): string {
  if (value === null) return 'null';
  switch (type.typeId) {
    case DuckDBTypeId.STRUCT: {
      const { entryNames, entryTypes } = type as unknown as { entryNames: readonly string[]; entryTypes: readonly DuckDBType[] };
      const entries = (value as { entries: Readonly<Record<string, DuckDBValue>> }).entries;
      return `{${entryNames.map((name, i) => `${JSON.stringify(name)}:${jsonText(entries[name] ?? null, entryTypes[i]!)}`).join(',')}}`;
    }
    case DuckDBTypeId.MAP: {
      const { keyType, valueType } = type as unknown as { keyType: DuckDBType; valueType: DuckDBType };
      const entries = (value as { entries: readonly { key: DuckDBValue; value: DuckDBValue }[] }).entries;
      return `{${entries.map((e) => `${JSON.stringify(e.key === null ? 'NULL' : duckdbText(e.key, keyType))}:${jsonText(e.value, valueType)}`).join(',')}}`;
    }
    case DuckDBTypeId.UNION: {
      const { memberTags, memberTypes } = type as unknown as { memberTags: readonly string[]; memberTypes: readonly DuckDBType[] };
      const union = value as { tag: string; value: DuckDBValue };
      const member = memberTypes[memberTags.indexOf(union.tag)]!;
      return `{${JSON.stringify(union.tag)}:${jsonText(union.value, member)}}`;
    }
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const child = (type as unknown as { valueType: DuckDBType }).valueType;
      return `[${(value as { items: readonly DuckDBValue[] }).items.map((item) => jsonText(item, child)).join(',')}]`;
    }
    case DuckDBTypeId.BOOLEAN:
      return value ? 'true' : 'false';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
    case DuckDBTypeId.DECIMAL:
      return duckdbText(value, type);
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE: {
      const n = value as number;
      if (!Number.isFinite(n)) return JSON.stringify(Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity');
      return Object.is(n, -0) ? '-0.0' : String(n);
    }
    case DuckDBTypeId.VARCHAR:
      // DuckDB checked a JSON value when it made it: it goes in as it is, as in to_json.
      return type.alias === 'JSON' ? (value as string) : JSON.stringify(value);
    default:
      return JSON.stringify(duckdbText(value, type));
  }
}
