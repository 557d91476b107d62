/**
 * Reads DuckDB vectors in bulk, straight from their memory, into Arrow column builders.
 *
 * `@duckdb/node-api`'s `getItem` makes a JS value per row (a string decoded from UTF-8
 * that the Arrow builder then encodes again, an object per timestamp, …): on a 3M-row
 * scan that conversion took 95% of the worker's time while DuckDB itself needed ~0.2 s.
 * Here a column's chunk is copied out once (`vector_get_data`, `vector_get_validity`:
 * the same calls node-api's vector classes make, from `@duckdb/node-bindings`, pinned
 * with node-api in package.json) and lands in the Arrow buffers with `TypedArray.set`.
 *
 * The layout read here is DuckDB's C API vector layout (duckdb.h): fixed-width values
 * packed in host byte order, validity as uint64 words with bit `i` for row `i` (null
 * pointer: all valid), strings and blobs as 16-byte `duckdb_string_t` (uint32 length,
 * then up to 12 bytes inline, else a 4-byte prefix and a pointer). Result chunks from
 * the C API are flat vectors. tests/integration/duckdb-node-engine.test.ts checks every
 * type here against node-api's own reading, so a layout change fails loudly.
 */
import duckdb from '@duckdb/node-bindings';
import type { DuckDBDataChunk, DuckDBValue } from '@duckdb/node-api';
import {
  WiderResultNeeded,
  isBoolBuilder,
  isByteBuilder,
  isDecimalBuilder,
  isDecimalColumn,
  isFixedBuilder,
  type BatchBuilder,
  type ColumnBuilder
} from '../arrow/index.js';
import { DATE_INFINITY, NeedsText } from './text-forms.js';

/** The physical layout of a column DuckDB hands over, and what becomes of it in Arrow. */
export type Physical =
  /**
   * Copied as is (integers widen to the Arrow column's width on the way; UBIGINT's bits go
   * into Uint64 unchanged). `infinity`: DuckDB's ±infinity sentinels of a DATE or a
   * TIMESTAMP_* are refused (as {@link NeedsText}), not copied as dates millions of years away.
   */
  | { kind: 'copy'; element: 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'int64' | 'float' | 'double'; infinity?: 'date' | 'timestamp' }
  /** UINTEGER into an Int64 column: zero-extended. */
  | { kind: 'uint32-to-int64' }
  /** BOOLEAN: one byte per value. */
  | { kind: 'bool' }
  /** DECIMAL's storage into a Decimal128 column of the same width and scale. */
  | { kind: 'decimal'; element: 'int16' | 'int32' | 'int64' | 'int128' }
  /** HUGEINT / UHUGEINT into a DecimalColumnBuilder (which chooses Decimal128(38, 0) or text), one bigint per value. */
  | { kind: 'int128'; signed: boolean }
  /** VARCHAR and BLOB: `duckdb_string_t`. */
  | { kind: 'string' };

const BYTES: Record<string, number> = { int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, int128: 16, float: 4, double: 8 };

/** Bytes per value of `physical`'s DuckDB layout. */
function width(physical: Physical): number {
  switch (physical.kind) {
    case 'copy':
    case 'decimal':
      return BYTES[physical.element]!;
    case 'uint32-to-int64':
      return 4;
    case 'int128':
      return 16;
    case 'bool':
      return duckdb.sizeof_bool;
    case 'string':
      return 16;
  }
}

/** DuckDB's validity words read as an Arrow bitmap only match bit for bit on a little-endian host. */
export const BULK_SUPPORTED = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 && duckdb.sizeof_bool === 1;

/** A copy whose byte offset suits `bytesPerElement` (typed-array views need alignment). */
function aligned(bytes: Uint8Array, bytesPerElement: number): Uint8Array {
  return bytes.byteOffset % bytesPerElement === 0 ? bytes : new Uint8Array(bytes);
}

function view<T>(bytes: Uint8Array, make: new (buffer: ArrayBuffer, offset: number, length: number) => T, bytesPerElement: number, length: number): T {
  const a = aligned(bytes, bytesPerElement);
  return new make(a.buffer as ArrayBuffer, a.byteOffset, length);
}

/** Reused scratch space for conversions that cannot go straight into the builder. */
let scratch = new Uint32Array(4 * 2048);
function scratchWords(count: number): Uint32Array {
  if (scratch.length < count) scratch = new Uint32Array(count);
  scratch.fill(0, 0, count);
  return scratch;
}

