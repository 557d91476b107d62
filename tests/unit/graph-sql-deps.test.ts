import { blockingDuckDb } from '../support/duckdb.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDbSqlParser, neutralizeParameters, sqlDependencies, type SqlParser } from '../../kernels/graph/index.js';

let parser: SqlParser;

beforeAll(async () => {
  // The real DuckDB-WASM, Node build: the same parser the browser's worker runs.
  const db = await blockingDuckDb();
  parser = new DuckDbSqlParser(db.connect());
}, 60_000);

async function tables(sql: string): Promise<string[]> {
  const deps = await sqlDependencies(parser, sql);
  if (!deps.ok) throw new Error(`unexpected failure: ${deps.error.message}`);
  return deps.inputs;
}

describe('sqlDependencies through DuckDB-WASM', () => {
  it('finds tables in joins and subqueries, and does not count CTE names', async () => {
    const sql = 'with a as (select * from flights_by_day) select * from a join airports on true where x in (select y from z)';
    expect(await tables(sql)).toEqual(['airports', 'flights_by_day', 'z']);
  });

  it('does not count a recursive CTE or table functions', async () => {
    expect(await tables('with recursive r as (select 1 as n union all select n + 1 from r where n < 3) select * from r')).toEqual([]);
    expect(await tables('select * from range(10)')).toEqual([]);
  });

  it('reads unions, FROM-first syntax, and a trailing semicolon', async () => {
    expect(await tables('select * from b union all select * from a;')).toEqual(['a', 'b']);
    expect(await tables('from flights select count(*)')).toEqual(['flights']);
  });

  it('keeps a quoted name as written', async () => {
    expect(await tables('select * from "My Table"')).toEqual(['My Table']);
  });

  it('reads nothing from an empty cell', async () => {
    expect(await tables('  -- nothing yet\n')).toEqual([]);
  });

  it('accepts $1, $name and ? parameters, which can never name a table', async () => {
    expect(await tables("select * from flights where origin = $1 and dest = $dest and day = ? and note = '$2'")).toEqual(['flights']);
  });

  it('returns a syntax error as a value with its position in the original text', async () => {
    const deps = await sqlDependencies(parser, 'select $1, * fromm flights');
    expect(deps.ok).toBe(false);
    if (!deps.ok) {
      expect(deps.error.message).toMatch(/syntax error at or near "flights"/);
      expect(deps.error.position).toBe('select $1, * fromm '.length);
    }
  });

  it('says so when DuckDB cannot tell the tables of valid SQL, rather than guessing', async () => {
    // Valid SQL whose binding opens a file that is not there.
    const deps = await sqlDependencies(parser, "select * from read_csv('no/such/file.csv')");
    expect(deps.ok).toBe(false);
    expect(!deps.ok && deps.error.message).toMatch(/^could not find the tables this query reads: /);
  });
});

describe('neutralizeParameters', () => {
  it('replaces placeholders outside strings, identifiers, comments and dollar quotes', () => {
    const { text } = neutralizeParameters(`select $1, '$2', "$3", $tag$ ? $tag$, ? -- $4\n/* ? */ $x`);
    expect(text).toBe(`select NULL, '$2', "$3", $tag$ ? $tag$, NULL -- $4\n/* ? */ NULL`);
  });

  it('maps offsets in the rewritten text back to the original', () => {
    const { text, toOriginal } = neutralizeParameters('select ?, x');
    expect(text).toBe('select NULL, x');
    expect(toOriginal(text.indexOf('x'))).toBe('select ?, '.length);
  });
});
