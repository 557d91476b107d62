import type * as duckdb from '@duckdb/duckdb-wasm/blocking';
import { blockingDuckDb } from '../support/duckdb.js';
import { tableFromArrays } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileChart, measureLabel, rowsOf, type ChartColumn, type ChartConfig, type CompiledChart } from '../../src/lib/chart/compile.js';
import { columnKind, quoteIdent } from '../../src/lib/chart/sql.js';


let conn: duckdb.DuckDBConnection;
let columns: ChartColumn[];
const ROWS = 1_000_000;

/** Rows of a query as plain objects (small results only). */
function query(sql: string): Record<string, unknown>[] {
  return conn.query(sql).toArray().map((r) => ({ ...r.toJSON() }));
}

function compiled(config: ChartConfig, table = 'events'): CompiledChart {
  const out = compileChart(config, columns, table);
  if ('error' in out) throw new Error(`unexpected error: ${out.error.message}`);
  return out;
}

beforeAll(async () => {
  // The real DuckDB-WASM, Node build: the SQL runs exactly as the browser engine would run it.
  const db = await blockingDuckDb();
  conn = db.connect();
  conn.query(`create table events as select
      i::BIGINT as id,
      (i % 1000)::DOUBLE / 10 as v,
      ['red', 'green', 'blue', 'black', 'white'][(i % 5) + 1] as cat,
      ['n', 's'][(i % 2) + 1] as side,
      (date '2024-01-01' + (i % 366)::INTEGER) as d,
      (timestamp '2024-01-01 00:00:00' + to_seconds(i * 30)) as ts,
      (i % 7)::DOUBLE as "we""ird col",
      case when i % 10 = 0 then null else (i % 100)::INTEGER end as maybe
    from range(${ROWS}) t(i)`);
  columns = query('describe events').map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}, 120_000);

describe('columnKind', () => {
  it('reads DuckDB and Arrow type names', () => {
    expect(['BIGINT', 'DOUBLE', 'DECIMAL(18,3)', 'Int32', 'Float64', 'HUGEINT', 'UTINYINT'].map(columnKind)).toEqual(Array(7).fill('quantitative'));
    expect(['DATE', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'Timestamp<MICROSECOND>', 'Date32<DAY>'].map(columnKind)).toEqual(Array(5).fill('temporal'));
    expect(['VARCHAR', 'Utf8', 'BOOLEAN', 'Bool'].map(columnKind)).toEqual(Array(4).fill('nominal'));
  });
});

describe('compileChart errors', () => {
  it('names an unknown column and lists the ones that exist', () => {
    const out = compileChart({ mark: 'bar', x: 'nope' }, columns, 'events');
    expect(out).toMatchObject({ error: { field: 'x', message: expect.stringMatching(/Unknown column "nope" for x: events has id, v, cat/) } });
  });
  it('requires y for sum, mean and the like', () => {
    for (const aggregate of ['sum', 'mean', 'median', 'min', 'max']) {
      expect(compileChart({ mark: 'bar', x: 'cat', aggregate }, columns, 'events')).toMatchObject({ error: { field: 'y', message: `${aggregate} needs a y column to aggregate.` } });
    }
  });
  it('refuses to sum text and to bin a category', () => {
    expect(compileChart({ mark: 'bar', x: 'side', y: 'cat', aggregate: 'sum' }, columns, 'events')).toMatchObject({ error: { field: 'y', message: 'Cannot take the sum of "cat": it is not numeric.' } });
    expect(compileChart({ mark: 'bar', x: 'cat', bin: true }, columns, 'events')).toMatchObject({ error: { field: 'bin', message: 'Cannot bin x: "cat" is not numeric or temporal.' } });
  });
  it('rejects unknown marks, aggregates, sorts and bin counts', () => {
    expect(compileChart({ mark: 'pie', x: 'cat' }, columns, 'events')).toMatchObject({ error: { field: 'mark' } });
    expect(compileChart({ mark: 'bar', x: 'cat', aggregate: 'avg' }, columns, 'events')).toMatchObject({ error: { field: 'aggregate' } });
    expect(compileChart({ mark: 'bar', x: 'cat', sort: 'sideways' }, columns, 'events')).toMatchObject({ error: { field: 'sort' } });
    expect(compileChart({ mark: 'bar', x: 'v', bin: -3 }, columns, 'events')).toMatchObject({ error: { field: 'bin' } });
    expect(compileChart({ mark: 'bar', x: 'v', bin: 2.5 }, columns, 'events')).toMatchObject({ error: { field: 'bin' } });
  });
  it('needs x for every mark but box, y for rect and box', () => {
    expect(compileChart({ mark: 'line' }, columns, 'events')).toMatchObject({ error: { field: 'x' } });
    expect(compileChart({ mark: 'rect', x: 'v' }, columns, 'events')).toMatchObject({ error: { field: 'y' } });
    expect(compileChart({ mark: 'box' }, columns, 'events')).toMatchObject({ error: { field: 'y' } });
  });
});

