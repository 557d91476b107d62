/**
 * Every MySQL/MariaDB type at its edges, as the engine delivers it, against what the
 * database itself prints (docs/types.md, "MySQL and MariaDB"): for each type × edge value
 * the Arrow result, after an IPC round trip and rendered with the shared exact forms
 * (`decimalText` for decimals), must read the same as `mariadb -N -B` prints it. The
 * engine connects as a least-privilege account (SELECT on the test database only).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { DataType, TimeUnit, tableFromIPC, type Field, type RecordBatch, type Table, type Vector } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IpcStreamEncoder, WiderResultNeeded, decimalText, fieldNotes } from '../../kernels/arrow/index.js';
import { QueryError, type RunOptions, type RunResult, type ServerEngine } from '../../kernels/engine.js';
import { createMysqlEngine } from '../../kernels/mysql/index.js';
import { DuckDbWasmEngine } from '../../kernels/duckdb-wasm/index.js';
import { createNodeDuckDb } from '../../kernels/duckdb-wasm/node.js';
import { MYSQL_HOST, MYSQL_PASSWORD, MYSQL_PORT, MYSQL_USER, createTestMysqlDatabase, type TestMysqlDatabase } from '../support/mysql.js';
import { civilFromDays } from '../support/calendar.js';

const run = promisify(execFile);
/** The database's own client: its output is the reference every value is compared with. */
const MARIADB_CLI = process.env.CAIRN_TEST_MYSQL_CLI ?? '/usr/bin/mariadb';
const READER = `cairn_types_${randomBytes(4).toString('hex')}`;
const READER_PASSWORD = `types-${randomBytes(8).toString('hex')}`;

let db: TestMysqlDatabase;
let engine: ServerEngine;

beforeAll(async () => {
  db = await createTestMysqlDatabase();
  // As an admin grants a reporting account: SELECT on one database, nothing more.
  await db.admin.query(`CREATE USER '${READER}'@'%' IDENTIFIED BY '${READER_PASSWORD}'`);
  await db.admin.query(`GRANT SELECT ON \`${db.name}\`.* TO '${READER}'@'%'`);
  engine = createMysqlEngine({ ...db.config, user: READER, password: READER_PASSWORD }, { id: 'maria' });
});

afterAll(async () => {
  await engine?.close();
  await db?.admin.query(`DROP USER IF EXISTS '${READER}'@'%'`);
  await db?.drop();
});

/** What `mariadb -N -B` prints for `sql` (session time zone UTC), one array of cells per row, NULL as 'NULL'. */
async function cli(sql: string): Promise<string[][]> {
  let stdout: string;
  try {
    ({ stdout } = await run(
      MARIADB_CLI,
      ['-N', '-B', '--default-character-set=utf8mb4', '-h', MYSQL_HOST, '-P', String(MYSQL_PORT), '-u', MYSQL_USER, db.name, '-e', `SET time_zone = '+00:00'; ${sql}`],
      { env: { ...process.env, MYSQL_PWD: MYSQL_PASSWORD }, maxBuffer: 64 * 1024 * 1024 }
    ));
  } catch (e) {
    throw new Error(`the reference client ${MARIADB_CLI} failed (is it installed and is MariaDB up?): ${(e as Error).message}`);
  }
  return stdout
    .split('\n')
    .filter((line, i, all) => line !== '' || i < all.length - 1)
    .map((line) => line.split('\t').map(unescapeCli));
}

/** Batch mode writes tab, newline, backslash and NUL inside a value as \t, \n, \\, \0. */
function unescapeCli(cell: string): string {
  return cell.replace(/\\([tn0\\])/g, (_, c: string) => ({ t: '\t', n: '\n', '0': '\0', '\\': '\\' })[c]!);
}

async function collect(result: RunResult): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = [];
  for await (const b of result.batches) batches.push(b);
  return batches;
}

/** The engine's result as a browser receives it: through Arrow IPC. */
async function arrowOf(sql: string, options: RunOptions = {}, on: ServerEngine = engine): Promise<Table> {
  const result = await on.run(sql, [], options);
  const batches = await collect(result);
  const encoder = new IpcStreamEncoder(result.schema);
  return tableFromIPC(Buffer.concat([...batches.map((b) => encoder.encode(b)), encoder.end()]));
}

