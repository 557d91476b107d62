/**
 * Arrow IPC bytes into a DuckDB table, in the worker. `@duckdb/node-api` takes no Arrow,
 * so the IPC is decoded with apache-arrow and appended column by column through DuckDB's
 * appender, one data chunk (2,048 rows) at a time. Used for the `flights_200k` sample (an
 * Arrow file: native DuckDB has no Arrow reader built in) and for `registerArrow` (the
 * server's `cairn` connection puts its audit log here).
 *
 * Arrow → DuckDB: signed/unsigned integers and floats to their DuckDB namesakes, Decimal →
 * DECIMAL, Utf8 → VARCHAR (JSON when the field says `cairn.type: json`), Binary → BLOB,
 * dates → DATE, timestamps → TIMESTAMP (TIMESTAMPTZ with a time zone), times → TIME,
 * dictionaries as their values, lists → LIST; anything else → VARCHAR of its text.
 */
import {
  DuckDBDataChunk,
  blobValue,
  dateValue,
  decimalValue,
  listValue,
  timeValue,
  timestampTZValue,
  timestampValue,
  type DuckDBConnection,
  type DuckDBValue
} from '@duckdb/node-api';
import {
  RecordBatchReader,
  TimeUnit,
  Type,
  type DataType,
  type Decimal,
  type Dictionary,
  type Field,
  type List,
  type RecordBatch,
  type Vector
} from 'apache-arrow';
import { quoteIdent } from '../sql-ident.js';
import { JSON_METADATA } from './types.js';

/** DuckDB's data chunk capacity (STANDARD_VECTOR_SIZE). */
const CHUNK_ROWS = 2048;

interface InputColumn {
  /** The DuckDB column type, as SQL. */
  sql: string;
  /** Value `i` of one batch's column, as a DuckDB value. */
  read: (vector: Vector, i: number) => DuckDBValue;
}

/**
 * Creates (or replaces) table `name` from Arrow IPC stream or file bytes, atomically:
 * readers see the old table or the whole new one. Returns the rows appended.
 */
export async function createTableFromArrow(connection: DuckDBConnection, name: string, bytes: Uint8Array): Promise<number> {
  const reader = RecordBatchReader.from(bytes);
  reader.open();
  const columns = reader.schema.fields.map(inputColumn);
  const table = quoteIdent(name);
  const columnSql = reader.schema.fields.map((f, i) => `${quoteIdent(f.name)} ${columns[i]!.sql}`).join(', ');
  let rows = 0;
  await connection.run('BEGIN TRANSACTION');
  try {
    await connection.run(`CREATE OR REPLACE TABLE ${table} (${columnSql})`);
    const appender = await connection.createAppender(name);
    const types = columns.map((_, i) => appender.columnType(i));
    for (const batch of reader as Iterable<RecordBatch>) {
      rows += appendBatch(batch, columns, types, (chunk) => appender.appendDataChunk(chunk));
    }
    appender.closeSync();
    await connection.run('COMMIT');
  } catch (e) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw e;
  }
  return rows;
}

function appendBatch(
  batch: RecordBatch,
  columns: InputColumn[],
  types: Parameters<typeof DuckDBDataChunk.create>[0],
  append: (chunk: DuckDBDataChunk) => void
): number {
  const vectors = columns.map((_, c) => batch.getChildAt(c)!);
  for (let start = 0; start < batch.numRows; start += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, batch.numRows - start);
    const chunk = DuckDBDataChunk.create(types, n);
    for (let c = 0; c < columns.length; c++) {
      const values = new Array<DuckDBValue>(n);
      const vector = vectors[c]!;
      const read = columns[c]!.read;
      for (let r = 0; r < n; r++) values[r] = vector.isValid(start + r) ? read(vector, start + r) : null;
      chunk.setColumnValues(c, values);
    }
    append(chunk);
  }
  return batch.numRows;
}

function inputColumn(field: Field): InputColumn {
  const column = inputType(field.type);
  if (column.sql === 'VARCHAR' && field.metadata.get('cairn.type') === JSON_METADATA.get('cairn.type')) return { ...column, sql: 'JSON' };
  return column;
}