describe('compileChart SQL, run on DuckDB-WASM', { timeout: 30_000 }, () => {
  it('quotes identifiers, so odd names work and cannot inject SQL', () => {
    expect(quoteIdent('we"ird col')).toBe('"we""ird col"');
    const chart = compiled({ mark: 'bar', x: 'we"ird col' });
    expect(chart.sql).toContain('"we""ird col"');
    expect(query(chart.sql)).toHaveLength(7);
    // A table name with a quote and a semicolon is one identifier, not a second statement.
    conn.query(`create table "x""; drop table events; --" as select 1 as a`);
    const evil = compileChart({ mark: 'bar', x: 'a' }, [{ name: 'a', type: 'INTEGER' }], 'x"; drop table events; --');
    if ('error' in evil) throw new Error(evil.error.message);
    expect(query(evil.sql)).toEqual([{ x: 1, y: 1 }]);
    expect(query('select count(*)::INTEGER as n from events')).toEqual([{ n: ROWS }]);
  });

  it('counts rows per category for a bar chart without y', () => {
    const chart = compiled({ mark: 'bar', x: 'cat' });
    expect(chart.params).toEqual([]);
    const rows = query(chart.sql);
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.y === ROWS / 5)).toBe(true);
    expect(rows.map((r) => r.x)).toEqual(['black', 'blue', 'green', 'red', 'white']);
  });

  it('aggregates y per x, color and facet group with each aggregate', () => {
    const expected: Record<string, string> = { sum: 'sum(v)', mean: 'avg(v)', median: 'median(v)', min: 'min(v)', max: 'max(v)', count: 'count(v)::DOUBLE' };
    for (const [aggregate, sql] of Object.entries(expected)) {
      const rows = query(compiled({ mark: 'bar', x: 'cat', y: 'v', color: 'side', facet: 'maybe', aggregate }).sql);
      const truth = query(`select cat as x, side as color, maybe::DOUBLE as facet, ${sql} as y from events group by all order by facet nulls last, color, x`);
      expect(rows.length).toBe(truth.length);
      expect(rows).toEqual(truth.map((t) => ({ x: t.x, color: t.color, facet: t.facet, y: t.y })));
    }
  });

  it('bins a numeric x into nice bins that cover every row', () => {
    const rows = query(compiled({ mark: 'bar', x: 'v', bin: 20 }).sql);
    // v runs 0 … 99.9: a step of 5 gives 20 bins [0, 5), [5, 10), …
    expect(rows).toHaveLength(20);
    expect(rows[0]).toMatchObject({ x1: 0, x2: 5 });
    expect(rows.at(-1)).toMatchObject({ x1: 95, x2: 100 });
    expect(rows.reduce((s, r) => s + (r.y as number), 0)).toBe(ROWS);
    expect(rows.every((r) => (r.x2 as number) - (r.x1 as number) === 5)).toBe(true);
  });

  it('bins a timestamp by calendar months, and a date by weeks', () => {
    // ts spans 1M × 30 s ≈ 347 days: 12 bins of about a month.
    const months = query(compiled({ mark: 'line', x: 'ts', bin: 12 }).sql);
    expect(months.length).toBeGreaterThanOrEqual(12);
    expect(months.length).toBeLessThanOrEqual(13);
    expect(new Date(months[0].x1 as number).toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(new Date(months[1].x1 as number).toISOString()).toBe('2024-02-01T00:00:00.000Z');
    expect(new Date(months[0].x2 as number).toISOString()).toBe('2024-02-01T00:00:00.000Z');
    const weeks = query(compiled({ mark: 'bar', x: 'd', bin: 60 }).sql);
    expect(weeks.length).toBeGreaterThan(50);
    expect(weeks.every((r) => (r.x2 as number) - (r.x1 as number) === 7 * 86400e3)).toBe(true);
    expect(weeks.reduce((s, r) => s + (r.y as number), 0)).toBe(ROWS);
  });

  it('groups a temporal x unbinned as epoch milliseconds, which Plot gets as Dates', () => {
    const chart = compiled({ mark: 'line', x: 'd', y: 'v', aggregate: 'mean' });
    const result = conn.query(chart.sql);
    expect(result.numRows).toBe(366);
    const rows = rowsOf(result, new Set(['x']));
    expect(rows[0].x).toEqual(new Date('2024-01-01T00:00:00Z'));
  });

  it('samples raw points for a dot chart without aggregate', () => {
    const chart = compiled({ mark: 'dot', x: 'v', y: 'id', color: 'cat' });
    expect(chart.sampled).toBe(true);
    expect(query(chart.sql)).toHaveLength(chart.rowLimit);
  });

  it('makes a 2-D binned heatmap for rect, by count or by an aggregate of color', () => {
    const counts = query(compiled({ mark: 'rect', x: 'v', y: 'we"ird col', bin: 10 }).sql);
    expect(counts.reduce((s, r) => s + (r.fill as number), 0)).toBe(ROWS);
    expect(Object.keys(counts[0])).toEqual(['x1', 'x2', 'y1', 'y2', 'fill']);
    const means = query(compiled({ mark: 'rect', x: 'cat', y: 'side', color: 'v', aggregate: 'mean' }).sql);
    expect(means).toHaveLength(10);
    expect(Object.keys(means[0])).toEqual(['x', 'y', 'fill']);
  });

  it('computes box quartiles and 1.5 × IQR whiskers per group in SQL', () => {
    const rows = query(compiled({ mark: 'box', x: 'cat', y: 'maybe' }).sql);
    expect(rows).toHaveLength(5);
    const truth = query(`select cat as x, quantile_cont(maybe, 0.25) as q1, median(maybe) as q2, quantile_cont(maybe, 0.75) as q3 from events where maybe is not null group by cat order by cat`);
    for (let i = 0; i < 5; i++) expect(rows[i]).toMatchObject(truth[i]);
    for (const r of rows) {
      expect(r.r1).toBeGreaterThanOrEqual((r.q1 as number) - 1.5 * ((r.q3 as number) - (r.q1 as number)));
      expect(r.r2).toBeLessThanOrEqual((r.q3 as number) + 1.5 * ((r.q3 as number) - (r.q1 as number)));
    }
    // No x: one box over everything.
    expect(query(compiled({ mark: 'box', y: 'v' }).sql)).toHaveLength(1);
  });

  it('turns a 1M-row table into a few hundred marks quickly', () => {
    const t0 = performance.now();
    const result = conn.query(compiled({ mark: 'area', x: 'ts', y: 'v', color: 'cat', bin: 100, aggregate: 'mean' }).sql);
    const ms = performance.now() - t0;
    console.log(`chart query over ${ROWS} rows: ${result.numRows} rows in ${ms.toFixed(0)} ms`);
    expect(result.numRows).toBeLessThan(1000);
  });
});

