/**
 * Exact numbers through DuckDB-WASM, as the browser runs it: server results arrive with
 * their types (DECIMAL(38, s), BIGINT, UBIGINT), decimal text arrives as VARCHAR with a
 * notice, and the grid's sort and filter and a chart's aggregation never go through a DOUBLE.
 */
import type { RecordBatch, Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbWasmEngine } from '../../kernels/duckdb-wasm/index.js';
import { decimalTextNotices } from '../../kernels/duckdb-wasm/arrow-input.js';
import { createNodeDuckDb } from '../../kernels/duckdb-wasm/node.js';
import { rawText } from '../../kernels/arrow/plain-values.js';
import { viewColumns, viewToSql, type GridView } from '../../src/lib/grid/view-sql.js';
import { parseFilterInput } from '../../src/lib/grid/view-sql.js';
import { compileChart, type CompiledChart } from '../../src/lib/chart/compile.js';
import { bigintData, decimalData, decimalTextColumn, fieldFor, tableOf } from '../support/arrow-values.js';

let engine: DuckDbWasmEngine;

beforeAll(async () => {
  engine = new DuckDbWasmEngine(await createNodeDuckDb());
}, 60_000);

afterAll(async () => {
  await engine?.close();
});

/** The batches of a query (DuckDB-WASM's own apache-arrow copy in Node: read, never wrapped in this copy's Table). */
async function query(sql: string, params: unknown[] = []): Promise<RecordBatch[]> {
  const result = await engine.run(sql, params);
  const batches: RecordBatch[] = [];
  for await (const b of result.batches) batches.push(b);
  return batches;
}

/** A column's values as exact text (plain-values.ts). */
async function column(sql: string, params: unknown[] = [], name?: string): Promise<string[]> {
  const out: string[] = [];
  for (const batch of await query(sql, params)) {
    const index = name ? batch.schema.fields.findIndex((f) => f.name === name) : 0;
    const { type } = batch.schema.fields[index];
    const vector = batch.getChildAt(index)!;
    for (let i = 0; i < batch.numRows; i++) out.push(rawText(vector.get(i), type));
  }
  return out;
}

const HUGE = '-123456789012345678901234567890123456789012.5';
const BIG = '1234567890123456789012345678901234567890123';

const server = tableOf([
  fieldFor('d38', decimalData([10n ** 38n - 1n, -(10n ** 38n - 1n), 1n], 38, 2)),
  fieldFor('i64', bigintData([-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n])),
  fieldFor('u64', bigintData([0n, 2n ** 64n - 1n, 2n ** 53n + 1n], true)),
  decimalTextColumn('big', [HUGE, 'NaN', BIG], { dbType: 'numeric' })
]);

describe('a server result registered in DuckDB-WASM', () => {
  it('keeps Decimal128(38,s) as DECIMAL(38,s), Int64 as BIGINT, Uint64 as UBIGINT, every digit', async () => {
    await engine.registerTable('server_result', server);
    const types = await column(`select concat_ws(' ', typeof(d38), typeof(i64), typeof(u64), typeof(big)) from server_result limit 1`);
    expect(types).toEqual(['DECIMAL(38,2) BIGINT UBIGINT VARCHAR']);
    expect(await column('select d38::VARCHAR from server_result')).toEqual([`${'9'.repeat(36)}.99`, `-${'9'.repeat(36)}.99`, '0.01']);
    expect(await column('select i64 from server_result')).toEqual(['-9223372036854775808', '9223372036854775807', '9007199254740993']);
    expect(await column('select u64 from server_result')).toEqual(['0', '18446744073709551615', '9007199254740993']);
    // A DECIMAL(38,2) result comes back out of DuckDB as Decimal128(38,2).
    expect(String((await query('select d38 from server_result'))[0].schema.fields[0].type)).toBe('Decimal[38e+2]');
  });

  it('says, for the cell that reads it, that DuckDB cannot compute on a decimal text column exactly', () => {
    const notices = decimalTextNotices('server_result', server);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/DuckDB cannot compute on column big of server_result exactly because its values have more than 38 digits/);
  });
});

