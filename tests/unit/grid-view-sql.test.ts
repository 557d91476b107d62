import type * as duckdb from '@duckdb/duckdb-wasm/blocking';
import { blockingDuckDb } from '../support/duckdb.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  EMPTY_VIEW,
  filterToInput,
  parseFilterInput,
  quoteIdent,
  setFilter,
  toggleSort,
  viewToSql,
  type GridView
} from '../../src/lib/grid/view-sql.js';

let conn: duckdb.DuckDBConnection;

beforeAll(async () => {
  // The real DuckDB-WASM (Node build) runs every SQL the tests build, with its parameters bound.
  const db = await blockingDuckDb();
  conn = db.connect();
  conn.query(`create table "we""ird" as select * from (values
    (1, 'Seattle', 10.5, date '2024-01-01'),
    (2, 'zürich', null, date '2024-02-01'),
    (3, 'New York', 3.0, date '2024-03-01'),
    (4, null, 7.25, null),
    (5, 'o''hare; drop table x --', 1.0, date '2024-05-01')
  ) t("id", "city name", amount, day)`);
}, 60_000);

/** Run `view` over the weird table (or a query) and return the ids, in order. */
function ids(view: GridView, source: string | { table: string } = { table: 'we"ird' }): number[] {
  const { sql, params } = viewToSql(source, view);
  const stmt = conn.prepare(sql);
  try {
    return stmt.query(...params).toArray().map((r) => Number(r.id));
  } finally {
    stmt.close();
  }
}

const view = (v: Partial<GridView>): GridView => ({ ...EMPTY_VIEW, ...v });

describe('viewToSql', () => {
  it('selects a quoted table name or wraps a query, with nothing to bind for an empty view', () => {
    expect(viewToSql({ table: 'flights' }, EMPTY_VIEW)).toEqual({ sql: 'SELECT * FROM "flights"', params: [] });
    expect(viewToSql({ table: 't', schema: 'main' }, EMPTY_VIEW).sql).toBe('SELECT * FROM "main"."t"');
    expect(viewToSql('select 1 as id;  ', EMPTY_VIEW).sql).toBe('SELECT * FROM (\nselect 1 as id\n) AS "_cairn_source"');
  });

  it('quotes identifiers and doubles the quotes inside them', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteIdent('select')).toBe('"select"');
    expect(() => quoteIdent('a\u0000b')).toThrow();
  });

  it('binds values as $n parameters and never puts them in the text', () => {
    const { sql, params } = viewToSql({ table: 't' }, view({ filters: [{ column: 'city', op: '=', value: "o'hare; drop table x" }, { column: 'n', op: '>', value: 5 }] }));
    expect(sql).toBe('SELECT * FROM "t"\nWHERE "city" = $1\n  AND "n" > $2');
    expect(params).toEqual(["o'hare; drop table x", 5]);
    expect(sql).not.toContain('hare');
  });

  it('numbers parameters from firstParam so the SQL can join a query that has its own', () => {
    const { sql } = viewToSql({ table: 't' }, view({ filters: [{ column: 'a', op: '=', value: 1 }] }), { firstParam: 3 });
    expect(sql).toContain('"a" = $3');
  });

  it('sorts with NULLS LAST in both directions, in the order given', () => {
    const { sql } = viewToSql({ table: 't' }, view({ orderBy: [{ column: 'b', dir: 'desc' }, { column: 'a', dir: 'asc' }] }));
    expect(sql).toBe('SELECT * FROM "t"\nORDER BY "b" DESC NULLS LAST, "a" ASC NULLS LAST');
  });

  it('rejects unknown operators, directions and bad limits instead of writing them into SQL', () => {
    expect(() => viewToSql({ table: 't' }, view({ filters: [{ column: 'a', op: '; drop' as never, value: 1 }] }))).toThrow(/unknown filter operator/);
    expect(() => viewToSql({ table: 't' }, view({ orderBy: [{ column: 'a', dir: 'up' as never }] }))).toThrow(/sort direction/);
    expect(() => viewToSql({ table: 't' }, EMPTY_VIEW, { limit: 1.5 })).toThrow(/limit/);
    expect(viewToSql({ table: 't' }, EMPTY_VIEW, { limit: 10 }).sql).toBe('SELECT * FROM "t"\nLIMIT 10');
  });

  it('turns = null and != null into IS NULL tests', () => {
    expect(viewToSql({ table: 't' }, view({ filters: [{ column: 'a', op: '=', value: null }] }))).toEqual({ sql: 'SELECT * FROM "t"\nWHERE "a" IS NULL', params: [] });
    expect(viewToSql({ table: 't' }, view({ filters: [{ column: 'a', op: '!=', value: null }] })).sql).toContain('"a" IS NOT NULL');
  });
});

