/**
 * Builds one Arrow column straight into typed-array buffers. Server engines get rows (or
 * raw wire values) one at a time; apache-arrow's own builders box every value through a
 * visitor and take timestamps as float milliseconds (losing microseconds), so this writes
 * the buffers itself and hands them to `makeData` once per batch.
 *
 * Value conventions for {@link ColumnBuilder.append} (engines convert to these):
 * - Bool: boolean; Int16/Int32/Float: number; Int64: bigint (or a safe-integer number)
 * - Decimal128: bigint, the unscaled value (`12.34` at scale 2 is `1234n`)
 * - Utf8: string; Binary: Uint8Array
 * - DateDay: days since 1970-01-01 (number); TimestampMicrosecond and TimeMicrosecond:
 *   microseconds (bigint) since 1970-01-01 UTC / since midnight
 * - List: an array of the child's values
 */
import {
  DataType,
  Type,
  makeData,
  type Data,
  type Decimal,
  type List
} from 'apache-arrow';

const encoder = new TextEncoder();

/** Index of the low and high 32-bit word of a 64-bit value in a Uint32Array view (host byte order). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const LOW = LITTLE_ENDIAN ? 0 : 1;
const HIGH = LITTLE_ENDIAN ? 1 : 0;

/** A growable typed array. */
class Growable<T extends Int32Array | Float64Array | Float32Array | BigInt64Array | Int16Array | Uint8Array> {
  buffer: T;
  length = 0;
  constructor(private readonly make: (n: number) => T, capacity = 1024) {
    this.buffer = make(capacity);
  }
  reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < need) size *= 2;
    const next = this.make(size);
    (next as Uint8Array).set(this.buffer as Uint8Array);
    this.buffer = next;
  }
  /** The filled part, copied so the builder can be reused. */
  take(): T {
    return this.buffer.slice(0, this.length) as T;
  }
}

/** A validity bitmap; `null` until the first null, so columns without nulls carry none. */
class Validity {
  private bits: Uint8Array | null = null;
  nullCount = 0;
  mark(index: number, valid: boolean): void {
    if (valid && this.bits === null) return;
    if (this.bits === null) {
      // First null: every earlier row was valid.
      this.bits = new Uint8Array(Math.max(128, (index >> 3) * 2 + 1)).fill(0xff);
    }
    if ((index >> 3) >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, (index >> 3) + 1)).fill(0xff);
      grown.set(this.bits);
      this.bits = grown;
    }
    if (valid) this.bits[index >> 3] |= 1 << (index & 7);
    else {
      this.bits[index >> 3] &= ~(1 << (index & 7));
      this.nullCount++;
    }
  }
  /**
   * Marks `count` values from `at` on at once, from an LSB-first bitmap (Arrow's layout;
   * DuckDB's uint64 validity words on a little-endian host) whose bit `from + i` is value
   * `i`; `null` means all valid. Columnar drivers hand over a chunk's mask this way.
   */
  markBits(at: number, count: number, mask: Uint8Array | null, from = 0): void {
    const nulls = mask === null ? 0 : count - countBits(mask, from, count);
    if (nulls === 0 && this.bits === null) return;
    const need = (at + count + 7) >> 3;
    if (this.bits === null) this.bits = new Uint8Array(Math.max(128, need * 2)).fill(0xff);
    else if (need > this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, need)).fill(0xff);
      grown.set(this.bits);
      this.bits = grown;
    }
    const bits = this.bits;
    if (mask === null) {
      // All valid, after a null earlier in the batch: set the range's bits.
      for (let i = 0; i < count; i++) bits[(at + i) >> 3] |= 1 << ((at + i) & 7);
    } else if ((at & 7) === 0 && (from & 7) === 0) {
      // Byte-aligned (the usual case: chunks of 2048 rows): copy whole bytes; the last
      // byte's bits past `count` are rewritten by whatever is appended next.
      bits.set(mask.subarray(from >> 3, (from + count + 7) >> 3), at >> 3);
    } else {
      for (let i = 0; i < count; i++) {
        const s = from + i;
        const d = at + i;
        if ((mask[s >> 3]! >> (s & 7)) & 1) bits[d >> 3] |= 1 << (d & 7);
        else bits[d >> 3] &= ~(1 << (d & 7));
      }
    }
    this.nullCount += nulls;
  }
  take(length: number): Uint8Array | undefined {
    if (this.bits === null) return undefined;
    const bytes = this.bits.slice(0, (length + 7) >> 3);
    this.bits = null;
    this.nullCount = 0;
    return bytes;
  }
}

