/**
 * The MySQL/MariaDB engine against the real MariaDB on this machine: type mapping,
 * streaming, cancel, timeout, row cap, read-only enforcement, connection errors, schema
 * and bound parameters. Every test works in a throwaway database.
 */
import { randomBytes } from 'node:crypto';
import { Type, type RecordBatch, type Vector } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryError, type RunResult, type ServerEngine } from '../../kernels/engine.js';
import { createMysqlEngine } from '../../kernels/mysql/index.js';
import { createTestMysqlDatabase, type TestMysqlDatabase } from '../support/mysql.js';

let db: TestMysqlDatabase;
let engine: ServerEngine;

beforeAll(async () => {
  db = await createTestMysqlDatabase();
  engine = createMysqlEngine(db.config, { id: 'maria' });
});

afterAll(async () => {
  await engine?.close();
  await db?.drop();
});

async function collect(result: RunResult): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = [];
  for await (const b of result.batches) batches.push(b);
  return batches;
}

async function rowsOf(sql: string, params: unknown[] = [], on: ServerEngine = engine) {
  const result = await on.run(sql, params);
  const batches = await collect(result);
  return { result, batches, rows: batches.flatMap((b) => b.toArray().map((r) => r.toJSON() as Record<string, unknown>)) };
}

/** The stored (not apache-arrow-converted) value: µs for timestamps, days for dates. */
function raw(vector: Vector, i: number): unknown {
  if (!vector.isValid(i)) return null;
  const data = vector.data[0]!;
  return (data.values as ArrayLike<unknown>)[i];
}

