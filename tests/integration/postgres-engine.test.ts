/**
 * The PostgreSQL engine against the real PostgreSQL on this machine: type mapping (both
 * the binary COPY path and the parameterized extended-protocol path), streaming, cancel,
 * statement timeout, row cap, read-only enforcement, connection errors and schema().
 */
import { createServer, type Server, type Socket } from 'node:net';
import { type Data, type DataType, type RecordBatch, Type, type Decimal } from 'apache-arrow';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IpcStreamEncoder } from '../../kernels/arrow/index.js';
import { QueryError, type RunResult, type ServerEngine, type ServerEngineOptions } from '../../kernels/engine.js';
import { createPostgresEngine, type PostgresConfig } from '../../kernels/postgres/index.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

let db: TestDatabase;
let config: PostgresConfig;
let admin: pg.Client;
const engines: ServerEngine[] = [];

function engine(options: Partial<ServerEngineOptions> = {}, overrides: Partial<PostgresConfig> = {}): ServerEngine {
  const e = createPostgresEngine({ ...config, ...overrides }, { id: 'pg-test', ...options });
  engines.push(e);
  return e;
}

async function collect(result: RunResult): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = [];
  for await (const b of result.batches) batches.push(b);
  return batches;
}

/** A value as plain JS: 64-bit and time values as raw bigint, dates as days, decimals as unscaled strings, lists as arrays. */
function plain(type: DataType, data: Data, i: number): unknown {
  if (!data.getValid(i)) return null;
  const at = data.offset + i;
  switch (type.typeId) {
    case Type.Timestamp:
    case Type.Time:
    case Type.Int:
    case Type.Date:
    case Type.Float:
      return (data.values as ArrayLike<unknown>)[at];
    case Type.Bool:
      return ((data.values as Uint8Array)[at >> 3] & (1 << (at & 7))) !== 0;
    case Type.Decimal: {
      const w = data.values as Uint32Array;
      let v = 0n;
      for (let k = 3; k >= 0; k--) v = (v << 32n) | BigInt(w[at * 4 + k]);
      return BigInt.asIntN(128, v).toString();
    }
    case Type.Utf8:
    case Type.Binary: {
      const bytes = (data.values as Uint8Array).subarray(data.valueOffsets[at], data.valueOffsets[at + 1]);
      return type.typeId === Type.Utf8 ? new TextDecoder().decode(bytes) : [...bytes];
    }
    case Type.List: {
      const child = data.children[0];
      const out: unknown[] = [];
      for (let j = data.valueOffsets[at]; j < data.valueOffsets[at + 1]; j++) out.push(plain(child.type, child, j));
      return out;
    }
    default:
      throw new Error(`no plain() for ${String(type)}`);
  }
}

function columnValues(batches: RecordBatch[], index: number): unknown[] {
  const out: unknown[] = [];
  for (const b of batches) {
    const data = b.data.children[index];
    for (let i = 0; i < b.numRows; i++) out.push(plain(data.type, data, i));
  }
  return out;
}

function ipcBytes(result: RunResult, batches: RecordBatch[]): Buffer {
  const encoder = new IpcStreamEncoder(result.schema);
  return Buffer.concat([encoder.start(), ...batches.map((b) => encoder.encode(b)), encoder.end()]);
}

const us = (iso: string) => BigInt(Date.parse(iso)) * 1000n;
const days = (iso: string) => Date.parse(iso) / 86_400_000;

/**
 * One row per case: the column's SQL type, its values (SQL literals, one per row of the
 * seeded table), the Arrow type we expect and the values as {@link plain} returns them.
 */
