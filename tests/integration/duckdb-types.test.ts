/**
 * The DuckDB type matrix (docs/types.md, "DuckDB (server)"): for every type and its edge
 * values, what the engine's Arrow holds, rendered to text with the shared exact forms,
 * must be what DuckDB itself prints for `value::VARCHAR` (or, for STRUCT, MAP and UNION,
 * which arrive as JSON, what `to_json(value)` gives, number for number). Both come
 * through the same engine, so nothing here trusts a second reading of DuckDB's values.
 */
import { DataType, DateUnit, TimeUnit, type Field, type RecordBatch, type Vector } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryError } from '../../kernels/engine.js';
import { WiderResultNeeded, decimalText, decimalValueText, fieldNotes, minimalScale, parseDecimal } from '../../kernels/arrow/index.js';
import { createDuckDbEngine, type DuckDbEngine } from '../../kernels/duckdb-node/index.js';
import { civilFromDays } from '../support/calendar.js';

// --- DuckDB's text forms, rebuilt from Arrow's raw values ---------------------------------


const pad = (n: number | bigint, width = 2) => String(n).padStart(width, '0');

/** A DATE as DuckDB prints it: `2024-02-29`, `5877642-06-25 (BC)`. */
function dateText(days: number): string {
  const { y, m, d } = civilFromDays(days);
  return y > 0 ? `${pad(y, 4)}-${pad(m)}-${pad(d)}` : `${pad(1 - y, 4)}-${pad(m)}-${pad(d)} (BC)`;
}

const PER_SECOND = { [TimeUnit.SECOND]: 1n, [TimeUnit.MILLISECOND]: 1_000n, [TimeUnit.MICROSECOND]: 1_000_000n, [TimeUnit.NANOSECOND]: 1_000_000_000n };

/** A time of day in `unit`s as DuckDB prints it: `12:34:56.5` (trailing zeros of the fraction dropped). */
function timeText(value: bigint, unit: TimeUnit): string {
  const perSecond = PER_SECOND[unit];
  const seconds = value / perSecond;
  const fraction = value % perSecond;
  const digits = perSecond.toString().length - 1;
  const text = `${pad(seconds / 3600n)}:${pad((seconds / 60n) % 60n)}:${pad(seconds % 60n)}`;
  return fraction === 0n ? text : `${text}.${pad(fraction, digits).replace(/0+$/, '')}`;
}

function timestampText(value: bigint, unit: TimeUnit, zone: string | null): string {
  const perDay = 86_400n * PER_SECOND[unit];
  let days = value / perDay;
  if (value % perDay < 0n) days -= 1n;
  return `${dateText(Number(days))} ${timeText(value - days * perDay, unit)}${zone ? '+00' : ''}`;
}

