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
    ["select max(columns(* exclude (id))) from t where name = 'using (x)'", ['t']],
    // UNPIVOT binds the columns it names; PIVOT without IN first queries the values.
    ['unpivot monthly_sales on jan, feb, mar into name month value sales', ['monthly_sales']],
    ['unpivot monthly_sales on jan, feb', ['monthly_sales']],
    ['select * from monthly_sales unpivot (sales for month in (jan, feb, mar))', ['monthly_sales']],
    ['select * from monthly_sales unpivot include nulls (sales for month in (jan, "feb"))', ['monthly_sales']],
    ['with s as (select * from raw_sales) unpivot s on jan, feb into name month value sales', ['raw_sales']],
    ['select m.*, r.region from (unpivot monthly_sales on q1, q2 into name q value v) m join regions r using (id)', ['monthly_sales', 'regions']],
    ["unpivot (select * from a join b using (id)) on columns('q.*') into name q value v", ['a', 'b']],
    ['pivot cities on year using sum(population)', ['cities']],
    ['pivot (select * from cities join countries using (country)) on year using sum(population) group by country', ['cities', 'countries']]
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
