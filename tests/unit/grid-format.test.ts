import { RecordBatch, Schema, Bool, Date_, DateUnit, Decimal, Field, Float64, Int32, Int64, List, Struct, TimeMicrosecond, TimestampMillisecond, TimestampMicrosecond, Utf8, makeData, makeVector, tableFromArrays, vectorFromArray, Table, TimeUnit, Dictionary } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  MAX_CELL_CHARS,
  cellFormatter,
  countLabel,
  formatDecimal,
  formatDecimalText,
  formatDuration,
  formatFloat,
  formatInteger
} from '../../src/lib/grid/format.js';
import { decimalToBigInt } from '../../kernels/arrow/decimal.js';
import { decimalText } from '../../kernels/arrow/exact-decimal.js';
import { formatDate, formatTime, formatTimestamp, rawText, typeLabel } from '../../kernels/arrow/plain-values.js';
import { csvField } from '../../kernels/arrow/csv.js';
import { notedField } from '../../kernels/arrow/field-metadata.js';
import { gridColumns, sampleRows } from '../../src/lib/grid/columns.js';
import { rangeToTsv, tableToCsvBlob, tsvField } from '../../src/lib/grid/export.js';
import { bodyHeight, poolSize, rowPool, rowWindow, scrollTopToReveal, slotRow, virtualTop } from '../../src/lib/grid/viewport.js';

describe('numbers', () => {
  it('writes integers and bigints with thousands separators', () => {
    expect(formatInteger(1234567)).toBe('1,234,567');
    expect(formatInteger(-42)).toBe('-42');
    expect(formatInteger(9007199254740993n)).toBe('9,007,199,254,740,993');
    // Safe integers are grouped by hand (fast path for row numbers): same text as Intl.
    const intl = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
    for (const n of [0, -0, 7, -7, 999, -999, 1000, -1000, 99_999, 100_000, 1_000_000, -12_345_678, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      expect(formatInteger(n)).toBe(intl.format(n));
    }
    expect(formatInteger(1e21)).toBe(intl.format(1e21));
  });

  it('gives floats sensible decimals: three from 1 up, four significant digits below 1', () => {
    expect(formatFloat(1234.56789)).toBe('1,234.568');
    expect(formatFloat(12)).toBe('12');
    expect(formatFloat(0.000123456)).toBe('0.0001235');
    expect(formatFloat(-0.5)).toBe('-0.5');
    expect(formatFloat(0)).toBe('0');
  });

  it('uses exponents for the very large and very small, and names the special values', () => {
    expect(formatFloat(1.2e21)).toBe('1.2e21');
    expect(formatFloat(3.14159e-9)).toBe('3.1416e-9');
    expect(formatFloat(NaN)).toBe('NaN');
    expect(formatFloat(Infinity)).toBe('∞');
    expect(formatFloat(-Infinity)).toBe('-∞');
  });

  it('keeps the exact float in the tooltip when the text rounds it', () => {
    const f = cellFormatter(new Float64());
    expect(f(1234.56789)).toEqual({ text: '1,234.568', kind: 'number', title: '1234.56789' });
    expect(f(2.5).title).toBeUndefined();
  });

  it('writes decimals exactly at their scale', () => {
    expect(formatDecimal(123456n, 2)).toBe('1,234.56');
    expect(formatDecimal(-5n, 3)).toBe('-0.005');
    expect(formatDecimal(12n, 0)).toBe('12');
    expect(formatDecimal(12n, -2)).toBe('1,200');
    expect(decimalText(123456789012345678901234567890n, 4)).toBe('12345678901234567890123456.7890');
  });

  it('reads 128-bit two’s-complement decimal words, positive and negative', () => {
    expect(decimalToBigInt(new Uint32Array([5, 0, 0, 0]))).toBe(5n);
    expect(decimalToBigInt(new Uint32Array([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]))).toBe(-1n);
    expect(decimalToBigInt(new Uint32Array([0, 1, 0, 0]))).toBe(4294967296n);
  });

  it('formats a real Arrow decimal column', () => {
    const type = new Decimal(2, 10, 128);
    const words = new Uint32Array([123456, 0, 0, 0, 0xffffffff - 99 + 1, 0xffffffff, 0xffffffff, 0xffffffff]);
    const vector = makeVector(makeData({ type, length: 2, nullCount: 0, data: words }));
    const f = cellFormatter(type);
    expect(f(vector.get(0)).text).toBe('1,234.56');
    expect(f(vector.get(1)).text).toBe('-0.99');
    expect(rawText(vector.get(0), type)).toBe('1234.56');
  });

  it('shows a decimal text column as numbers: grouped, right-aligned, every digit and trailing zero kept', () => {
    const f = cellFormatter(new Utf8(), 'decimal');
    const long = '-12345678901234567890123456789012345678901.50';
    // A long number also carries its exact text as a tooltip, in case a narrowed column cuts it.
    expect(f(long)).toEqual({ text: '-12,345,678,901,234,567,890,123,456,789,012,345,678,901.50', kind: 'number', title: long });
    expect(f('12.50')).toEqual({ text: '12.50', kind: 'number' });
    expect(f('NaN').text).toBe('NaN');
    expect(formatDecimalText('-Infinity')).toBe('-∞');
    expect(f(null).kind).toBe('null');
  });

  it('gives a decimal text column a numeric header: the database type, its note, exact filters', () => {
    const field = notedField('big', new Utf8(), { textType: 'decimal', dbType: 'numeric', note: 'Values wider than 38 digits are exact text.' });
    const schema = new Schema([field]);
    const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 1, nullCount: 0, children: [vectorFromArray(['1234.50']).data[0]] }));
    const decimalColumns = gridColumns(new Table(schema, [batch]));
    expect(decimalColumns[0]).toMatchObject({ label: 'numeric', note: 'Values wider than 38 digits are exact text.', numeric: true, filterKind: 'decimal' });
    expect(decimalColumns[0].format('1234.50').text).toBe('1,234.50');
  });
});

