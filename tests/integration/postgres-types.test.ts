/**
 * The PostgreSQL type matrix (docs/types.md): for every type, values at its edges go
 * through the whole server path — a least-privilege account, the worker thread, Arrow IPC
 * over `POST /api/query` — and each value that arrives is compared with what PostgreSQL
 * itself prints for it (`psql -At`, the session in UTC). An Arrow value is turned back into
 * PostgreSQL's text by {@link pgText}, a test oracle written from PostgreSQL's output rules.
 */
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { DataType, type Field, type Vector } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { signUp } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { WarehouseApi, runServerQuery } from '../../src/lib/warehouse/index.js';
import { decimalText, parseDecimal, rescale, type ExactDecimal } from '../../kernels/arrow/exact-decimal.js';
import { toCsv } from '../../kernels/arrow/csv.js';
import { toJson } from '../../kernels/arrow/json.js';
import { civilFromDays } from '../support/calendar.js';

interface Case {
  /** The column's SQL type. */
  type: string;
  /** SQL literals, one row each (cast to `type`). */
  values: string[];
  /** The Arrow type expected, as apache-arrow prints it. */
  arrow: string;
  /** `cairn.type` expected on the field. */
  textType?: 'decimal' | 'json';
  /** What psql prints instead of `v`, when PostgreSQL's own text is not the value (money is locale-formatted). */
  reference?: string;
}

const HUGE = '9'.repeat(38);
const CASES: Case[] = [
  { type: 'int2', values: ['-32768', '32767', '0', 'null'], arrow: 'Int16' },
  { type: 'int4', values: ['-2147483648', '2147483647'], arrow: 'Int32' },
  { type: 'int8', values: ['-9223372036854775808', '9223372036854775807', '9007199254740993', 'null'], arrow: 'Int64' },
  { type: 'oid', values: ['0', '4294967295'], arrow: 'Int64' },
  { type: 'float4', values: ["'3.4028235e38'", "'-1.1754944e-38'", "'NaN'", "'-Infinity'", "'-0'", '0.1'], arrow: 'Float32' },
  { type: 'float8', values: ["'1.7976931348623157e308'", "'5e-324'", "'-0'", "'NaN'", "'Infinity'", '0.1', 'null'], arrow: 'Float64' },
  { type: 'numeric(38,0)', values: [HUGE, `-${HUGE}`, '0'], arrow: 'Decimal[38e0]' },
  { type: 'numeric(38,38)', values: [`0.${HUGE}`, `-0.${'0'.repeat(37)}1`], arrow: 'Decimal[38e+38]' },
  { type: 'numeric(12,2)', values: ['12.50', '-0.01', '0', '9999999999.99', 'null'], arrow: 'Decimal[12e+2]' },
  // Unconstrained: the values choose the scale (21) and fit 38 digits (17 + 21).
  { type: 'numeric', values: ['12345678901234567.89', '0.000000000000000000001', '-1', 'null'], arrow: 'Decimal[38e+21]' },
  { type: 'numeric', values: [`1${'0'.repeat(40)}.5`, '-0.5'], arrow: 'Utf8', textType: 'decimal' },
  { type: 'numeric', values: ["'NaN'", "'Infinity'", "'-Infinity'", '1.25'], arrow: 'Utf8', textType: 'decimal' },
  { type: 'numeric(50,10)', values: ['1234567890123456789012345678.0123456789', '-1'], arrow: 'Decimal[38e+10]' },
  { type: 'numeric(50,10)', values: [`${'9'.repeat(40)}.0123456789`], arrow: 'Utf8', textType: 'decimal' },
  { type: 'numeric(10,2)', values: ['1.50', "'NaN'"], arrow: 'Utf8', textType: 'decimal' },
  { type: 'money', values: ["'1234567.89'", "'-92233720368547758.08'", "'92233720368547758.07'"], arrow: 'Decimal[38e+2]', reference: 'v::numeric' },
  { type: 'bool', values: ['true', 'false', 'null'], arrow: 'Bool' },
  { type: 'text', values: ["'héllo wörld'", "''", "'日本語 🙂'"], arrow: 'Utf8' },
  { type: 'uuid', values: ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "'00000000-0000-0000-0000-000000000000'"], arrow: 'Utf8' },
  { type: 'inet', values: ["'192.168.0.1/24'", "'::1'"], arrow: 'Utf8' },
  { type: 'bytea', values: ["'\\xdeadbeef'", "''"], arrow: 'Binary' },
  { type: 'json', values: [`'{"a": [1, 2.50]}'`, "'null'"], arrow: 'Utf8', textType: 'json' },
  { type: 'jsonb', values: [`'{"b": 1, "a": [true, 12345678901234567890]}'`], arrow: 'Utf8', textType: 'json' },
  { type: 'date', values: ["'4713-01-01 BC'", "'5874897-12-31'", "'1969-12-31'", "'1970-01-01'", "'2262-04-12'"], arrow: 'Date32<DAY>' },
  { type: 'date', values: ["'infinity'", "'-infinity'", "'2024-02-29'"], arrow: 'Utf8' },
  {
    type: 'timestamp',
    values: ["'4713-01-01 00:00:00 BC'", "'1969-12-31 23:59:59.999999'", "'2262-04-12 00:00:00.000001'", "'290000-01-01 00:00:00'"],
    arrow: 'Timestamp<MICROSECOND>'
  },
  { type: 'timestamp', values: ["'infinity'", "'2024-01-01 12:00:00'"], arrow: 'Utf8' },
  { type: 'timestamptz', values: ["'2024-06-01 12:00:00+05:30'", "'1900-01-01 00:00:00+00'"], arrow: 'Timestamp<MICROSECOND, UTC>' },
  { type: 'time', values: ["'00:00:00'", "'23:59:59.999999'", "'24:00:00'"], arrow: 'Time64<MICROSECOND>' },
  { type: 'timetz', values: ["'12:00:00+05:30'"], arrow: 'Utf8' },
  { type: 'interval', values: ["'1 year 2 mons 3 days 04:05:06.789'", "'-178000000 years'", "'00:00:00.000001'"], arrow: 'Utf8' },
  { type: 'int4range', values: ["'[1,5)'", "'empty'"], arrow: 'Utf8' },
  { type: 'mood', values: ["'happy'", "'sad'"], arrow: 'Utf8' },
  { type: 'posint', values: ['1', '2147483647'], arrow: 'Int32' },
  { type: 'int4[]', values: ["'{1,NULL,-3}'", "'{}'", 'null'], arrow: 'List<Int32>' },
  { type: 'int8[]', values: ["'{-9223372036854775808,9223372036854775807}'"], arrow: 'List<Int64>' },
  { type: 'text[]', values: [`'{"a,b","",NULL,"NULL"}'`], arrow: 'List<Utf8>' },
  { type: 'numeric(12,2)[]', values: ["'{1.50,-2.25}'"], arrow: 'List<Decimal[12e+2]>' },
  { type: 'numeric[]', values: ["'{1.5,NaN,100000000000000000000000000000000000000000}'"], arrow: 'List<Utf8>' },
  { type: 'date[]', values: ["'{2024-02-29,infinity}'"], arrow: 'List<Utf8>' },
  { type: 'uuid[]', values: ["'{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'"], arrow: 'List<Utf8>' },
  { type: 'jsonb[]', values: [`array['{"a": 1}'::jsonb]`], arrow: 'List<Utf8>' }
];

