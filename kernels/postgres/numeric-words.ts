/**
 * PostgreSQL's binary numeric straight into Decimal128's four little-endian 32-bit words,
 * at a given scale, without a BigInt: the value is built in eight 16-bit limbs (so every
 * step is exact in a double) from its base-10000 digits, which is how the wire sends it.
 * Sums and averages of money columns have 20-odd digits; this keeps them at wire speed.
 *
 * numeric's binary form: ndigits, weight, sign, dscale (int16 each), then ndigits base-10000
 * digits, the first worth 10000^weight.
 */

const LIMBS = 8;
const NUMERIC_SPECIAL = 0xc000;
const NUMERIC_NEG = 0x4000;

const limbs = new Array<number>(LIMBS).fill(0);

/** How many low limbs may be non-zero: the rest are skipped. */
let used = 0;

/**
 * limbs = limbs × m + add, for m ≤ 10000 and add < 65536: every step stays below 2^32, so
 * it is exact in 32-bit integer arithmetic. False when the value no longer fits 128 bits.
 */
function mulAdd(l: number[], m: number, add: number): boolean {
  let carry = add;
  for (let i = 0; i < used; i++) {
    const t = l[i]! * m + carry;
    l[i] = t & 0xffff;
    carry = t >>> 16;
  }
  while (carry !== 0) {
    if (used === LIMBS) return false;
    l[used++] = carry & 0xffff;
    carry >>>= 16;
  }
  return true;
}

/** 10^38 in 16-bit limbs, low first: a Decimal128 holds magnitudes below it. */
const LIMIT = (() => {
  const l = new Array<number>(LIMBS).fill(0);
  used = 0;
  mulAdd(l, 1, 1);
  for (let i = 0; i < 38; i++) mulAdd(l, 10, 0);
  return l;
})();

function belowLimit(l: number[]): boolean {
  for (let i = LIMBS - 1; i >= 0; i--) if (l[i] !== LIMIT[i]) return l[i]! < LIMIT[i]!;
  return false;
}

const POW10 = [1, 10, 100, 1000, 10_000];

/**
 * Writes the numeric at `pos` as a Decimal128 at `scale` into `out` (four words). False —
 * `out` then undefined — for NaN/±Infinity, a value with non-zero digits past `scale`, or one
 * of 38 digits or more at `scale`: the caller takes the exact slow way, which says why.
 */
export function numericToWords(view: DataView, pos: number, scale: number, out: Uint32Array): boolean {
  const ndigits = view.getUint16(pos);
  const weight = view.getInt16(pos + 2);
  const sign = view.getUint16(pos + 4);
  if ((sign & NUMERIC_SPECIAL) === NUMERIC_SPECIAL) return false;
  if (ndigits <= 3) {
    // Up to 12 digits whose value at `scale` is a safe integer (most money): plain doubles.
    let n = 0;
    for (let i = 0; i < ndigits; i++) n = n * 10_000 + view.getUint16(pos + 8 + 2 * i);
    const e = ndigits === 0 ? 0 : 4 * (weight - (ndigits - 1)) + scale;
    const m = e >= 0 ? (e <= 22 ? n * 10 ** e : NaN) : -e <= 22 && n % 10 ** -e === 0 ? n / 10 ** -e : NaN;
    if (Number.isSafeInteger(m)) {
      const v = sign === NUMERIC_NEG ? -m : m;
      // Two's complement: the low word is v mod 2^32, the high words the sign-extended quotient.
      out[0] = v >>> 0;
      out[1] = Math.floor(v / 4_294_967_296) >>> 0;
      out[2] = out[3] = v < 0 ? 0xffffffff : 0;
      return true;
    }
  }
  limbs.fill(0);
  used = 0;
  // The last digit is worth 10000^(weight - ndigits + 1); at `scale` that is 10^e.
  let e = ndigits === 0 ? 0 : 4 * (weight - (ndigits - 1)) + scale;
  for (let i = 0; i < ndigits; i++) {
    const digit = view.getUint16(pos + 8 + 2 * i);
    if (i < ndigits - 1 || e >= 0) {
      if (!mulAdd(limbs, 10_000, digit)) return false;
      continue;
    }
    // The last digit reaches past `scale`: only its leading 4 + e decimal digits count, and
    // the rest must be zeros (PostgreSQL drops zero digits at the end, so e ≤ -4 loses some).
    if (e <= -4 || digit % POW10[-e]! !== 0) return false;
    if (!mulAdd(limbs, POW10[4 + e]!, digit / POW10[-e]!)) return false;
    e = 0;
  }
  while (e > 0) {
    const k = Math.min(e, 4);
    if (!mulAdd(limbs, POW10[k]!, 0)) return false;
    e -= k;
  }
  if (!belowLimit(limbs)) return false;
  if (sign === NUMERIC_NEG) {
    // Two's complement: invert, add one.
    let carry = 1;
    for (let i = 0; i < LIMBS; i++) {
      const t = (~limbs[i]! & 0xffff) + carry;
      limbs[i] = t & 0xffff;
      carry = t >>> 16;
    }
  }
  for (let w = 0; w < 4; w++) out[w] = (limbs[2 * w]! | (limbs[2 * w + 1]! << 16)) >>> 0;
  return true;
}

/** Digits of the integer part, from the header: the first base-10000 digit is worth 10000^weight. */
export function numericIntegerDigits(view: DataView, pos: number): number {
  const ndigits = view.getUint16(pos);
  const weight = view.getInt16(pos + 2);
  if (weight < 0 || ndigits === 0) return 0;
  const first = view.getUint16(pos + 8);
  return 4 * weight + (first >= 1000 ? 4 : first >= 100 ? 3 : first >= 10 ? 2 : 1);
}
