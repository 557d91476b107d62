/**
 * The one exact value path (kernels/arrow: decimal.ts, plain-values.ts, csv.ts, json.ts):
 * no digit changes between an Arrow value and the CSV, JSON or clipboard text written for it.
 */
import { Float64, List, Field, Int32, Schema, Table, Utf8, vectorFromArray, makeData } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { Decimal, decimalToBigInt } from '../../kernels/arrow/decimal.js';
import { decimalText } from '../../kernels/arrow/exact-decimal.js';
import { floatText, plainJson, rawText, toPlain } from '../../kernels/arrow/plain-values.js';
import { csvChunks, toCsv } from '../../kernels/arrow/csv.js';
import { jsonFormat, toJson } from '../../kernels/arrow/json.js';
import { fieldNotes, withFieldNotesOf } from '../../kernels/arrow/field-metadata.js';
import { bigintData, decimalData, decimalTextColumn, fieldFor, tableOf } from '../support/arrow-values.js';

const NINES = 10n ** 38n - 1n;

describe('Decimal128 values', () => {
  it('keep all 38 digits at every scale from 0 to 38, negative too', () => {
    for (let scale = 0; scale <= 38; scale++) {
      const data = decimalData([NINES, -NINES, 0n, null], 38, scale);
      const vector = tableOf([fieldFor('d', data)]).getChild('d')!;
      const digits = '9'.repeat(38);
      const expected = scale === 0 ? digits : scale === 38 ? `0.${digits}` : `${digits.slice(0, 38 - scale)}.${digits.slice(38 - scale)}`;
      expect(rawText(vector.get(0), data.type)).toBe(expected);
      expect(rawText(vector.get(1), data.type)).toBe(`-${expected}`);
      expect(rawText(vector.get(2), data.type)).toBe(scale === 0 ? '0' : `0.${'0'.repeat(scale)}`);
      expect(rawText(vector.get(3), data.type)).toBe('');
      expect(decimalToBigInt(vector.get(1))).toBe(-NINES);
    }
  });

  it('keep their scale’s trailing zeros', () => {
    expect(decimalText(1250n, 2)).toBe('12.50');
    expect(decimalText(-5n, 3)).toBe('-0.005');
    expect(decimalText(12n, -2)).toBe('1200');
    expect(decimalText(0n, -2)).toBe('0');
  });
});

describe('Decimal, the exact value JS cells get', () => {
  it('adds exactly, prints exactly and converts to a float on request', () => {
    const total = Decimal.sum(['1234567890123456.70', new Decimal(8n, 2), null]);
    expect(String(total)).toBe('1234567890123456.78');
    expect(total.toNumber()).toBe(1234567890123456.8);
    expect(Number(new Decimal(1250n, 2))).toBe(12.5);
    expect(`${new Decimal(1250n, 2)}`).toBe('12.50');
    expect(new Decimal(1250n, 2).equals('12.5')).toBe(true);
    expect(Decimal.parse('-0.10').compare('0.05')).toBe(-1);
    expect(JSON.stringify({ a: new Decimal(-5n, 1) })).toBe('{"a":"-0.5"}');
    expect(() => Decimal.parse('1e3')).toThrow(RangeError);
  });
});

describe('64-bit integers', () => {
  const edges = [-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n) + 1n];
  const table = tableOf([fieldFor('i', bigintData(edges)), fieldFor('u', bigintData([0n, 2n ** 64n - 1n, 2n ** 53n - 1n, 2n ** 53n, 1n], true))]);

  it('keep every digit in CSV', () => {
    expect(toCsv(table).split('\r\n')).toEqual([
      'i,u',
      '-9223372036854775808,0',
      '9223372036854775807,18446744073709551615',
      '9007199254740991,9007199254740991',
      '9007199254740992,9007199254740992',
      '-9007199254740991,1',
      ''
    ]);
  });

  it('are JSON numbers while exact, strings beyond 2^53', () => {
    const json = JSON.parse(toJson(table));
    expect(json.columns).toEqual([{ name: 'i', type: 'int64' }, { name: 'u', type: 'uint64' }]);
    expect(json.rows).toEqual([
      ['-9223372036854775808', 0],
      ['9223372036854775807', '18446744073709551615'],
      [9007199254740991, 9007199254740991],
      ['9007199254740992', '9007199254740992'],
      [-9007199254740991, 1]
    ]);
  });
});

describe('floats', () => {
  it('keep the sign of zero and name NaN and the infinities', () => {
    expect(floatText(-0)).toBe('-0');
    expect(rawText(-0, new Float64())).toBe('-0');
    expect(rawText(NaN, new Float64())).toBe('NaN');
    expect(toPlain(-Infinity, new Float64())).toBe('-Infinity');
    expect(plainJson(-0)).toBe('-0');
    expect(Object.is(JSON.parse(plainJson([-0]))[0], -0)).toBe(true);
  });
});

