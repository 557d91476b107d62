/**
 * Everything that can become a DuckDB table, turned into one thing: Arrow IPC *stream*
 * bytes that end with the end-of-stream marker. DuckDB-WASM's
 * `insertArrowFromIPCStream` creates the table only when it sees that marker (a stream
 * without it inserts nothing and says nothing), does not read the IPC *file* format
 * (what `.arrow` files usually hold), and transfers — detaches — the buffer it is given,
 * so the bytes returned here are always a fresh copy the caller never sees again.
 *
 * Types arrive as they are (docs/types.md, "In the browser"): Decimal128(p, s) as
 * DECIMAL(p, s) (38 digits included), Int64 as BIGINT, Uint64 as UBIGINT. DuckDB keeps no
 * Arrow field metadata, and has no exact type for a `cairn.type: decimal` text column (more
 * than 38 digits, or NaN/Infinity): it arrives as VARCHAR, and {@link decimalTextNotices}
 * says so on the cell that reads it.
 */
import {
  Bool,
  Float64,
  Int32,
  Int64,
  Null,
  Table,
  TimestampMicrosecond,
  Utf8,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
  type DataType,
  type Vector
} from 'apache-arrow';
import { isDecimalText } from '../arrow/field-metadata.js';
import { QueryError } from '../engine.js';
import { ENGINE_ID } from './errors.js';

/** What `registerTable` accepts: Arrow IPC bytes (stream or file), an Arrow table, or an array of plain objects. */
export type TableInput = Uint8Array | ArrayBuffer | Table | readonly object[];

const EOS = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
const FILE_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

/** `value` as Arrow IPC stream bytes ending in the end-of-stream marker; throws a {@link QueryError} when it is not a table. */
export function toIpcStream(value: TableInput): Uint8Array {
  if (value instanceof Uint8Array) return ipcBytesToStream(value);
  if (value instanceof ArrayBuffer) return ipcBytesToStream(new Uint8Array(value));
  if (Array.isArray(value)) return tableToIPC(tableFromObjects(value), 'stream');
  if (value instanceof Table) return tableToIPC(value, 'stream');
  if (isTableLike(value)) {
    throw new QueryError('This Arrow table comes from another copy of apache-arrow; pass it as IPC bytes (tableToIPC) instead', ENGINE_ID);
  }
  throw new QueryError('A table must be Arrow IPC bytes, an Arrow table, or an array of objects', ENGINE_ID);
}

/** IPC bytes (stream or file format) as stream bytes with the end-of-stream marker, always a copy. */
export function ipcBytesToStream(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0) throw new QueryError('The Arrow data is empty', ENGINE_ID);
  if (FILE_MAGIC.every((b, i) => bytes[i] === b)) return tableToIPC(tableFromIPC(bytes), 'stream');
  return withEndOfStream(bytes);
}

/** `stream` followed by the end-of-stream marker unless it already ends with one (a copy either way). */
export function withEndOfStream(stream: Uint8Array): Uint8Array {
  const n = stream.length;
  const ended = n >= 8 && EOS.every((b, i) => stream[n - 8 + i] === b);
  if (ended) return stream.slice();
  const out = new Uint8Array(n + EOS.length);
  out.set(stream);
  out.set(EOS, n);
  return out;
}

/**
 * An Arrow table from an array of plain objects: one column per key seen in any row (in
 * the order first seen), missing values as null. apache-arrow's `tableFromJSON` is not
 * used because it guesses from the first value only (a column of `1` then `'two'`
 * becomes numbers, `'two'` NaN), drops all-null columns and stores Dates as days. Dates become TIMESTAMP (microseconds),
 * filled from milliseconds as apache-arrow's builders expect.
 */
export function tableFromObjects(rows: readonly object[]): Table {
  if (rows.length === 0) throw new QueryError('An empty array has no columns to make a table of', ENGINE_ID);
  const keys = new Map<string, unknown[]>();
  rows.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new QueryError(`Row ${i} is not an object; a table is an array of objects`, ENGINE_ID);
    }
    for (const key of Object.keys(row)) if (!keys.has(key)) keys.set(key, []);
  });
  for (const row of rows) {
    for (const [key, values] of keys) values.push((row as Record<string, unknown>)[key]);
  }
  const columns: Record<string, Vector> = {};
  for (const [key, values] of keys) columns[key] = column(values);
  return new Table(columns);
}

/** One column: the narrowest Arrow type that holds every value faithfully, text otherwise. */
function column(raw: unknown[]): Vector {
  const values = raw.map((v) => (v === undefined ? null : v));
  const present = values.filter((v) => v !== null);
  const type = inferType(present);
  if (type instanceof Utf8) return vectorFromArray(values.map((v) => (v === null ? null : toText(v))), type);
  if (type instanceof TimestampMicrosecond) return vectorFromArray(values.map((v) => (v === null ? null : (v as Date).getTime())), type);
  return vectorFromArray(values, type as DataType);
}

function inferType(present: unknown[]): DataType {
  if (present.length === 0) return new Null();
  if (present.every((v) => typeof v === 'boolean')) return new Bool();
  if (present.every((v) => typeof v === 'number')) {
    const ints = present.every((v) => Number.isInteger(v) && Math.abs(v as number) < 2 ** 31);
    return ints ? new Int32() : new Float64();
  }
  if (present.every((v) => typeof v === 'bigint')) return new Int64();
  if (present.every((v) => v instanceof Date && !Number.isNaN(v.getTime()))) return new TimestampMicrosecond();
  return new Utf8();
}

/** A value in a text column: strings as they are, nested values as JSON. */
function toText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}

function isTableLike(v: unknown): boolean {
  return !!v && typeof v === 'object' && 'schema' in v && 'batches' in v && 'numRows' in v;
}

/**
 * One sentence per `cairn.type: decimal` column of `table` (the result named `name`): DuckDB
 * reads it as VARCHAR, so a SQL cell or chart over it cannot compute on it exactly.
 */
export function decimalTextNotices(name: string, table: Pick<Table, 'schema'>): string[] {
  return table.schema.fields
    .filter((f) => isDecimalText(f))
    .map((f) => `DuckDB cannot compute on column ${f.name} of ${name} exactly because its values have more than 38 digits (or are NaN/Infinity): it reads them as text (VARCHAR). Compute on it in the database, or cast it (::DOUBLE) knowing that rounds.`);
}