/** The value at `i` as the column's buffers hold it (apache-arrow's `get` turns µs into ms). */
function rawAt(vector: Vector, i: number): unknown {
  let at = i;
  for (const data of vector.data) {
    if (at >= data.length) {
      at -= data.length;
      continue;
    }
    const values = data.values as ArrayLike<unknown>;
    if (DataType.isDecimal(data.type)) {
      const words = data.values as Uint32Array;
      const base = (data.offset + at) * 4;
      let n = 0n;
      for (let w = 3; w >= 0; w--) n = (n << 32n) | BigInt(words[base + w]!);
      return BigInt.asIntN(128, n);
    }
    return values[data.offset + at];
  }
  throw new Error(`no row ${i}`);
}


/** 'YYYY-MM-DD' of a day count since 1970-01-01. */
function civil(days: number): string {
  const { y, m, d } = civilFromDays(days);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** 'YYYY-MM-DD HH:MM:SS[.f…]' of microseconds since 1970, with `fsp` fractional digits as the database writes them. */
function dateTimeText(micros: bigint, fsp: number): string {
  const day = 86_400_000_000n;
  const days = micros >= 0n ? micros / day : -((-micros + day - 1n) / day);
  const rest = micros - days * day;
  const seconds = Number(rest / 1_000_000n);
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
  const fraction = fsp > 0 ? '.' + String(rest % 1_000_000n).padStart(6, '0').slice(0, fsp) : '';
  return `${civil(Number(days))} ${time}${fraction}`;
}

/**
 * A cell as text, in the form the database prints it: integers and floats as numbers,
 * decimals in full (`decimalText`), dates as ISO text, binary as hex (the reference asks
 * HEX()), flags as 1/0; `fsp` is the column's fractional-second digits.
 */
function cellText(vector: Vector, i: number, fsp: number): string {
  if (!vector.isValid(i)) return 'NULL';
  const type = vector.type as DataType;
  const raw = rawAt(vector, i);
  if (DataType.isDecimal(type)) return decimalText(raw as bigint, type.scale);
  if (DataType.isFloat(type)) return numberText(vector.get(i) as number);
  if (DataType.isInt(type)) return String(vector.get(i));
  if (DataType.isBool(type)) return vector.get(i) ? '1' : '0';
  if (DataType.isDate(type)) return civil(raw as number);
  if (DataType.isTimestamp(type)) {
    expect(type.unit).toBe(TimeUnit.MICROSECOND);
    return dateTimeText(raw as bigint, fsp);
  }
  if (DataType.isBinary(type)) return Buffer.from(vector.get(i) as Uint8Array).toString('hex').toUpperCase();
  if (DataType.isUtf8(type)) return vector.get(i) as string;
  throw new Error(`no text form for ${String(type)}`);
}

/** A double as one canonical text, so that '1e300' (the database) and 1e+300 (JavaScript) compare equal; -0 stays '-0'. */
function numberText(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

interface TypeCase {
  /** The column as declared. */
  column: string;
  /** SQL literals, one row each; a NULL row is added after them. */
  values: string[];
  /** `String()` of the Arrow type the column must have. */
  arrow: string;
  /** The reference's expression over the column `v`, where the client's own print is not exact (binary, BIT, FLOAT). */
  ref?: string;
  /** Field metadata the column must carry. */
  notes?: { textType?: string; dbType?: string; note?: RegExp };
  /** SQL run before the insert, in the admin session (sql_mode, time_zone). */
  before?: string;
}

const MAX_65_30 = `${'9'.repeat(35)}.${'9'.repeat(30)}`;
const MAX_38 = '9'.repeat(38);

const cases: TypeCase[] = [
  { column: 'TINYINT', values: ['-128', '127', '0'], arrow: 'Int32' },
  { column: 'TINYINT UNSIGNED', values: ['0', '255'], arrow: 'Int32' },
  { column: 'BOOLEAN', values: ['0', '1', '-1', '127'], arrow: 'Int32' },
  { column: 'SMALLINT', values: ['-32768', '32767'], arrow: 'Int32' },
  { column: 'SMALLINT UNSIGNED', values: ['0', '65535'], arrow: 'Int32' },
  { column: 'MEDIUMINT', values: ['-8388608', '8388607'], arrow: 'Int32' },
  { column: 'MEDIUMINT UNSIGNED', values: ['16777215'], arrow: 'Int32' },
  { column: 'INT', values: ['-2147483648', '2147483647'], arrow: 'Int32' },
  { column: 'INT UNSIGNED', values: ['0', '4294967295'], arrow: 'Int64' },
  {
    column: 'BIGINT',
    values: ['-9223372036854775808', '9223372036854775807', '-9007199254740993', '9007199254740993', '0'],
    arrow: 'Int64'
  },
  {
    column: 'BIGINT UNSIGNED',
    values: ['0', '9223372036854775807', '9223372036854775808', '18446744073709551615'],
    arrow: 'Uint64',
    notes: { dbType: 'BIGINT UNSIGNED' }
  },
  // The zero year is 0 (MySQL prints 0000); the reference asks for the number.
  { column: 'YEAR', values: ['1901', '2155', '0', "'69'"], arrow: 'Int32', ref: 'v + 0', notes: { dbType: 'YEAR' } },
  { column: 'BIT(1)', values: ["b'0'", "b'1'"], arrow: 'Bool', ref: 'v + 0' },
  { column: 'BIT(8)', values: ["b'0'", "b'10100101'", "b'11111111'"], arrow: 'Uint64', ref: 'v + 0', notes: { dbType: 'BIT(8)' } },
  {
    column: 'BIT(64)',
    values: [`b'${'1'.repeat(64)}'`, `b'1${'0'.repeat(63)}'`, "b'1'"],
    arrow: 'Uint64',
    ref: 'v + 0',
    notes: { dbType: 'BIT(64)' }
  },
  // FLOAT is single precision; the client prints 6 digits (16777200 for 16777216), so the
  // reference is the stored float as a double.
  {
    column: 'FLOAT',
    values: ['1.1', '-3.4028234e38', '3.4028234e38', '1.17549435e-38', '1.4e-45', '16777217', '0', '-0e0'],
    arrow: 'Float32',
    ref: 'CAST(v AS DOUBLE)'
  },
  {
    column: 'DOUBLE',
    values: ['1.7976931348623157e308', '-1.7976931348623157e308', '2.2250738585072014e-308', '4.9e-324', '0.1', '-0e0', '0'],
    arrow: 'Float64'
  },
  { column: 'DECIMAL(10,2)', values: ['-99999999.99', '99999999.99', '0', '-0.01', '12.5'], arrow: 'Decimal[10e+2]' },
  { column: 'DECIMAL(10,0)', values: ['-9999999999', '9999999999', '0'], arrow: 'Decimal[10e0]' },
  { column: 'DECIMAL(38,0)', values: [MAX_38, `-${MAX_38}`], arrow: 'Decimal[38e0]' },
  { column: 'DECIMAL(38,38)', values: [`0.${MAX_38}`, `-0.${MAX_38}`, '0'], arrow: 'Decimal[38e+38]' },
  // Wider than 38 digits: values that fit choose Decimal128(38, 30)…
  {
    column: 'DECIMAL(65,30)',
    values: ['12.5', `-${'9'.repeat(8)}.${'9'.repeat(30)}`, '0', '0.000000000000000000000000000001'],
    arrow: 'Decimal[38e+30]',
    notes: { dbType: 'DECIMAL(65,30)' }
  },
  // …and the maximum does not: exact text.
  {
    column: 'DECIMAL(65,30)',
    values: [MAX_65_30, `-${MAX_65_30}`, '12.5', '0', '-0.000000000000000000000000000001'],
    arrow: 'Utf8',
    notes: { textType: 'decimal', dbType: 'DECIMAL(65,30)', note: /more than 38 digits/ }
  },
  {
    column: 'DECIMAL(65,0)',
    values: ['9'.repeat(65), `-${'9'.repeat(65)}`, '0'],
    arrow: 'Utf8',
    notes: { textType: 'decimal', dbType: 'DECIMAL(65,0)', note: /more than 38 digits/ }
  },
  { column: 'DECIMAL(65,0)', values: [MAX_38, '-1'], arrow: 'Decimal[38e0]', notes: { dbType: 'DECIMAL(65,0)' } },
  { column: 'DATE', values: ["'1000-01-01'", "'9999-12-31'", "'1970-01-01'", "'1969-12-31'", "'2024-02-29'"], arrow: 'Date32<DAY>' },
  // Zero dates and zero or impossible parts: text, by a redo inside the first batch.
  {
    column: 'DATE',
    values: ["'0000-00-00'", "'2020-00-05'", "'2020-05-00'", "'2021-02-30'", "'2024-01-31'"],
    arrow: 'Utf8',
    before: "SET SESSION sql_mode = 'ALLOW_INVALID_DATES'",
    notes: { dbType: 'DATE', note: /zero date/ }
  },
  { column: 'DATETIME', values: ["'1000-01-01 00:00:00'", "'9999-12-31 23:59:59'"], arrow: 'Timestamp<MICROSECOND>' },
  {
    column: 'DATETIME(6)',
    values: ["'1000-01-01 00:00:00.000000'", "'9999-12-31 23:59:59.999999'", "'1969-12-31 23:59:59.999999'", "'2024-02-29 12:00:00.000001'"],
    arrow: 'Timestamp<MICROSECOND>'
  },
  { column: 'DATETIME(3)', values: ["'2020-01-01 00:00:00.5'", "'2020-01-01 00:00:00'"], arrow: 'Timestamp<MICROSECOND>' },
  {
    column: 'DATETIME(6)',
    values: ["'0000-00-00 00:00:00'", "'2020-01-01 00:00:00.25'", "'2020-02-00 10:00:00'"],
    arrow: 'Utf8',
    before: "SET SESSION sql_mode = ''",
    notes: { dbType: 'DATETIME(6)', note: /zero date/ }
  },
  // Written in a session five hours east of UTC: the same instants, delivered as UTC.
  {
    column: 'TIMESTAMP(6) NULL',
    values: ["'1970-01-01 05:00:01.000000'", "'2038-01-19 08:14:07.999999'", "'2021-06-01 12:00:00'"],
    arrow: 'Timestamp<MICROSECOND, UTC>',
    before: "SET SESSION time_zone = '+05:00'"
  },
  {
    column: 'TIMESTAMP NULL',
    values: ["'0000-00-00 00:00:00'", "'2021-06-01 12:00:00'"],
    arrow: 'Utf8',
    before: "SET SESSION sql_mode = ''",
    notes: { dbType: 'TIMESTAMP', note: /zero date/ }
  },
  {
    column: 'TIME',
    values: ["'-838:59:59'", "'838:59:59'", "'00:00:00'", "'-00:00:01'", "'24:00:00'", "'12:34:56'"],
    arrow: 'Utf8',
    notes: { dbType: 'TIME', note: /838:59:59/ }
  },
  {
    column: 'TIME(6)',
    values: ["'-838:59:59.000000'", "'838:59:59.000000'", "'-00:00:00.5'", "'12:34:56.000001'", "'00:00:00'"],
    arrow: 'Utf8',
    notes: { dbType: 'TIME(6)', note: /838:59:59/ }
  },
  { column: 'CHAR(3)', values: ["'abc'", "''", "'é'"], arrow: 'Utf8' },
  { column: 'VARCHAR(50)', values: ["'héllo 🌍 中文'", "'tab\\there'", "'line\\nbreak'", "'back\\\\slash'", "' '"], arrow: 'Utf8' },
  { column: 'TEXT', values: ["'long text ✓'", "''"], arrow: 'Utf8' },
  { column: 'VARCHAR(10) CHARACTER SET latin1', values: ["'café'"], arrow: 'Utf8' },
  { column: "ENUM('a','b')", values: ["'a'", "'b'"], arrow: 'Utf8', notes: { dbType: 'ENUM' } },
  { column: "SET('x','y')", values: ["'x,y'", "''", "'y'"], arrow: 'Utf8', notes: { dbType: 'SET' } },
  {
    column: 'JSON',
    values: [`'{"a": [1, 2], "b": "ü"}'`, "'[]'", `'"s"'`, "'null'", "'1.50'"],
    arrow: 'Utf8',
    notes: { textType: 'json' }
  },
  { column: 'BINARY(3)', values: ["x'000102'", "x'ff'"], arrow: 'Binary', ref: 'HEX(v)' },
  { column: 'VARBINARY(8)', values: ["x''", "x'00ff'"], arrow: 'Binary', ref: 'HEX(v)' },
  { column: 'BLOB', values: ["x'00ff10'", "''"], arrow: 'Binary', ref: 'HEX(v)' },
  {
    column: 'POINT',
    values: ['POINT(1.5, -2)', 'POINT(0, 0.25)'],
    arrow: 'Utf8',
    ref: `CONCAT('{"x":', ST_X(v), ',"y":', ST_Y(v), '}')`,
    notes: { textType: 'json', dbType: 'POINT', note: /SRID/ }
  },
  // Types this engine has no mapping for are their readable text.
  { column: 'INET6', values: ["'::1'", "'2001:db8::ff00:42:8329'"], arrow: 'Utf8', notes: { dbType: 'INET6' } },
  { column: 'UUID', values: ["'123e4567-e89b-12d3-a456-426655440000'"], arrow: 'Utf8', notes: { dbType: 'UUID' } }
];

/** Fractional-second digits declared in a column type: DATETIME(6) → 6. */
function fspOf(column: string): number {
  return Number(/\((\d)\)/.exec(column)?.[1] ?? 0);
}

/** The engine's cells for `sql`'s first column, as text; and its field. */
async function engineColumn(sql: string, fsp: number, options: RunOptions = {}, on: ServerEngine = engine): Promise<{ field: Field; cells: string[] }> {
  const table = await arrowOf(sql, options, on);
  const vector = table.getChildAt(0)!;
  return { field: table.schema.fields[0]!, cells: Array.from({ length: table.numRows }, (_, i) => cellText(vector, i, fsp)) };
}

describe('MySQL types: every value as the database prints it', () => {
  beforeAll(async () => {
    for (const [i, c] of cases.entries()) {
      await db.admin.query(`CREATE TABLE t${i} (id INT PRIMARY KEY, v ${c.column})`);
      if (c.before) await db.admin.query(c.before);
      const rows = [...c.values, 'NULL'].map((v, row) => `(${row}, ${v})`).join(', ');
      await db.admin.query(`INSERT INTO t${i} VALUES ${rows}`);
      await db.admin.query("SET SESSION sql_mode = DEFAULT, time_zone = '+00:00'");
    }
  });

  it.each(cases.map((c, i) => ({ ...c, i })))('$column: $values', async (c) => {
    const { field, cells } = await engineColumn(`SELECT v FROM t${c.i} ORDER BY id`, fspOf(c.column));
    const reference = (await cli(`SELECT ${c.ref ?? 'v'} FROM t${c.i} ORDER BY id`)).map((row) => row[0]!);
    expect(String(field.type)).toBe(c.arrow);
    const expected = DataType.isFloat(field.type) ? reference.map((t) => (t === 'NULL' ? t : numberText(Number(t)))) : reference;
    expect(cells).toEqual(expected);
    expect(cells.at(-1)).toBe('NULL');
    const notes = fieldNotes(field);
    expect(notes.textType).toBe(c.notes?.textType);
    expect(notes.dbType).toBe(c.notes?.dbType);
    if (c.notes?.note) expect(notes.note).toMatch(c.notes.note);
    else expect(notes.note).toBeUndefined();
  });

  it('covers every type the table in docs/types.md names, and no other', async () => {
    const docs = await readFile(new URL('../../docs/types.md', import.meta.url), 'utf8');
    const section = docs.slice(docs.indexOf('## MySQL and MariaDB'), docs.indexOf('\n## ', docs.indexOf('## MySQL and MariaDB') + 1));
    const documented = new Set<string>();
    for (const row of section.split('\n').filter((line) => line.startsWith('| `'))) {
      const cell = row.split(' | ')[0]!;
      for (const [, name] of cell.matchAll(/`([A-Z][A-Z0-9]*)(?:\([^`]*\))?(?: UNSIGNED)?`/g)) documented.add(name!);
    }
    // SUM() is tested below, a NULL column in the expressions, GEOMETRY by its POINT.
    for (const elsewhere of ['SUM', 'NULL', 'GEOMETRY']) expect(documented.delete(elsewhere)).toBe(true);
    expect([...documented].sort()).toEqual([...new Set(cases.map((c) => c.column.split(/[ (]/)[0]!))].sort());
  });
});

describe('MySQL types: expressions', () => {
  beforeAll(async () => {
    await db.admin.query('CREATE TABLE wide (id INT PRIMARY KEY, v DECIMAL(65,30), s DECIMAL(10,2))');
    await db.admin.query(
      `INSERT INTO wide VALUES (1, ${MAX_65_30}, 1.25), (2, ${MAX_65_30}, 99999999.99), (3, -1.5, -0.01), (4, NULL, NULL)`
    );
    await db.admin.query('CREATE TABLE narrow (id INT PRIMARY KEY, v DECIMAL(65,30))');
    await db.admin.query(`INSERT INTO narrow VALUES (1, 12.5), (2, 0.000000000000000000000000000001), (3, -7)`);
  });

  it.each([
    // SUM of a DECIMAL(65,30) declares 65 digits; the values decide the form.
    { sql: 'SELECT SUM(v) FROM wide', arrow: 'Utf8', textType: 'decimal' },
    { sql: 'SELECT SUM(v) FROM narrow', arrow: 'Decimal[38e+30]' },
    { sql: 'SELECT SUM(v) FROM wide WHERE id > 2', arrow: 'Decimal[38e+30]' },
    { sql: 'SELECT SUM(v) FROM wide WHERE id > 3', arrow: 'Decimal[38e+30]' },
    { sql: 'SELECT SUM(s) FROM wide', arrow: 'Decimal[32e+2]' },
    { sql: 'SELECT v * 2 FROM narrow ORDER BY id', arrow: 'Decimal[38e+30]' },
    { sql: 'SELECT v / 3 FROM narrow ORDER BY id', arrow: 'Decimal[38e+34]' },
    { sql: 'SELECT AVG(v) FROM narrow', arrow: 'Decimal[38e+34]' },
    { sql: `SELECT CAST(${MAX_65_30} AS DECIMAL(65,30)) * 1`, arrow: 'Utf8', textType: 'decimal' },
    { sql: 'SELECT 99999999999999999999', arrow: 'Decimal[20e0]' },
    { sql: 'SELECT CAST(-1 AS UNSIGNED)', arrow: 'Uint64' },
    { sql: "SELECT TIMEDIFF('2024-01-03 00:00:00', '2024-01-01 00:00:00.5')", arrow: 'Utf8' },
    { sql: "SELECT JSON_OBJECT('a', 1.5, 'b', NULL)", arrow: 'Utf8', textType: 'json' },
    { sql: 'SELECT NULL', arrow: 'Utf8' },
    { sql: "SELECT DATE('2024-02-29')", arrow: 'Date32<DAY>' }
  ])('$sql', async (c) => {
    const { field, cells } = await engineColumn(c.sql, 0);
    expect(String(field.type)).toBe(c.arrow);
    expect(fieldNotes(field).textType).toBe(c.textType);
    expect(cells).toEqual((await cli(c.sql)).map((row) => row[0]!));
  });
});

describe('MySQL types: a value that does not fit after the first batch', () => {
  const rows = 5_000;
  const wideAt = 3_000;
  let small: ServerEngine;

  beforeAll(async () => {
    // Batches of 500 rows: the wide value arrives long after the first batch chose its type.
    small = createMysqlEngine({ ...db.config, user: READER, password: READER_PASSWORD }, { id: 'small', batchRows: 500, maxConnections: 1 });
    await db.admin.query('CREATE TABLE late (id INT PRIMARY KEY, v DECIMAL(65,30), d DATE)');
    await db.admin.query('CREATE TABLE asked (id INT PRIMARY KEY, v DECIMAL(65,30))');
    await db.admin.query(`INSERT INTO asked VALUES (1, 12.5), (2, 0.000000000000000000000000000001), (3, -7)`);
    await db.admin.query("SET SESSION sql_mode = ''");
    await db.admin.query(
      `INSERT INTO late SELECT seq, IF(seq = ${wideAt}, -${MAX_65_30}, seq / 8), IF(seq = ${wideAt}, '0000-00-00', '2024-01-01' + INTERVAL seq DAY) FROM seq_1_to_${rows}`
    );
    await db.admin.query('SET SESSION sql_mode = DEFAULT');
  });

  afterAll(async () => {
    await small?.close();
  });

  /** Statements the server still runs whose text contains `marker`. */
  async function running(marker: string): Promise<number> {
    const [r] = await db.admin.query('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND INFO NOT LIKE ?', [
      `%${marker}%`,
      '%PROCESSLIST%'
    ]);
    return Number((r as { n: number }[])[0]!.n);
  }

  it.each([
    { column: 'v', redo: 'text', first: 'Decimal[38e+30]' },
    { column: 'd', redo: 'text', first: 'Date32<DAY>' }
  ])('stops with WiderResultNeeded for $column, frees the connection, and the redo is exact', async ({ column, redo, first }) => {
    const marker = `late_${randomBytes(4).toString('hex')}`;
    const sql = `SELECT /* ${marker} */ ${column} FROM late ORDER BY id`;
    const result = await small.run(sql, []);
    expect(String(result.schema.fields[0]!.type)).toBe(first);
    let delivered = 0;
    const error = await (async () => {
      for await (const batch of result.batches) delivered += batch.numRows;
    })().catch((e: unknown) => e);
    // Batches before the misfit were delivered (the first chose the type); the misfit was not rounded.
    expect(delivered).toBeGreaterThanOrEqual(500);
    expect(delivered).toBeLessThan(wideAt);
    expect(error).toBeInstanceOf(WiderResultNeeded);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as WiderResultNeeded).code).toBe('result_widened');
    expect((error as WiderResultNeeded).engine).toBe('small');
    expect((error as WiderResultNeeded).column).toBe(column);
    expect((error as WiderResultNeeded).widening).toEqual({ 0: redo });
    await expect(result.summary).rejects.toBeInstanceOf(WiderResultNeeded);
    // The statement is stopped on the server and the one connection is free again.
    expect(await running(marker)).toBe(0);

    const again = await engineColumn(sql, 0, { widen: (error as WiderResultNeeded).widening }, small);
    expect(String(again.field.type)).toBe('Utf8');
    expect(again.cells).toHaveLength(rows);
    expect(again.cells).toEqual((await cli(`SELECT ${column} FROM late ORDER BY id`)).map((row) => row[0]!));
  });

  it('stops a long statement on the server as soon as a value does not fit', async () => {
    const marker = `long_${randomBytes(4).toString('hex')}`;
    const started = Date.now();
    const result = await small.run(
      `SELECT /* ${marker} */ IF(seq = 2000, CAST(-${MAX_65_30} AS DECIMAL(65,30)), seq) AS v FROM seq_1_to_1000000000`,
      []
    );
    const error = await collect(result).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WiderResultNeeded);
    // A billion rows: only a stopped statement ends this soon.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await running(marker)).toBe(0);
    expect((await engineColumn('SELECT 1', 0, {}, small)).cells).toEqual(['1']);
  });

  it('redoes a misfit within the first batch before answering, unseen by the caller', async () => {
    // 100 rows fit one batch: the zero date at row 3000 is not among them, but row 1 of this query is.
    const { field, cells } = await engineColumn(`SELECT d FROM late WHERE id >= ${wideAt} ORDER BY id LIMIT 100`, 0, {}, small);
    expect(String(field.type)).toBe('Utf8');
    expect(cells).toEqual((await cli(`SELECT d FROM late WHERE id >= ${wideAt} ORDER BY id LIMIT 100`)).map((row) => row[0]!));
  });

  it('takes a Decimal128 scale a redo asks for, and text for any other column', async () => {
    const { field, cells } = await engineColumn('SELECT v FROM asked ORDER BY id', 0, { widen: { 0: { scale: 31 } } });
    expect(String(field.type)).toBe('Decimal[38e+31]');
    expect(cells).toEqual((await cli('SELECT v FROM asked ORDER BY id')).map((row) => row[0] + '0'));
    const asText = await engineColumn('SELECT id FROM asked ORDER BY id', 0, { widen: { 0: 'text' } });
    expect(String(asText.field.type)).toBe('Utf8');
    expect(fieldNotes(asText.field)).toMatchObject({ dbType: 'INT', note: expect.stringMatching(/database's text/) });
    expect(asText.cells).toEqual(['1', '2', '3']);
    const sql = "SELECT CAST('2024-02-29 10:00:00' AS DATETIME(3)) AS a, x'00ff' AS b, CAST(1.1 AS FLOAT) AS f, b'101' + 0 = 5 AS t";
    const texts = await arrowOf(sql, { widen: { 0: 'text', 1: 'text', 2: 'text' } });
    expect(texts.schema.fields.map((f) => String(f.type))).toEqual(['Utf8', 'Utf8', 'Utf8', 'Int32']);
    expect(texts.get(0)!.toJSON()).toEqual({ a: (await cli(sql))[0]![0], b: '0x00FF', f: '1.1', t: 1 });
  });
});

describe('MySQL types: DuckDB-WASM reads the Arrow exactly', () => {
  let duck: DuckDbWasmEngine;

  beforeAll(async () => {
    const [wasm, parser] = await Promise.all([createNodeDuckDb(), createNodeDuckDb()]);
    duck = new DuckDbWasmEngine(wasm, { parserDb: parser, fetch: async () => new Response('not found', { status: 404 }) });
    await db.admin.query(
      'CREATE TABLE to_duck (id INT PRIMARY KEY, u BIGINT UNSIGNED, b BIT(64), d DECIMAL(65,30), w DECIMAL(65,30), f FLOAT, ts TIMESTAMP(6) NULL, dt DATETIME(6))'
    );
    await db.admin.query(
      `INSERT INTO to_duck VALUES (1, 18446744073709551615, b'${'1'.repeat(64)}', 12.5, ${MAX_65_30}, 1.1, '2038-01-19 03:14:07.999999', '9999-12-31 23:59:59.999999'),
       (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`
    );
  }, 120_000);

  afterAll(async () => {
    await duck?.close();
  });

  it('as UBIGINT, DECIMAL(38,30), exact decimal text, FLOAT and microsecond timestamps', async () => {
    const table = await arrowOf('SELECT u, b, d, w, f, ts, dt FROM to_duck ORDER BY id');
    const encoder = new IpcStreamEncoder(table.schema);
    await duck.registerTable('r', Buffer.concat([...table.batches.map((b) => encoder.encode(b)), encoder.end()]));
    const result = await duck.run(
      "SELECT typeof(u) || ' ' || u, typeof(b) || ' ' || b, typeof(d) || ' ' || d, typeof(w) || ' ' || w, typeof(f) || ' ' || f::DOUBLE, typeof(ts) || ' ' || ts, typeof(dt) || ' ' || dt FROM r",
      []
    );
    const batches = await collect(result);
    const first = batches[0]!.toArray()[0]!.toArray() as string[];
    expect(first).toEqual([
      'UBIGINT 18446744073709551615',
      'UBIGINT 18446744073709551615',
      'DECIMAL(38,30) 12.500000000000000000000000000000',
      `VARCHAR ${MAX_65_30}`,
      `FLOAT ${Math.fround(1.1)}`,
      'TIMESTAMP WITH TIME ZONE 2038-01-19 03:14:07.999999+00',
      'TIMESTAMP 9999-12-31 23:59:59.999999'
    ]);
    expect(batches[0]!.numRows).toBe(2);
  });
});