const CASES: Array<{ column: string; sqlType: string; literals: string[]; arrow: string; expected: unknown[]; json?: boolean; textType?: string }> = [
  { column: 'c_int2', sqlType: 'int2', literals: ['1', '-32768', 'null'], arrow: 'Int16', expected: [1, -32768, null] },
  { column: 'c_int4', sqlType: 'int4', literals: ['2147483647', '-42', 'null'], arrow: 'Int32', expected: [2147483647, -42, null] },
  {
    column: 'c_int8',
    sqlType: 'int8',
    literals: ['9007199254740993', '-9223372036854775808', 'null'],
    arrow: 'Int64',
    expected: [9007199254740993n, -9223372036854775808n, null]
  },
  { column: 'c_float4', sqlType: 'float4', literals: ['1.5', '-0.25', 'null'], arrow: 'Float32', expected: [1.5, -0.25, null] },
  { column: 'c_float8', sqlType: 'float8', literals: ["'NaN'", '-1e300', 'null'], arrow: 'Float64', expected: [NaN, -1e300, null] },
  {
    column: 'c_money',
    sqlType: 'numeric(12,2)',
    literals: ['1234567890.12', '-0.01', 'null'],
    arrow: 'Decimal[12e+2]',
    expected: ['123456789012', '-1', null]
  },
  {
    column: 'c_wide',
    sqlType: 'numeric(30,10)',
    literals: ['12345678901234567890.0123456789', '-0.0000000001', 'null'],
    arrow: 'Decimal[30e+10]',
    expected: ['123456789012345678900123456789', '-1', null]
  },
  {
    // Unconstrained numeric: the first batch's values choose Decimal128(38, largest scale).
    column: 'c_numeric',
    sqlType: 'numeric',
    literals: ['12345678901234567.89', '-0.5', 'null'],
    arrow: 'Decimal[38e+2]',
    expected: ['1234567890123456789', '-50', null]
  },
  {
    // NaN has no Decimal128 form: exact text, marked as decimal text.
    column: 'c_numeric_nan',
    sqlType: 'numeric',
    literals: ['0.1', '-123456789.123456789', "'NaN'"],
    arrow: 'Utf8',
    expected: ['0.1', '-123456789.123456789', 'NaN'],
    textType: 'decimal'
  },
  {
    // More than 38 digits: exact text.
    column: 'c_numeric_wide',
    sqlType: 'numeric',
    literals: ['1' + '0'.repeat(40) + '.5', "'-Infinity'", 'null'],
    arrow: 'Utf8',
    expected: ['1' + '0'.repeat(40) + '.5', '-Infinity', null],
    textType: 'decimal'
  },
  {
    // A constrained numeric holding NaN: redone as text rather than dropping the NaN.
    column: 'c_money_nan',
    sqlType: 'numeric(10,2)',
    literals: ['12.50', "'NaN'", 'null'],
    arrow: 'Utf8',
    expected: ['12.50', 'NaN', null],
    textType: 'decimal'
  },
  {
    // money's text is locale-formatted; as numeric it is the exact amount.
    column: 'c_pgmoney',
    sqlType: 'money',
    literals: ["'1234567.89'", "'-0.01'", 'null'],
    arrow: 'Decimal[38e+2]',
    expected: ['123456789', '-1', null]
  },
  { column: 'c_bool', sqlType: 'bool', literals: ['true', 'false', 'null'], arrow: 'Bool', expected: [true, false, null] },
  { column: 'c_text', sqlType: 'text', literals: ["'héllo wörld'", "'日本語 🙂'", "''"], arrow: 'Utf8', expected: ['héllo wörld', '日本語 🙂', ''] },
  { column: 'c_varchar', sqlType: 'varchar(20)', literals: ["'ünïcode'", 'null', "'x'"], arrow: 'Utf8', expected: ['ünïcode', null, 'x'] },
  { column: 'c_bpchar', sqlType: 'char(4)', literals: ["'ab'", "'abcd'", 'null'], arrow: 'Utf8', expected: ['ab  ', 'abcd', null] },
  {
    column: 'c_uuid',
    sqlType: 'uuid',
    literals: ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", 'null', "'00000000-0000-0000-0000-000000000000'"],
    arrow: 'Utf8',
    expected: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', null, '00000000-0000-0000-0000-000000000000']
  },
  { column: 'c_interval', sqlType: 'interval', literals: ["'1 day 2 hours'", "'-3 months'", 'null'], arrow: 'Utf8', expected: ['1 day 02:00:00', '-3 mons', null] },
  { column: 'c_enum', sqlType: 'mood', literals: ["'happy'", "'sad'", 'null'], arrow: 'Utf8', expected: ['happy', 'sad', null] },
  { column: 'c_json', sqlType: 'json', literals: [`'{"a": [1, 2]}'`, `'"ü"'`, 'null'], arrow: 'Utf8', expected: ['{"a": [1, 2]}', '"ü"', null], json: true },
  { column: 'c_jsonb', sqlType: 'jsonb', literals: [`'{"b":1,"a":[true]}'`, "'null'", 'null'], arrow: 'Utf8', expected: ['{"a": [true], "b": 1}', 'null', null], json: true },
  { column: 'c_bytea', sqlType: 'bytea', literals: ["'\\xdeadbeef'", "''", 'null'], arrow: 'Binary', expected: [[0xde, 0xad, 0xbe, 0xef], [], null] },
  {
    column: 'c_date',
    sqlType: 'date',
    literals: ["'2024-02-29'", "'1969-07-20'", "'1999-12-31'"],
    arrow: 'Date32<DAY>',
    expected: [days('2024-02-29'), days('1969-07-20'), days('1999-12-31')]
  },
  { column: 'c_date_bc', sqlType: 'date', literals: ["'0044-03-15 BC'", "'5874897-12-31'", 'null'], arrow: 'Date32<DAY>', expected: [days('-000043-03-15'), 2_145_042_905, null] },
  // Arrow dates have no infinity: the column is redone as PostgreSQL's text.
  { column: 'c_date_inf', sqlType: 'date', literals: ["'infinity'", "'-infinity'", "'0044-03-15 BC'"], arrow: 'Utf8', expected: ['infinity', '-infinity', '0044-03-15 BC'] },
  {
    column: 'c_ts',
    sqlType: 'timestamp',
    literals: ["'2024-02-29 12:34:56.789012'", "'1969-12-31 23:59:59.999999'", "'290000-01-01 00:00:00.000001'"],
    arrow: 'Timestamp<MICROSECOND>',
    expected: [us('2024-02-29T12:34:56Z') + 789012n, -1n, 9_089_348_860_800_000_001n]
  },
  {
    column: 'c_ts_inf',
    sqlType: 'timestamp',
    // -infinity, and PostgreSQL's last years, which int64 microseconds since 1970 do not reach.
    literals: ["'2024-02-29 12:34:56.789012'", "'-infinity'", "'294276-12-31 23:59:59.999999'"],
    arrow: 'Utf8',
    expected: ['2024-02-29 12:34:56.789012', '-infinity', '294276-12-31 23:59:59.999999']
  },
  {
    column: 'c_tstz',
    sqlType: 'timestamptz',
    // The session zone is Asia/Kolkata (+05:30): a literal without offset is local there.
    literals: ["'2024-01-01 00:00:00+00'", "'2024-06-01 12:00:00'", "'1900-01-01 00:00:00+00'"],
    arrow: 'Timestamp<MICROSECOND, UTC>',
    expected: [us('2024-01-01T00:00:00Z'), us('2024-06-01T06:30:00Z'), us('1900-01-01T00:00:00Z')]
  },
  { column: 'c_time', sqlType: 'time', literals: ["'13:45:30.5'", "'00:00:00'", 'null'], arrow: 'Time64<MICROSECOND>', expected: [49_530_500_000n, 0n, null] },
  { column: 'c_int_arr', sqlType: 'int4[]', literals: ["'{1,NULL,-3}'", "'{}'", "'{{1,2},{3,4}}'"], arrow: 'List<Int32>', expected: [[1, null, -3], [], [1, 2, 3, 4]] },
  { column: 'c_text_arr', sqlType: 'text[]', literals: [`'{"a,b","ü",NULL}'`, 'null', "'{}'"], arrow: 'List<Utf8>', expected: [['a,b', 'ü', null], null, []] },
  {
    column: 'c_uuid_arr',
    sqlType: 'uuid[]',
    literals: ["'{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'", 'null', "'{}'"],
    arrow: 'List<Utf8>',
    expected: [['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'], null, []]
  },
  { column: 'c_enum_arr', sqlType: 'mood[]', literals: ["'{sad,happy}'", 'null', "'{}'"], arrow: 'List<Utf8>', expected: [['sad', 'happy'], null, []] },
  { column: 'c_money_arr', sqlType: 'numeric(12,2)[]', literals: ["'{1.5,-2.25}'", 'null', "'{}'"], arrow: 'List<Decimal[12e+2]>', expected: [['150', '-225'], null, []] },
  {
    column: 'c_tstz_arr',
    sqlType: 'timestamptz[]',
    literals: [`'{"2024-01-01 00:00:00+00",infinity}'`, 'null', "'{}'"],
    // The infinity in an item redoes the column as text (in the session's zone, with its offset).
    arrow: 'List<Utf8>',
    expected: [['2024-01-01 05:30:00+05:30', 'infinity'], null, []]
  }
];