const READER = `cairn_matrix_${process.pid}`;

describe('PostgreSQL types: every value as PostgreSQL prints it, through the query API', () => {
  let db: TestDatabase;
  let admin: pg.Client;
  let store: TestStore;
  let srv: RunningServer;
  let client: WarehouseApi;
  let connectionId: string;
  let psqlLines: string[][];

  beforeAll(async () => {
    db = await createTestDatabase();
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`create type mood as enum ('sad', 'happy')`);
    await admin.query(`create domain posint as int4 check (value > 0)`);
    for (const [i, c] of CASES.entries()) {
      await admin.query(`create table m${i} (n int, v ${c.type})`);
      await admin.query(`insert into m${i} values ${c.values.map((v, n) => `(${n}, (${v})::${c.type})`).join(', ')}`);
    }
    // As an admin sets up a reporting account: connect, usage, select — nothing more.
    const database = new URL(db.url).pathname.slice(1);
    await admin.query(`drop role if exists ${READER}`);
    await admin.query(`create role ${READER} login`);
    await admin.query(`grant connect on database ${database} to ${READER}`);
    await admin.query(`grant usage on schema public to ${READER}`);
    await admin.query(`grant select on all tables in schema public to ${READER}`);

    // PostgreSQL's own text for every value, one psql call for all tables.
    const url = new URL(db.url);
    const args = ['-h', url.hostname, '-p', url.port || '5432', '-U', READER, '-d', database, '-AtX', '-P', 'null=<NULL>'];
    for (const [i, c] of CASES.entries()) args.push('-c', `select ${c.reference ?? 'v'} from m${i} order by n`);
    const out = execFileSync('psql', args, { env: { ...process.env, PGTZ: 'UTC' }, encoding: 'utf8' });
    const lines = out.split('\n');
    psqlLines = CASES.map((c) => lines.splice(0, c.values.length));

    store = await createTestStore('embedded');
    srv = await startInProcess(store);
    const owner = await signUp(srv.base, 'Owner');
    client = new WarehouseApi({ baseUrl: srv.base, token: owner.token });
    const created = await client.createConnection({
      name: 'Reader',
      kind: 'postgres',
      config: { host: url.hostname, port: Number(url.port || 5432), database, user: READER, password: 'unused-with-trust-auth' },
      options: { maxConnections: 2 }
    });
    connectionId = created.id;
  }, 60_000);

  afterAll(async () => {
    await srv?.close();
    await store?.dispose();
    await admin?.end();
    await db?.drop();
    const root = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await root.connect();
    await root.query(`drop role if exists ${READER}`);
    await root.end();
  });

  it.each(CASES.map((c, i) => [i, c] as const))('#%i %s', async (i, c) => {
    // The connection's session zone is the database default; timestamptz arrives in UTC either way.
    const result = await runServerQuery(client, { connectionId, sql: `select v from m${i} order by n` });
    const table = result!.table;
    const field = table.schema.fields[0]!;
    expect(String(field.type)).toBe(c.arrow);
    expect(field.metadata.get('cairn.type')).toBe(c.textType);
    const column = table.getChildAt(0)!;
    // apache-arrow's get() turns dates and timestamps into float milliseconds (and throws past
    // 2^53 of them): those are read from the value buffer instead.
    const temporal = DataType.isDate(field.type) || DataType.isTimestamp(field.type) || DataType.isTime(field.type);
    const got = Array.from({ length: table.numRows }, (_, r) => {
      const raw = temporal ? rawAt(column, r) : null;
      return pgText(temporal ? raw : column.get(r), field, raw);
    });
    const want = psqlLines[i]!;
    expect(got.length).toBe(want.length);
    for (const [r, text] of got.entries()) expectSameValue(text, want[r]!, field.type);

    // The downloads write the same values (kernels/arrow/csv.ts, json.ts): every digit, as PostgreSQL has it.
    if (DataType.isList(field.type)) return;
    const csv = toCsv(table).split('\r\n').slice(1, -1).map(unquoteCsv);
    const json = JSON.parse(toJson(table)) as { columns: Array<{ name: string; type: string }>; rows: unknown[][] };
    expect(json.columns[0]!.name).toBe('v');
    for (const [r, text] of want.entries()) {
      if (text === '<NULL>') {
        expect(csv[r]).toBe('');
        expect(json.rows[r]![0]).toBeNull();
        continue;
      }
      expectSameValue(downloadText(csv[r]!, field.type), text, field.type);
      const value = json.rows[r]![0];
      // JSON numbers only where JavaScript holds them exactly; decimals and big integers are strings.
      if (typeof value === 'number') expect(Number.isSafeInteger(value) || DataType.isFloat(field.type)).toBe(true);
      const asText = typeof value === 'string' ? value : Object.is(value, -0) ? '-0' : JSON.stringify(value);
      expectSameValue(downloadText(asText, field.type), text, field.type);
    }
  });
});

