import { Binary, Bool, DateDay, Decimal, Field, Float32, Float64, Int16, Int32, Int64, List, TimeMicrosecond, TimestampMicrosecond, Utf8, tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { BatchBuilder, IpcStreamEncoder, isByteBuilder, isDecimalBuilder, isFixedBuilder, isListBuilder, resultStream } from '../../kernels/arrow/index.js';

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
