import { describe, expect, it } from 'vitest';
import { numericIntegerDigits, numericToWords } from '../../kernels/postgres/numeric-words.js';
import { decimalText, parseDecimal, type ExactDecimal } from '../../kernels/arrow/exact-decimal.js';

/** PostgreSQL's binary numeric for decimal text: base-10000 digits around the point, as numeric_send writes them. */
function numericBinary(text: string): DataView {
  if (text === 'NaN') return header([], 0, 0xc000, 0);
  const d = parseDecimal(text) as ExactDecimal;
  const negative = d.unscaled < 0n;
  const digits = (negative ? -d.unscaled : d.unscaled).toString().padStart(d.scale + 1, '0');
  let whole = digits.slice(0, digits.length - d.scale);
  let frac = digits.slice(digits.length - d.scale);
  whole = whole.padStart(Math.ceil(whole.length / 4) * 4, '0');
  frac = frac.padEnd(Math.ceil(frac.length / 4) * 4, '0');
  let groups = [...(whole + frac).matchAll(/\d{4}/g)].map((m) => Number(m[0]));
  let weight = whole.length / 4 - 1;
  while (groups.length > 0 && groups[0] === 0) {
    groups.shift();
    weight--;
  }
  while (groups.length > 0 && groups[groups.length - 1] === 0) groups.pop();
  if (groups.length === 0) weight = 0;
  return header(groups, weight, negative ? 0x4000 : 0, d.scale);
}

function header(groups: number[], weight: number, sign: number, dscale: number): DataView {
  const view = new DataView(new ArrayBuffer(8 + 2 * groups.length));
  view.setUint16(0, groups.length);
  view.setInt16(2, weight);
  view.setUint16(4, sign);
  view.setUint16(6, dscale);
  groups.forEach((g, i) => view.setUint16(8 + 2 * i, g));
  return view;
}

function unscaled(words: Uint32Array): bigint {
  let v = 0n;
  for (let i = 3; i >= 0; i--) v = (v << 32n) | BigInt(words[i]!);
  return BigInt.asIntN(128, v);
}

describe('numericToWords', () => {
  it.each([
    ['0', 0],
    ['12.50', 2],
    ['-0.01', 2],
    ['1763.66714285714285714286', 20],
    ['-1763.66714285714285714286', 20],
    ['12345678901234567.89', 21],
    ['99999999999999999999999999999999999999', 0],
    ['-0.99999999999999999999999999999999999999', 38],
    ['100000000', 3],
    ['0.00012', 5],
    ['-9007199254740.991', 3],
    ['-1', 0],
    ['4294967296', 0]
  ])('%s at scale %i equals the exact value', (text, scale) => {
    const out = new Uint32Array(4);
    expect(numericToWords(numericBinary(text), 0, scale, out)).toBe(true);
    expect(decimalText(unscaled(out), scale)).toBe(decimalText((parseDecimal(text) as ExactDecimal).unscaled * 10n ** BigInt(scale - (parseDecimal(text) as ExactDecimal).scale), scale));
  });

  it('refuses what a Decimal128 at that scale cannot hold exactly', () => {
    const out = new Uint32Array(4);
    expect(numericToWords(numericBinary('1.125'), 0, 2, out)).toBe(false); // a digit past the scale
    expect(numericToWords(numericBinary('123456789.12345678'), 0, 2, out)).toBe(false); // the same, past 12 digits
    expect(numericToWords(numericBinary('1' + '0'.repeat(38)), 0, 0, out)).toBe(false); // 39 digits
    expect(numericToWords(numericBinary('1'), 0, 38, out)).toBe(false); // 39 digits at scale 38
    expect(numericToWords(numericBinary('NaN'), 0, 2, out)).toBe(false);
  });

  it('counts the integer digits from the header', () => {
    expect(numericIntegerDigits(numericBinary('12345.6'), 0)).toBe(5);
    expect(numericIntegerDigits(numericBinary('0.5'), 0)).toBe(0);
    expect(numericIntegerDigits(numericBinary('10000'), 0)).toBe(5);
  });
});