/** A one-column CSV field's text. */
function unquoteCsv(field: string): string {
  return field.startsWith('"') ? field.slice(1, -1).replace(/""/g, '"') : field;
}

/** A download's text in PostgreSQL's spelling, for types whose export format differs only in form (ISO dates, true/false, 0x…). */
function downloadText(text: string, type: DataType): string {
  if (DataType.isBool(type)) return text === 'true' ? 't' : 'f';
  if (DataType.isBinary(type)) return text.replace(/^0x/, '\\x');
  if (DataType.isDate(type) || DataType.isTimestamp(type)) {
    const m = /^([+-]?)(\d+)-(.*)$/.exec(text.replace('T', ' ').replace(/Z$/, DataType.isTimestamp(type) && type.timezone ? '+00' : ''))!;
    const year = Number(m[2]);
    // ISO's year 0 is 1 BC, -1 is 2 BC.
    return m[1] === '-' || year === 0 ? `${String((m[1] === '-' ? year : 0) + 1).padStart(4, '0')}-${m[3]} BC`.replace(/(\+00) BC$/, ' BC') : `${String(year).padStart(4, '0')}-${m[3]}`;
  }
  return text;
}

/** Equal as PostgreSQL values: floats by value (PostgreSQL and JavaScript place exponents differently), decimals by value and scale. */
function expectSameValue(got: string, want: string, type: DataType): void {
  if (got === want) return;
  if (DataType.isFloat(type)) {
    const w = Number(want.replace('Infinity', 'Infinity'));
    const g = Number(got);
    expect(type.precision === 1 ? Math.fround(w) : w).toBe(g);
    return;
  }
  if (DataType.isDecimal(type) && want !== '<NULL>') {
    // An unconstrained column prints each value at its own scale; Arrow has one scale per column.
    const w = parseDecimal(want) as ExactDecimal;
    const g = parseDecimal(got) as ExactDecimal;
    expect(rescale(w, g.scale)).toBe(g.unscaled);
    return;
  }
  expect(got).toBe(want);
}

