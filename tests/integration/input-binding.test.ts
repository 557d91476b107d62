/**
 * Inputs read as `$name` are bound on every engine, never spliced (README.md, "Inputs"):
 * PostgreSQL through a least-privilege role, MariaDB and the server's DuckDB through
 * `POST /api/query` with `inputs`, and DuckDB-WASM (the browser's engine) in Node. A text
 * full of quotes, semicolons and `$` arrives as data, and numbers, dates and booleans keep
 * their types.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Type, type RecordBatch, type Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { api, signUp } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { createTestMysqlDatabase, type TestMysqlDatabase } from '../support/mysql.js';
import { WarehouseApi, runServerQuery, ApiError } from '../../src/lib/warehouse/index.js';
import { DuckDbWasmEngine } from '../../kernels/duckdb-wasm/index.js';
import { createNodeDuckDb } from '../../kernels/duckdb-wasm/node.js';
import { bindInputs, type ParameterInput } from '../../kernels/input-params.js';

const HOSTILE = `'; drop table t; --"$x`;
const INPUTS: Record<string, ParameterInput> = {
  who: { type: 'text', value: HOSTILE },
  threshold: { type: 'number', value: 1.5 },
  day: { type: 'date', value: '2024-02-29' },
  period: { type: 'daterange', value: ['2024-01-01', '2024-03-31'] },
  flag: { type: 'checkbox', value: false }
};
// The same question on every engine: the value back, a numeric comparison, a date and a range.
const QUESTION = `select $who as v, (select count(*) from t where x > $threshold) as above, $day as d,
  (select count(*) from t where d between $period.from and $period.to) as in_period,
  (select count(*) from t where s = $who) as same_text,
  (select count(*) from t where $flag) as flagged`;
const ROWS = [
  [1, '2024-01-15', 'a'],
  [2, '2024-02-29', HOSTILE],
  [3, '2024-06-01', 'c']
] as const;
const READER = `cairn_inputs_${randomBytes(4).toString('hex')}`;
const MARIA_READER = `cairn_in_${randomBytes(3).toString('hex')}`;

/** What every engine must answer. */
function expectAnswer(table: Pick<Table, 'numRows' | 'schema'> & { get(i: number): { toJSON(): object } | null }): void {
  expect(table.numRows).toBe(1);
  const row = table.get(0)!.toJSON() as Record<string, unknown>;
  expect(row.v).toBe(HOSTILE);
  expect(Number(row.above)).toBe(2);
  expect(Number(row.in_period)).toBe(2);
  expect(Number(row.same_text)).toBe(1);
  // A boolean filters as a boolean (false: no rows), not as the text 'false'.
  expect(Number(row.flagged)).toBe(0);
  // A date, not text: the column is an Arrow date (or a timestamp at midnight).
  const d = table.schema.fields.find((f) => f.name === 'd')!;
  expect([Type.Date, Type.Timestamp]).toContain(d.type.typeId);
  expect(new Date(row.d as number).toISOString().slice(0, 10)).toBe('2024-02-29');
}

