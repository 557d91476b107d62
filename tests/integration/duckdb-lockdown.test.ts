import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryError, type RunResult } from '../../kernels/engine.js';
import { createDuckDbEngine, resolveDatabasePath, type DuckDbEngine } from '../../kernels/duckdb-node/index.js';
import { defaultSamplesDir } from '../../kernels/duckdb-node/samples.js';
import { SAMPLES } from '../../kernels/samples.js';
import { buildEngine } from '../../server/connections/engines.js';
import { ConnectionInput } from '../../server/connections/shapes.js';
import { duckdbKind } from '../../kernels/duckdb-node/kind.js';

const DuckDbConfig = duckdbKind.configSchema;

async function rows(result: RunResult): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const batch of result.batches) for (const row of batch) out.push(row!.toJSON() as Record<string, unknown>);
  return out;
}

async function query(engine: DuckDbEngine, sql: string): Promise<Record<string, unknown>[]> {
  return rows(await engine.run(sql, []));
}

/** The error a run fails with (fails the test when it succeeds). */
async function failure(engine: DuckDbEngine, sql: string): Promise<QueryError> {
  try {
    await rows(await engine.run(sql, []));
  } catch (e) {
    expect(e).toBeInstanceOf(QueryError);
    return e as QueryError;
  }
  throw new Error(`expected ${sql} to fail`);
}