/** Set bits per byte value. */
const POPCOUNT = new Uint8Array(256).map((_, b) => {
  let n = 0;
  for (let v = b; v; v >>= 1) n += v & 1;
  return n;
});

/** How many of bits `from` … `from + count - 1` of an LSB-first bitmap are set. */
export function countBits(mask: Uint8Array, from: number, count: number): number {
  let n = 0;
  let i = from;
  const end = from + count;
  for (; i < end && (i & 7) !== 0; i++) n += (mask[i >> 3]! >> (i & 7)) & 1;
  for (; i + 8 <= end; i += 8) n += POPCOUNT[mask[i >> 3]!]!;
  for (; i < end; i++) n += (mask[i >> 3]! >> (i & 7)) & 1;
  return n;
}

/** Whether bit `i` of an LSB-first bitmap is set (`null`: every bit is). */
function bitSet(mask: Uint8Array | null, i: number): boolean {
  return mask === null || ((mask[i >> 3]! >> (i & 7)) & 1) === 1;
}

/** Appends values of one Arrow type; `finish` returns the column so far and starts a new one. */
export interface ColumnBuilder {
  readonly type: DataType;
  readonly length: number;
  append(value: unknown): void;
  appendNull(): void;
  finish(): Data;
}

/** A builder for `type`; throws for types no engine here produces. */
export function columnBuilder(type: DataType): ColumnBuilder {
  switch (type.typeId) {
    case Type.Bool:
      return new BoolBuilder(type);
    case Type.Int:
    case Type.Int16:
    case Type.Int32:
    case Type.Int64:
      return intBuilder(type);
    case Type.Float:
    case Type.Float32:
    case Type.Float64:
      return (type as unknown as { precision: number }).precision === 1
        ? new FixedBuilder(type, (n) => new Float32Array(n), (v) => Number(v))
        : new FixedBuilder(type, (n) => new Float64Array(n), (v) => Number(v));
    case Type.Decimal:
      return new DecimalBuilder(type as Decimal);
    case Type.Utf8:
      return new VarBuilder(type, (v) => encoder.encode(String(v)));
    case Type.Binary:
      return new VarBuilder(type, (v) => (v instanceof Uint8Array ? v : encoder.encode(String(v))));
    case Type.Date:
    case Type.DateDay:
      return new FixedBuilder(type, (n) => new Int32Array(n), (v) => (v instanceof Date ? Math.floor(v.getTime() / 86_400_000) : Number(v)));
    case Type.Timestamp:
    case Type.TimestampMicrosecond:
    case Type.Time:
    case Type.TimeMicrosecond:
      return new FixedBuilder(type, (n) => new BigInt64Array(n), toMicros);
    case Type.List:
      return new ListBuilder(type as List);
    default:
      throw new Error(`no column builder for Arrow type ${String(type)}`);
  }
}

function toMicros(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (v instanceof Date) return BigInt(v.getTime()) * 1000n;
  return BigInt(Math.round(Number(v)));
}

function intBuilder(type: DataType): ColumnBuilder {
  const bitWidth = (type as unknown as { bitWidth: number }).bitWidth;
  if (bitWidth === 64) return new FixedBuilder(type, (n) => new BigInt64Array(n), (v) => (typeof v === 'bigint' ? v : BigInt(v as number)));
  if (bitWidth === 16) return new FixedBuilder(type, (n) => new Int16Array(n), (v) => Number(v));
  if (bitWidth === 32) return new FixedBuilder(type, (n) => new Int32Array(n), (v) => Number(v));
  throw new Error(`no column builder for ${bitWidth}-bit integers`);
}

type FixedArray = Int16Array | Int32Array | Float32Array | Float64Array | BigInt64Array;