describe('viewToSql on DuckDB', () => {
  it('sorts ascending and descending with nulls last', () => {
    expect(ids(view({ orderBy: [{ column: 'amount', dir: 'asc' }] }))).toEqual([5, 3, 4, 1, 2]);
    expect(ids(view({ orderBy: [{ column: 'amount', dir: 'desc' }] }))).toEqual([1, 4, 3, 5, 2]);
  });

  it('filters text case-insensitively with contains, starts_with and not_contains', () => {
    expect(ids(view({ filters: [{ column: 'city name', op: 'contains', value: 'ZÜR' }] }))).toEqual([2]);
    expect(ids(view({ filters: [{ column: 'city name', op: 'starts_with', value: 'new' }] }))).toEqual([3]);
    expect(ids(view({ filters: [{ column: 'city name', op: 'not_contains', value: 'e' }], orderBy: [{ column: 'id', dir: 'asc' }] }))).toEqual([2, 4]);
  });

  it('treats wildcard and quote characters in a value as plain text', () => {
    expect(ids(view({ filters: [{ column: 'city name', op: 'contains', value: '%' }] }))).toEqual([]);
    expect(ids(view({ filters: [{ column: 'city name', op: '=', value: "o'hare; drop table x --" }] }))).toEqual([5]);
    expect(ids(view({ filters: [{ column: 'city name', op: 'contains', value: "O'HARE; DROP" }] }))).toEqual([5]);
  });

  it('compares numbers and dates given as typed text, and tests for null', () => {
    expect(ids(view({ filters: [{ column: 'amount', op: '>=', value: 7.25 }], orderBy: [{ column: 'id', dir: 'asc' }] }))).toEqual([1, 4]);
    expect(ids(view({ filters: [{ column: 'day', op: '<', value: '2024-02-15' }], orderBy: [{ column: 'id', dir: 'asc' }] }))).toEqual([1, 2]);
    expect(ids(view({ filters: [{ column: 'amount', op: 'is_null', value: null }] }))).toEqual([2]);
    expect(ids(view({ filters: [{ column: 'amount', op: 'not_null', value: null }, { column: 'id', op: '<=', value: 3 }], orderBy: [{ column: 'id', dir: 'desc' }] }))).toEqual([3, 1]);
  });

  it('wraps a source query, even one ending in a comment or a semicolon', () => {
    expect(ids(view({ orderBy: [{ column: 'id', dir: 'desc' }] }), 'select * from "we""ird" where id < 4 -- only the first three\n;')).toEqual([3, 2, 1]);
  });
});