/** What appendChunk needs of a column's mapping (types.ts). */
export interface ColumnReader {
  convert: ((value: DuckDBValue) => unknown) | null;
  physical: Physical | null;
}

/**
 * Appends the first `rows` rows of `chunk`, column by column: in bulk from the vector's
 * memory where the type allows, else value by value through node-api's `getItem`.
 */
export function appendChunk(chunk: DuckDBDataChunk, rows: number, readers: readonly ColumnReader[], builder: BatchBuilder): void {
  for (let c = 0; c < readers.length; c++) {
    const column = builder.columns[c]!;
    const { convert, physical } = readers[c]!;
    try {
      if (physical) {
        appendVector(chunk, c, rows, physical, column);
        continue;
      }
      const vector = chunk.getColumnVector(c);
      if (convert) {
        for (let r = 0; r < rows; r++) {
          const value = vector.getItem(r);
          column.append(value === null ? null : convert(value));
        }
      } else {
        for (let r = 0; r < rows; r++) column.append(vector.getItem(r));
      }
    } catch (e) {
      // The run is abandoned (or redone inside the engine): the half-appended chunk goes with it.
      if (e instanceof NeedsText) throw new WiderResultNeeded('duckdb', builder.schema.fields[c]!.name, { [c]: 'text' }, e.reason);
      throw e;
    }
  }
}

/**
 * Appends the first `rows` rows of column `column` of `chunk` to `builder`, whose Arrow
 * type is the one types.ts maps the column's DuckDB type to.
 */
export function appendVector(chunk: DuckDBDataChunk, column: number, rows: number, physical: Physical, builder: ColumnBuilder): void {
  if (rows === 0) return;
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, column);
  const data = duckdb.vector_get_data(vector, rows * width(physical));
  // null when DuckDB keeps no mask for the vector, i.e. every row is valid.
  const validity = duckdb.vector_get_validity(vector, Math.ceil(rows / 64) * 8) as Uint8Array | null;

  switch (physical.kind) {
    case 'copy': {
      if (!isFixedBuilder(builder)) break;
      if (physical.infinity) refuseInfinity(data, physical.infinity, rows, validity);
      builder.appendArray(typed(data, physical.element, rows), validity);
      return;
    }
    case 'uint32-to-int64': {
      if (!isFixedBuilder(builder)) break;
      const source = view(data, Uint32Array, 4, rows);
      const words = scratchWords(rows * 2);
      // Little-endian (BULK_SUPPORTED): the low word first, the high word stays 0.
      for (let i = 0; i < rows; i++) words[i * 2] = source[i]!;
      builder.appendArray(new BigInt64Array(words.buffer, 0, rows), validity);
      return;
    }
    case 'int128': {
      if (!isDecimalColumn(builder)) break;
      // A BigInt per value: HUGEINT columns are mostly sums, a row per group.
      const words = view(data, BigUint64Array, 8, rows * 2);
      const high = physical.signed ? view(data, BigInt64Array, 8, rows * 2) : words;
      for (let i = 0; i < rows; i++) {
        if (!bitSet(validity, i)) builder.appendNull();
        else builder.appendValue({ unscaled: (high[i * 2 + 1]! << 64n) | words[i * 2]!, scale: 0 });
      }
      return;
    }
    case 'bool': {
      if (!isBoolBuilder(builder)) break;
      builder.appendFlags(data.subarray(0, rows), validity);
      return;
    }
    case 'decimal': {
      if (!isDecimalBuilder(builder)) break;
      builder.appendWords(decimalWords(data, physical.element, rows), rows, validity);
      return;
    }
    case 'string': {
      if (!isByteBuilder(builder)) break;
      appendStrings(data, validity, rows, builder);
      return;
    }
  }
  throw new Error(`no bulk path from DuckDB ${physical.kind} into ${String(builder.type)}`);
}

function bitSet(validity: Uint8Array | null, i: number): boolean {
  return validity === null || ((validity[i >> 3]! >> (i & 7)) & 1) === 1;
}

/**
 * Throws {@link NeedsText} when a valid row holds DuckDB's infinity or -infinity: int32
 * ±(2^31 - 1) for a DATE, int64 ±(2^63 - 1) for a TIMESTAMP in any unit. Read as 32-bit
 * words (no BigInt per row), the high word first: it matches almost never.
 */