describe('Plot options', { timeout: 30_000 }, () => {
  it('builds marks over the result, with times as Dates and a tip', () => {
    const chart = compiled({ mark: 'bar', x: 'd', bin: 30, color: 'side', title: 'Per week' });
    const options = chart.plot(conn.query(chart.sql), { width: 500, dark: true, color: '#7c8bff' });
    expect(options.title).toBe('Per week');
    expect(options.width).toBe(500);
    expect(options.marks).toHaveLength(2);
    expect(options.x).toMatchObject({ type: 'utc', label: 'd' });
  });

  it('reads any Arrow-like table, such as one built by apache-arrow', () => {
    const chart = compiled({ mark: 'bar', x: 'cat', sort: '-y' });
    const table = tableFromArrays({ x: ['a', 'b'], y: new Float64Array([3, 5]) });
    expect(chart.plot(table).marks).toHaveLength(2);
  });
});

describe('the summary line names the measure the drawing computes', () => {
  it.each([
    [{ mark: 'bar', x: 'cat', y: 'v' }, 'sum(v)', 'sum('],
    [{ mark: 'area', x: 'cat', y: 'v' }, 'sum(v)', 'sum('],
    [{ mark: 'line', x: 'cat', y: 'v' }, 'mean(v)', 'avg('],
    [{ mark: 'bar', x: 'cat' }, 'count', 'count(*)'],
    [{ mark: 'bar', x: 'cat', y: 'v', aggregate: 'max' }, 'max(v)', 'max(']
  ] as Array<[ChartConfig, string, string]>)('%o → %s', (config, label, sqlPart) => {
    expect(measureLabel(config)).toBe(label);
    // The label is not a guess: the compiled query aggregates that way.
    expect(compiled(config).sql.toLowerCase()).toContain(sqlPart);
  });

  it('a dot chart without an aggregate plots raw points, and says the column alone', () => {
    expect(measureLabel({ mark: 'dot', x: 'cat', y: 'v' })).toBe('v');
    expect(compiled({ mark: 'dot', x: 'cat', y: 'v' }).sql.toLowerCase()).not.toMatch(/sum\(|avg\(|count\(/);
  });
});