/** Queries the server still runs whose text contains `marker`. */
async function running(marker: string): Promise<number> {
  const [rows] = await db.admin.query(
    'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND INFO NOT LIKE ?',
    [`%${marker}%`, '%PROCESSLIST%']
  );
  return Number((rows as { n: number }[])[0]!.n);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface TypeCase {
  name: string;
  column: string;
  literal: string;
  type: Type;
  /** The value as the Arrow vector stores it (see `raw`), or as `get` returns it when `viaGet`. */
  expected: unknown;
  viaGet?: boolean;
  check?: (v: unknown) => void;
}

const typeCases: TypeCase[] = [
  { name: 'tinyint', column: 'TINYINT', literal: '-128', type: Type.Int, expected: -128 },
  { name: 'tinyint_u', column: 'TINYINT UNSIGNED', literal: '255', type: Type.Int, expected: 255 },
  { name: 'boolean', column: 'BOOLEAN', literal: 'TRUE', type: Type.Int, expected: 1 },
  { name: 'smallint', column: 'SMALLINT', literal: '-32768', type: Type.Int, expected: -32768 },
  { name: 'mediumint', column: 'MEDIUMINT', literal: '-8388608', type: Type.Int, expected: -8388608 },
  { name: 'int', column: 'INT', literal: '-2147483648', type: Type.Int, expected: -2147483648 },
  { name: 'int_u', column: 'INT UNSIGNED', literal: '4294967295', type: Type.Int, expected: 4294967295n },
  { name: 'bigint_min', column: 'BIGINT', literal: '-9223372036854775808', type: Type.Int, expected: -9223372036854775808n },
  { name: 'bigint_2p53', column: 'BIGINT', literal: '9007199254740993', type: Type.Int, expected: 9007199254740993n },
  { name: 'bigint_u', column: 'BIGINT UNSIGNED', literal: '18446744073709551615', type: Type.Int, expected: 18446744073709551615n, viaGet: true },
  { name: 'year', column: 'YEAR', literal: '2024', type: Type.Int, expected: 2024 },
  { name: 'bit1', column: 'BIT(1)', literal: "b'1'", type: Type.Bool, expected: true, viaGet: true },
  { name: 'bit8', column: 'BIT(8)', literal: "b'10100101'", type: Type.Int, expected: 165n },
  // FLOAT is single precision: Float32 holds the stored float itself.
  { name: 'float', column: 'FLOAT', literal: '1.1', type: Type.Float, expected: Math.fround(1.1) },
  { name: 'double', column: 'DOUBLE', literal: '-2.5e-300', type: Type.Float, expected: -2.5e-300 },
  {
    name: 'dec12_2',
    column: 'DECIMAL(12,2)',
    literal: '-1234567890.12',
    type: Type.Decimal,
    expected: '-123456789012',
    viaGet: true
  },
  { name: 'dec_small', column: 'DECIMAL(12,2)', literal: '0.10', type: Type.Decimal, expected: '10', viaGet: true },
  {
    name: 'dec38',
    column: 'DECIMAL(38,10)',
    literal: '1234567890123456789012345678.0123456789',
    type: Type.Decimal,
    expected: '12345678901234567890123456780123456789',
    viaGet: true
  },
  { name: 'chr', column: 'CHAR(3)', literal: "'abc'", type: Type.Utf8, expected: 'abc', viaGet: true },
  { name: 'vchar', column: 'VARCHAR(50)', literal: "'héllo 🌍 中文'", type: Type.Utf8, expected: 'héllo 🌍 中文', viaGet: true },
  { name: 'txt', column: 'TEXT', literal: "'long text ✓'", type: Type.Utf8, expected: 'long text ✓', viaGet: true },
  { name: 'enm', column: "ENUM('a','b')", literal: "'b'", type: Type.Utf8, expected: 'b', viaGet: true },
  { name: 'st', column: "SET('x','y')", literal: "'x,y'", type: Type.Utf8, expected: 'x,y', viaGet: true },
  { name: 'blb', column: 'BLOB', literal: "x'00ff10'", type: Type.Binary, expected: new Uint8Array([0, 255, 16]), viaGet: true },
  { name: 'bin', column: 'BINARY(3)', literal: "x'000102'", type: Type.Binary, expected: new Uint8Array([0, 1, 2]), viaGet: true },
  { name: 'vbin', column: 'VARBINARY(8)', literal: "x'ff'", type: Type.Binary, expected: new Uint8Array([255]), viaGet: true },
  {
    name: 'jsn',
    column: 'JSON',
    literal: `'{"a": [1, 2], "b": "ü"}'`,
    type: Type.Utf8,
    expected: { a: [1, 2], b: 'ü' },
    viaGet: true,
    check: (v) => expect(JSON.parse(v as string)).toEqual({ a: [1, 2], b: 'ü' })
  },
  { name: 'dt_pre1970', column: 'DATE', literal: "'1969-12-31'", type: Type.Date, expected: -1 },
  { name: 'dt_1900', column: 'DATE', literal: "'1900-02-28'", type: Type.Date, expected: -25_509 },
  {
    name: 'dtm',
    column: 'DATETIME(6)',
    literal: "'1955-11-05 06:07:08.123456'",
    type: Type.Timestamp,
    expected: BigInt(Date.UTC(1955, 10, 5, 6, 7, 8)) * 1000n + 123_456n
  },
  { name: 'dtm0', column: 'DATETIME', literal: "'2024-02-29 23:59:59'", type: Type.Timestamp, expected: BigInt(Date.UTC(2024, 1, 29, 23, 59, 59)) * 1000n },
  {
    name: 'ts',
    column: 'TIMESTAMP(6) NULL',
    literal: "'2021-03-04 05:06:07.654321'",
    type: Type.Timestamp,
    expected: BigInt(Date.UTC(2021, 2, 4, 5, 6, 7)) * 1000n + 654_321n
  },
  { name: 'tm_neg', column: 'TIME', literal: "'-838:59:59'", type: Type.Utf8, expected: '-838:59:59', viaGet: true },
  { name: 'tm_frac', column: 'TIME(3)', literal: "'12:34:56.789'", type: Type.Utf8, expected: '12:34:56.789', viaGet: true },
  // No Arrow date holds a zero date: the column is the database's text (docs/types.md).
  { name: 'zero_date', column: 'DATE', literal: "'0000-00-00'", type: Type.Utf8, expected: '0000-00-00', viaGet: true },
  { name: 'zero_dtm', column: 'DATETIME', literal: "'0000-00-00 00:00:00'", type: Type.Utf8, expected: '0000-00-00 00:00:00', viaGet: true }
];

describe('MySQL engine: types', () => {
  let batches: RecordBatch[];

  beforeAll(async () => {
    const columns = typeCases.map((c) => `\`${c.name}\` ${c.column}`).join(', ');
    await db.admin.query(`CREATE TABLE types_t (id INT PRIMARY KEY, ${columns})`);
    // Zero dates need a permissive sql_mode; the admin session's time zone is UTC, so
    // the TIMESTAMP literal means that instant.
    await db.admin.query("SET SESSION sql_mode = ''");
    await db.admin.query(`INSERT INTO types_t VALUES (1, ${typeCases.map((c) => c.literal).join(', ')})`);
    await db.admin.query(`INSERT INTO types_t (id) VALUES (2)`);
    batches = await collect(await engine.run('SELECT * FROM types_t ORDER BY id', []));
  });

  it('returns both rows in one batch', () => {
    expect(batches).toHaveLength(1);
    expect(batches[0]!.numRows).toBe(2);
  });

  it.each(typeCases)('maps $column ($name) to the right Arrow type and value, and NULL to null', (c) => {
    const vector = batches[0]!.getChild(c.name)!;
    expect(Type[vector.type.typeId]).toBe(Type[c.type]);
    const value = c.viaGet ? (vector.isValid(0) ? vector.get(0) : null) : raw(vector, 0);
    if (c.check) c.check(value);
    else if (c.type === Type.Decimal) expect(String(value)).toBe(c.expected);
    else expect(value).toEqual(c.expected);
    expect(vector.isValid(1)).toBe(false);
  });

  it('chooses widths and zones precisely', () => {
    const schema = batches[0]!.schema;
    const field = (name: string) => schema.fields.find((f) => f.name === name)!;
    expect(String(field('int').type)).toBe('Int32');
    expect(String(field('int_u').type)).toBe('Int64');
    expect(String(field('bigint_min').type)).toBe('Int64');
    expect(String(field('bigint_u').type)).toBe('Uint64');
    expect(String(field('float').type)).toBe('Float32');
    expect(field('zero_date').metadata.get('cairn.note')).toMatch(/zero date/);
    expect(field('dec12_2').type).toMatchObject({ precision: 12, scale: 2 });
    expect((field('ts').type as unknown as { timezone: string | null }).timezone).toBe('UTC');
    expect((field('dtm').type as unknown as { timezone?: string | null }).timezone ?? null).toBeNull();
    expect(field('jsn').metadata.get('cairn.type')).toBe('json');
    expect(String(field('dt_pre1970').type)).toBe('Date32<DAY>');
  });
});

describe('MySQL engine: streaming, cancel, timeout, row cap', () => {
  it('delivers the first batch while the server is still producing rows', async () => {
    // MariaDB's Sequence engine makes rows as they are read; the last one sleeps 3 s, so
    // the query ends ≥ 3 s after its first rows went out.
    const started = Date.now();
    const result = await engine.run('SELECT seq, IF(seq = 200000, SLEEP(3), 0) AS s FROM seq_1_to_200000', []);
    let firstAt = 0;
    let rows = 0;
    for await (const batch of result.batches) {
      if (firstAt === 0) firstAt = Date.now() - started;
      rows += batch.numRows;
    }
    const endedAt = Date.now() - started;
    expect(rows).toBe(200_000);
    expect(endedAt).toBeGreaterThanOrEqual(3_000);
    expect(firstAt).toBeLessThan(endedAt - 2_000);
    expect(await result.summary).toEqual({ rows: 200_000, truncated: false });
  });

  it('pauses the socket for a slow consumer and still delivers every row in order', async () => {
    const result = await engine.run('SELECT seq FROM seq_1_to_300000', []);
    let expected = 1;
    for await (const batch of result.batches) {
      const seq = batch.getChild('seq')!;
      expect(seq.get(0)).toBe(BigInt(expected));
      expected += batch.numRows;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(expected - 1).toBe(300_000);
  });

  it('cancels on the server when the signal aborts, and the pool stays usable', async () => {
    const single = createMysqlEngine(db.config, { id: 'single', maxConnections: 1 });
    try {
      const marker = `cancel_${randomBytes(4).toString('hex')}`;
      const controller = new AbortController();
      // MariaDB sends a row's column definitions with it, after SLEEP: the run is cancelled
      // before its schema arrives, so `run` itself rejects.
      const pending = single.run(`SELECT /* ${marker} */ SLEEP(30) AS s`, [], { signal: controller.signal }).then(collect);
      await waitFor(async () => (await running(marker)) === 1);
      const started = Date.now();
      controller.abort(new Error('stopped by the user'));
      await expect(pending).rejects.toThrow('stopped by the user');
      expect(Date.now() - started).toBeLessThan(3_000);
      await waitFor(async () => (await running(marker)) === 0, 2_000);
      const { rows } = await rowsOf('SELECT 42 AS answer', [], single);
      expect(rows).toEqual([{ answer: 42 }]);
    } finally {
      await single.close();
    }
  });

  it('cancels a query mid-stream and reuses its connection', async () => {
    const single = createMysqlEngine(db.config, { id: 'single', maxConnections: 1 });
    try {
      const marker = `midstream_${randomBytes(4).toString('hex')}`;
      const controller = new AbortController();
      const result = await single.run(`SELECT /* ${marker} */ a.seq FROM seq_1_to_100000 a, seq_1_to_1000 b`, [], {
        signal: controller.signal
      });
      const iterator = result.batches[Symbol.asyncIterator]();
      expect((await iterator.next()).done).toBe(false);
      controller.abort(new Error('enough'));
      await expect(iterator.next()).rejects.toThrow('enough');
      await expect(result.summary).rejects.toThrow('enough');
      expect(await running(marker)).toBe(0);
      const { rows } = await rowsOf('SELECT 1 AS one', [], single);
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await single.close();
    }
  });

  it('refuses a run whose signal already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    await expect(engine.run('SELECT 1', [], { signal: controller.signal })).rejects.toThrow('too late');
  });

  it('stops a statement at the statement timeout with a clear error', async () => {
    const quick = createMysqlEngine(db.config, { id: 'quick', statementTimeoutMs: 1_000 });
    try {
      const started = Date.now();
      const error = await quick.run('SELECT SLEEP(5) AS s', []).then(collect).catch((e) => e);
      expect(error).toBeInstanceOf(QueryError);
      expect((error as QueryError).message).toBe('canceled: statement timeout of 1 s');
      expect((error as QueryError).engine).toBe('quick');
      expect(Date.now() - started).toBeLessThan(4_000);
      expect((await rowsOf('SELECT 2 AS two', [], quick)).rows).toEqual([{ two: 2 }]);
    } finally {
      await quick.close();
    }
  });

  it('stops reading at the row cap, says it truncated, and stops the server', async () => {
    const single = createMysqlEngine(db.config, { id: 'single', maxConnections: 1 });
    try {
      const marker = `cap_${randomBytes(4).toString('hex')}`;
      const started = Date.now();
      const result = await single.run(`SELECT /* ${marker} */ a.seq AS n FROM seq_1_to_1000000 a, seq_1_to_1000 b`, [], { rowLimit: 1_000 });
      const batches = await collect(result);
      expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(1_000);
      expect(await result.summary).toEqual({ rows: 1_000, truncated: true });
      // A billion rows: only a stopped query ends this soon.
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await running(marker)).toBe(0);
      expect((await rowsOf('SELECT 3 AS three', [], single)).rows).toEqual([{ three: 3 }]);
    } finally {
      await single.close();
    }
  });

  it('gives the connection back when a result is dropped unread', async () => {
    const single = createMysqlEngine(db.config, { id: 'single', maxConnections: 1 });
    try {
      const result = await single.run('SELECT seq FROM seq_1_to_1000000', []);
      await result.batches[Symbol.asyncIterator]().return?.();
      expect((await rowsOf('SELECT 4 AS four', [], single)).rows).toEqual([{ four: 4 }]);
    } finally {
      await single.close();
    }
  });
});

