import { Binary, Bool, DateDay, Decimal, Field, Float32, Float64, Int16, Int32, Int64, List, TimeMicrosecond, TimestampMicrosecond, Utf8, tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { BatchBuilder, IpcStreamEncoder, isBoolBuilder, isByteBuilder, isDecimalBuilder, isFixedBuilder, isListBuilder, resultStream } from '../../kernels/arrow/index.js';

const fields = [
  new Field('i', new Int32(), true),
  new Field('s', new Utf8(), true),
  new Field('t', new TimestampMicrosecond('UTC'), true),
  new Field('b', new Int64(), true),
  new Field('d', new Decimal(2, 10, 128), true),
  new Field('l', new List(new Field('item', new Float64(), true)), true),
  new Field('ok', new Bool(), true),
  new Field('day', new DateDay(), true)
];
const rows: unknown[][] = [
  [1, 'a', 1_700_000_000_123_456n, 5n, 1234n, [1, 2], true, 19_000],
  [null, null, null, null, null, null, null, null],
  [3, 'ccc', 0n, -(2n ** 62n), -5n, [], false, 0]
];

describe('BatchBuilder and IpcStreamEncoder', () => {
  it('cuts batches at batchRows and round-trips every type through IPC, nulls included', () => {
    const builder = new BatchBuilder(fields, 2);
    const batches = rows.map((r) => builder.appendRow(r)).filter((b) => b !== null);
    expect(batches).toHaveLength(1);
    batches.push(builder.flush()!);
    expect(builder.flush()).toBeNull();
    const encoder = new IpcStreamEncoder(builder.schema);
    const bytes = Buffer.concat([...batches.map((b) => encoder.encode(b)), encoder.end()]);
    const table = tableFromIPC(bytes);
    expect(table.numRows).toBe(3);
    const t = table.getChild('t')!;
    // Microseconds survive: apache-arrow reads timestamps as float milliseconds.
    expect(t.get(0)).toBeCloseTo(1_700_000_000_123.456, 3);
    expect(table.getChild('i')!.toArray()).toEqual(new Int32Array([1, 0, 3]));
    expect(table.getChild('i')!.get(1)).toBeNull();
    expect(table.getChild('s')!.get(2)).toBe('ccc');
    expect(table.getChild('b')!.get(2)).toBe(-(2n ** 62n));
    expect(String(table.getChild('d')!.get(2))).toBe('-5');
    expect([...table.getChild('l')!.get(0)!]).toEqual([1, 2]);
    expect(table.getChild('l')!.get(2)!.length).toBe(0);
    expect(table.getChild('ok')!.get(0)).toBe(true);
    expect(table.getChild('ok')!.get(2)).toBe(false);
    expect(table.getChild('day')!.get(0)).toBe(19_000 * 86_400_000);
    for (const f of fields) expect(table.getChild(f.name)!.get(1)).toBeNull();
  });

  it('takes columns appended chunk by chunk (endRows), cutting a batch once batchRows are pending', () => {
    const columnar = [
      new Field('small', new Int16(), true),
      new Field('f', new Float32(), true),
      new Field('time', new TimeMicrosecond(), true),
      new Field('bytes', new Binary(), true),
      new Field('huge', new Decimal(0, 38, 128), true)
    ];
    const builder = new BatchBuilder(columnar, 4);
    const chunk = (start: number, n: number) => {
      for (let r = start; r < start + n; r++) {
        builder.columns[0]!.append(r === 1 ? null : r);
        builder.columns[1]!.append(r + 0.5);
        builder.columns[2]!.append(BigInt(r) * 1_000_001n);
        builder.columns[3]!.append(new Uint8Array([r, 255]));
        builder.columns[4]!.append(2n ** 100n + BigInt(r));
      }
      return builder.endRows(n);
    };
    expect(chunk(0, 3)).toBeNull();
    const first = chunk(3, 3)!;
    expect(first.numRows).toBe(6);
    expect(builder.pending).toBe(0);
    const encoder = new IpcStreamEncoder(builder.schema);
    const table = tableFromIPC(Buffer.concat([encoder.encode(first), encoder.end()]));
    expect([...table.getChild('small')!]).toEqual([0, null, 2, 3, 4, 5]);
    expect(table.getChild('f')!.get(5)).toBe(5.5);
    expect(String(table.getChild('time')!.type)).toBe('Time64<MICROSECOND>');
    expect(table.getChild('time')!.get(2)).toBe(2_000_002n);
    expect([...table.getChild('bytes')!.get(2)!]).toEqual([2, 255]);
    expect(String(table.getChild('huge')!.get(4))).toBe(String(2n ** 100n + 4n));
  });

  it('writes the schema for an empty result', () => {
    const encoder = new IpcStreamEncoder(new BatchBuilder(fields).schema);
    const empty = tableFromIPC(Buffer.concat([encoder.start(), encoder.end()]));
    expect(empty.numRows).toBe(0);
    expect(empty.schema.fields.map((f) => f.name)).toEqual(fields.map((f) => f.name));
  });
});

describe('resultStream', () => {
  async function* source(n: number, size: number) {
    const b = new BatchBuilder([new Field('x', new Int32(), false)], size);
    for (let i = 0; i < n; i++) {
      const batch = b.appendRow([i]);
      if (batch) yield batch;
    }
    const last = b.flush();
    if (last) yield last;
  }

  it('caps rows, says it truncated, and releases once', async () => {
    let released = 0;
    const r = resultStream(new BatchBuilder([new Field('x', new Int32(), false)]).schema, source(100, 30), {
      rowLimit: 45,
      release: () => void released++
    });
    let rows = 0;
    for await (const b of r.batches) rows += b.numRows;
    expect(rows).toBe(45);
    expect(await r.summary).toEqual({ rows: 45, truncated: true });
    expect(released).toBe(1);
  });

  it('releases a result dropped unread', async () => {
    let released = 0;
    const r = resultStream(new BatchBuilder([new Field('x', new Int32(), false)]).schema, source(10, 5), { release: () => void released++ });
    await r.batches[Symbol.asyncIterator]().return!();
    expect(released).toBe(1);
    expect(await r.summary).toEqual({ rows: 0, truncated: false });
  });

  it('passes a source error through toError and rejects the summary', async () => {
    async function* failing() {
      yield* source(5, 5);
      throw new Error('connection reset');
    }
    const r = resultStream(new BatchBuilder([new Field('x', new Int32(), false)]).schema, failing(), {
      toError: (e) => new Error(`wrapped: ${(e as Error).message}`)
    });
    await expect(async () => {
      for await (const _ of r.batches) void _;
    }).rejects.toThrow('wrapped: connection reset');
    await expect(r.summary).rejects.toThrow('wrapped: connection reset');
  });
});

describe('wire-decoder appends (no JS value per field)', () => {
  it('writes numbers, 64-bit words, safe-integer decimals, list items and byte ranges', () => {
    const wire = [
      new Field('i', new Int32(), true),
      new Field('big', new Int64(), true),
      new Field('ts', new TimestampMicrosecond('UTC'), true),
      new Field('d', new Decimal(2, 15, 128), true),
      new Field('l', new List(new Field('item', new Int32(), true)), true),
      new Field('s', new Utf8(), true)
    ];
    const builder = new BatchBuilder(wire, 100);
    const [i, big, ts, d, l, s] = builder.columns;
    if (!isFixedBuilder(i) || !isFixedBuilder(big) || !isFixedBuilder(ts) || !isDecimalBuilder(d) || !isListBuilder(l) || !isByteBuilder(s)) {
      throw new Error('expected wire-capable builders');
    }
    const text = new TextEncoder().encode('xx-a long value that is more than thirty-two bytes-yy');
    const values: Array<[number, number, number, number, bigint]> = [
      // i, low word, high word, decimal, expected 64-bit value
      [-7, 0xffffffff, -1, -123_456_789_012_345, -1n],
      [42, 0, 0x7fffffff, 999_999_999_999_999, 0x7fffffff00000000n],
      [0, 0x89abcdef, 0x01234567, 0, 0x0123456789abcdefn]
    ];
    for (const [n, low, high, dec] of values) {
      i.appendNumber(n);
      big.appendInt64Words(low, high);
      ts.appendInt64Words(low, high);
      d.appendSafeInteger(dec);
      (l.child as typeof i).appendNumber(n);
      l.child.appendNull();
      l.endList();
      s.appendBytes(text, 2, n === 42 ? text.length - 2 : 3);
      builder.endRow();
    }
    builder.columns.forEach((c) => c.appendNull());
    builder.endRow();
    const table = tableFromIPC(Buffer.concat([new IpcStreamEncoder(builder.schema).encode(builder.flush()!)]));
    expect([...table.getChild('i')!]).toEqual([-7, 42, 0, null]);
    expect([...table.getChild('big')!]).toEqual([...values.map((v) => v[4]), null]);
    expect(table.getChild('ts')!.data[0].values[2]).toBe(0x0123456789abcdefn);
    expect([...table.getChild('d')!].map((v) => (v === null ? null : String(v)))).toEqual(['-123456789012345', '999999999999999', '0', null]);
    expect(table.getChild('l')!.get(0)!.toArray()).toEqual(new Int32Array([-7, 0]));
    expect(table.getChild('l')!.get(0)!.get(1)).toBeNull();
    expect(table.getChild('s')!.get(0)).toBe('-');
    expect(table.getChild('s')!.get(1)).toBe('-a long value that is more than thirty-two bytes-');
    expect(table.getChild('s')!.get(3)).toBeNull();
  });
});

describe('bulk appends (columnar drivers)', () => {
  /** An LSB-first bitmap with bit i = valid[i]. */
  const mask = (valid: boolean[]) => {
    const bits = new Uint8Array(Math.ceil(valid.length / 8) + 1).fill(0xa5); // junk past the end
    valid.forEach((v, i) => (v ? (bits[i >> 3]! |= 1 << (i & 7)) : (bits[i >> 3]! &= ~(1 << (i & 7)))));
    return bits;
  };

  it('mixes bulk and single appends at unaligned offsets, nulls zeroed, and mask-less chunks after nulls', () => {
    const builder = new BatchBuilder(
      [new Field('i', new Int32(), true), new Field('b', new Int64(), true), new Field('ok', new Bool(), true), new Field('d', new Decimal(0, 38, 128), true)],
      1000
    );
    const [i, b, ok, d] = builder.columns;
    if (!isFixedBuilder(i!) || !isFixedBuilder(b!) || !isBoolBuilder(ok!) || !isDecimalBuilder(d!)) throw new Error('unexpected builders');
    // Three single rows, so the bulk chunks start off a byte boundary.
    for (const v of [7, null, 9]) {
      i.append(v);
      b.append(v === null ? null : BigInt(v));
      ok.append(v === null ? null : true);
      d.append(v === null ? null : BigInt(v));
    }
    const valid = [true, false, true, true, false, true, true, true, true, false, true];
    const ints = Int32Array.from(valid, (_, k) => k * 10 - 3);
    i.appendArray(ints, mask(valid));
    b.appendArray(BigInt64Array.from(ints, (v) => BigInt(v) << 33n), mask(valid));
    ok.appendFlags(Uint8Array.from(valid, (_, k) => k % 2), mask(valid));
    const words = new Uint32Array(valid.length * 4);
    valid.forEach((_, k) => words.set([k, 0, k % 2 ? 0xffffffff : 0, 1], k * 4));
    d.appendWords(words, valid.length, mask(valid));
    // A chunk without a mask (all valid) after the nulls.
    i.appendArray(new Int16Array([1, 2]), null);
    b.appendArray(new BigInt64Array([1n, 2n]), null);
    ok.appendFlags(new Uint8Array([1, 0]), null);
    d.appendWords(new Uint32Array([1, 0, 0, 0, 2, 0, 0, 0]), 2, null);
    builder.endRows(3 + valid.length + 2);
    const batch = builder.flush()!;
    const all = [true, false, true, ...valid, true, true];
    const col = (n: number) => batch.getChildAt(n)!;
    expect(col(0).nullCount).toBe(all.filter((v) => !v).length);
    expect([...Array(all.length).keys()].map((k) => col(0).get(k))).toEqual([7, null, 9, ...valid.map((v, k) => (v ? k * 10 - 3 : null)), 1, 2]);
    expect([...Array(all.length).keys()].map((k) => col(1).get(k))).toEqual([7n, null, 9n, ...valid.map((v, k) => (v ? BigInt(k * 10 - 3) << 33n : null)), 1n, 2n]);
    expect([...Array(all.length).keys()].map((k) => col(2).get(k))).toEqual([true, null, true, ...valid.map((v, k) => (v ? k % 2 === 1 : null)), true, false]);
    const unscaled = (k: number) => (BigInt(k % 2 ? 0xffffffff : 0) << 64n) + (1n << 96n) + BigInt(k);
    expect([...Array(all.length).keys()].map((k) => (col(3).isValid(k) ? String(col(3).get(k)) : null))).toEqual(
      ['7', null, '9', ...valid.map((v, k) => (v ? String(unscaled(k)) : null)), '1', '2']
    );
    // Null slots carry zeros, not the driver's leftovers.
    expect((col(0).data[0]!.values as Int32Array)[3 + 1]).toBe(0);
    expect((col(1).data[0]!.values as BigInt64Array)[3 + 4]).toBe(0n);
  });
});