describe('dates and times', () => {
  const ms = Date.UTC(2024, 2, 9, 14, 5, 0);
  it('writes dates and timestamps ISO-like in UTC, milliseconds only when present', () => {
    expect(formatDate(ms)).toBe('2024-03-09');
    expect(formatTimestamp(ms)).toBe('2024-03-09 14:05:00');
    expect(formatTimestamp(ms + 7)).toBe('2024-03-09 14:05:00.007');
    expect(formatTimestamp(ms, 'UTC')).toBe('2024-03-09 14:05:00Z');
    expect(formatDate(Date.UTC(-44, 2, 15))).toBe('-000044-03-15');
  });

  it('writes times of day at their unit', () => {
    expect(formatTime(50_709, TimeUnit.SECOND)).toBe('14:05:09');
    expect(formatTime(50_709_250_000n, TimeUnit.MICROSECOND)).toBe('14:05:09.25');
  });

  it('formats Arrow date, timestamp and time columns by their unit', () => {
    const days = vectorFromArray([new Date(ms)], new Date_(DateUnit.DAY));
    expect(cellFormatter(days.type)(days.get(0))).toEqual({ text: '2024-03-09', kind: 'temporal' });
    const micros = makeVector(makeData({ type: new TimestampMicrosecond(), length: 1, nullCount: 0, data: new BigInt64Array([BigInt(ms) * 1000n + 1500n]) }));
    expect(cellFormatter(micros.type)(micros.get(0)).text).toBe('2024-03-09 14:05:00.001');
    const time = makeVector(makeData({ type: new TimeMicrosecond(), length: 1, nullCount: 0, data: new BigInt64Array([50_709_000_000n]) }));
    expect(cellFormatter(time.type)(time.get(0)).text).toBe('14:05:09');
  });

  it('says how long a run took in the unit that reads best', () => {
    expect(formatDuration(850.4)).toBe('850 ms');
    expect(formatDuration(1240)).toBe('1.24 s');
    expect(formatDuration(12_500)).toBe('12.5 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(countLabel(1_000_000, 'row')).toBe('1,000,000 rows');
    expect(countLabel(1, 'row')).toBe('1 row');
  });
});

describe('text, booleans, nulls and nested values', () => {
  it('shows nulls as a dimmed null whatever the type', () => {
    for (const type of [new Int32(), new Utf8(), new Bool(), new Float64(), new TimestampMillisecond()]) {
      expect(cellFormatter(type)(null)).toEqual({ text: 'null', kind: 'null' });
    }
  });

  it('shows booleans as true/false', () => {
    expect(cellFormatter(new Bool())(true)).toEqual({ text: 'true', kind: 'bool' });
    expect(cellFormatter(new Bool())(false).text).toBe('false');
  });

  it('cuts long strings with an ellipsis and keeps the full value as the tooltip', () => {
    const long = 'x'.repeat(500);
    const cell = cellFormatter(new Utf8())(long);
    expect(cell.text).toHaveLength(MAX_CELL_CHARS);
    expect(cell.text.endsWith('…')).toBe(true);
    expect(cell.title).toBe(long);
    expect(cellFormatter(new Utf8())('short')).toEqual({ text: 'short', kind: 'text' });
  });

  it('puts multi-line strings on one line, with the original in the tooltip', () => {
    expect(cellFormatter(new Utf8())('a\nb')).toEqual({ text: 'a↵b', title: 'a\nb', kind: 'text' });
  });

  it('shows lists and structs as compact JSON', () => {
    const list = vectorFromArray([[1, 2, 3]], new List(new Field('item', new Int32(), true)));
    expect(cellFormatter(list.type)(list.get(0))).toEqual({ text: '[1,2,3]', kind: 'nested' });
    const struct = vectorFromArray([{ a: 1, b: 'x' }], new Struct([new Field('a', new Int32(), true), new Field('b', new Utf8(), true)]));
    expect(cellFormatter(struct.type)(struct.get(0)).text).toBe('{"a":1,"b":"x"}');
  });

  it('shows dictionary-encoded strings as their values', () => {
    const dict = vectorFromArray(['a', 'b', 'a'], new Dictionary(new Utf8(), new Int32()));
    expect(cellFormatter(dict.type)(dict.get(2)).text).toBe('a');
    expect(typeLabel(dict.type)).toBe('utf8');
  });

  it('writes raw values for CSV and the clipboard: no separators, full precision, ISO instants', () => {
    expect(rawText(1234567, new Int32())).toBe('1234567');
    expect(rawText(1234.56789, new Float64())).toBe('1234.56789');
    expect(rawText(2n ** 62n, new Int64())).toBe('4611686018427387904');
    expect(rawText(Date.UTC(2024, 0, 2, 3, 4, 5), new TimestampMillisecond())).toBe('2024-01-02T03:04:05');
    expect(rawText(null, new Utf8())).toBe('');
  });
});

describe('type labels', () => {
  it('names types briefly for the header', () => {
    expect(typeLabel(new Int32())).toBe('int32');
    expect(typeLabel(new Int64())).toBe('int64');
    expect(typeLabel(new Float64())).toBe('float64');
    expect(typeLabel(new Decimal(2, 18, 128))).toBe('decimal(18,2)');
    expect(typeLabel(new Utf8())).toBe('utf8');
    expect(typeLabel(new Bool())).toBe('bool');
    expect(typeLabel(new Date_(DateUnit.DAY))).toBe('date');
    expect(typeLabel(new TimestampMicrosecond())).toBe('timestamp');
    expect(typeLabel(new TimestampMicrosecond('UTC'))).toBe('timestamptz');
    expect(typeLabel(new List(new Field('item', new Int32())))).toBe('list');
    expect(typeLabel(new Struct([new Field('a', new Int32())]))).toBe('struct');
  });
});

describe('grid columns', () => {
  it('sizes columns from the header and the first rows, and right-aligns numbers', () => {
    const table = tableFromArrays({ n: Int32Array.from({ length: 1000 }, (_, i) => i * 1000), s: ['a'.repeat(500), ...Array(999).fill('b')] });
    const [n, s] = gridColumns(table);
    expect(n.numeric).toBe(true);
    expect(n.filterKind).toBe('number');
    expect(s.filterKind).toBe('text');
    expect(n.width).toBeGreaterThanOrEqual(48);
    expect(s.width).toBe(320);
  });

  it('measures the first rows, the last rows and a spread between, never the whole table', () => {
    expect(sampleRows(3)).toEqual([0, 1, 2]);
    const rows = sampleRows(1_000_000);
    expect(rows.length).toBeLessThanOrEqual(150);
    expect(rows).toContain(0);
    expect(rows).toContain(999_999);
    expect(rows.some((r) => r > 400_000 && r < 600_000)).toBe(true);
    // A wide value only at the end still widens its column.
    const table = tableFromArrays({ n: Int32Array.from({ length: 10_000 }, (_, i) => (i === 9_999 ? 2_000_000_000 : i % 10)) });
    expect(gridColumns(table)[0].width).toBeGreaterThan(100);
  });
});

describe('exports', () => {
  const table = tableFromArrays({ id: Int32Array.from([1, 2, 3]), name: ['plain', 'with, comma', 'say "hi"\nnext'] });

  it('quotes CSV and TSV fields only when they need it', () => {
    expect(csvField('a')).toBe('a');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('a"b')).toBe('"a""b"');
    expect(tsvField('a,b')).toBe('a,b');
    expect(tsvField('a\tb')).toBe('"a\tb"');
  });

  it('copies a range of cells as TSV of raw values', () => {
    expect(rangeToTsv(table, { row0: 0, row1: 1, col0: 0, col1: 1 })).toBe('1\tplain\n2\twith, comma');
    expect(rangeToTsv(table, { row0: 2, row1: 2, col0: 1, col1: 1 }, true)).toBe('name\n"say ""hi""\nnext"');
  });

  it('streams the whole table to CSV across batches, yielding between chunks', async () => {
    const twoBatches = new Table([...table.batches, ...table.batches]);
    let yields = 0;
    const blob = await tableToCsvBlob(twoBatches, { yieldEvery: async () => void yields++ });
    const text = await blob.text();
    expect(text.split('\r\n')).toEqual(['id,name', '1,plain', '2,"with, comma"', '3,"say ""hi""\nnext"', '1,plain', '2,"with, comma"', '3,"say ""hi""\nnext"', '']);
    // The header, one chunk per batch, the (empty) end.
    expect(yields).toBe(4);
  });
});