/** BLOB bytes as DuckDB prints them: printable ASCII as is, the rest `\xHH`. */
function blobText(bytes: Uint8Array): string {
  return [...bytes].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** A Decimal128 value (four little-endian 32-bit words) as a bigint. */
function decimalWords(words: Uint32Array): bigint {
  let n = 0n;
  for (let w = 3; w >= 0; w--) n = (n << 32n) | BigInt(words[w]!);
  return BigInt.asIntN(128, n);
}

/** Value `i` of `vector` (of `type`) as DuckDB's `::VARCHAR` text, from Arrow's raw storage. */
function render(vector: Vector, i: number, type: DataType): string {
  if (!vector.isValid(i)) return 'NULL';
  const data = vector.data[0]!;
  if (DataType.isDecimal(type)) return decimalText(decimalWords(vector.get(i) as Uint32Array), type.scale);
  if (DataType.isInt(type)) return String(vector.get(i));
  if (DataType.isFloat(type)) return floatText(vector.get(i) as number);
  if (DataType.isBool(type)) return String(vector.get(i));
  if (DataType.isDate(type) && type.unit === DateUnit.DAY) return dateText((data.values as Int32Array)[i]!);
  if (DataType.isTimestamp(type)) return timestampText((data.values as BigInt64Array)[i]!, type.unit, type.timezone ?? null);
  if (DataType.isTime(type)) return timeText((data.values as BigInt64Array)[i]!, type.unit);
  if (DataType.isBinary(type)) return blobText(vector.get(i) as Uint8Array);
  if (DataType.isUtf8(type)) return vector.get(i) as string;
  if (DataType.isList(type)) {
    const list = vector.get(i) as Vector;
    const child = type.children[0]!.type;
    return `[${Array.from({ length: list.length }, (_, j) => (!list.isValid(j) ? 'NULL' : DataType.isList(child) ? render(list, j, child) : listItem(render(list, j, child)))).join(', ')}]`;
  }
  throw new Error(`no rendering for ${String(type)}`);
}

/** An item inside DuckDB's text of a list: quoted when it would not read back as one item (`'5877642-06-25 (BC)'`). */
function listItem(text: string): string {
  return text === '' || text === 'NULL' || /[\s,[\]{}'"\\()]/.test(text) ? `'${text.replace(/'/g, "\\'")}'` : text;
}

/** A float as DuckDB prints it: `nan`, `-inf`, `-0.0`; finite values compared as numbers (see same()). */
function floatText(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return Object.is(n, -0) ? '-0.0' : String(n);
}

/**
 * Whether Arrow's rendering and DuckDB's text are the same value: decimals compared
 * exactly (DuckDB writes `.1234` for `0.1234`), FLOAT by rounding DuckDB's shortest
 * text to 32 bits, everything else as text.
 */
function same(field: Field, ours: string, duck: string): boolean {
  if (ours === duck) return true;
  const type = field.type as DataType;
  if (DataType.isDecimal(type) || fieldNotes(field).textType === 'decimal') return exact(ours) === exact(duck);
  if (DataType.isFloat(type)) return Object.is(Math.fround(Number(ours)), Math.fround(Number(duck)));
  return false;
}

function exact(text: string): string {
  const v = parseDecimal(text);
  return typeof v === 'string' ? v : decimalValueText({ unscaled: v.unscaled / 10n ** BigInt(v.scale - minimalScale(v)), scale: minimalScale(v) });
}

/**
 * JSON text in a canonical form for comparing ours with `to_json`'s: numbers exact at
 * their fewest digits, DuckDB's bare NaN/Infinity as the strings Cairn writes, no spaces.
 */
function canonicalJson(text: string): string {
  let out = '';
  const token = /\s+|"(?:[^"\\]|\\.)*"|-?Infinity|NaN|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[{}[\]:,]|true|false|null/gy;
  for (let m = token.exec(text); m; m = token.exec(text)) {
    const t = m[0];
    if (/^\s/.test(t)) continue;
    if (t === 'NaN' || t.endsWith('Infinity')) out += JSON.stringify(t);
    else if (/^-?\d/.test(t)) out += t === '-0.0' || t === '-0' ? '-0' : exact(t);
    else out += t;
    if (token.lastIndex === text.length) break;
  }
  if (token.lastIndex !== text.length && token.lastIndex !== 0) throw new Error(`not JSON at ${token.lastIndex}: ${text}`);
  return out;
}

// --- the matrix ----------------------------------------------------------------------------

interface Case {
  /** DuckDB type under test (the column is `values::type`). */
  type: string;
  /** SQL literals of that type (nulls included), one row each. */
  values: string[];
  /** The Arrow type apache-arrow prints. */
  arrow: string;
  /** Field metadata the column carries. */
  notes?: { textType?: string; dbType?: string; note?: RegExp };
  /** Compare with `to_json(value)` instead of `value::VARCHAR` (JSON columns). */
  json?: boolean;
}

const cases: Case[] = [
  { type: 'BOOLEAN', values: ['true', 'false', 'null'], arrow: 'Bool' },
  { type: 'TINYINT', values: ['-128', '127', '0', 'null'], arrow: 'Int16' },
  { type: 'SMALLINT', values: ['-32768', '32767', 'null'], arrow: 'Int16' },
  { type: 'INTEGER', values: ['-2147483648', '2147483647', 'null'], arrow: 'Int32' },
  { type: 'BIGINT', values: ['-9223372036854775808', '9223372036854775807', 'null'], arrow: 'Int64' },
  { type: 'UTINYINT', values: ['0', '255', 'null'], arrow: 'Int32' },
  { type: 'USMALLINT', values: ['0', '65535', 'null'], arrow: 'Int32' },
  { type: 'UINTEGER', values: ['0', '4294967295', 'null'], arrow: 'Int64' },
  { type: 'UBIGINT', values: ['0', '9223372036854775808', '18446744073709551615', 'null'], arrow: 'Uint64' },
  // 128-bit integers: Decimal128(38, 0) while every value has at most 38 digits, exact text beyond.
  {
    type: 'HUGEINT',
    values: ['-99999999999999999999999999999999999999', '99999999999999999999999999999999999999', '0', 'null'],
    arrow: 'Decimal[38e0]',
    notes: { dbType: 'HUGEINT' }
  },
  {
    type: 'HUGEINT',
    values: ['-170141183460469231731687303715884105728', '170141183460469231731687303715884105727', '-1', 'null'],
    arrow: 'Utf8',
    notes: { textType: 'decimal', dbType: 'HUGEINT', note: /more than 38 digits/ }
  },
  { type: 'UHUGEINT', values: ['0', '99999999999999999999999999999999999999', 'null'], arrow: 'Decimal[38e0]', notes: { dbType: 'UHUGEINT' } },
  { type: 'UHUGEINT', values: ['0', '340282366920938463463374607431768211455', 'null'], arrow: 'Utf8', notes: { textType: 'decimal', dbType: 'UHUGEINT' } },
  { type: 'BIGNUM', values: ['-12345', '12345678901234567890', 'null'], arrow: 'Decimal[38e0]', notes: { dbType: 'BIGNUM' } },
  {
    type: 'BIGNUM',
    values: ["'-123456789012345678901234567890123456789012345678901234567890'", '1', 'null'],
    arrow: 'Utf8',
    notes: { textType: 'decimal', dbType: 'BIGNUM' }
  },
  // DECIMAL at each storage width (int16/32/64/128), its largest and smallest values, scale 0 and scale = width.
  { type: 'DECIMAL(4,0)', values: ['-9999', '9999', '0', 'null'], arrow: 'Decimal[4e0]' },
  { type: 'DECIMAL(4,4)', values: ["'-0.9999'", "'0.9999'", "'0.0001'", 'null'], arrow: 'Decimal[4e+4]' },
  { type: 'DECIMAL(9,0)', values: ['-999999999', '999999999', 'null'], arrow: 'Decimal[9e0]' },
  { type: 'DECIMAL(9,9)', values: ["'-0.999999999'", "'0.999999999'", 'null'], arrow: 'Decimal[9e+9]' },
  { type: 'DECIMAL(18,0)', values: ['-999999999999999999', '999999999999999999', 'null'], arrow: 'Decimal[18e0]' },
  { type: 'DECIMAL(18,18)', values: ["'-0.999999999999999999'", "'0.000000000000000001'", 'null'], arrow: 'Decimal[18e+18]' },
  { type: 'DECIMAL(18,3)', values: ["'-12.500'", "'999999999999999.999'", 'null'], arrow: 'Decimal[18e+3]' },
  { type: 'DECIMAL(38,0)', values: ["'-99999999999999999999999999999999999999'", "'99999999999999999999999999999999999999'", 'null'], arrow: 'Decimal[38e0]' },
  { type: 'DECIMAL(38,38)', values: ["'-0.99999999999999999999999999999999999999'", "'0.00000000000000000000000000000000000001'", 'null'], arrow: 'Decimal[38e+38]' },
  { type: 'DECIMAL(38,10)', values: ["'-1234567890123456789012345678.0123456789'", "'0'", 'null'], arrow: 'Decimal[38e+10]' },
  // Floats keep their bits: NaN, ±Infinity, -0, the extremes.
  { type: 'FLOAT', values: ["'nan'", "'inf'", "'-inf'", "'-0.0'", "'1.5e-7'", "'3.4028235e38'", "'1e-45'", 'null'], arrow: 'Float32' },
  { type: 'DOUBLE', values: ["'nan'", "'inf'", "'-inf'", "'-0.0'", '0.1', '1.7976931348623157e308', "'5e-324'", 'null'], arrow: 'Float64' },
  { type: 'VARCHAR', values: ["''", "'héllo ✓'", "'a string longer than twelve bytes'", 'null'], arrow: 'Utf8' },
  { type: 'JSON', values: ['\'{"a": [1, 2.50, null]}\'', "'[]'", 'null'], arrow: 'Utf8', notes: { textType: 'json' } },
  { type: 'BLOB', values: ["'\\xAA\\x00Z'", "''", "'\\x5C'", 'null'], arrow: 'Binary' },
  // Dates and timestamps at the calendar's ends (the BC side included).
  { type: 'DATE', values: ["'5877642-06-25 (BC)'", "'5881580-07-10'", "'1970-01-01'", "'0001-01-01'", "'0001-12-31 (BC)'", 'null'], arrow: 'Date32<DAY>' },
  {
    type: 'TIMESTAMP',
    values: ["'290309-12-22 (BC) 00:00:00'", "'294247-01-10 04:00:54.775806'", "'1969-12-31 23:59:59.999999'", "'2024-02-29 12:34:56.5'", 'null'],
    arrow: 'Timestamp<MICROSECOND>'
  },
  { type: 'TIMESTAMP_S', values: ["'1969-12-31 23:59:59'", "'2024-02-29 12:34:56'", 'null'], arrow: 'Timestamp<SECOND>' },
  { type: 'TIMESTAMP_MS', values: ["'1969-12-31 23:59:59.999'", "'2024-02-29 12:34:56.789'", 'null'], arrow: 'Timestamp<MILLISECOND>' },
  {
    type: 'TIMESTAMP_NS',
    values: ["'1677-09-22 00:12:43.145225'", "'2262-04-11 23:47:16.854775806'", "'2024-02-29 12:34:56.789012345'", 'null'],
    arrow: 'Timestamp<NANOSECOND>'
  },
  { type: 'TIMESTAMPTZ', values: ["'2024-02-29 12:34:56.789012+02'", "'1900-01-01 00:00:00+00'", 'null'], arrow: 'Timestamp<MICROSECOND, UTC>' },
  // ±infinity: no Arrow date holds it, so the column is DuckDB's text (redone inside the first batch, unseen).
  {
    type: 'DATE',
    values: ["'infinity'", "'-infinity'", "'2024-02-29'", 'null'],
    arrow: 'Utf8',
    notes: { dbType: 'DATE', note: /DuckDB's own text/ }
  },
  { type: 'TIMESTAMP', values: ["'-infinity'", "'2024-02-29 12:34:56'", 'null'], arrow: 'Utf8', notes: { dbType: 'TIMESTAMP' } },
  { type: 'TIMESTAMPTZ', values: ["'infinity'", 'null'], arrow: 'Utf8', notes: { dbType: 'TIMESTAMP WITH TIME ZONE' } },
  { type: 'TIMESTAMP_S', values: ["'infinity'", "'2024-02-29 12:34:56'"], arrow: 'Utf8', notes: { dbType: 'TIMESTAMP_S' } },
  { type: 'TIMESTAMP_MS', values: ["'-infinity'"], arrow: 'Utf8', notes: { dbType: 'TIMESTAMP_MS' } },
  { type: 'TIMESTAMP_NS', values: ["'infinity'", "'2024-02-29 12:34:56.789012345'"], arrow: 'Utf8', notes: { dbType: 'TIMESTAMP_NS' } },
  { type: 'TIME', values: ["'00:00:00'", "'23:59:59.999999'", "'24:00:00'", 'null'], arrow: 'Time64<MICROSECOND>' },
  { type: 'TIME_NS', values: ["'12:34:56.123456789'", "'00:00:00'", 'null'], arrow: 'Time64<NANOSECOND>' },
  // Text where Arrow (or apache-arrow 17) has no exact form; the column says what it is.
  { type: 'TIMETZ', values: ["'12:34:56+05:30'", "'00:00:00-15:59'", 'null'], arrow: 'Utf8', notes: { dbType: 'TIME WITH TIME ZONE', note: /offset/ } },
  {
    type: 'INTERVAL',
    values: ["'1 year 2 months 3 days 04:05:06.789012'", "'-1 day'", "'0 seconds'", "'-178000000 years'", 'null'],
    arrow: 'Utf8',
    notes: { dbType: 'INTERVAL', note: /month-day-nano/ }
  },
  { type: 'UUID', values: ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'", 'null'], arrow: 'Utf8', notes: { dbType: 'UUID' } },
  { type: "ENUM('a', 'b c')", values: ["'a'", "'b c'", 'null'], arrow: 'Utf8', notes: { dbType: 'ENUM' } },
  { type: 'BIT', values: ["'0101'", "'1'", 'null'], arrow: 'Utf8', notes: { dbType: 'BIT' } },
  { type: 'VARIANT', values: ['1', "'x'", 'null'], arrow: 'Utf8', notes: { dbType: 'VARIANT', note: /no Arrow form/ } },
  // Lists and arrays: Arrow lists of the item's mapping, empty and null lists included.
  { type: 'INTEGER[]', values: ['[]', '[1, NULL, 3]', '[-2147483648]', 'null'], arrow: 'List<Int32>', notes: { dbType: 'INTEGER[]' } },
  { type: 'DOUBLE[][]', values: ['[[1.5], []]', '[NULL]', '[]'], arrow: 'List<List<Float64>>', notes: { dbType: 'DOUBLE[][]' } },
  { type: 'DATE[]', values: ["['5877642-06-25 (BC)', '1970-01-02']", 'null'], arrow: 'List<Date32<DAY>>', notes: { dbType: 'DATE[]' } },
  { type: 'DECIMAL(38,2)[]', values: ["['-999999999999999999999999999999999999.99']", '[]'], arrow: 'List<Decimal[38e+2]>', notes: { dbType: 'DECIMAL(38,2)[]' } },
  { type: 'BIGINT[2]', values: ['[1, 2]', '[NULL, -9223372036854775808]', 'null'], arrow: 'List<Int64>', notes: { dbType: 'BIGINT[2]' } },
  { type: 'HUGEINT[]', values: ['[1, -99999999999999999999999999999999999999]', '[]'], arrow: 'List<Decimal[38e0]>', notes: { dbType: 'HUGEINT[]' } },
  // STRUCT, MAP and UNION (and lists of them): JSON, compared with DuckDB's to_json number for number.
  {
    type: 'STRUCT(i INTEGER, s VARCHAR, d DECIMAL(10,2), f DOUBLE, dt DATE, b BLOB, l INTEGER[], h HUGEINT)',
    values: [
      "{'i': 1, 's': 'z''q\"x', 'd': -12.50, 'f': 'nan', 'dt': '2024-02-29', 'b': '\\xAA', 'l': [1, 2], 'h': 170141183460469231731687303715884105727}",
      "{'i': null, 's': '', 'd': 0, 'f': '-0.0', 'dt': 'infinity', 'b': '', 'l': [], 'h': -1}",
      'null'
    ],
    arrow: 'Utf8',
    notes: { textType: 'json', note: /JSON/ },
    json: true
  },
  { type: 'MAP(VARCHAR, INTEGER)', values: ["map {'a': 1, 'b': null}", 'map {}', 'null'], arrow: 'Utf8', notes: { textType: 'json' }, json: true },
  { type: 'MAP(INTEGER[], DOUBLE)', values: ['map {[1]: 2.5}'], arrow: 'Utf8', notes: { textType: 'json' }, json: true },
  { type: 'UNION(num INTEGER, s VARCHAR)', values: ['2::UNION(num INTEGER, s VARCHAR)', "'x'::UNION(num INTEGER, s VARCHAR)", 'null'], arrow: 'Utf8', notes: { textType: 'json' }, json: true },
  { type: 'STRUCT(a INTEGER)[]', values: ["[{'a': 1}, NULL]", '[]', 'null'], arrow: 'Utf8', notes: { textType: 'json' }, json: true },
  // A 39-digit integer in a list: no Arrow list of decimals holds it, so the column is JSON text.
  { type: 'HUGEINT[]', values: ['[1, 170141183460469231731687303715884105727]', '[]'], arrow: 'Utf8', notes: { textType: 'json', dbType: 'HUGEINT[]' }, json: true }
];

describe('DuckDB types → Arrow, compared with DuckDB’s own text', () => {
  let engine: DuckDbEngine;
  beforeAll(async () => {
    engine = createDuckDbEngine({}, { id: 'types', readOnly: true, maxConnections: 2, threads: 1 });
    await engine.ping();
  });
  afterAll(async () => {
    await engine?.close();
  });

  async function batches(sql: string, widen = {}): Promise<RecordBatch[]> {
    const result = await engine.run(sql, [], { widen });
    const out: RecordBatch[] = [];
    for await (const batch of result.batches) out.push(batch);
    return out;
  }

  it.each(cases.map((c) => [`${c.type}: ${c.values.join(', ')}`.slice(0, 110), c] as const))('%s', async (_, c) => {
    const rows = c.values.map((v, i) => `((${v})::${c.type}, ${i})`).join(', ');
    const sql = `select v, v::varchar as t, to_json(v)::varchar as j from (values ${rows}) x(v, o) order by o`;
    const [batch] = await batches(sql);
    const field = batch!.schema.fields[0]!;
    expect(String(field.type)).toBe(c.arrow);
    const notes = fieldNotes(field);
    if (c.notes?.textType) expect(notes.textType).toBe(c.notes.textType);
    else expect(notes.textType).toBeUndefined();
    if (c.notes?.dbType) expect(notes.dbType).toBe(c.notes.dbType);
    if (c.notes?.note) expect(notes.note).toMatch(c.notes.note);
    if (!c.notes) expect(field.metadata.size).toBe(0);

    const v = batch!.getChildAt(0)!;
    const t = batch!.getChildAt(1)!;
    const j = batch!.getChildAt(2)!;
    expect(v.length).toBe(c.values.length);
    for (let i = 0; i < v.length; i++) {
      const duck = t.get(i) as string | null;
      // A null stays null: never a value, never the text "NULL".
      expect(v.isValid(i), `row ${i}`).toBe(duck !== null);
      if (duck === null) continue;
      if (c.json) {
        expect(canonicalJson(v.get(i) as string), `row ${i}`).toBe(canonicalJson(j.get(i) as string));
        continue;
      }
      const ours = render(v, i, field.type as DataType);
      expect(same(field, ours, duck), `row ${i}: ours ${ours}, DuckDB ${duck}`).toBe(true);
    }
  });

  // The browser registers a server result in DuckDB-WASM (a cell over another cell's
  // result): the Arrow forms chosen here must read back there as the same values.
  it('reads back in DuckDB-WASM as the same values, UBIGINT as UBIGINT and nanoseconds intact', async () => {
    const columns: [string, string][] = [
      ['u64', "'18446744073709551615'::ubigint"],
      ['h', "'-99999999999999999999999999999999999999'::hugeint"],
      ['d4', "'-0.9999'::decimal(4,4)"],
      ['d38', "'99999999999999999999999999999999999999'::decimal(38,0)"],
      ['f', "'-0.0'::double"],
      ['nan', "'nan'::float"],
      ['dmin', "'5877642-06-25 (BC)'::date"],
      ['tmax', "'294247-01-10 04:00:54.775806'::timestamp"],
      ['ts', "'2024-02-29 12:34:56'::timestamp_s"],
      ['tms', "'2024-02-29 12:34:56.789'::timestamp_ms"],
      ['tns', "'2262-04-11 23:47:16.854775806'::timestamp_ns"],
      ['tz', "'2024-02-29 12:34:56.789012+02'::timestamptz"],
      ['t', "'24:00:00'::time"],
      ['b', "'\\xAA\\x00Z'::blob"],
      ['l', "[[1.5, null], []]::double[][]"]
    ];
    const select = columns.map(([name, sql]) => `${sql} as ${name}`).join(', ');
    const server = await batches(`select ${select}`);
    const text = await batches(`select ${columns.map(([name, sql]) => `(${sql})::varchar as ${name}`).join(', ')}`);
    const { IpcStreamEncoder } = await import('../../kernels/arrow/index.js');
    const { createNodeDuckDb } = await import('../../kernels/duckdb-wasm/node.js');
    const encoder = new IpcStreamEncoder(server[0]!.schema);
    const bytes = Buffer.concat([encoder.start(), ...server.map((b) => encoder.encode(b)), encoder.end()]);
    const db = await createNodeDuckDb();
    try {
      const connection = await db.connect();
      await connection.insertArrowFromIPCStream(bytes, { name: 'r' });
      const types = await connection.query(`select column_name as c, data_type as t from information_schema.columns where table_name = 'r'`);
      const typeOf = new Map(types.toArray().map((row) => [row.c as string, row.t as string]));
      expect(typeOf.get('u64')).toBe('UBIGINT');
      expect(typeOf.get('tns')).toBe('TIMESTAMP_NS');
      expect(typeOf.get('ts')).toBe('TIMESTAMP_S');
      const back = (await connection.query(`select ${columns.map(([name]) => `${name}::varchar as ${name}`).join(', ')} from r`)).toArray()[0]!.toJSON();
      const want = text[0]!.toArray()[0]!.toJSON();
      // DuckDB writes DECIMAL(4,4)'s -0.9999 as -.9999: decimals compare as numbers.
      const norm = (name: string, text: unknown) => (typeOf.get(name)!.startsWith('DECIMAL') ? exact(String(text)) : String(text));
      expect(columns.length).toBe(Object.keys(back).length);
      for (const [name] of columns) expect(norm(name, back[name]), name).toBe(norm(name, want[name]));
      await connection.close();
    } finally {
      await db.terminate();
    }
  });

  describe('a value that does not fit after the first batch', () => {
    // 5,000 rows: the first batch (DuckDB's first 2,048-row chunk) holds only small values.
    const wide = '170141183460469231731687303715884105727';

    async function redo(sql: string): Promise<{ error: WiderResultNeeded; batches: RecordBatch[] }> {
      const result = await engine.run(sql, []);
      let seen = 0;
      try {
        for await (const batch of result.batches) seen += batch.numRows;
      } catch (e) {
        expect(e).toBeInstanceOf(WiderResultNeeded);
        expect(e).toBeInstanceOf(QueryError);
        const error = e as WiderResultNeeded;
        expect(seen).toBeGreaterThan(0);
        expect(error.code).toBe('result_widened');
        expect(error.engine).toBe('types');
        // Rerun as the query service does: the wider type up front.
        return { error, batches: await batches(sql, error.widening) };
      }
      throw new Error('expected the run to ask for a redo');
    }

    it('stops a HUGEINT column chosen as Decimal128(38, 0) at a 39-digit value, and the redo is exact text', async () => {
      const sql = `select i, case when i = 4000 then ${wide}::hugeint else (i * 1000)::hugeint end as h, h::varchar as t from range(5000) r(i) order by i`;
      const { error, batches: redone } = await redo(sql);
      expect(error.column).toBe('h');
      expect(error.widening).toEqual({ 1: 'text' });
      const field = redone[0]!.schema.fields[1]!;
      expect(String(field.type)).toBe('Utf8');
      expect(fieldNotes(field)).toMatchObject({ textType: 'decimal', dbType: 'HUGEINT' });
      let rows = 0;
      for (const batch of redone) {
        const h = batch.getChildAt(1)!;
        const t = batch.getChildAt(2)!;
        for (let i = 0; i < batch.numRows; i++) expect(h.get(i)).toBe(t.get(i));
        rows += batch.numRows;
      }
      expect(rows).toBe(5000);
      expect(redone.some((b) => [...b.getChildAt(1)!].includes(wide))).toBe(true);
    });

    it('stops a DATE column at an infinite date, and the redo is DuckDB’s text', async () => {
      const sql = `select i, case when i = 4500 then 'infinity'::date else date '2024-01-01' + i::integer end as d, d::varchar as t from range(5000) r(i) order by i`;
      const { error, batches: redone } = await redo(sql);
      expect(error.widening).toEqual({ 1: 'text' });
      expect(error.message).toMatch(/infinite date/);
      for (const batch of redone) {
        const d = batch.getChildAt(1)!;
        const t = batch.getChildAt(2)!;
        for (let i = 0; i < batch.numRows; i++) expect(d.get(i)).toBe(t.get(i));
      }
      expect(redone.some((b) => [...b.getChildAt(1)!].includes('infinity'))).toBe(true);
    });

    it('redoes a misfit inside the first batch before answering, so the caller never sees it', async () => {
      const sql = `select case when i = 10 then 'infinity'::date else date '2024-01-01' end as d from range(100) r(i)`;
      const result = await engine.run(sql, []);
      expect(String(result.schema.fields[0]!.type)).toBe('Utf8');
      const values: unknown[] = [];
      for await (const batch of result.batches) values.push(...batch.getChildAt(0)!);
      expect(values.filter((v) => v === 'infinity')).toHaveLength(1);
      expect(values.filter((v) => v === '2024-01-01')).toHaveLength(99);
    });
  });
});