/** Row `r`'s slot in the column's value buffer. */
function rawAt(column: Vector, r: number): bigint | number | null {
  let row = r;
  for (const data of column.data) {
    if (row < data.length) return data.getValid(row) ? (data.values as ArrayLike<bigint | number>)[data.offset + row]! : null;
    row -= data.length;
  }
  throw new Error(`row ${r} is past the column's end`);
}

/** An Arrow value as PostgreSQL's text output prints it; `raw` is its slot in the value buffer, for dates and timestamps. */
function pgText(value: unknown, field: Field, raw: bigint | number | null = null): string {
  if (value === null || value === undefined) return '<NULL>';
  const type = field.type as DataType;
  if (DataType.isBool(type)) return value ? 't' : 'f';
  if (DataType.isInt(type)) return String(value);
  if (DataType.isFloat(type)) return Object.is(value, -0) ? '-0' : String(value);
  if (DataType.isDecimal(type)) return decimalText(unscaled(value as Uint32Array), type.scale);
  if (DataType.isBinary(type)) return '\\x' + Buffer.from(value as Uint8Array).toString('hex');
  if (DataType.isDate(type)) return dateText(Number(raw));
  if (DataType.isTimestamp(type)) return timestampText(BigInt(raw!), type.unit, type.timezone ?? null);
  if (DataType.isTime(type)) return timeText(BigInt(raw!));
  if (DataType.isList(type)) {
    const child = type.children[0]!;
    const list = value as Vector;
    const items: string[] = [];
    for (let i = 0; i < list.length; i++) items.push(arrayItem(list.get(i), child));
    return `{${items.join(',')}}`;
  }
  return String(value);
}

function arrayItem(value: unknown, field: Field): string {
  if (value === null || value === undefined) return 'NULL';
  const text = pgText(value, field);
  // array_out quotes empty strings, NULL, and anything with delimiters, quotes, backslashes or spaces.
  if (text === '' || /^null$/i.test(text) || /[{},"\\\s]/.test(text)) return `"${text.replace(/[\\"]/g, (m) => '\\' + m)}"`;
  return text;
}

function unscaled(words: Uint32Array): bigint {
  let v = 0n;
  for (let i = words.length - 1; i >= 0; i--) v = (v << 32n) | BigInt(words[i]!);
  return BigInt.asIntN(words.length * 32, v);
}


const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function dateText(days: number): string {
  const { y, m, d } = civilFromDays(days);
  const bc = y <= 0;
  return `${pad(bc ? 1 - y : y, 4)}-${pad(m)}-${pad(d)}${bc ? ' BC' : ''}`;
}

function timeText(micros: bigint): string {
  const s = micros / 1_000_000n;
  const frac = micros % 1_000_000n;
  const base = `${pad(Number(s / 3600n))}:${pad(Number((s / 60n) % 60n))}:${pad(Number(s % 60n))}`;
  return frac === 0n ? base : `${base}.${frac.toString().padStart(6, '0').replace(/0+$/, '')}`;
}

function timestampText(value: bigint, unit: number, zone: string | null): string {
  const perSecond = [1n, 1000n, 1_000_000n, 1_000_000_000n][unit]!;
  const micros = (value * 1_000_000n) / perSecond;
  const dayMicros = 86_400_000_000n;
  let days = micros / dayMicros;
  let rest = micros % dayMicros;
  if (rest < 0n) {
    rest += dayMicros;
    days -= 1n;
  }
  const { y, m, d } = civilFromDays(Number(days));
  const bc = y <= 0;
  return `${pad(bc ? 1 - y : y, 4)}-${pad(m)}-${pad(d)} ${timeText(rest)}${zone ? '+00' : ''}${bc ? ' BC' : ''}`;
}