class FixedBuilder<T extends FixedArray> implements ColumnBuilder {
  private readonly values: Growable<T>;
  private readonly validity = new Validity();
  constructor(
    readonly type: DataType,
    make: (n: number) => T,
    private readonly convert: (v: unknown) => T[number]
  ) {
    this.values = new Growable(make);
  }
  get length(): number {
    return this.values.length;
  }
  append(value: unknown): void {
    if (value === null || value === undefined) return this.appendNull();
    this.values.reserve(1);
    this.validity.mark(this.values.length, true);
    this.values.buffer[this.values.length++] = this.convert(value);
  }
  appendNull(): void {
    this.values.reserve(1);
    this.validity.mark(this.values.length, false);
    this.values.buffer[this.values.length++] = (this.values.buffer instanceof BigInt64Array ? 0n : 0) as T[number];
  }
  /** Appends a number as is (16/32-bit and float columns): the wire decoders' path, no conversion. */
  appendNumber(value: number): void {
    this.values.reserve(1);
    this.validity.mark(this.values.length, true);
    (this.values.buffer as Int32Array)[this.values.length++] = value;
  }
  /**
   * Appends a 64-bit value given as its low (unsigned) and high (signed) 32-bit halves, so
   * a wire decoder writes Int64 and timestamp columns without making a BigInt per value.
   */
  appendInt64Words(low: number, high: number): void {
    this.values.reserve(1);
    const words = this.words();
    const i = this.values.length++ * 2;
    this.validity.mark(i >> 1, true);
    words[i + LOW] = low;
    words[i + HIGH] = high;
  }
  /**
   * Appends `values` (a chunk of a columnar driver's vector) with one `TypedArray.set`:
   * numbers into 16/32-bit and float columns (narrower integer arrays widen on the way),
   * a BigInt64Array into 64-bit ones. `validity` is an LSB-first bitmap, `null` when all
   * are valid; null slots are zeroed, so the batch never carries the driver's leftovers.
   */
  appendArray(values: ArrayLike<number> | BigInt64Array, validity: Uint8Array | null): void {
    const count = values.length;
    this.values.reserve(count);
    const at = this.values.length;
    const buffer = this.values.buffer;
    (buffer as Float64Array).set(values as Float64Array, at);
    this.validity.markBits(at, count, validity);
    this.values.length += count;
    if (validity !== null && countBits(validity, 0, count) < count) {
      const zero = (buffer instanceof BigInt64Array ? 0n : 0) as T[number];
      for (let i = 0; i < count; i++) if (!bitSet(validity, i)) buffer[at + i] = zero;
    }
  }
  private wordsView: Uint32Array | null = null;
  /** A 32-bit view of the value buffer, remade when the buffer grew. */
  private words(): Uint32Array {
    const buffer = this.values.buffer.buffer;
    if (this.wordsView === null || this.wordsView.buffer !== buffer) this.wordsView = new Uint32Array(buffer);
    return this.wordsView;
  }
  finish(): Data {
    const length = this.values.length;
    const nullCount = this.validity.nullCount;
    const nullBitmap = this.validity.take(length);
    const data = this.values.take();
    this.values.length = 0;
    return makeData({ type: this.type, length, nullCount, nullBitmap, data } as never);
  }
}

class BoolBuilder implements ColumnBuilder {
  private bits = new Growable((n) => new Uint8Array(n), 128);
  private count = 0;
  private readonly validity = new Validity();
  constructor(readonly type: DataType) {}
  get length(): number {
    return this.count;
  }
  append(value: unknown): void {
    if (value === null || value === undefined) return this.appendNull();
    this.push(Boolean(value), true);
  }
  appendNull(): void {
    this.push(false, false);
  }
  /** Appends one value per byte of `flags` (non-zero is true: DuckDB's bool layout); `validity` as in FixedBuilder.appendArray. */
  appendFlags(flags: Uint8Array, validity: Uint8Array | null): void {
    const count = flags.length;
    const start = this.count;
    const end = start + count;
    const bytes = (end + 7) >> 3;
    if (bytes > this.bits.length) {
      this.bits.reserve(bytes - this.bits.length);
      this.bits.buffer.fill(0, this.bits.length, bytes);
      this.bits.length = bytes;
    }
    const bits = this.bits.buffer;
    for (let i = 0; i < count; i++) {
      if (flags[i] !== 0 && bitSet(validity, i)) bits[(start + i) >> 3] |= 1 << ((start + i) & 7);
    }
    this.validity.markBits(start, count, validity);
    this.count = end;
  }
  private push(bit: boolean, valid: boolean): void {
    const i = this.count++;
    if ((i >> 3) >= this.bits.length) {
      this.bits.reserve(1);
      this.bits.buffer[this.bits.length++] = 0;
    }
    if (bit) this.bits.buffer[i >> 3] |= 1 << (i & 7);
    this.validity.mark(i, valid);
  }
  finish(): Data {
    const length = this.count;
    const nullCount = this.validity.nullCount;
    const nullBitmap = this.validity.take(length);
    const data = this.bits.take();
    this.bits = new Growable((n) => new Uint8Array(n), 128);
    this.count = 0;
    return makeData({ type: this.type, length, nullCount, nullBitmap, data } as never);
  }
}