function refuseInfinity(data: Uint8Array, kind: 'date' | 'timestamp', rows: number, validity: Uint8Array | null): void {
  if (kind === 'date') {
    const days = view(data, Int32Array, 4, rows);
    for (let i = 0; i < rows; i++) {
      const d = days[i]!;
      if ((d === DATE_INFINITY || d === -DATE_INFINITY) && bitSet(validity, i)) throw new NeedsText('an infinite date, which no Arrow date holds');
    }
    return;
  }
  // Little-endian (BULK_SUPPORTED): +infinity is words (0xffffffff, 0x7fffffff), -infinity (1, 0x80000000).
  const words = view(data, Int32Array, 4, rows * 2);
  for (let i = 0; i < rows; i++) {
    const high = words[i * 2 + 1]!;
    if (high !== 0x7fffffff && high !== -0x80000000) continue;
    const low = words[i * 2]!;
    if (((high === 0x7fffffff && low === -1) || (high === -0x80000000 && low === 1)) && bitSet(validity, i)) {
      throw new NeedsText('an infinite timestamp, which no Arrow timestamp holds');
    }
  }
}

function typed(data: Uint8Array, element: Extract<Physical, { kind: 'copy' }>['element'], rows: number): ArrayLike<number> | BigInt64Array {
  switch (element) {
    case 'int8':
      return new Int8Array(data.buffer, data.byteOffset, rows);
    case 'uint8':
      return data.subarray(0, rows);
    case 'int16':
      return view(data, Int16Array, 2, rows);
    case 'uint16':
      return view(data, Uint16Array, 2, rows);
    case 'int32':
      return view(data, Int32Array, 4, rows);
    case 'int64':
      return view(data, BigInt64Array, 8, rows);
    case 'float':
      return view(data, Float32Array, 4, rows);
    case 'double':
      return view(data, Float64Array, 8, rows);
  }
}

/** Values as Decimal128 words (4 × 32 bits each, little-endian two's complement), without a BigInt per row. */
function decimalWords(data: Uint8Array, element: Extract<Physical, { kind: 'decimal' }>['element'], rows: number): Uint32Array {
  if (element === 'int128') {
    // A DECIMAL(19..38)'s hugeint is { uint64 lower; int64 upper }: already Decimal128's layout.
    return view(data, Uint32Array, 4, rows * 4);
  }
  const words = scratchWords(rows * 4);
  if (element === 'int16' || element === 'int32') {
    const source = element === 'int16' ? view(data, Int16Array, 2, rows) : view(data, Int32Array, 4, rows);
    for (let i = 0; i < rows; i++) {
      const v = source[i]!;
      const sign = v < 0 ? 0xffffffff : 0;
      words[i * 4] = v >>> 0;
      words[i * 4 + 1] = sign;
      words[i * 4 + 2] = sign;
      words[i * 4 + 3] = sign;
    }
    return words;
  }
  // 64-bit: copy both words; sign-extend the upper half.
  const source = view(data, Int32Array, 4, rows * 2);
  for (let i = 0; i < rows; i++) {
    const high = source[i * 2 + 1]!;
    const sign = high < 0 ? 0xffffffff : 0;
    words[i * 4] = source[i * 2]! >>> 0;
    words[i * 4 + 1] = high >>> 0;
    words[i * 4 + 2] = sign;
    words[i * 4 + 3] = sign;
  }
  return words;
}

/**
 * `duckdb_string_t`s into a Utf8/Binary builder as bytes: DuckDB's VARCHAR is valid
 * UTF-8 already, so nothing is decoded to a JS string and encoded back. Strings of up
 * to 12 bytes sit in the vector itself; longer ones are copied from DuckDB's heap by
 * `get_data_from_pointer` (the pointer read from the vector's copy, as node-api does).
 */
function appendStrings(
  data: Uint8Array,
  validity: Uint8Array | null,
  rows: number,
  builder: ColumnBuilder & { appendBytes(bytes: Uint8Array, start?: number, end?: number): void }
): void {
  const lengths = view(data, Uint32Array, 4, rows * 4);
  const buffer = data.buffer as ArrayBuffer;
  for (let i = 0; i < rows; i++) {
    if (validity !== null && ((validity[i >> 3]! >> (i & 7)) & 1) === 0) {
      builder.appendNull();
      continue;
    }
    const length = lengths[i * 4]!;
    const at = i * 16;
    if (length <= 12) builder.appendBytes(data, at + 4, at + 4 + length);
    else builder.appendBytes(duckdb.get_data_from_pointer(buffer, data.byteOffset + at + 8, length));
  }
}
