/**
 * Exact decimals in JavaScript: Arrow Decimal128/256 values as apache-arrow returns them
 * (32-bit words) turned into a bigint and an exact text, and {@link Decimal}, the small
 * exact value JS cells get for decimal columns (README.md, "JS cells"; docs/types.md, "In
 * the browser"). No float is ever on the way from the words to the text.
 */
import { Decimal as ArrowDecimal, makeData, type Data } from 'apache-arrow';
import { decimalText } from './exact-decimal.js';

/**
 * A decimal value as apache-arrow returns it (little-endian 32-bit words, two's complement,
 * of 128 or 256 bits) to its unscaled bigint. A bigint or an integer number passes through.
 */
export function decimalToBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  const words = value as Uint32Array;
  let result = 0n;
  for (let i = words.length - 1; i >= 0; i--) result = (result << 32n) | BigInt(words[i] >>> 0);
  const bits = BigInt(words.length * 32);
  if (words.length > 0 && words[words.length - 1] & 0x80000000) result -= 1n << bits;
  return result;
}

/** A Decimal128(precision, scale) column of unscaled values (null for null): for tables made in JavaScript (dev pages, tests). */
export function decimalData(values: readonly (bigint | null)[], precision: number, scale: number): Data<ArrowDecimal> {
  const words = new BigUint64Array(values.length * 2);
  const validity = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null) return void nullCount++;
    validity[i >> 3] |= 1 << (i & 7);
    // Two's complement, low 64 bits first (Arrow's little-endian layout).
    words[2 * i] = BigInt.asUintN(64, v);
    words[2 * i + 1] = BigInt.asUintN(64, v >> 64n);
  });
  return makeData({ type: new ArrowDecimal(scale, precision, 128), length: values.length, nullCount, nullBitmap: validity, data: new Uint32Array(words.buffer) });
}

/** A plain decimal literal: optional sign, digits, optional fraction (`-12.50`, `.5`, `7.`); no exponent, no separators. */
export const DECIMAL_LITERAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/**
 * An exact decimal number: `unscaled × 10^-scale`. What a JS cell reads from a decimal
 * column through Cairn's `rows`/`values` (README.md, "JS cells"). `String(d)` is its exact
 * text with its scale (`12.50`); `Number(d)`, `d.toNumber()` and arithmetic operators give
 * the nearest float; `plus` and {@link Decimal.sum} stay exact.
 */
export class Decimal {
  constructor(
    /** The digits as an integer: 12.50 is 1250n at scale 2. */
    readonly unscaled: bigint,
    /** Digits after the point. */
    readonly scale: number
  ) {
    if (!Number.isInteger(scale) || scale < 0) throw new RangeError(`a Decimal's scale is a whole number ≥ 0, not ${scale}`);
  }

  /** The decimal a literal (`"-12.50"`, `"3"`) spells exactly; throws a RangeError on anything else (NaN, exponents, separators). */
  static parse(text: string): Decimal {
    const t = text.trim();
    if (!DECIMAL_LITERAL.test(t)) throw new RangeError(`not a decimal number: ${JSON.stringify(text)}`);
    const negative = t.startsWith('-');
    const [whole, fraction = ''] = t.replace(/^[+-]/, '').split('.');
    const unscaled = BigInt((whole || '0') + fraction);
    return new Decimal(negative ? -unscaled : unscaled, fraction.length);
  }

  /** A Decimal from a Decimal, a decimal literal, a bigint or a safe integer. */
  static from(value: Decimal | string | bigint | number): Decimal {
    if (value instanceof Decimal) return value;
    if (typeof value === 'bigint') return new Decimal(value, 0);
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not an exact integer; pass its text to Decimal.parse`);
      return new Decimal(BigInt(value), 0);
    }
    return Decimal.parse(value);
  }

  /** The exact sum of `values` (nulls skipped), at the largest scale among them; 0 for none. */
  static sum(values: Iterable<Decimal | string | bigint | number | null | undefined>): Decimal {
    let total = new Decimal(0n, 0);
    for (const v of values) if (v !== null && v !== undefined) total = total.plus(v);
    return total;
  }

  /** This plus `other`, exactly, at the larger of the two scales. */
  plus(other: Decimal | string | bigint | number): Decimal {
    const o = Decimal.from(other);
    const scale = Math.max(this.scale, o.scale);
    return new Decimal(this.rescaled(scale) + o.rescaled(scale), scale);
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than `other` (12.5 equals 12.50). */
  compare(other: Decimal | string | bigint | number): -1 | 0 | 1 {
    const o = Decimal.from(other);
    const scale = Math.max(this.scale, o.scale);
    const a = this.rescaled(scale);
    const b = o.rescaled(scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** Whether this equals `other` as a number (12.5 equals 12.50). */
  equals(other: Decimal | string | bigint | number): boolean {
    return this.compare(other) === 0;
  }

  /** The nearest float (parsed from the exact text, so rounded once). */
  toNumber(): number {
    return Number(this.toString());
  }

  /** The exact text, with the scale's trailing zeros: `12.50`, `-0.05`. */
  toString(): string {
    return decimalText(this.unscaled, this.scale);
  }

  /** JSON has no exact decimals: the exact text, as a string. */
  toJSON(): string {
    return this.toString();
  }

  /** Arithmetic, comparisons and `Number(d)` see the float (so Plot and d3 can use it); `String(d)` and templates the exact text. */
  [Symbol.toPrimitive](hint: string): number | string {
    return hint === 'string' ? this.toString() : this.toNumber();
  }

  private rescaled(scale: number): bigint {
    return this.unscaled * 10n ** BigInt(scale - this.scale);
  }
}
