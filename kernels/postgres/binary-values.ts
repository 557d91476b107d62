/**
 * Decoders for PostgreSQL's binary value formats, writing straight into Arrow column
 * builders: no string, BigInt or object per value on the common paths. Both fast paths
 * (binary COPY and the extended protocol's binary DataRows) use these, so they give the
 * same Arrow for the same rows.
 *
 * PostgreSQL counts timestamps in microseconds and dates in days from 2000-01-01; Arrow
 * from 1970-01-01. A value the column's Arrow type cannot hold (±infinity dates, NaN in a
 * numeric(p, s)) asks for the run to be redone with the column as text
 * (kernels/arrow/widening.ts): nothing becomes null that was not.
 */
import { Decimal, type RecordBatch } from 'apache-arrow';
import {
  BatchBuilder,
  DecimalColumnBuilder,
  WiderResultNeeded,
  isByteBuilder,
  isDecimalBuilder,
  isDecimalColumn,
  isFixedBuilder,
  isListBuilder,
  type ColumnBuilder,
  type DecimalValue
} from '../arrow/index.js';
import type { ColumnPlan, ValueKind } from './types.js';
import { numericIntegerDigits, numericToWords } from './numeric-words.js';
import { pow10 } from '../arrow/index.js';

/** Decodes one non-null value of `len` bytes at `pos`. */
export type FieldDecoder = (view: DataView, bytes: Uint8Array, pos: number, len: number) => void;

const DAYS_1970_TO_2000 = 10_957;
const TWO_32 = 4_294_967_296;
/** 946,684,800,000,000 µs (1970 → 2000) as 32-bit halves, so the shift needs no BigInt. */
const EPOCH_SHIFT_US = DAYS_1970_TO_2000 * 86_400_000_000;
const SHIFT_HIGH = Math.floor(EPOCH_SHIFT_US / TWO_32);
const SHIFT_LOW = EPOCH_SHIFT_US - SHIFT_HIGH * TWO_32;
const INT32_MAX = 0x7fffffff;
const INT32_MIN = -0x80000000;

const NUMERIC_NEG = 0x4000;
const NUMERIC_SPECIAL = 0xc000; // NaN 0xC000, +Inf 0xD000, -Inf 0xF000
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
/** 10000^k for a last chunk of k base-10000 digits. */
const CHUNK_SCALE = [1n, 10_000n, 100_000_000n];

/** Which column a decoder serves: named in the error that asks for a redo. */
export interface ColumnContext {
  engine: string;
  index: number;
  name: string;
}

/** The decoder for one column of a plan, bound to its builder. */
export function columnDecoder(plan: ColumnPlan, builder: ColumnBuilder, column: ColumnContext): FieldDecoder {
  if (!plan.list) return valueDecoder(plan.kind, builder, column);
  if (!isListBuilder(builder)) throw new Error('a list column needs a list builder');
  const item = valueDecoder(plan.kind, builder.child, column);
  const child = builder.child;
  return (view, bytes, pos) => {
    // ndim, has-null flag, element oid; then (size, lower bound) per dimension; then items.
    const ndim = view.getInt32(pos);
    let count = ndim === 0 ? 0 : 1;
    let p = pos + 12;
    for (let d = 0; d < ndim; d++, p += 8) count *= view.getInt32(p);
    for (let k = 0; k < count; k++) {
      const len = view.getInt32(p);
      p += 4;
      if (len < 0) child.appendNull();
      else {
        item(view, bytes, p, len);
        p += len;
      }
    }
    builder.endList();
  };
}

/** The error asking to redo the run with `column` as PostgreSQL's text. */
function asTextInstead(column: ColumnContext, what: string): WiderResultNeeded {
  return new WiderResultNeeded(column.engine, column.name, { [column.index]: 'text' }, what);
}