describe('the grid’s sort and filter over decimals', () => {
  const money = tableOf([fieldFor('amount', decimalData([1250n, 305n, 10000n, 10n, -725n, null], 12, 2)), fieldFor('wide', decimalData([2n ** 53n + 1n, 2n ** 53n, 0n, 1n, 2n, 3n], 38, 0))]);
  const text = tableOf([decimalTextColumn('n', [HUGE, '-1.25', '-1.5', '0', '0.05', '0.5', '12.50', '100', 'NaN', 'Infinity', '-Infinity', '12.5000', BIG, null, '-0.00'])]);
  const sql = (name: string, table: Table, view: GridView) => viewToSql({ table: name }, view, { columns: viewColumns(table.schema) });
  const filter = (col: string, input: string, kind: 'decimal' = 'decimal') => parseFilterInput(col, input, kind)!;

  beforeAll(async () => {
    await engine.registerTable('money', money);
    await engine.registerTable('texts', text);
  });

  it('sorts a DECIMAL column as DECIMAL (100.00 after 12.50)', async () => {
    const { sql: q, params } = sql('money', money, { orderBy: [{ column: 'amount', dir: 'asc' }], filters: [] });
    expect(q).not.toMatch(/DOUBLE/i);
    expect(await column(q, params)).toEqual(['-7.25', '0.10', '3.05', '12.50', '100.00', '']);
  });

  it('compares a DECIMAL column with the typed number exactly', async () => {
    const run = async (col: string, input: string) => {
      const { sql: q, params } = sql('money', money, { orderBy: [{ column: col, dir: 'asc' }], filters: [filter(col, input)] });
      expect(q).not.toMatch(/DOUBLE/i);
      return column(q, params, col);
    };
    expect(await run('amount', '> 0.1')).toEqual(['3.05', '12.50', '100.00']);
    expect(await run('amount', '= 0.10')).toEqual(['0.10']);
    expect(await run('amount', '>= 12.505')).toEqual(['100.00']);
    expect(await run('amount', '< 1,000')).toEqual(['-7.25', '0.10', '3.05', '12.50', '100.00']);
    // 2^53 + 1 and 2^53 are one DOUBLE apart from nothing: only an exact comparison tells them apart.
    expect(await run('wide', '9007199254740993')).toEqual(['9007199254740993']);
    // 38 integer digits and 17 decimals do not fit one DECIMAL: compared by the exact text key instead.
    expect(await run('wide', '> 2.00000000000000001')).toEqual(['3', '9007199254740992', '9007199254740993']);
  });

  it('sorts decimal text numerically: -Infinity first, NaN above Infinity, null last', async () => {
    const { sql: q, params } = sql('texts', text, { orderBy: [{ column: 'n', dir: 'asc' }], filters: [] });
    const asc = await column(q, params);
    expect(asc).toEqual(['-Infinity', HUGE, '-1.5', '-1.25', expect.stringMatching(/^-?0(\.00)?$/), expect.stringMatching(/^-?0(\.00)?$/), '0.05', '0.5', expect.stringMatching(/^12\.50*$/), expect.stringMatching(/^12\.50*$/), '100', BIG, 'Infinity', 'NaN', '']);
    const desc = await column(sql('texts', text, { orderBy: [{ column: 'n', dir: 'desc' }], filters: [] }).sql);
    expect(desc.slice(0, 3)).toEqual(['NaN', 'Infinity', BIG]);
    expect(desc.slice(-3)).toEqual([HUGE, '-Infinity', '']);
  });

  it('filters decimal text by exact numeric comparisons', async () => {
    const run = async (input: string) => {
      const { sql: q, params } = sql('texts', text, { orderBy: [{ column: 'n', dir: 'asc' }], filters: [filter('n', input)] });
      return column(q, params);
    };
    expect(await run('> 12.5')).toEqual(['100', BIG, 'Infinity', 'NaN']);
    expect(await run('= 12.5')).toEqual(['12.50', '12.5000']);
    expect(await run('< -1.3')).toEqual(['-Infinity', HUGE, '-1.5']);
    expect(await run('= 0')).toHaveLength(2);
    expect(await run('NaN')).toEqual(['NaN']);
    await expect(async () => sql('texts', text, { orderBy: [], filters: [filter('n', '> abc')] })).rejects.toThrow(/not a number/);
  });
});

describe('a chart over a DECIMAL column', () => {
  const sales = tableOf([
    fieldFor('region', decimalData([1n, 1n, 2n, 2n], 4, 0)),
    fieldFor('amount', decimalData([123456789012345670n, 8n, 10n, 20n], 38, 2))
  ]);

  it('sums as DECIMAL and carries the exact sum for the tooltip', async () => {
    await engine.registerTable('sales', sales);
    const columns = sales.schema.fields.map((f) => ({ name: f.name, type: String(f.type) }));
    const chart = compileChart({ source: 'sales', mark: 'bar', x: 'region', y: 'amount', aggregate: 'sum' }, columns, 'sales') as CompiledChart;
    expect(chart.sql).not.toMatch(/"amount"::DOUBLE/);
    const [result] = await query(chart.sql);
    expect(await column(chart.sql, [], 'y_exact')).toEqual(['1234567890123456.78', '0.30']);
    // Plot draws the float; the tooltip prints the exact text under the measure's label.
    const options = chart.plot(result);
    const bar = (options.marks as { channels?: Record<string, { value: unknown }> }[])[0];
    expect(JSON.stringify(bar)).toContain('y_exact');
  });
});