beforeAll(async () => {
  db = await createTestDatabase();
  const url = new URL(db.url);
  config = { host: url.hostname, port: Number(url.port || 5432), database: url.pathname.slice(1), user: decodeURIComponent(url.username), password: 'not-the-real-secret' };
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  // A non-UTC session zone for every new connection to this database: timestamptz must not depend on it.
  await admin.query(`alter database ${config.database} set timezone to 'Asia/Kolkata'`);
  await admin.query(`create type mood as enum ('sad', 'happy')`);
  await admin.query(`create table types (id int primary key, ${CASES.map((c) => `${c.column} ${c.sqlType}`).join(', ')})`);
  for (let row = 0; row < 3; row++) {
    await admin.query(`set timezone to 'Asia/Kolkata'`);
    await admin.query(`insert into types values (${row}, ${CASES.map((c) => `(${c.literals[row]})::${c.sqlType}`).join(', ')})`);
  }
  await admin.query(`create table items (id int primary key, name text not null, price numeric(12,2))`);
  await admin.query(`insert into items select g, 'item ' || g, g * 1.25 from generate_series(1, 1000) g`);
  await admin.query(`create view cheap_items as select id, name from items where price < 10`);
});

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close().catch(() => undefined)));
  await admin?.end();
  await db?.drop();
});