function valueDecoder(kind: ValueKind, builder: ColumnBuilder, column: ColumnContext): FieldDecoder {
  switch (kind) {
    case 'bool':
      return (_view, bytes, pos) => builder.append(bytes[pos] !== 0);
    case 'text':
    case 'bytea': {
      const b = bytesBuilder(builder);
      return (_view, bytes, pos, len) => b.appendBytes(bytes, pos, pos + len);
    }
    case 'jsonb': {
      // jsonb's binary format is a version byte (1) followed by the JSON text.
      const b = bytesBuilder(builder);
      return (_view, bytes, pos, len) => b.appendBytes(bytes, pos + 1, pos + len);
    }
    case 'decimal': {
      const type = builder.type as Decimal;
      if (!isDecimalBuilder(builder)) throw new Error('a decimal column needs a decimal builder');
      return (view, _bytes, pos) => {
        if (!appendDecimal(view, pos, type.scale, type.precision, builder)) throw asTextInstead(column, 'NaN or an infinite value, which no Arrow decimal holds');
      };
    }
    case 'numeric': {
      if (!isDecimalColumn(builder)) throw new Error('a numeric column needs a decimal column builder');
      const words = new Uint32Array(4);
      return (view, _bytes, pos) => {
        // Once the first batch chose Decimal128(38, s), values go straight into its words;
        // what does not fit (or comes before the choice) takes the exact BigInt way.
        const scale = builder.decimalScale;
        if (scale !== null && numericToWords(view, pos, scale, words)) {
          return builder.appendDecimalWords(words, view.getUint16(pos + 6), numericIntegerDigits(view, pos));
        }
        builder.appendValue(numericValue(view, pos));
      };
    }
    default:
      return fixedDecoder(kind, builder, column);
  }
}

function fixedDecoder(kind: ValueKind, builder: ColumnBuilder, column: ColumnContext): FieldDecoder {
  if (!isFixedBuilder(builder)) throw new Error(`a ${kind} column needs a fixed-width builder`);
  const b = builder;
  switch (kind) {
    case 'int2':
      return (view, _bytes, pos) => b.appendNumber(view.getInt16(pos));
    case 'int4':
      return (view, _bytes, pos) => b.appendNumber(view.getInt32(pos));
    case 'float4':
      return (view, _bytes, pos) => b.appendNumber(view.getFloat32(pos));
    case 'float8':
      return (view, _bytes, pos) => b.appendNumber(view.getFloat64(pos));
    case 'int8':
    case 'time':
      return (view, _bytes, pos) => b.appendInt64Words(view.getUint32(pos + 4), view.getInt32(pos));
    case 'oid':
      return (view, _bytes, pos) => b.appendInt64Words(view.getUint32(pos), 0);
    case 'date':
      return (view, _bytes, pos) => {
        const days = view.getInt32(pos);
        if (days === INT32_MAX || days === INT32_MIN) throw asTextInstead(column, 'an infinite date, which Arrow dates cannot hold');
        b.appendNumber(days + DAYS_1970_TO_2000);
      };
    case 'timestamp':
      return (view, _bytes, pos) => {
        const high = view.getInt32(pos);
        const low = view.getUint32(pos + 4);
        if ((high === INT32_MAX && low === 0xffffffff) || (high === INT32_MIN && low === 0)) {
          throw asTextInstead(column, 'an infinite timestamp, which Arrow timestamps cannot hold');
        }
        let l = low + SHIFT_LOW;
        let h = high + SHIFT_HIGH;
        if (l >= TWO_32) {
          l -= TWO_32;
          h += 1;
        }
        // Past int64 µs since 1970 (PostgreSQL's last 30 years before 294277): no Arrow value.
        if (h > INT32_MAX) throw asTextInstead(column, 'a timestamp past the year 292277, which Arrow timestamps cannot hold');
        b.appendInt64Words(l, h);
      };
    default:
      throw new Error(`no binary decoder for ${kind}`);
  }
}

function bytesBuilder(builder: ColumnBuilder) {
  if (!isByteBuilder(builder)) throw new Error('a text or bytea column needs a byte builder');
  return builder;
}

/**
 * numeric's binary form: ndigits, weight, sign, dscale (int16 each), then ndigits base-10000
 * digits, the first worth 10000^weight. Appends it at `scale`; false (nothing appended) for
 * NaN and ±Infinity, which a Decimal128 cannot hold.
 */
