import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockingDuckDb } from '../support/duckdb.js';
import { DuckDbSqlParser, sqlDependencies, type SqlParser } from '../../kernels/graph/index.js';
import { NodeSqlParser } from '../../kernels/duckdb-node/sql-parser.js';

/**
 * The server's parser (json_serialize_sql in DuckDB for Node) must find the same tables as
 * the browser's (DuckDB-WASM's getTableNames): a report's dataflow on the server is then
 * the notebook's in the browser.
 */
const CORPUS = [
  'with a as (select * from flights_by_day) select * from a join airports on true where x in (select y from z)',
  'with recursive r as (select 1 as n union all select n + 1 from r where n < 3) select * from r',
  'select * from range(10)',
  'select * from b union all select * from a;',
  'from flights select count(*)',
  'select * from "My Table"',
  "select * from flights where origin = $1 and dest = $dest and day = ? and note = '$2'",
  'select * from main.airports a join flights f using (origin)',
  'select count(*) from (select * from penguins natural join islands) t',
  'select (select max(delay) from flights) as worst, * from airports where iata in (select origin from routes)'
];

let wasm: SqlParser;
const node = new NodeSqlParser();

beforeAll(async () => {
  wasm = new DuckDbSqlParser((await blockingDuckDb()).connect());
}, 60_000);

afterAll(() => node.close());

async function names(parser: SqlParser, sql: string): Promise<string[]> {
  const deps = await sqlDependencies(parser, sql);
  if (!deps.ok) throw new Error(deps.error.message);
  return deps.inputs;
}

describe('NodeSqlParser', () => {
  it.each(CORPUS)('finds what DuckDB-WASM finds: %s', async (sql) => {
    expect(await names(node, sql)).toEqual(await names(wasm, sql));
  });

  it('reports a syntax error with its position in the original text (parameters and non-ASCII before it)', async () => {
    const deps = await sqlDependencies(node, "select $1, 'é' as x, * fromm flights");
    expect(deps.ok).toBe(false);
    if (!deps.ok) {
      expect(deps.error.message).toMatch(/syntax error at or near "flights"/);
      expect(deps.error.position).toBe("select $1, 'é' as x, * fromm ".length);
    }
  });
});