describe('type mapping', () => {
  it.each(CASES)('$sqlType ($column) → $arrow', async (c) => {
    const e = engine();
    const result = await e.run(`select ${c.column} from types order by id`, []);
    const batches = await collect(result);
    const field = result.schema.fields[0];
    expect(field.name).toBe(c.column);
    expect(String(field.type)).toBe(c.arrow);
    expect(field.metadata.get('cairn.type')).toBe(c.json ? 'json' : c.textType);
    expect(columnValues(batches, 0)).toEqual(c.expected);
  });

  it('gives identical Arrow bytes through binary COPY and through the parameterized path', async () => {
    const e = engine();
    const copy = await e.run('select * from types order by id', []);
    const copyBytes = ipcBytes(copy, await collect(copy));
    const bound = await e.run('select * from types where id >= $1 order by id', [0]);
    const boundBytes = ipcBytes(bound, await collect(bound));
    expect(bound.schema.fields.map((f) => String(f.type))).toEqual(copy.schema.fields.map((f) => String(f.type)));
    expect(boundBytes.equals(copyBytes)).toBe(true);
  });

  it('binds parameters of several types instead of splicing them', async () => {
    const e = engine();
    const result = await e.run('select $1::int + 1 as n, $2::text as s, $3::timestamptz as t, $4::int[] as a, $5::bytea as b, $6::text as quote', [
      41,
      "it's; drop table items; --",
      new Date('2024-01-01T00:00:00Z'),
      [1, null, 3],
      new Uint8Array([1, 2]),
      null
    ]);
    const batches = await collect(result);
    expect([0, 1, 2, 3, 4, 5].map((i) => columnValues(batches, i)[0])).toEqual([
      42,
      "it's; drop table items; --",
      us('2024-01-01T00:00:00Z'),
      [1, null, 3],
      [1, 2],
      null
    ]);
  });

  it('keeps duplicate column names and ignores a trailing semicolon and comment', async () => {
    const e = engine();
    const result = await e.run("select 1 as a, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as a; -- done", []);
    const batches = await collect(result);
    expect(result.schema.fields.map((f) => f.name)).toEqual(['a', 'a']);
    expect(columnValues(batches, 1)).toEqual(['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']);
  });

  it('runs statements that cannot be wrapped (EXPLAIN, SHOW) on the extended path', async () => {
    const e = engine();
    const explain = await e.run('explain select * from items', []);
    expect(columnValues(await collect(explain), 0)[0]).toMatch(/Seq Scan on items/);
    const show = await e.run('show timezone', []);
    expect(columnValues(await collect(show), 0)).toEqual(['Asia/Kolkata']);
  });
});