describe('MySQL engine: read-only, errors, schema, parameters', () => {
  beforeAll(async () => {
    await db.admin.query('CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, note TEXT)');
    await db.admin.query("INSERT INTO people VALUES (1, 'ada', NULL), (2, 'grace', 'x')");
    await db.admin.query('CREATE VIEW people_v AS SELECT name FROM people');
    await db.admin.query('ANALYZE TABLE people');
  });

  it.each([
    ['INSERT', "INSERT INTO people VALUES (3, 'mallory', NULL)"],
    ['UPDATE', "UPDATE people SET name = 'x'"],
    ['DELETE', 'DELETE FROM people'],
    ['CREATE TABLE', 'CREATE TABLE sneaky (a INT)'],
    ['DROP TABLE', 'DROP TABLE people'],
    ['CREATE TEMPORARY TABLE', 'CREATE TEMPORARY TABLE tmp_sneaky (a INT)']
  ])('refuses %s on a read-only connection and changes nothing', async (_, sql) => {
    const error = await engine.run(sql, []).catch((e) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).message).toMatch(/READ ONLY transaction/);
    const [rows] = await db.admin.query('SELECT COUNT(*) AS n FROM people');
    expect(Number((rows as { n: number }[])[0]!.n)).toBe(2);
    const [tables] = await db.admin.query('SHOW TABLES');
    expect((tables as Record<string, string>[]).map((t) => Object.values(t)[0]).sort()).toEqual(['people', 'people_v', 'types_t']);
  });

  it('stays read-only after notebook SQL tries to switch the session to read-write', async () => {
    const single = createMysqlEngine(db.config, { id: 'single', maxConnections: 1 });
    try {
      await single
        .run('SET SESSION tx_read_only = 0', [])
        .then(collect)
        .catch(() => undefined);
      await single
        .run('SET SESSION TRANSACTION READ WRITE', [])
        .then(collect)
        .catch(() => undefined);
      await expect(single.run('CREATE TABLE sneaky2 (a INT)', [])).rejects.toThrow(/READ ONLY transaction/);
    } finally {
      await single.close();
    }
  });

  it('writes when the connection is configured read-write', async () => {
    const rw = createMysqlEngine(db.config, { id: 'rw', readOnly: false });
    try {
      const result = await rw.run('CREATE TABLE rw_made (a INT)', []);
      expect(result.schema.fields).toHaveLength(0);
      expect(await collect(result)).toEqual([]);
      await rw.run('DROP TABLE rw_made', []).then(collect);
    } finally {
      await rw.close();
    }
  });

  it("reports the server's message and code for a failing statement", async () => {
    const error = await engine.run('SELECT * FROM people WHERE', []).catch((e) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect(error.message).toMatch(/SQL syntax.*\(ER_PARSE_ERROR\)/);
    expect(error.engine).toBe('maria');
    const missing = await engine.run('SELECT * FROM no_such_table', []).catch((e) => e);
    expect(missing.message).toMatch(/no_such_table.*doesn't exist \(ER_NO_SUCH_TABLE\)/);
  });

  it('says a wrong password failed without revealing it', async () => {
    const password = 'wrong-Secret-123';
    const bad = createMysqlEngine({ ...db.config, password }, { id: 'bad' });
    try {
      const error = await bad.ping().catch((e) => e);
      expect(error).toBeInstanceOf(QueryError);
      expect(error.message).toMatch(/Access denied/);
      expect(error.message).not.toContain(password);
      const runError = await bad.run('SELECT 1', []).catch((e) => e);
      expect(runError).toBeInstanceOf(QueryError);
      expect(JSON.stringify({ m: runError.message, s: runError.stack })).not.toContain(password);
    } finally {
      await bad.close();
    }
  });

  it('says an unreachable server cannot be reached, without the password', async () => {
    const password = 'another-Secret-456';
    const nowhere = createMysqlEngine({ ...db.config, port: 1, password }, { id: 'nowhere' });
    try {
      const error = await nowhere.ping().catch((e) => e);
      expect(error).toBeInstanceOf(QueryError);
      expect(error.message).toMatch(/cannot connect to MySQL at 127\.0\.0\.1:1.*ECONNREFUSED/);
      expect(error.message).not.toContain(password);
    } finally {
      await nowhere.close();
    }
  });

  it('lists tables and views with columns, types, nullability and row estimates', async () => {
    const tables = await engine.schema();
    const people = tables.find((t) => t.name === 'people')!;
    expect(people).toMatchObject({ schema: db.name, kind: 'table' });
    expect(people.columns).toEqual([
      { name: 'id', type: 'int(11)', nullable: false },
      { name: 'name', type: 'varchar(40)', nullable: false },
      { name: 'note', type: 'text', nullable: true }
    ]);
    expect(typeof people.rowEstimate).toBe('number');
    const view = tables.find((t) => t.name === 'people_v')!;
    expect(view).toMatchObject({ kind: 'view', rowEstimate: null, columns: [{ name: 'name', type: 'varchar(40)', nullable: false }] });
    expect(tables.every((t) => t.schema === db.name)).toBe(true);
  });

  it('binds $n parameters as data, reordered and repeated', async () => {
    const attack = "' or 1=1 --";
    const { rows } = await rowsOf("SELECT $2 AS b, $1 AS a, $2 AS b2, '$1' AS literal", [attack, 7]);
    expect(rows).toEqual([{ b: 7, a: attack, b2: 7, literal: '$1' }]);
    const matched = await rowsOf('SELECT COUNT(*) AS n FROM people WHERE name = $1', [attack]);
    expect(matched.rows).toEqual([{ n: 0n }]);
    const found = await rowsOf('SELECT id FROM people WHERE name = $1 LIMIT $2', ['grace', 5]);
    expect(found.rows).toEqual([{ id: 2 }]);
  });

  it('refuses a reference to a parameter that was not given', async () => {
    const error = await engine.run('SELECT $2 AS x', [1]).catch((e) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect(error.message).toMatch(/no parameter \$2/);
    expect(error.position).toBe(7);
  });

  it('answers ping', async () => {
    await expect(engine.ping()).resolves.toBeUndefined();
  });
});