describe('inputs bound on every engine', () => {
  let store: TestStore;
  let srv: RunningServer;
  let client: WarehouseApi;
  let token: string;
  let warehouse: TestDatabase;
  let pgAdmin: pg.Client;
  let maria: TestMysqlDatabase;
  const connections: Record<string, string> = {};

  beforeAll(async () => {
    warehouse = await createTestDatabase();
    pgAdmin = new pg.Client({ connectionString: warehouse.url });
    await pgAdmin.connect();
    await pgAdmin.query('create table t (x int, d date, s text)');
    for (const r of ROWS) await pgAdmin.query('insert into t values ($1, $2, $3)', [...r]);
    const url = new URL(warehouse.url);
    const database = url.pathname.slice(1);
    // As an admin sets up a reporting account: connect, usage, select — nothing more.
    await pgAdmin.query(`create role ${READER} login`);
    await pgAdmin.query(`grant connect on database ${database} to ${READER}`);
    await pgAdmin.query(`grant usage on schema public to ${READER}`);
    await pgAdmin.query(`grant select on all tables in schema public to ${READER}`);

    maria = await createTestMysqlDatabase();
    await maria.admin.query('CREATE TABLE t (x INT, d DATE, s TEXT)');
    for (const r of ROWS) await maria.admin.query('INSERT INTO t VALUES (?, ?, ?)', [...r]);
    await maria.admin.query(`CREATE USER '${MARIA_READER}'@'%' IDENTIFIED BY 'reader-pass-1'`);
    await maria.admin.query(`GRANT SELECT ON \`${maria.name}\`.* TO '${MARIA_READER}'@'%'`);

    store = await createTestStore('embedded');
    srv = await startInProcess(store);
    const owner = await signUp(srv.base, 'Owner');
    token = owner.token;
    client = new WarehouseApi({ baseUrl: srv.base, token });
    const add = async (name: string, kind: 'postgres' | 'mysql' | 'duckdb', config: Record<string, unknown>) =>
      (connections[name] = (await client.createConnection({ name, kind, config } as never)).id);
    await add('pg', 'postgres', { host: url.hostname, port: Number(url.port || 5432), database, user: READER, password: 'unused-with-trust-auth' });
    await add('maria', 'mysql', { ...maria.config, user: MARIA_READER, password: 'reader-pass-1' });
    await add('duck', 'duckdb', {});
  }, 120_000);

  afterAll(async () => {
    await srv?.close();
    await store?.dispose();
    await pgAdmin?.end();
    await warehouse?.drop();
    const root = new pg.Client({ connectionString: new URL('/postgres', warehouse.url).toString() });
    await root.connect();
    await root.query(`drop role if exists ${READER}`);
    await root.end();
    if (maria) {
      await maria.admin.query(`DROP USER IF EXISTS '${MARIA_READER}'@'%'`);
      await maria.drop();
    }
  });

  async function serverRun(connection: string, sql: string, inputs: Record<string, ParameterInput> = INPUTS) {
    const result = await runServerQuery(client, { connectionId: connections[connection], sql, inputs: inputs as never });
    return result!;
  }

  it('PostgreSQL (a select-only role): the hostile text is data, numbers and dates keep their types, and the run log shows the values', async () => {
    const result = await serverRun('pg', QUESTION);
    expectAnswer(result.table);
    const { rows } = await pgAdmin.query('select count(*)::int as n from t');
    expect(rows[0].n).toBe(3);
    const run = (await api(srv.base, 'GET', `/api/runs/${result.runId}`, { token })).body;
    expect(run.params).toEqual([HOSTILE, 1.5, '2024-02-29', '2024-01-01', '2024-03-31', false]);
    expect(run.sql).toContain('$1');
    expect(run.sql).not.toContain('drop table');
  });

  it('MariaDB: the same, with ? placeholders', async () => {
    expectAnswer((await serverRun('maria', QUESTION)).table);
    const [rows] = await maria.admin.query('SELECT COUNT(*) AS n FROM t');
    expect(Number((rows as Array<{ n: unknown }>)[0].n)).toBe(3);
  });

  it("the server's DuckDB: the same, bound to its prepared statement", async () => {
    const sql = `with t as (select * from (values (1, date '2024-01-15', 'a'), (2, date '2024-02-29', $who), (3, date '2024-06-01', 'c')) v(x, d, s)) ${QUESTION}`;
    expectAnswer((await serverRun('duck', sql)).table);
  });

  it('DuckDB-WASM, the browser engine: the same, bound positionally after translating $name', async () => {
    const [wasm, parser] = await Promise.all([createNodeDuckDb(), createNodeDuckDb()]);
    const duck = new DuckDbWasmEngine(wasm, { parserDb: parser, fetch: async () => new Response('not found', { status: 404 }) });
    try {
      // The first batch: the engine's Arrow objects are DuckDB-WASM's own apache-arrow build.
      const table = async (sql: string, params: readonly unknown[] = []) => {
        const result = await duck.run(sql, params);
        const batches: RecordBatch[] = [];
        for await (const b of result.batches) batches.push(b);
        return { schema: result.schema, numRows: batches.reduce((n, b) => n + b.numRows, 0), get: (i: number) => batches[0]?.get(i) ?? null };
      };
      await table(`create table t (x int, d date, s text)`);
      await table(`insert into t values ($1, cast($2 as date), $3), ($4, cast($5 as date), $6), ($7, cast($8 as date), $9)`, ROWS.flat());
      const bound = bindInputs(QUESTION, INPUTS, 'duckdb');
      expectAnswer(await table(bound.sql, bound.params));
      expect((await table('select count(*)::int as n from t')).get(0)!.toJSON()).toEqual({ n: 3 });
    } finally {
      await duck.close();
    }
  });

  it('caches by the bound values: another value is another result', async () => {
    const a = await serverRun('pg', 'select $threshold as n', { threshold: { type: 'number', value: 1 } });
    const b = await serverRun('pg', 'select $threshold as n', { threshold: { type: 'number', value: 2 } });
    expect(Number(b.table.get(0)!.n)).not.toBe(Number(a.table.get(0)!.n));
  });

  it('refuses an input of the wrong type, and a $name with no input, with clear messages', async () => {
    const bad = await api(srv.base, 'POST', '/api/query', { token, body: { connectionId: connections.pg, sql: 'select $d', inputs: { d: { type: 'date', value: '2024-02-30' } } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('must be a date YYYY-MM-DD');
    const missing = await serverRun('pg', 'select $nope', {}).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect((missing as ApiError).message).toBe('$nope is not an input: no input cell is named nope');
    expect((missing as ApiError).position).toBe(7);
  });
});