/** Utf8 and Binary: 32-bit offsets plus the bytes. */
class VarBuilder implements ColumnBuilder {
  private readonly offsets = new Growable((n) => new Int32Array(n));
  private readonly bytes = new Growable((n) => new Uint8Array(n), 16 * 1024);
  private readonly validity = new Validity();
  private count = 0;
  constructor(
    readonly type: DataType,
    private readonly toBytes: (v: unknown) => Uint8Array
  ) {
    this.offsets.buffer[0] = 0;
    this.offsets.length = 1;
  }
  get length(): number {
    return this.count;
  }
  append(value: unknown): void {
    if (value === null || value === undefined) return this.appendNull();
    this.appendBytes(this.toBytes(value));
  }
  /** Appends already-encoded bytes (UTF-8 for Utf8): the wire decoders' fast path. */
  appendBytes(bytes: Uint8Array, start = 0, end = bytes.length): void {
    const n = end - start;
    this.bytes.reserve(n);
    const target = this.bytes.buffer;
    const at = this.bytes.length;
    // Short values (most text fields) copy faster byte by byte than through a subarray view.
    if (n <= 32) for (let i = 0; i < n; i++) target[at + i] = bytes[start + i];
    else target.set(bytes.subarray(start, end), at);
    this.bytes.length += n;
    this.endValue(true);
  }
  appendNull(): void {
    this.endValue(false);
  }
  private endValue(valid: boolean): void {
    this.validity.mark(this.count++, valid);
    this.offsets.reserve(1);
    this.offsets.buffer[this.offsets.length++] = this.bytes.length;
  }
  finish(): Data {
    const length = this.count;
    const nullCount = this.validity.nullCount;
    const nullBitmap = this.validity.take(length);
    const valueOffsets = this.offsets.take();
    const data = this.bytes.take();
    this.count = 0;
    this.bytes.length = 0;
    this.offsets.length = 1;
    return makeData({ type: this.type, length, nullCount, nullBitmap, valueOffsets, data } as never);
  }
}

/** Decimal128: two's-complement little-endian 128-bit unscaled integers. */
class DecimalBuilder implements ColumnBuilder {
  private readonly words = new Growable((n) => new BigInt64Array(n));
  private readonly validity = new Validity();
  private count = 0;
  constructor(readonly type: Decimal) {}
  get length(): number {
    return this.count;
  }
  append(value: unknown): void {
    if (value === null || value === undefined) return this.appendNull();
    const v = typeof value === 'bigint' ? value : BigInt(value as string | number);
    this.words.reserve(2);
    this.words.buffer[this.words.length++] = BigInt.asIntN(64, v);
    this.words.buffer[this.words.length++] = BigInt.asIntN(64, v >> 64n);
    this.validity.mark(this.count++, true);
  }
  appendNull(): void {
    this.words.reserve(2);
    this.words.buffer[this.words.length++] = 0n;
    this.words.buffer[this.words.length++] = 0n;
    this.validity.mark(this.count++, false);
  }
  /** Appends an unscaled value that is a safe integer (|v| < 2^53) without making a BigInt. */
  appendSafeInteger(value: number): void {
    this.words.reserve(2);
    const buffer = this.words.buffer.buffer;
    if (this.view === null || this.view.buffer !== buffer) this.view = new Uint32Array(buffer);
    const i = this.words.length * 2;
    this.words.length += 2;
    // Two's complement: the low word is value mod 2^32, the rest is the floor quotient sign-extended.
    const high = Math.floor(value / 4_294_967_296);
    const sign = value < 0 ? 0xffffffff : 0;
    this.view[i + LOW] = value >>> 0;
    this.view[i + HIGH] = high >>> 0;
    this.view[i + 2 + LOW] = sign;
    this.view[i + 2 + HIGH] = sign;
    this.validity.mark(this.count++, true);
  }
  /**
   * Appends `count` unscaled values given as 128-bit little-endian two's-complement words
   * (four 32-bit words each, low first: Arrow's Decimal128 layout on a little-endian host);
   * `validity` as in FixedBuilder.appendArray, null slots zeroed.
   */
  appendWords(words: Uint32Array, count: number, validity: Uint8Array | null): void {
    this.words.reserve(count * 2);
    const buffer = this.words.buffer.buffer;
    if (this.view === null || this.view.buffer !== buffer) this.view = new Uint32Array(buffer);
    const at = this.words.length * 2;
    this.view.set(words.subarray(0, count * 4), at);
    if (validity !== null) {
      for (let i = 0; i < count; i++) if (!bitSet(validity, i)) this.view.fill(0, at + i * 4, at + i * 4 + 4);
    }
    this.validity.markBits(this.count, count, validity);
    this.words.length += count * 2;
    this.count += count;
  }
  /** Appends one unscaled value given as its four words (see {@link appendWords}), valid. */
  appendWordValue(words: Uint32Array): void {
    this.words.reserve(2);
    const buffer = this.words.buffer.buffer;
    if (this.view === null || this.view.buffer !== buffer) this.view = new Uint32Array(buffer);
    const i = this.words.length * 2;
    this.view[i] = words[0]!;
    this.view[i + 1] = words[1]!;
    this.view[i + 2] = words[2]!;
    this.view[i + 3] = words[3]!;
    this.words.length += 2;
    this.validity.mark(this.count++, true);
  }
  private view: Uint32Array | null = null;
  finish(): Data {
    const length = this.count;
    const nullCount = this.validity.nullCount;
    const nullBitmap = this.validity.take(length);
    const data = new Uint32Array(this.words.take().buffer);
    this.words.length = 0;
    this.count = 0;
    return makeData({ type: this.type, length, nullCount, nullBitmap, data } as never);
  }
}