describe('virtual scrolling', () => {
  const g = { rows: 1000, rowHeight: 20, viewportHeight: 200 };

  it('draws only the rows on screen plus the overscan', () => {
    expect(rowWindow(0, g, 2)).toEqual({ first: 0, end: 12, offsetY: 0 });
    expect(rowWindow(1000, g, 2)).toEqual({ first: 48, end: 62, offsetY: 960 });
    expect(rowWindow(0, { ...g, rows: 0 })).toEqual({ first: 0, end: 0, offsetY: 0 });
  });

  it('caps the body height and scales the scroll position to reach the last row', () => {
    const big = { rows: 100_000_000, rowHeight: 26, viewportHeight: 400 };
    expect(bodyHeight(big)).toBe(15_000_000);
    const bottom = bodyHeight(big) - big.viewportHeight;
    const last = rowWindow(bottom, big, 0);
    expect(last.end).toBe(big.rows);
    // The last row ends exactly at the bottom of the body.
    expect(last.offsetY + (last.end - last.first) * 26).toBeCloseTo(bodyHeight(big), 0);
    expect(virtualTop(bottom / 2, big)).toBeCloseTo((big.rows * 26 - 400) / 2, 0);
  });

  it('keeps a pool of rows in which each row has a fixed slot', () => {
    expect(poolSize(g, 2)).toBe(16); // 10 on screen + 1 partly shown + 2 × 2 overscan = 15, made even
    expect(poolSize({ ...g, rows: 7 }, 2)).toBe(7);
    expect(poolSize({ ...g, rows: 0 }, 2)).toBe(0);
    for (const scrollTop of [0, 13, 1000, 1017, 19_800]) {
      const win = rowWindow(scrollTop, g, 2);
      const pool = rowPool(win, g, 2);
      const shown = Array.from({ length: pool.size }, (_, k) => slotRow(k, pool));
      // Every row of the window is in the pool, each once, in slot row mod size, drawn where the window puts it.
      expect(new Set(shown).size).toBe(pool.size);
      for (let r = win.first; r < win.end; r++) {
        expect(shown[r % pool.size]).toBe(r);
        expect(pool.offsetY + (r - pool.base) * g.rowHeight).toBe(win.offsetY + (r - win.first) * g.rowHeight);
      }
      expect(Math.max(...shown)).toBeLessThan(g.rows);
    }
    // Scrolling by one row changes one slot.
    const at = (top: number) => {
      const pool = rowPool(rowWindow(top, g, 2), g, 2);
      return Array.from({ length: pool.size }, (_, k) => slotRow(k, pool));
    };
    const before = at(1000);
    const after = at(1020);
    expect(before.filter((r, k) => after[k] !== r)).toHaveLength(1);
  });

  it('scrolls the least needed to reveal a row', () => {
    expect(scrollTopToReveal(5, 0, g)).toBeNull();
    expect(scrollTopToReveal(10, 0, g)).toBe(20);
    expect(scrollTopToReveal(3, 200, g)).toBe(60);
    const big = { rows: 10_000_000, rowHeight: 26, viewportHeight: 400, maxHeight: 1_000_000 };
    const top = scrollTopToReveal(9_999_999, 0, big)!;
    const w = rowWindow(top, big, 0);
    expect(w.end).toBe(10_000_000);
  });
});
