import { blockingDuckDb } from '../support/duckdb.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDbSqlParser, sqlDependencies, type SqlParser } from '../../kernels/graph/index.js';

let parser: SqlParser;

beforeAll(async () => {
  const db = await blockingDuckDb();
  parser = new DuckDbSqlParser(db.connect());
}, 60_000);

/**
 * getTableNames binds as well as parses, and binding these constructs needs the tables'
 * columns, which the parser's empty instance does not have. They are ordinary SQL, so the
 * cells using them must still find their inputs.
 */
describe('sqlDependencies on constructs whose binding needs columns', () => {
  const cases: Array<[string, string[]]> = [
    ['select * from orders join customers using (customer_id)', ['customers', 'orders']],
    ['select * from a left join b using (id, day) join c using (id)', ['a', 'b', 'c']],
    ['select * from a natural join b', ['a', 'b']],
    ['select * from a natural left outer join b', ['a', 'b']],
    ['select * from trades asof join quotes on trades.t >= quotes.t', ['quotes', 'trades']],
    ['select * from trades asof left join quotes using (symbol, t)', ['quotes', 'trades']],
    ["select columns('delay_.*') from flights", ['flights']],
    ["select max(columns(* exclude (id))) from t where name = 'using (x)'", ['t']]
  ];
  for (const [sql, expected] of cases) {
    it(sql, async () => {
      const deps = await sqlDependencies(parser, sql);
      if (!deps.ok) throw new Error(deps.error.message);
      expect(deps.inputs).toEqual(expected);
    });
  }

  it('still reports a real syntax error with its position', async () => {
    const deps = await sqlDependencies(parser, 'selec * from t join u using (id)');
    expect(deps.ok).toBe(false);
    if (!deps.ok) expect(deps.error.position).toBe(0);
  });
});