class ListBuilder implements ColumnBuilder {
  private readonly offsets = new Growable((n) => new Int32Array(n));
  /** The items' builder: wire decoders append items here, then call {@link endList}. */
  readonly child: ColumnBuilder;
  private readonly validity = new Validity();
  private count = 0;
  constructor(readonly type: List) {
    this.child = columnBuilder(type.valueType);
    this.offsets.buffer[0] = 0;
    this.offsets.length = 1;
  }
  get length(): number {
    return this.count;
  }
  append(value: unknown): void {
    if (value === null || value === undefined) return this.appendNull();
    for (const item of value as Iterable<unknown>) this.child.append(item);
    this.endValue(true);
  }
  appendNull(): void {
    this.endValue(false);
  }
  /** Closes a list whose items were appended to {@link child} since the previous value. */
  endList(): void {
    this.endValue(true);
  }
  private endValue(valid: boolean): void {
    this.validity.mark(this.count++, valid);
    this.offsets.reserve(1);
    this.offsets.buffer[this.offsets.length++] = this.child.length;
  }
  finish(): Data {
    const length = this.count;
    const nullCount = this.validity.nullCount;
    const nullBitmap = this.validity.take(length);
    const valueOffsets = this.offsets.take();
    const child = this.child.finish();
    this.count = 0;
    this.offsets.length = 1;
    return makeData({ type: this.type, length, nullCount, nullBitmap, valueOffsets, child } as never);
  }
}

/** Whether `builder` writes numbers or 64-bit words directly (integer, float, date, time and timestamp columns). */
export function isFixedBuilder(builder: ColumnBuilder): builder is ColumnBuilder & {
  appendNumber(value: number): void;
  appendInt64Words(low: number, high: number): void;
  appendArray(values: ArrayLike<number> | BigInt64Array, validity: Uint8Array | null): void;
} {
  return builder instanceof FixedBuilder;
}

/** Whether `builder` takes unscaled safe integers without a BigInt (Decimal128 columns). */
export function isDecimalBuilder(builder: ColumnBuilder): builder is ColumnBuilder & {
  appendSafeInteger(value: number): void;
  appendWordValue(words: Uint32Array): void;
  appendWords(words: Uint32Array, count: number, validity: Uint8Array | null): void;
} {
  return builder instanceof DecimalBuilder;
}

/** Whether `builder` builds a Bool column (takes a chunk of byte flags at once). */
export function isBoolBuilder(builder: ColumnBuilder): builder is ColumnBuilder & { appendFlags(flags: Uint8Array, validity: Uint8Array | null): void } {
  return builder instanceof BoolBuilder;
}

/** Whether `builder` builds lists item by item (`child`, then `endList()`). */
export function isListBuilder(builder: ColumnBuilder): builder is ColumnBuilder & { readonly child: ColumnBuilder; endList(): void } {
  return builder instanceof ListBuilder;
}

/** Whether `builder` takes pre-encoded bytes (Utf8/Binary columns). */
export function isByteBuilder(builder: ColumnBuilder): builder is ColumnBuilder & { appendBytes(bytes: Uint8Array, start?: number, end?: number): void } {
  return builder instanceof VarBuilder;
}
