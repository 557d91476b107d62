import { describe, expect, it } from 'vitest';
import { buildGraph, composeServerSql, type GraphCell } from '../../kernels/graph/index.js';

const sql = (id: string, engine: string, source: string, inputs: string[]): GraphCell => ({ id, name: id, kind: 'sql', engine, source, inputs });

const cells: GraphCell[] = [
  sql('orders_2024', 'pg', 'select * from orders where year = 2024;', ['orders']),
  sql('by_region', 'pg', 'select region, sum(total) as total from orders_2024 group by region', ['orders_2024']),
  sql('top', 'pg', '-- the best\nWITH RECURSIVE t AS (select 1) select * from by_region, t', ['by_region', 't']),
  sql('local', 'browser', 'select * from top', ['top']),
  sql('back', 'pg', 'select * from local', ['local']),
  sql('other', 'mysql', 'select * from by_region', ['by_region']),
  sql('sample', 'pg', 'select * from flights_3m', ['flights_3m']),
  { id: 'js', name: 'js', kind: 'js', source: '1', inputs: [] },
  sql('fromjs', 'pg', 'select * from js', ['js'])
];
const graph = buildGraph(cells, [{ name: 'flights_3m', kind: 'sample', key: 'sample:flights-3m.parquet' }]);

describe('composeServerSql', () => {
  it('sends a cell that reads only warehouse tables as written, minus the trailing semicolon', () => {
    const r = composeServerSql(graph, 'orders_2024', 'postgres');
    expect(r).toMatchObject({ ok: true, sql: 'select * from orders where year = 2024', inlined: [] });
  });

  it('inlines upstream cells on the same connection as CTEs, deepest first', () => {
    const r = composeServerSql(graph, 'by_region', 'postgres');
    expect(r).toMatchObject({
      ok: true,
      sql: 'with "orders_2024" as (\nselect * from orders where year = 2024\n)\nselect region, sum(total) as total from orders_2024 group by region',
      inlined: ['orders_2024']
    });
    if (!r.ok) return;
    // An error the database puts at `sum` points at `sum` in the cell's own text.
    expect(r.toCellOffset(r.sql.indexOf('sum('))).toBe('select region, '.length);
    expect(r.toCellOffset(r.sql.indexOf('year'))).toBeNull();
  });

  it("joins the cell's own WITH RECURSIVE list instead of nesting a second WITH", () => {
    const r = composeServerSql(graph, 'top', 'mysql');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.inlined).toEqual(['orders_2024', 'by_region']);
    expect(r.sql.startsWith('-- the best\nWITH RECURSIVE `orders_2024` as (')).toBe(true);
    expect(r.sql).toContain('`by_region` as (\nselect region');
    expect(r.sql.endsWith('),\n t AS (select 1) select * from by_region, t')).toBe(true);
    const source = cells[2].source!;
    expect(r.toCellOffset(r.sql.lastIndexOf('by_region, t'))).toBe(source.indexOf('by_region, t'));
    expect(r.toCellOffset(r.sql.indexOf('the best'))).toBe(source.indexOf('the best'));
  });

  it('refuses browser results, other connections, JS values and samples with a message naming them', () => {
    for (const [id, name, phrase] of [
      ['back', 'local', 'browser (DuckDB-WASM) result'],
      ['other', 'by_region', 'another connection'],
      ['fromjs', 'js', 'JavaScript cell'],
      ['sample', 'flights_3m', 'bundled sample']
    ] as const) {
      const r = composeServerSql(graph, id, 'postgres');
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.name).toBe(name);
      expect(r.message).toContain(phrase);
    }
  });

  it('lets a connection that has the bundled samples read them', () => {
    expect(composeServerSql(graph, 'sample', 'duckdb', { hasSamples: true })).toMatchObject({ ok: true, sql: 'select * from flights_3m' });
  });
});