function appendDecimal(
  view: DataView,
  pos: number,
  scale: number,
  precision: number,
  builder: ColumnBuilder & { appendSafeInteger(value: number): void; appendWordValue(words: Uint32Array): void }
): boolean {
  const ndigits = view.getUint16(pos);
  const weight = view.getInt16(pos + 2);
  const sign = view.getUint16(pos + 4);
  if ((sign & NUMERIC_SPECIAL) === NUMERIC_SPECIAL) return false;
  if (precision <= 15) {
    // |unscaled| < 10^15 < 2^53: every partial sum is an exact integer.
    let n = 0;
    for (let i = 0; i < ndigits; i++) {
      const digit = view.getUint16(pos + 8 + 2 * i);
      const e = 4 * (weight - i) + scale;
      if (e >= 0) n += digit * POW10[e];
      else if (e > -4) n += Math.trunc(digit / POW10[-e]);
    }
    builder.appendSafeInteger(sign === NUMERIC_NEG ? -n : n);
    return true;
  }
  if (!numericToWords(view, pos, scale, WORDS)) throw new Error(`a numeric value does not fit its column's declared numeric(${precision},${scale})`);
  builder.appendWordValue(WORDS);
  return true;
}

const WORDS = new Uint32Array(4);

/** numeric's binary form (see {@link appendDecimal}) as an exact value at its display scale (dscale). */
function numericValue(view: DataView, pos: number): DecimalValue {
  const ndigits = view.getUint16(pos);
  const weight = view.getInt16(pos + 2);
  const sign = view.getUint16(pos + 4);
  const dscale = view.getUint16(pos + 6);
  if (sign === NUMERIC_PINF) return 'Infinity';
  if (sign === NUMERIC_NINF) return '-Infinity';
  if ((sign & NUMERIC_SPECIAL) === NUMERIC_SPECIAL) return 'NaN';
  // Three base-10000 digits (12 decimal ones) at a time are exact as a double: one BigInt
  // step per three digits.
  let v = 0n;
  let chunk = 0;
  let inChunk = 0;
  for (let i = 0; i < ndigits; i++) {
    chunk = chunk * 10000 + view.getUint16(pos + 8 + 2 * i);
    if (++inChunk === 3) {
      v = v * 1_000_000_000_000n + BigInt(chunk);
      chunk = 0;
      inChunk = 0;
    }
  }
  if (inChunk > 0) v = v * CHUNK_SCALE[inChunk]! + BigInt(chunk);
  // The digits are worth 10000^(weight - ndigits + 1) each; at dscale that is 10^e.
  const e = 4 * (weight - (ndigits - 1)) + dscale;
  v = e >= 0 ? v * pow10(e) : v / pow10(-e);
  return { unscaled: sign === NUMERIC_NEG ? -v : v, scale: dscale };
}

/**
 * Decodes tuples in the layout binary COPY rows and DataRow messages share: an int16
 * field count, then per field an int32 length (-1 for null) and that many bytes.
 */
export class RowDecoder {
  readonly builder: BatchBuilder;
  private readonly decoders: FieldDecoder[];
  private readonly columns: ColumnBuilder[];

  constructor(plans: readonly ColumnPlan[], engine: string, batchRows?: number) {
    const decimals = new Map<number, ColumnBuilder>();
    plans.forEach((p, index) => {
      if (p.kind === 'numeric' && !p.list) {
        const d = p.decimal ?? { dbType: 'numeric' };
        decimals.set(index, new DecimalColumnBuilder({ engine, index, name: p.field.name, ...d }));
      }
    });
    this.builder = new BatchBuilder(
      plans.map((p) => p.field),
      batchRows,
      decimals
    );
    this.columns = this.builder.columns;
    this.decoders = plans.map((p, i) => columnDecoder(p, this.columns[i], { engine, index: i, name: p.field.name }));
  }

  /** Decodes the complete tuple at `pos`; returns a batch when one filled. */
  decode(view: DataView, bytes: Uint8Array, pos: number): RecordBatch | null {
    const count = view.getInt16(pos);
    if (count !== this.decoders.length) throw new Error(`expected ${this.decoders.length} fields in a row, got ${count}`);
    let p = pos + 2;
    const decoders = this.decoders;
    const columns = this.columns;
    for (let i = 0; i < count; i++) {
      const len = view.getInt32(p);
      p += 4;
      if (len < 0) columns[i].appendNull();
      else {
        decoders[i](view, bytes, p, len);
        p += len;
      }
    }
    return this.builder.endRow();
  }

  /** The rows since the last batch. */
  flush(): RecordBatch | null {
    return this.builder.flush();
  }
}

/** A DataView over exactly `bytes`. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
