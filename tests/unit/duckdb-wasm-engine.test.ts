import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { tableFromArrays, tableToIPC, type RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryError } from '../../kernels/engine.js';
import { SAMPLES } from '../../kernels/samples.js';
import { sqlDependencies } from '../../kernels/graph/index.js';
import { DuckDbWasmEngine, type NotebookFiles, type SourceProgress } from '../../kernels/duckdb-wasm/index.js';
import { createNodeDuckDb, initParquetNode } from '../../kernels/duckdb-wasm/node.js';
import { Table as ParquetTable, writeParquet } from 'parquet-wasm/esm';

const require = createRequire(import.meta.url);
const DATA = join(dirname(require.resolve('vega-datasets')), '..', 'data');

/** Bytes the fake server holds under `/api/files/<hash>`. */
const uploads = new Map<string, Uint8Array>();
const fetched: string[] = [];

/** The server, for the engine: samples from vega-datasets on disk, files from `uploads`. */
async function serve(url: string): Promise<Response> {
  fetched.push(url);
  const sample = /^\/samples\/(.+)$/.exec(url);
  if (sample) return new Response(readFileSync(join(DATA, decodeURIComponent(sample[1]))));
  const file = /^\/api\/files\/(.+)$/.exec(url);
  const bytes = file && uploads.get(decodeURIComponent(file[1]));
  return bytes ? new Response(bytes.slice()) : new Response('not found', { status: 404, statusText: 'Not Found' });
}

let engine: DuckDbWasmEngine;
const progress: SourceProgress[] = [];

beforeAll(async () => {
  // The real DuckDB-WASM (Node build, async API over a worker thread), as the browser runs it.
  const [db, parserDb] = await Promise.all([createNodeDuckDb(), createNodeDuckDb()]);
  engine = new DuckDbWasmEngine(db, { parserDb, fetch: serve, initParquet: initParquetNode, onSourceProgress: (p) => progress.push(p) });
}, 60_000);

afterAll(async () => {
  await engine?.close();
});

/** Every row of a query, as plain objects (bigints as numbers). */
async function rows(sql: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
  const result = await engine.run(sql, params);
  const out: Array<Record<string, unknown>> = [];
  for await (const batch of result.batches) {
    for (const row of batch.toArray() as Array<{ toJSON(): Record<string, unknown> }>) {
      const plain = row.toJSON();
      for (const [k, v] of Object.entries(plain)) if (typeof v === 'bigint') plain[k] = Number(v);
      out.push(plain);
    }
  }
  return out;
}