/** Raw fixed-width value `i` of a vector's single data buffer (IPC batches are one chunk per column). */
function raw(vector: Vector, i: number): number | bigint {
  const data = vector.data[0]!;
  return (data.values as ArrayLike<number | bigint>)[i]!;
}

const toText = (vector: Vector, i: number): DuckDBValue => {
  const v: unknown = vector.get(i);
  return typeof v === 'string' ? v : JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
};

function inputType(type: DataType): InputColumn {
  const plain = (sql: string): InputColumn => ({ sql, read: (v, i) => v.get(i) as DuckDBValue });
  switch (type.typeId) {
    case Type.Bool:
      return plain('BOOLEAN');
    case Type.Int: {
      const { bitWidth, isSigned } = type as unknown as { bitWidth: number; isSigned: boolean };
      const name = { 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' }[bitWidth] ?? 'BIGINT';
      return plain(isSigned ? name : `U${name}`);
    }
    case Type.Float: {
      const { precision } = type as unknown as { precision: number };
      return plain(precision === 2 ? 'DOUBLE' : 'FLOAT');
    }
    case Type.Decimal: {
      const { scale, precision } = type as Decimal;
      return {
        sql: `DECIMAL(${precision}, ${scale})`,
        read: (v, i) => {
          // Four little-endian 32-bit words of a two's-complement 128-bit integer.
          const words = v.data[0]!.values as Uint32Array;
          let unscaled = 0n;
          for (let w = 3; w >= 0; w--) unscaled = (unscaled << 32n) | BigInt(words[i * 4 + w]!);
          return decimalValue(BigInt.asIntN(128, unscaled), precision, scale);
        }
      };
    }
    case Type.Utf8:
    case Type.LargeUtf8:
      return plain('VARCHAR');
    case Type.Binary:
    case Type.LargeBinary:
      return { sql: 'BLOB', read: (v, i) => blobValue(v.get(i) as Uint8Array) };
    case Type.Date: {
      // DateDay holds days; DateMillisecond milliseconds.
      const perDay = (type as unknown as { unit: number }).unit === 0 ? 1 : 86_400_000;
      return { sql: 'DATE', read: (v, i) => dateValue(Math.floor(Number(raw(v, i)) / perDay)) };
    }
    case Type.Timestamp: {
      const { unit, timezone } = type as unknown as { unit: TimeUnit; timezone: string | null };
      const toMicros = microsFrom(unit);
      return timezone
        ? { sql: 'TIMESTAMPTZ', read: (v, i) => timestampTZValue(toMicros(raw(v, i))) }
        : { sql: 'TIMESTAMP', read: (v, i) => timestampValue(toMicros(raw(v, i))) };
    }
    case Type.Time: {
      const toMicros = microsFrom((type as unknown as { unit: TimeUnit }).unit);
      return { sql: 'TIME', read: (v, i) => timeValue(toMicros(raw(v, i))) };
    }
    case Type.Dictionary:
      return inputType((type as Dictionary).dictionary);
    case Type.List: {
      const child = inputType((type as List).valueType);
      return {
        sql: `${child.sql}[]`,
        read: (v, i) => {
          const items = v.get(i) as Vector;
          const values: DuckDBValue[] = [];
          for (let j = 0; j < items.length; j++) values.push(items.isValid(j) ? child.read(items, j) : null);
          return listValue(values);
        }
      };
    }
    default:
      return { sql: 'VARCHAR', read: toText };
  }
}

function microsFrom(unit: TimeUnit): (value: number | bigint) => bigint {
  switch (unit) {
    case TimeUnit.SECOND:
      return (v) => BigInt(v) * 1_000_000n;
    case TimeUnit.MILLISECOND:
      return (v) => BigInt(v) * 1_000n;
    case TimeUnit.MICROSECOND:
      return (v) => BigInt(v);
    default:
      return (v) => BigInt(v) / 1_000n;
  }
}