describe('streaming, cap and cancel', () => {
  const SLOW_LAST_ROW = 'select g, case when g = 200000 then pg_sleep(3) end as s from generate_series(1, 200000) g';

  it.each([
    ['COPY', SLOW_LAST_ROW, []],
    ['parameterized', SLOW_LAST_ROW + ' where g >= $1', [1]]
  ])('delivers the first batch while PostgreSQL is still sending rows (%s)', async (_path, sql, params) => {
    const e = engine();
    const started = Date.now();
    const result = await e.run(sql as string, params as unknown[]);
    let firstAt = 0;
    let rows = 0;
    for await (const b of result.batches) {
      if (firstAt === 0) firstAt = Date.now() - started;
      rows += b.numRows;
    }
    const total = Date.now() - started;
    expect(rows).toBe(200_000);
    expect(total).toBeGreaterThanOrEqual(3000);
    expect(firstAt).toBeLessThan(1500);
  });

  it.each([
    ['COPY', 'select g from generate_series(1, 100000) g', []],
    ['parameterized', 'select g from generate_series(1, $1::int) g', [100000]]
  ])('caps rows at rowLimit and says the result was truncated (%s)', async (_path, sql, params) => {
    const e = engine({ maxConnections: 1 });
    const result = await e.run(sql as string, params as unknown[], { rowLimit: 1000 });
    const batches = await collect(result);
    expect(columnValues(batches, 0)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(await result.summary).toEqual({ rows: 1000, truncated: true });
    const exact = await e.run(sql.replace('100000', '1000') as string, params.length ? [1000] : [], { rowLimit: 1000 });
    await collect(exact);
    expect(await exact.summary).toEqual({ rows: 1000, truncated: false });
  });

  it.each([
    ['COPY', 'select pg_sleep(30) as slept, 1 as marker_copy', []],
    ['parameterized', 'select pg_sleep($1) as slept, 1 as marker_bound', [30]]
  ])('cancels the query on the server when the signal aborts, and the pool stays usable (%s)', async (_path, sql, params) => {
    const e = engine({ maxConnections: 1 });
    const controller = new AbortController();
    // run() answers with the first batch, which this query never sends before the abort.
    const consumed = e.run(sql as string, params as unknown[], { signal: controller.signal }).then(collect);
    await new Promise((r) => setTimeout(r, 300));
    const marker = (sql as string).includes('marker_copy') ? 'marker_copy' : 'marker_bound';
    const running = await admin.query(`select pid from pg_stat_activity where query like '%${marker}%' and state = 'active' and pid <> pg_backend_pid()`);
    expect(running.rows).toHaveLength(1);
    const started = Date.now();
    controller.abort(new Error('stopped by the user'));
    await expect(consumed).rejects.toThrow('stopped by the user');
    expect(Date.now() - started).toBeLessThan(3000);
    const after = await admin.query(`select pid from pg_stat_activity where query like '%${marker}%' and state = 'active' and pid <> pg_backend_pid()`);
    expect(after.rows).toHaveLength(0);
    // The one pooled connection came back clean.
    const next = await e.run('select 7 as n', []);
    expect(columnValues(await collect(next), 0)).toEqual([7]);
  });

  it('stops the query when the consumer quits early', async () => {
    const e = engine({ maxConnections: 1 });
    const result = await e.run('select g, pg_sleep(case when g = 70000 then 30 else 0 end) from generate_series(1, 70000) g', []);
    for await (const _ of result.batches) break;
    expect(await result.summary).toEqual({ rows: 16_384, truncated: false });
    const next = await e.run('select 1 as n', []);
    expect(columnValues(await collect(next), 0)).toEqual([1]);
  });

  it('reports an expired statement_timeout clearly', async () => {
    const e = engine({ statementTimeoutMs: 500 });
    const err = await e.run('select pg_sleep(5)', []).then(collect).catch((x) => x);
    expect(err).toBeInstanceOf(QueryError);
    expect(err.message).toBe('canceled: statement timeout of 0.5 s exceeded');
    const fine = await e.run('select 1 as ok', []);
    expect(columnValues(await collect(fine), 0)).toEqual([1]);
  });

  it('fails with a clear error when the connection is killed mid-stream, and replaces it', async () => {
    const e = engine({ maxConnections: 1 });
    const result = await e.run('select g, pg_sleep(case when g = 20000 then 30 else 0 end) as marker_kill from generate_series(1, 20000) g', []);
    const consumed = collect(result);
    await new Promise((r) => setTimeout(r, 500));
    await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where query like '%marker_kill%' and pid <> pg_backend_pid()`);
    const err = await consumed.catch((x) => x);
    expect(err).toBeInstanceOf(QueryError);
    expect(err.message).toMatch(/terminat/i);
    const next = await e.run('select 2 as n', []);
    expect(columnValues(await collect(next), 0)).toEqual([2]);
  });
});

describe('errors and read-only', () => {
  it('reports PostgreSQL errors with the position in the user SQL', async () => {
    const e = engine();
    const sql = 'select id, nosuchcolumn from items';
    const err = await e.run(sql, []).catch((x) => x);
    expect(err).toBeInstanceOf(QueryError);
    expect(err.message).toBe('column "nosuchcolumn" does not exist');
    expect(err.position).toBe(sql.indexOf('nosuchcolumn'));
    const bound = await e.run('select $1::int, nosuchcolumn from items', [1]).catch((x) => x);
    expect(bound.position).toBe('select $1::int, '.length);
    // An error before the first batch rejects run() itself (it answers with the first batch).
    const divide = await e.run('select 1 / (id - id) from items', []).catch((x) => x);
    expect(divide.message).toBe('division by zero');
  });

  it('refuses writes on a read-only connection and leaves the data unchanged', async () => {
    const e = engine();
    for (const sql of ["insert into items values (5000, 'x', 1)", 'create table sneaky (id int)', 'delete from items']) {
      const err = await e
        .run(sql, [])
        .then((r) => collect(r))
        .catch((x) => x);
      expect(err).toBeInstanceOf(QueryError);
      expect(err.message).toMatch(/cannot execute (INSERT|CREATE TABLE|DELETE) in a read-only transaction/);
    }
    const { rows } = await admin.query('select count(*)::int as n from items');
    expect(rows[0].n).toBe(1000);
    const tables = await admin.query(`select 1 from pg_class where relname = 'sneaky'`);
    expect(tables.rows).toHaveLength(0);
  });

  it('commits writes when the connection is not read-only', async () => {
    const e = engine({ readOnly: false });
    const result = await e.run("insert into items values (5001, 'written', 2) returning id", []);
    expect(columnValues(await collect(result), 0)).toEqual([5001]);
    const { rows } = await admin.query('select name from items where id = 5001');
    expect(rows).toEqual([{ name: 'written' }]);
    await admin.query('delete from items where id = 5001');
  });

  it('says the port refused the connection, without the password', async () => {
    const e = engine({}, { port: 1, password: 'hunter2-secret' });
    for (const attempt of [() => e.run('select 1', []), () => e.ping(), () => e.schema()]) {
      const err = await attempt().catch((x) => x);
      expect(err).toBeInstanceOf(QueryError);
      expect(err.message).toBe('could not connect to PostgreSQL at 127.0.0.1:1: connection refused');
      expect(JSON.stringify({ ...err, message: err.message, stack: err.stack })).not.toContain('hunter2-secret');
    }
  });

  describe('against a fake server', () => {
    let server: Server;
    let port = 0;
    const sockets = new Set<Socket>();
    let mode: 'reject-password' | 'silent' = 'reject-password';
    const received: Buffer[] = [];

    beforeAll(async () => {
      server = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        let startup = true;
        socket.on('data', (chunk) => {
          received.push(chunk);
          // After the error the client may still send Terminate.
          if (mode === 'silent' || socket.writableEnded) return;
          if (startup) {
            startup = false;
            // AuthenticationCleartextPassword: the client must send its password.
            socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3]));
            return;
          }
          const fields = ['SFATAL', 'VFATAL', 'C28P01', 'Mpassword authentication failed for user "alice"'].map((f) => Buffer.from(f + '\0'));
          const body = Buffer.concat([...fields, Buffer.from([0])]);
          const head = Buffer.alloc(5);
          head.write('E');
          head.writeInt32BE(body.length + 4, 1);
          socket.end(Buffer.concat([head, body]));
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });

    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    });

    it('reports a wrong password clearly and never echoes it', async () => {
      mode = 'reject-password';
      const e = engine({}, { port, user: 'alice', password: 'correct-horse-battery' });
      const err = await e.ping().catch((x) => x);
      expect(err).toBeInstanceOf(QueryError);
      expect(err.message).toBe(`could not connect to PostgreSQL at 127.0.0.1:${port}: password authentication failed for user "alice"`);
      expect(Buffer.concat(received).toString()).toContain('correct-horse-battery'); // it was sent, to the server only
      const run = await e.run('select 1', []).catch((x) => x);
      expect(run.message).toBe(err.message);
      expect(`${run.message} ${run.stack}`).not.toContain('correct-horse-battery');
    });

    it('gives up on a server that never answers after the connect timeout', async () => {
      mode = 'silent';
      const e = engine({}, { port, password: 'correct-horse-battery' });
      const started = Date.now();
      const err = await e.run('select 1', []).catch((x) => x);
      expect(err).toBeInstanceOf(QueryError);
      expect(err.message).toBe(`could not connect to PostgreSQL at 127.0.0.1:${port}: no answer within 10 s`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(9_000);
    }, 30_000);
  });
});

describe('schema() and ping()', () => {
  it('lists tables and views with columns, types, nullability and row estimates', async () => {
    const e = engine();
    const before = await e.schema();
    const items = before.find((t) => t.name === 'items')!;
    expect(items).toMatchObject({ schema: 'public', kind: 'table', rowEstimate: null });
    expect(items.columns).toEqual([
      { name: 'id', type: 'integer', nullable: false },
      { name: 'name', type: 'text', nullable: false },
      { name: 'price', type: 'numeric(12,2)', nullable: true }
    ]);
    expect(before.find((t) => t.name === 'cheap_items')).toMatchObject({ kind: 'view', rowEstimate: null, columns: [{ name: 'id' }, { name: 'name' }] });
    expect(before.find((t) => t.name === 'types')!.columns.find((c) => c.name === 'c_money_arr')!.type).toBe('numeric(12,2)[]');
    expect(before.some((t) => t.schema === 'pg_catalog' || t.schema === 'information_schema')).toBe(false);
    await admin.query('analyze items');
    const after = await e.schema();
    expect(after.find((t) => t.name === 'items')!.rowEstimate).toBe(1000);
  });

  it('ping() succeeds on a reachable server', async () => {
    await expect(engine().ping()).resolves.toBeUndefined();
  });
});