async function count(table: string): Promise<number> {
  return (await rows(`select count(*)::int as n from ${table}`))[0].n as number;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

/** Runs `sql` to the end, collecting batch sizes. */
async function drain(sql: string, options: { rowLimit?: number; signal?: AbortSignal } = {}) {
  const result = await engine.run(sql, [], options);
  const sizes: number[] = [];
  for await (const batch of result.batches) sizes.push(batch.numRows);
  return { schema: result.schema, sizes, summary: await result.summary };
}

describe('DuckDbWasmEngine.run', () => {
  it('binds positional parameters as values, never as SQL text', async () => {
    const sneaky = "x'; drop table t; --";
    expect(await rows('select $1 as s, $2::int + 1 as n, $3 as b, $4 is null as missing', [sneaky, 41, true, null])).toEqual([
      { s: sneaky, n: 42, b: true, missing: true }
    ]);
  });

  it('binds bigints and Dates, and refuses values it cannot bind', async () => {
    const [row] = await rows('select $1::bigint as big, $2::timestamp = timestamp \'2024-05-01 12:00:00\' as same', [9007199254740993n, new Date('2024-05-01T12:00:00Z')]);
    expect(row).toEqual({ big: 9007199254740992, same: true }); // exact in DuckDB; the JS number rounds
    const [exact] = await rows('select ($1::bigint)::varchar as text', [9007199254740993n]);
    expect(exact.text).toBe('9007199254740993');
    const err = await failure(engine.run('select $1', [{ a: 1 }]));
    expect(err).toBeInstanceOf(QueryError);
    expect((err as QueryError).message).toMatch(/\$1 is an object/);
  });

  it('knows the schema before the first batch and streams a large result in many batches', async () => {
    const result = await engine.run('select range as x, range * 2 as y from range(500000)', []);
    expect(result.schema.fields.map((f) => f.name)).toEqual(['x', 'y']);
    let batches = 0;
    let total = 0;
    for await (const batch of result.batches) {
      batches++;
      total += batch.numRows;
    }
    expect(batches).toBeGreaterThan(10);
    expect(total).toBe(500000);
    expect(await result.summary).toEqual({ rows: 500000, truncated: false });
  });

  it('reports progress as rows arrive', async () => {
    const seen: number[] = [];
    const result = await engine.run('select * from range(100000)', [], { onRows: (n) => seen.push(n) });
    for await (const _ of result.batches) void _;
    expect(seen.at(-1)).toBe(100000);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('stops at rowLimit and says the result was truncated, cutting the last batch', async () => {
    const { sizes, summary } = await drain('select * from range(100000)', { rowLimit: 2500 });
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(2500);
    expect(summary).toEqual({ rows: 2500, truncated: true });
  });

  it('does not call a result that exactly fits rowLimit truncated', async () => {
    expect((await drain('select * from range(2048)', { rowLimit: 2048 })).summary).toEqual({ rows: 2048, truncated: false });
    expect((await drain('select * from range(2049)', { rowLimit: 2048 })).summary).toEqual({ rows: 2048, truncated: true });
  });

  it('runs statements that return no rows, and several statements (the last one is the result)', async () => {
    const made = await drain('create or replace table made_by_run as select 1 as a');
    expect(made.summary.rows).toBe(1); // DuckDB's "Count" of rows inserted
    expect(await rows('select 1 as one; select a from made_by_run')).toEqual([{ a: 1 }]);
    expect((await drain('select * from made_by_run where false')).summary).toEqual({ rows: 0, truncated: false });
  });

  it('cancels a running query through the signal, and the engine keeps working', async () => {
    const controller = new AbortController();
    const t0 = Date.now();
    setTimeout(() => controller.abort(new Error('stopped by the user')), 300);
    const err = await failure(drain('select count(*) from range(5000000000) a', { signal: controller.signal }));
    expect((err as Error).message).toBe('stopped by the user');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await rows('select 42 as x')).toEqual([{ x: 42 }]);
  }, 20_000);

  it('cancels a streaming result between batches, and ends the summary with the abort', async () => {
    const controller = new AbortController();
    const result = await engine.run('select * from range(10000000)', [], { signal: controller.signal });
    let seen = 0;
    const err = await failure(
      (async () => {
        for await (const batch of result.batches) {
          seen += batch.numRows;
          if (seen > 10000) controller.abort();
        }
      })()
    );
    expect((err as Error).name).toBe('AbortError');
    await expect(result.summary).rejects.toThrow();
    expect(seen).toBeLessThan(10000000);
  });

  it('refuses to start when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(((await failure(engine.run('select 1', [], { signal: controller.signal }))) as Error).name).toBe('AbortError');
  });

  it('reports an error with its 0-based position in the SQL', async () => {
    const err = (await failure(engine.run('select nope from range(3)', []))) as QueryError;
    expect(err).toBeInstanceOf(QueryError);
    expect(err.engine).toBe('browser');
    expect(err.message).toMatch(/^Binder Error: Referenced column "nope" not found/);
    expect(err.position).toBe('select '.length);
  });

  it('positions syntax errors, errors on later lines and after non-ASCII text in UTF-16 units', async () => {
    const syntax = (await failure(engine.run('select * fromm flights', []))) as QueryError;
    expect(syntax.message).toMatch(/^Parser Error: syntax error at or near "flights"/);
    expect(syntax.position).toBe('select * fromm '.length);
    const sql = "select 1;\nselect 'é漢字😀', \n  nope from range(3)";
    const later = (await failure(engine.run(sql, []))) as QueryError;
    expect(later.position).toBe(sql.indexOf('nope'));
    const withParams = (await failure(engine.run('select $1, nope from range(3)', [1]))) as QueryError;
    expect(withParams.position).toBe('select $1, '.length);
  });

  it('reports a missing table and a conversion error while streaming as QueryErrors', async () => {
    const missing = (await failure(engine.run('select * from no_such_table', []))) as QueryError;
    expect(missing.message).toMatch(/Table with name no_such_table does not exist/);
    expect(missing.position).toBe('select * from '.length);
    const conversion = (await failure(drain("select 'abc'::int"))) as QueryError;
    expect(conversion).toBeInstanceOf(QueryError);
    expect(conversion.message).toMatch(/Could not convert string 'abc'/);
  });

  it('runs cells side by side, each on its own connection', async () => {
    const results = await Promise.all([1, 2, 3, 4].map((n) => rows(`select sum(range)::bigint as s from range(${n * 100000})`)));
    expect(results.map((r) => r[0].s)).toEqual([1, 2, 3, 4].map((n) => ((n * 100000 - 1) * n * 100000) / 2));
  });
});

describe('DuckDbWasmEngine.registerTable', () => {
  it('makes a table of an array of objects: every key a column, missing values null, types inferred', async () => {
    await engine.registerTable('people', [
      { name: 'Ada', age: 36, born: new Date('1815-12-10T00:00:00Z'), tags: ['math'] },
      { name: 'Alan', age: 41.5, alive: false },
      { name: 'Grace', mixed: 1 },
      { name: 'Linus', mixed: 'two' }
    ]);
    const columns = await rows("select column_name, data_type from information_schema.columns where table_name = 'people' order by ordinal_position");
    expect(columns).toEqual([
      { column_name: 'name', data_type: 'VARCHAR' },
      { column_name: 'age', data_type: 'DOUBLE' },
      { column_name: 'born', data_type: 'TIMESTAMP' },
      { column_name: 'tags', data_type: 'VARCHAR' },
      { column_name: 'alive', data_type: 'BOOLEAN' },
      { column_name: 'mixed', data_type: 'VARCHAR' }
    ]);
    expect(await rows("select name, age, strftime(born, '%Y-%m-%d') as born, tags, alive, mixed from people order by name")).toEqual([
      { name: 'Ada', age: 36, born: '1815-12-10', tags: '["math"]', alive: null, mixed: null },
      { name: 'Alan', age: 41.5, born: null, tags: null, alive: false, mixed: null },
      { name: 'Grace', age: null, born: null, tags: null, alive: null, mixed: '1' },
      { name: 'Linus', age: null, born: null, tags: null, alive: null, mixed: 'two' }
    ]);
  });

  it('replaces the table on every call with a new result for the same name, last call wins', async () => {
    await engine.registerTable('result', [{ v: 1 }]);
    expect(await rows('select * from result')).toEqual([{ v: 1 }]);
    await engine.registerTable('result', tableFromArrays({ w: Float64Array.from([1.5, 2.5]), label: ['a', 'b'] }));
    expect(await rows('select * from result order by w')).toEqual([
      { w: 1.5, label: 'a' },
      { w: 2.5, label: 'b' }
    ]);
    // Many runs of one cell in quick succession: applied in call order.
    await Promise.all(Array.from({ length: 8 }, (_, i) => engine.registerTable('result', [{ run: i }])));
    expect(await rows('select * from result')).toEqual([{ run: 7 }]);
    expect((await engine.schema()).filter((t) => t.name.startsWith('__cairn_'))).toEqual([]);
  });

  it('takes Arrow IPC bytes in stream and file format, without detaching the caller’s buffer', async () => {
    const table = tableFromArrays({ id: Int32Array.from([1, 2, 3]) });
    const stream = tableToIPC(table, 'stream');
    await engine.registerTable('from_stream', stream);
    expect(stream.byteLength).toBeGreaterThan(0);
    await engine.registerTable('from_file', tableToIPC(table, 'file'));
    expect(await count('from_stream')).toBe(3);
    expect(await count('from_file')).toBe(3);
  });

  it('replaces a view of the same name, and a query mid-replacement sees the old or the new table, never none', async () => {
    await drain('create or replace view shifting as select 1 as v');
    await engine.registerTable('shifting', [{ v: 2 }]);
    expect(await rows('select * from shifting')).toEqual([{ v: 2 }]);
    const replacing = Promise.all([3, 4, 5].map((v) => engine.registerTable('shifting', [{ v }])));
    const seen = await Promise.all([0, 1, 2, 3].map(() => rows('select v from shifting')));
    await replacing;
    for (const r of seen) expect(r).toHaveLength(1);
    expect(await rows('select * from shifting')).toEqual([{ v: 5 }]);
  });

  it('refuses an empty array and a non-table value with a clear error', async () => {
    expect(((await failure(engine.registerTable('empty', []))) as Error).message).toMatch(/empty array has no columns/);
    expect(((await failure(engine.registerTable('bad', [1, 2] as unknown as object[]))) as Error).message).toMatch(/Row 0 is not an object/);
  });

  it('drops tables and views', async () => {
    await engine.registerTable('doomed', [{ a: 1 }]);
    await engine.dropTable('doomed');
    expect(((await failure(engine.run('select * from doomed', []))) as Error).message).toMatch(/does not exist/);
    await engine.dropTable('never_existed');
  });
});

describe('DuckDbWasmEngine.ensureSources', () => {
  const expected: Record<string, number> = {
    flights_200k: 200000,
    flights_3m: 3000000,
    airports: 3376,
    seattle_weather: 1461,
    penguins: 344,
    cars: 406
  };

  it('loads every sample format offline (Arrow, Parquet, CSV, JSON), each once', async () => {
    const t0 = performance.now();
    await engine.ensureSources(SAMPLES.map((s) => s.name).filter((n) => n !== 'flights_3m'));
    const small = performance.now() - t0;
    for (const name of Object.keys(expected).filter((n) => n !== 'flights_3m')) expect(await count(name)).toBe(expected[name]);
    const before = fetched.length;
    await engine.ensureSources(['airports', 'penguins']);
    expect(fetched.length).toBe(before);
    console.log(`samples except flights_3m loaded in ${Math.round(small)} ms`);
  }, 60_000);

  it('loads flights_3m (Parquet, 3M rows) in seconds, and a group-by over it', async () => {
    const t0 = performance.now();
    await engine.ensureSources(['flights_3m']);
    const load = performance.now() - t0;
    expect(await count('flights_3m')).toBe(3_000_000);
    const t1 = performance.now();
    const byOrigin = await rows('select origin, count(*)::int as n, avg(delay) as delay from flights_3m group by origin order by n desc limit 3');
    const groupBy = performance.now() - t1;
    expect(byOrigin[0]).toMatchObject({ origin: 'ORD' });
    const loadedRows = progress.filter((p) => p.name === 'flights_3m' && p.rows !== undefined).map((p) => p.rows);
    expect(loadedRows.at(-1)).toBe(3_000_000);
    console.log(`flights_3m loaded in ${Math.round(load)} ms; group by origin in ${Math.round(groupBy)} ms`);
    expect(load).toBeLessThan(30_000);
  }, 90_000);

  it('has the columns and types a reader expects from each sample', async () => {
    const describe = async (t: string) => (await rows(`describe ${t}`)).map((r) => `${r.column_name}:${r.column_type}`);
    expect(await describe('flights_3m')).toEqual(['date:TIMESTAMP', 'delay:BIGINT', 'distance:BIGINT', 'origin:VARCHAR', 'destination:VARCHAR']);
    expect(await describe('airports')).toContain('latitude:DOUBLE');
    expect(await describe('penguins')).toContain('Species:VARCHAR');
  });

  it('loads the notebook’s files by hash, in every format, and a file shadows a sample of the same name', async () => {
    const put = (hash: string, file: string) => uploads.set(hash, new Uint8Array(readFileSync(join(DATA, file))));
    put('h-csv', 'seattle-weather.csv');
    // A small Parquet file made here (the only Parquet sample is 3M rows).
    uploads.set('h-parquet', writeParquet(ParquetTable.fromIPCStream(tableToIPC(tableFromArrays({ k: Int32Array.from([1, 2, 3, 4]), label: ['a', 'b', 'c', 'd'] }), 'stream'))));
    put('h-json', 'cars.json');
    put('h-arrow', 'flights-200k.arrow');
    put('h-airports', 'flights-airport.csv');
    const files: NotebookFiles = {
      weather: { hash: 'h-csv', name: 'seattle-weather.csv', size: 1, type: 'text/csv' },
      my_cars: { hash: 'h-json', name: 'cars.json', size: 1, type: 'application/json' },
      flights: { hash: 'h-arrow', name: 'flights-200k.arrow', size: 1, type: 'application/octet-stream' },
      small: { hash: 'h-parquet', name: 'small.parquet', size: 1, type: 'application/octet-stream' },
      airports: { hash: 'h-airports', name: 'flights-airport.csv', size: 1, type: 'text/csv' }
    };
    await engine.ensureSources(['weather', 'my_cars', 'flights', 'small', 'airports', 'not_a_source'], files);
    expect(await rows('select * from small order by k')).toEqual([
      { k: 1, label: 'a' },
      { k: 2, label: 'b' },
      { k: 3, label: 'c' },
      { k: 4, label: 'd' }
    ]);
    expect(await count('weather')).toBe(1461);
    expect(await count('my_cars')).toBe(406);
    expect(await count('flights')).toBe(200000);
    // The file named "airports" replaced the sample of that name.
    expect((await rows('describe airports')).map((r) => r.column_name)).toEqual(['origin', 'destination', 'count']);
  }, 60_000);

  it('loads a file again when its hash changes, and only then', async () => {
    uploads.set('v1', new TextEncoder().encode('x,y\n1,2\n'));
    uploads.set('v2', new TextEncoder().encode('x,y\n1,2\n3,4\n5,6\n'));
    const file = (hash: string): NotebookFiles => ({ points: { hash, name: 'points.csv', size: 1, type: 'text/csv' } });
    await engine.ensureSources(['points'], file('v1'));
    expect(await count('points')).toBe(1);
    const before = fetched.length;
    await engine.ensureSources(['points'], file('v1'));
    expect(fetched.length).toBe(before);
    await engine.ensureSources(['points'], file('v2'));
    expect(await count('points')).toBe(3);
  });

  it('fails with a clear error for a missing file or unreadable bytes, and tries again next time', async () => {
    const files: NotebookFiles = { gone: { hash: 'nope', name: 'gone.csv', size: 1, type: 'text/csv' } };
    const err = (await failure(engine.ensureSources(['gone'], files))) as QueryError;
    expect(err).toBeInstanceOf(QueryError);
    expect(err.message).toMatch(/Could not load gone from gone.csv: \/api\/files\/nope answered 404/);
    uploads.set('nope', new TextEncoder().encode('a\n1\n'));
    await engine.ensureSources(['gone'], files);
    expect(await count('gone')).toBe(1);
    uploads.set('junk', new TextEncoder().encode('not parquet at all'));
    const junk = (await failure(engine.ensureSources(['junk'], { junk: { hash: 'junk', name: 'junk.parquet', size: 1, type: '' } }))) as QueryError;
    expect(junk.message).toMatch(/^Could not load junk from junk.parquet: /);
    const docx = (await failure(engine.ensureSources(['doc'], { doc: { hash: 'x', name: 'report.docx', size: 1, type: 'application/msword' } }))) as QueryError;
    expect(docx.message).toMatch(/cannot read report.docx/);
  });

  it('makes a cell result win over a sample once registered, and loads the sample again after it is dropped', async () => {
    await engine.registerTable('cars', [{ only: 1 }]);
    await engine.ensureSources(['penguins']);
    expect(await count('cars')).toBe(1);
    await engine.dropTable('cars');
    await engine.ensureSources(['cars']);
    expect(await count('cars')).toBe(406);
  });
});

describe('DuckDbWasmEngine.schema', () => {
  it('lists tables and views with typed columns and row estimates, not DuckDB’s own or private tables', async () => {
    await engine.registerTable('schema_probe', [{ id: 1, label: 'x' }]);
    await drain('create or replace view schema_view as select id from schema_probe');
    const tables = await engine.schema();
    const probe = tables.find((t) => t.name === 'schema_probe');
    expect(probe).toEqual({
      schema: 'main',
      name: 'schema_probe',
      kind: 'table',
      columns: [
        { name: 'id', type: 'INTEGER', nullable: true },
        { name: 'label', type: 'VARCHAR', nullable: true }
      ],
      rowEstimate: 1
    });
    expect(tables.find((t) => t.name === 'schema_view')).toMatchObject({ kind: 'view', columns: [{ name: 'id', type: 'INTEGER' }], rowEstimate: null });
    expect(tables.some((t) => t.name.startsWith('duckdb_') || t.name.startsWith('__cairn_') || t.schema === 'information_schema')).toBe(false);
  });
});

describe('DuckDbWasmEngine.tableNames (the SqlParser the graph uses)', () => {
  it('finds the tables a query reads, not CTE names', async () => {
    expect(await engine.tableNames('with a as (select * from flights_by_day) select * from a join airports on true')).toEqual(['airports', 'flights_by_day']);
  });

  it('never opens a file named in the query, and still finds the other tables', async () => {
    const deps = await sqlDependencies(engine, "select * from read_csv('https://example.invalid/x.csv') as r join notes n on true");
    expect(deps).toEqual({ ok: true, inputs: ['notes'] });
  });

  it('positions a syntax error in the original text, after $ parameters and non-ASCII text', async () => {
    const sql = "select 'é😀', $1, * fromm flights";
    const deps = await sqlDependencies(engine, sql);
    expect(deps.ok).toBe(false);
    if (!deps.ok) expect(deps.error.position).toBe(sql.indexOf('flights'));
  });

  it('does not see the data instance’s tables (it parses on an empty one)', async () => {
    expect(await engine.tableNames('select * from airports join no_such on true')).toEqual(['airports', 'no_such']);
  });
});

describe('RecordBatch results', () => {
  it('are Arrow record batches whose columns read without row objects', async () => {
    const result = await engine.run('select range::int as n from range(5)', []);
    const batches: RecordBatch[] = [];
    for await (const b of result.batches) batches.push(b);
    expect(Array.from(batches[0].getChild('n')!.toArray() as Int32Array)).toEqual([0, 1, 2, 3, 4]);
  });
});
