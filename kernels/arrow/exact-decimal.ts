/**
 * Decimal numbers as an unscaled integer and a scale (`12.50` is 1250n at scale 2): the
 * exact form every engine hands over before a column's Arrow type is chosen
 * (decimal-column.ts), and the text form of `cairn.type: decimal` columns
 * (docs/types.md).
 */

/** A finite decimal: `unscaled / 10^scale`. `scale` is the digits after the point as the database gave them. */
export interface ExactDecimal {
  unscaled: bigint;
  scale: number;
}

/** The values a decimal column may hold besides finite numbers (PostgreSQL's numeric has all three). */
export type DecimalSpecial = 'NaN' | 'Infinity' | '-Infinity';

export type DecimalValue = ExactDecimal | DecimalSpecial;

/** The most digits an Arrow Decimal128 holds. */
export const DECIMAL128_DIGITS = 38;

const POW10: bigint[] = [1n];
/** 10^n as a bigint (cached up to the sizes decimals reach). */
export function pow10(n: number): bigint {
  if (n < POW10.length) return POW10[n]!;
  let p = POW10[POW10.length - 1]!;
  for (let i = POW10.length; i <= n; i++) {
    p *= 10n;
    if (i < 1024) POW10.push(p);
  }
  return p;
}

/** Decimal digits of |n| (0 has one). */
export function digitCount(n: bigint): number {
  const abs = n < 0n ? -n : n;
  if (abs < 10n) return 1;
  // Exact and fast enough: decimals here have at most a few hundred digits in practice.
  return abs.toString().length;
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Parses decimal text (`-12.50`, `1e-3`, `NaN`, `Infinity`); throws on anything else. */
export function parseDecimal(text: string): DecimalValue {
  const t = text.trim();
  if (t === 'NaN') return 'NaN';
  if (t === 'Infinity' || t === '+Infinity' || t === 'inf') return 'Infinity';
  if (t === '-Infinity' || t === '-inf') return '-Infinity';
  const m = DECIMAL_TEXT.exec(t);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`not a decimal number: ${JSON.stringify(text.slice(0, 60))}`);
  const fraction = m[3] ?? '';
  let unscaled = BigInt((m[2] || '0') + fraction);
  let scale = fraction.length - (m[4] ? Number(m[4]) : 0);
  if (scale < 0) {
    unscaled *= pow10(-scale);
    scale = 0;
  }
  return { unscaled: m[1] === '-' ? -unscaled : unscaled, scale };
}

/** `unscaled` at `scale` as plain decimal text, every digit kept: (1250n, 2) → "12.50", (-5n, 3) → "-0.005". */
export function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (scale <= 0) return unscaled === 0n ? '0' : (negative ? '-' : '') + digits + '0'.repeat(-scale);
  if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
  const point = digits.length - scale;
  return `${negative ? '-' : ''}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A value's text: finite decimals in full, specials by name. */
export function decimalValueText(value: DecimalValue): string {
  return typeof value === 'string' ? value : decimalText(value.unscaled, value.scale);
}

/** `value` as an unscaled integer at `scale`, or null when that would drop non-zero digits. */
export function rescale(value: ExactDecimal, scale: number): bigint | null {
  if (scale === value.scale) return value.unscaled;
  if (scale > value.scale) return value.unscaled * pow10(scale - value.scale);
  const divisor = pow10(value.scale - scale);
  return value.unscaled % divisor === 0n ? value.unscaled / divisor : null;
}

/** The smallest scale that holds `value` exactly (trailing zeros after the point dropped). */
export function minimalScale(value: ExactDecimal): number {
  let scale = value.scale;
  let u = value.unscaled;
  while (scale > 0 && u % 10n === 0n) {
    u /= 10n;
    scale--;
  }
  return scale;
}

/** Digits before the point (0 for |value| < 1). */
export function integerDigits(value: ExactDecimal): number {
  const whole = value.scale >= 0 ? value.unscaled / pow10(value.scale) : value.unscaled * pow10(-value.scale);
  return whole === 0n ? 0 : digitCount(whole);
}

/** Whether an unscaled integer fits a Decimal128 of 38 digits. */
export function fitsDecimal128(unscaled: bigint): boolean {
  const limit = pow10(DECIMAL128_DIGITS);
  return unscaled < limit && unscaled > -limit;
}