const dir = mkdtempSync(join(tmpdir(), 'cairn-lockdown-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A copy of the sample files: the tests try to write into the samples' folder, and a
// regression must not leave files in the installed package.
const samplesDir = join(dir, 'samples');
mkdirSync(samplesDir);
for (const sample of SAMPLES) copyFileSync(join(defaultSamplesDir(), sample.file), join(samplesDir, sample.file));

/** Each kind of server database: in memory with the samples or a file, read-only or not. */
const VARIANTS = [
  { label: 'in-memory, read-only', file: null, readOnly: true },
  { label: 'in-memory, read-write', file: null, readOnly: false },
  { label: 'file-backed, read-only', file: 'ro.duckdb', readOnly: true },
  { label: 'file-backed, read-write', file: 'rw.duckdb', readOnly: false }
] as const;

describe.each(VARIANTS)('a server DuckDB database ($label)', ({ file, readOnly }) => {
  let engine: DuckDbEngine;
  /** A path outside every allowed directory, unique to this database. */
  const outside = (name: string) => join(dir, `${file ?? 'memory'}-${readOnly ? 'ro' : 'rw'}-${name}`);

  beforeAll(async () => {
    const path = file ? resolveDatabasePath(dir, file) : undefined;
    if (path && readOnly) {
      // A read-only database needs a file to open: make one first.
      const maker = createDuckDbEngine({ path }, { id: 'maker', readOnly: false, threads: 1 });
      await query(maker, 'create table kept as select 1 as x');
      await maker.close();
    }
    engine = createDuckDbEngine({ path }, { id: 'locked', readOnly, maxConnections: 1, threads: 1, memoryLimit: '512MB', samplesDir });
    await engine.ping();
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('refuses EXPLAIN ANALYZE, which would run the statement, and makes no table', async () => {
    for (const sql of ['explain analyze create table t as select 1', '/* hi */ EXPLAIN (ANALYZE) create table t as select 1', 'explain analyse create table t as select 1']) {
      expect((await failure(engine, sql)).message).toMatch(/EXPLAIN ANALYZE is refused: it runs the statement/);
    }
    expect(await query(engine, "select count(*)::int as n from duckdb_tables() where table_name = 't'")).toEqual([{ n: 0 }]);
    // A plain EXPLAIN still shows the plan.
    expect((await query(engine, 'explain select 42')).length).toBeGreaterThan(0);
  });

  it.each([["select * from read_text('/proc/self/environ')"], ["select * from read_csv('/etc/passwd')"], ["select * from read_blob('/etc/hostname')"], ["select * from glob('/*')"]])(
    'cannot read files outside the allowed directories: %s',
    async (sql) => {
      expect((await failure(engine, sql)).message).toMatch(/Permission Error: Cannot access file .* file system operations are disabled by configuration/);
    }
  );

  it('writes no file outside the allowed directories: COPY, EXPORT and ATTACH fail', async () => {
    // DuckDB refuses COPY's path itself while preparing it, before the statement check sees it.
    const copy = outside('x.csv');
    expect((await failure(engine, `copy (select 1) to '${copy}'`)).message).toMatch(/Permission Error: Cannot access file/);
    expect((await failure(engine, `explain analyze copy (select 1) to '${copy}'`)).message).toMatch(/Permission Error/);
    expect(existsSync(copy)).toBe(false);
    const exported = outside('export');
    expect((await failure(engine, `export database '${exported}'`)).message).toMatch(/Permission Error/);
    expect(existsSync(exported)).toBe(false);
    const attached = outside('x.db');
    expect((await failure(engine, `attach '${attached}'`)).message).toMatch(/Permission Error/);
    expect(existsSync(attached)).toBe(false);
  });

  it("writes nothing into the samples' folder either, though DuckDB would allow it", async () => {
    const copy = join(samplesDir, `${file ?? 'memory'}-${readOnly}.csv`);
    const attached = join(samplesDir, `${file ?? 'memory'}-${readOnly}.db`);
    if (file === null) {
      expect((await failure(engine, `copy (select 1) to '${copy}'`)).message).toMatch(/Permission Error: COPY statements are refused on server connections/);
      expect((await failure(engine, `attach '${attached}'`)).message).toMatch(/Permission Error: ATTACH statements are refused on server connections/);
      expect((await failure(engine, `prepare p as select 1`)).message).toMatch(/Permission Error: PREPARE statements are refused/);
    } else {
      // A database file is not allowed the samples' folder at all.
      expect((await failure(engine, `copy (select 1) to '${copy}'`)).message).toMatch(/Permission Error: Cannot access file/);
      expect((await failure(engine, `select * from read_csv('${join(samplesDir, 'airports.csv')}')`)).message).toMatch(/Permission Error: Cannot access file/);
    }
    expect(existsSync(copy)).toBe(false);
    expect(existsSync(attached)).toBe(false);
  });

  it('keeps its configuration: external access, memory and threads cannot be SET back', async () => {
    for (const sql of ['set enable_external_access = true', "set memory_limit = '100GB'", 'set threads = 8', 'reset enable_external_access', "set allowed_directories = ['/']"]) {
      const message = (await failure(engine, sql)).message;
      expect(message).toMatch(readOnly ? /read-only: (SET|VARIABLE_SET) statements are refused/ : /the configuration has been locked/);
    }
    const [settings] = await query(
      engine,
      "select current_setting('enable_external_access') as external, current_setting('memory_limit') as memory, current_setting('threads')::int as threads, current_setting('lock_configuration') as locked"
    );
    expect(settings).toEqual({ external: false, memory: '488.2 MiB', threads: 1, locked: true });
  });

  it('installs and loads no extension', async () => {
    expect((await failure(engine, 'install httpfs')).message).toMatch(/Permission Error: LOAD statements are refused/);
    expect((await failure(engine, 'load httpfs')).message).toMatch(/Permission Error: LOAD statements are refused/);
  });

  it('refuses table functions that go around the locked configuration, and keeps working', async () => {
    expect((await failure(engine, "select * from enable_logging(storage='file', storage_path='/tmp')")).message).toMatch(/enable_logging\(\) is not available/);
    expect((await failure(engine, 'select * from "query"/**/(\'select 1\')')).message).toMatch(/query\(\) is not available/);
    expect(await query(engine, 'select 1 as x')).toEqual([{ x: 1 }]);
  });

  if (readOnly) {
    it.each([['pragma enable_profiling'], ['call pragma_version()'], ['set search_path = main'], ['create table t (a int)']])('refuses %s as not a query', async (sql) => {
      expect((await failure(engine, sql)).message).toMatch(/this connection is read-only: (PRAGMA|CALL|SET|CREATE) statements are refused/);
    });
  }

  if (file === null) {
    it('still queries the bundled samples', async () => {
      expect(await query(engine, 'select count(*)::int as n from flights_200k')).toEqual([{ n: 200_000 }]);
      expect(await query(engine, 'select count(*)::int as n from airports')).toEqual([{ n: 3_376 }]);
      expect(await query(engine, 'select count(*)::int as n from penguins')).toEqual([{ n: 344 }]);
      expect(await query(engine, "select count(*)::int as n from flights_3m where origin = 'SEA'")).toEqual([{ n: expect.any(Number) }]);
    });
  } else {
    it('reads its own tables but not the sample files', async () => {
      if (readOnly) expect(await query(engine, 'select x from kept')).toEqual([{ x: 1 }]);
      else {
        await query(engine, 'create table sales as select 2 as y');
        expect(await query(engine, 'select y from sales')).toEqual([{ y: 2 }]);
      }
      expect((await failure(engine, 'select * from airports')).message).toMatch(/Catalog Error/);
    });
  }
});

describe('a DuckDB connection path', () => {
  it.each([
    ['../x.duckdb', /contains "\.\."/],
    ['team/../../x.duckdb', /contains "\.\."/],
    ['/abs/x.duckdb', /absolute path/],
    ['C:/x.duckdb', /absolute path/],
    ['team\\x.duckdb', /backslash/],
    ['x\u0000.duckdb', /NUL/],
    ['.hidden.duckdb', /characters or empty parts/],
    ['team//x.duckdb', /characters or empty parts/],
    ['sales db.duckdb', /characters or empty parts/]
  ])('refuses %j in the connection form, naming the rule', (path, problem) => {
    const parsed = ConnectionInput.safeParse({ name: 'x', kind: 'duckdb', config: { path } });
    expect(parsed.success).toBe(false);
    const message = parsed.error!.issues[0]!.message;
    expect(message).toMatch(problem);
    expect(message).toMatch(/a name inside the data directory's duckdb\/ folder, like sales\.duckdb or team\/sales\.duckdb/);
    expect(() => resolveDatabasePath(dir, path)).toThrow(problem);
  });

  it('accepts a plain name and none at all (in-memory)', () => {
    for (const path of ['sales.duckdb', 'team/sales.duckdb', 'a_b-c.1.db', '', undefined]) expect(DuckDbConfig.safeParse({ path }).success).toBe(true);
  });

  it("resolves a name under the data directory's duckdb/ folder", () => {
    expect(resolveDatabasePath('/srv/cairn', 'team/sales.duckdb')).toBe('/srv/cairn/duckdb/team/sales.duckdb');
  });

  it('is where a connection built by the server writes its database', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cairn-data-'));
    const settings = { id: 'c1', kind: 'duckdb' as const, config: { path: 'team/sales.duckdb' }, options: { statementTimeoutMs: 10_000, maxConnections: 1, rowLimit: 100, readOnly: false, acceptPrivilegedAccount: false } };
    const engine = buildEngine(settings, dataDir) as DuckDbEngine;
    try {
      await rows(await engine.run('create table t as select 1 as x', []));
    } finally {
      await engine.close();
    }
    expect(existsSync(join(dataDir, 'duckdb', 'team', 'sales.duckdb'))).toBe(true);
    expect(() => buildEngine({ ...settings, config: { path: '/etc/x.duckdb' } }, dataDir)).toThrow(/absolute path/);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
