import { describe, expect, it } from 'vitest';
import { Decimal, Field, Utf8 } from 'apache-arrow';
import {
  BatchBuilder,
  DecimalColumnBuilder,
  WiderResultNeeded,
  chooseType,
  decimalText,
  firstBatchHeld,
  parseDecimal,
  resultStream,
  type Widening
} from '../../kernels/arrow/index.js';

const d = (text: string) => parseDecimal(text);

describe('exact decimal text', () => {
  it.each([
    ['12.50', 1250n, 2],
    ['-0.005', -5n, 3],
    ['0', 0n, 0],
    ['1e3', 1000n, 0],
    ['1.5e-2', 15n, 3],
    ['-12345678901234567890123456789012345678901234.5', -123456789012345678901234567890123456789012345n, 1]
  ])('%s ↔ (%s, %i)', (text, unscaled, scale) => {
    expect(parseDecimal(text)).toEqual({ unscaled, scale });
    if (!text.includes('e')) expect(decimalText(unscaled, scale)).toBe(text);
  });

  it('keeps specials by name and refuses what is not a number', () => {
    expect(parseDecimal('NaN')).toBe('NaN');
    expect(parseDecimal('-Infinity')).toBe('-Infinity');
    expect(() => parseDecimal('12,5')).toThrow(/not a decimal/);
    expect(() => parseDecimal('.')).toThrow(/not a decimal/);
  });
});

describe('chooseType', () => {
  it('picks the largest written scale when every value fits 38 digits', () => {
    expect(chooseType([d('1.5'), d('12.25'), null, d('-3')])).toEqual({ scale: 2 });
  });
  it('keeps a declared scale that fits, and gives it up for one that does not', () => {
    expect(chooseType([d('1.500000000000000000000000000000')], 30)).toEqual({ scale: 30 });
    // 12 integer digits + 30 decimals = 42 > 38: the values need only one decimal.
    expect(chooseType([d('123456789012.500000000000000000000000000000')], 30)).toEqual({ scale: 1 });
  });
  it('falls back to text beyond 38 digits and for NaN/Infinity', () => {
    expect(chooseType([d('1' + '0'.repeat(38))])).toBe('text');
    expect(chooseType([d('1'), 'NaN'])).toBe('text');
  });
});

describe('DecimalColumnBuilder', () => {
  const field = new Field('x', new Decimal(0, 38, 128), true);

  it('chooses its type at the first batch and the schema follows', () => {
    const column = new DecimalColumnBuilder({ engine: 'pg', index: 0, name: 'x', dbType: 'numeric' });
    const builder = new BatchBuilder([field], 3, new Map([[0, column]]));
    builder.appendRow(['12.5']);
    builder.appendRow([null]);
    const batch = builder.appendRow(['12345678901234567.89'])!;
    expect(batch.schema.fields[0]!.type).toEqual(new Decimal(2, 38, 128));
    expect(batch.schema.fields[0]!.metadata.get('cairn.db_type')).toBe('numeric');
    expect(builder.schema.fields).toEqual(batch.schema.fields);
    const words = batch.getChildAt(0)!.get(2) as Uint32Array;
    const unscaled = (BigInt(words[1]!) << 32n) | BigInt(words[0]!);
    expect(decimalText(unscaled, 2)).toBe('12345678901234567.89');
  });

  it('asks for a redo when a later value does not fit, never rounding it', () => {
    const column = new DecimalColumnBuilder({ engine: 'pg', index: 4, name: 'total' });
    const builder = new BatchBuilder([field, field, field, field, field], 1, new Map([[4, column]]));
    builder.appendRow([null, null, null, null, '1.25']);
    let error: unknown;
    try {
      builder.appendRow([null, null, null, null, '1.125']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WiderResultNeeded);
    expect((error as WiderResultNeeded).widening).toEqual({ 4: { scale: 3 } });
    expect((error as WiderResultNeeded).message).toMatch(/Column "total"/);
  });

  it('writes exact text with a note when a choice of text is given', () => {
    const column = new DecimalColumnBuilder({ engine: 'pg', index: 0, name: 'x', choice: 'text' });
    const builder = new BatchBuilder([field], 10, new Map([[0, column]]));
    builder.appendRow(['NaN']);
    builder.appendRow(['-0.10']);
    const batch = builder.flush()!;
    const f = batch.schema.fields[0]!;
    expect(f.type).toEqual(new Utf8());
    expect(f.metadata.get('cairn.type')).toBe('decimal');
    expect(f.metadata.get('cairn.note')).toBeTruthy();
    expect([...batch.getChildAt(0)!]).toEqual(['NaN', '-0.10']);
  });
});

describe('firstBatchHeld', () => {
  /** A fake engine over fixed values: the runs it was asked for, and a result per run. */
  function engine(values: string[]) {
    const calls: Widening[] = [];
    const attempt = async (widening: Widening) => {
      calls.push(widening);
      const column = new DecimalColumnBuilder({ engine: 'e', index: 0, name: 'v', choice: widening[0] });
      const builder = new BatchBuilder([new Field('v', new Decimal(0, 38, 128), true)], 2, new Map([[0, column]]));
      async function* batches() {
        for (const v of values) {
          const b = builder.appendRow([v]);
          if (b) yield b;
        }
        const last = builder.flush();
        if (last) yield last;
      }
      return resultStream(builder.schema, batches());
    };
    return { calls, attempt };
  }

  it('redoes a run whose first batch meets a value it cannot hold, invisibly', async () => {
    // Two values per batch: the first picks scale 0, and 3.75 in the second does not fit it.
    const e = engine(['1', '2', '3.75', '4']);
    const result = await firstBatchHeld(e.attempt);
    expect(result.schema.fields[0]!.type).toEqual(new Decimal(0, 38, 128));
    await expect(async () => {
      for await (const _ of result.batches);
    }).rejects.toBeInstanceOf(WiderResultNeeded);
    // The error after the first batch is the caller's to handle: it names the wider type.
    const again = await firstBatchHeld(e.attempt, { 0: { scale: 2 } });
    const rows: unknown[] = [];
    for await (const b of again.batches) rows.push(...[...b.getChildAt(0)!].map((w) => (w as Uint32Array)[0]));
    expect(rows).toEqual([100, 200, 375, 400]);
    expect(again.schema.fields[0]!.type).toEqual(new Decimal(2, 38, 128));
  });
});