describe('parseFilterInput', () => {
  it('reads comparison operators, with numbers for numeric columns', () => {
    expect(parseFilterInput('n', '> 10', 'number')).toEqual({ column: 'n', op: '>', value: 10 });
    expect(parseFilterInput('n', '<=1,000.5', 'number')).toEqual({ column: 'n', op: '<=', value: 1000.5 });
    expect(parseFilterInput('n', '<> 3', 'number')).toEqual({ column: 'n', op: '!=', value: 3 });
    expect(parseFilterInput('d', '>= 2024-01-01', 'other')).toEqual({ column: 'd', op: '>=', value: '2024-01-01' });
  });

  it('keeps integers beyond 2^53 as text so the engine casts them exactly', () => {
    expect(parseFilterInput('n', '= 9007199254740993', 'number')).toEqual({ column: 'n', op: '=', value: '9007199254740993' });
  });

  it('keeps a number typed for a decimal column as exact text, exponents written out', () => {
    expect(parseFilterInput('m', '> 0.1', 'decimal')).toEqual({ column: 'm', op: '>', value: '0.1' });
    expect(parseFilterInput('m', '1,234.50', 'decimal')).toEqual({ column: 'm', op: '=', value: '1234.50' });
    expect(parseFilterInput('m', '< 2.5e-3', 'decimal')).toEqual({ column: 'm', op: '<', value: '0.0025' });
    expect(parseFilterInput('m', '>= 1E3', 'decimal')).toEqual({ column: 'm', op: '>=', value: '1000' });
    expect(parseFilterInput('m', 'NaN', 'decimal')).toEqual({ column: 'm', op: '=', value: 'NaN' });
  });

  it('reads a bare word as contains on text and as equals elsewhere', () => {
    expect(parseFilterInput('s', 'sea', 'text')).toEqual({ column: 's', op: 'contains', value: 'sea' });
    expect(parseFilterInput('n', '42', 'number')).toEqual({ column: 'n', op: '=', value: 42 });
    expect(parseFilterInput('b', 'true', 'other')).toEqual({ column: 'b', op: '=', value: 'true' });
  });

  it('reads null tests, prefixes, negation and quotes; blank is no filter', () => {
    expect(parseFilterInput('s', 'null', 'text')).toEqual({ column: 's', op: 'is_null', value: null });
    expect(parseFilterInput('s', '!null', 'text')).toEqual({ column: 's', op: 'not_null', value: null });
    expect(parseFilterInput('s', '^New', 'text')).toEqual({ column: 's', op: 'starts_with', value: 'New' });
    expect(parseFilterInput('s', '!york', 'text')).toEqual({ column: 's', op: 'not_contains', value: 'york' });
    expect(parseFilterInput('s', '"null"', 'text')).toEqual({ column: 's', op: 'contains', value: 'null' });
    expect(parseFilterInput('s', '   ', 'text')).toBeNull();
  });

  it('round-trips through filterToInput', () => {
    for (const [input, kind] of [['> 10', 'number'], ['sea', 'text'], ['^New', 'text'], ['!york', 'text'], ['null', 'text'], ['!null', 'number'], ['= x', 'other']] as const) {
      const f = parseFilterInput('c', input, kind)!;
      expect(parseFilterInput('c', filterToInput(f), kind)).toEqual(f);
    }
  });
});

describe('sort and filter state', () => {
  it('cycles a header through asc, desc and none', () => {
    let v = toggleSort(EMPTY_VIEW, 'a', false);
    expect(v.orderBy).toEqual([{ column: 'a', dir: 'asc' }]);
    v = toggleSort(v, 'a', false);
    expect(v.orderBy).toEqual([{ column: 'a', dir: 'desc' }]);
    expect(toggleSort(v, 'a', false).orderBy).toEqual([]);
  });

  it('replaces the sort on a plain click and adds to it on shift-click', () => {
    const a = toggleSort(EMPTY_VIEW, 'a', false);
    expect(toggleSort(a, 'b', false).orderBy).toEqual([{ column: 'b', dir: 'asc' }]);
    const ab = toggleSort(a, 'b', true);
    expect(ab.orderBy).toEqual([{ column: 'a', dir: 'asc' }, { column: 'b', dir: 'asc' }]);
    expect(toggleSort(ab, 'a', true).orderBy).toEqual([{ column: 'a', dir: 'desc' }, { column: 'b', dir: 'asc' }]);
  });

  it('keeps one filter per column and removes it with null', () => {
    let v = setFilter(EMPTY_VIEW, 'a', { column: 'a', op: '>', value: 1 });
    v = setFilter(v, 'a', { column: 'a', op: '<', value: 5 });
    expect(v.filters).toEqual([{ column: 'a', op: '<', value: 5 }]);
    expect(setFilter(v, 'a', null).filters).toEqual([]);
    expect(EMPTY_VIEW.filters).toEqual([]);
  });
});