describe('CSV and JSON of a result with decimals, decimal text, nulls and lists', () => {
  const list = vectorFromArray([[1, 2], [], null], new List(new Field('item', new Int32(), true)));
  const table = tableOf([
    fieldFor('money', decimalData([1250n, -305n, null], 12, 2)),
    decimalTextColumn('huge', ['-123456789012345678901234567890123456789012.50', 'NaN', 'Infinity'], { dbType: 'numeric' }),
    fieldFor('x', makeData({ type: new Float64(), length: 3, nullCount: 0, data: new Float64Array([-0, NaN, 0.1]) })),
    fieldFor('tags', list.data[0]),
    fieldFor('name', vectorFromArray(['a,b', null, 'say "hi"'], new Utf8()).data[0])
  ]);

  it('writes CSV with every digit, the scale, no separators, and empty fields for null', () => {
    expect(toCsv(table).split('\r\n')).toEqual([
      'money,huge,x,tags,name',
      '12.50,-123456789012345678901234567890123456789012.50,-0,"[1,2]","a,b"',
      '-3.05,NaN,NaN,[],',
      ',Infinity,0.1,,"say ""hi"""',
      ''
    ]);
  });

  it('writes JSON with every decimal as a string and the columns’ types', () => {
    const text = toJson(table);
    const json = JSON.parse(text);
    expect(json.columns).toEqual([
      { name: 'money', type: 'decimal(12,2)' },
      { name: 'huge', type: 'decimal' },
      { name: 'x', type: 'float64' },
      { name: 'tags', type: 'list' },
      { name: 'name', type: 'utf8' }
    ]);
    expect(json.rows).toEqual([
      ['12.50', '-123456789012345678901234567890123456789012.50', -0, [1, 2], 'a,b'],
      ['-3.05', 'NaN', 'NaN', [], null],
      [null, 'Infinity', 0.1, null, 'say "hi"']
    ]);
    expect(text).toContain('[\"12.50\",');
  });

  it('writes an empty result as a header, or no rows', () => {
    const empty = tableOf([fieldFor('money', decimalData([], 12, 2))]);
    expect(toCsv(empty)).toBe('money\r\n');
    expect(JSON.parse(toJson(empty))).toEqual({ columns: [{ name: 'money', type: 'decimal(12,2)' }], rows: [] });
  });

  it('streams in chunks of rows', () => {
    const chunks = [...csvChunks(table, { chunkRows: 2 })];
    expect(chunks).toHaveLength(4);
    expect(chunks.join('')).toBe(toCsv(table));
  });

  it('writes batches as they arrive, as a server streams them', () => {
    const twice = new Table([...table.batches, ...table.batches]);
    const json = jsonFormat(table.schema);
    let text = json.head;
    for (const batch of twice.batches) for (const chunk of json.rows(batch)) text += chunk;
    text += json.tail;
    expect(text).toBe(toJson(twice));
    expect(JSON.parse(text).rows).toHaveLength(6);
  });

  it('keeps the field metadata of a result queried again through DuckDB (the grid’s sort)', () => {
    const stripped = new Table(new Schema(table.schema.fields.map((f) => new Field(f.name, f.type, f.nullable))), table.batches);
    const restored = withFieldNotesOf(stripped, table.schema);
    expect(fieldNotes(restored.schema.fields[1])).toEqual({ textType: 'decimal', dbType: 'numeric', note: undefined });
    expect(restored.getChild('huge')!.get(1)).toBe('NaN');
    expect(withFieldNotesOf(table, table.schema)).toBe(table);
  });
});

describe('dates and timestamps are read from their buffers, not through get()', () => {
  it('keeps micro- and nanoseconds and years past what a JavaScript Date holds, in CSV, JSON and TSV', async () => {
    const { Table: ArrowTable, makeData, TimestampMicrosecond, TimestampNanosecond, DateDay, Field: ArrowField, Schema: ArrowSchema, RecordBatch, Struct } = await import('apache-arrow');
    const { toCsv } = await import('../../kernels/arrow/csv.js');
    const { toJson } = await import('../../kernels/arrow/json.js');
    const { rangeToTsv } = await import('../../src/lib/grid/export.js');
    const micros = makeData({ type: new TimestampMicrosecond(), length: 2, nullCount: 0, data: new BigInt64Array([1_709_993_100_123_456n, 9_089_348_860_800_000_001n]) });
    const nanos = makeData({ type: new TimestampNanosecond('UTC'), length: 2, nullCount: 0, data: new BigInt64Array([1_709_993_100_123_456_789n, -1n]) });
    const days = makeData({ type: new DateDay(), length: 2, nullCount: 0, data: new Int32Array([2_145_042_905, -2_440_588]) });
    const fields = [new ArrowField('us', micros.type), new ArrowField('ns', nanos.type), new ArrowField('day', days.type)];
    const schema = new ArrowSchema(fields);
    const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: 2, nullCount: 0, children: [micros, nanos, days] }));
    const table = new ArrowTable([batch]);
    expect(toCsv(table)).toBe(
      'us,ns,day\r\n' +
        '2024-03-09T14:05:00.123456,2024-03-09T14:05:00.123456789Z,+5874897-12-31\r\n' +
        '+290000-01-01T00:00:00.000001,1969-12-31T23:59:59.999999999Z,-004713-11-24\r\n'
    );
    expect(JSON.parse(toJson(table)).rows[0]).toEqual(['2024-03-09T14:05:00.123456', '2024-03-09T14:05:00.123456789Z', '+5874897-12-31']);
    expect(rangeToTsv(table, { row0: 1, row1: 1, col0: 0, col1: 0 })).toBe('+290000-01-01T00:00:00.000001');
  });
});
