/**
 * What leaves the grid and what a JS cell reads: a Parquet download keeps Decimal128 as
 * Parquet DECIMAL (checked by DuckDB reading the file back) and decimal text as text with
 * its field metadata; the `cairn` module gives JS cells decimals as exact values.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import * as parquet from 'parquet-wasm/esm';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initParquetNode } from '../../kernels/duckdb-wasm/node.js';
import { fieldNotes } from '../../kernels/arrow/field-metadata.js';
import { tableToParquetBytes } from '../../src/lib/grid/parquet.js';
import { Decimal, rows, sum, values } from '../../src/lib/sandbox/runtime/cairn.js';
import { encodeValue } from '../../src/lib/sandbox/runtime/encode.js';
import { bigintData, decimalData, decimalTextColumn, fieldFor, tableOf } from '../support/arrow-values.js';

const table = tableOf([
  fieldFor('money', decimalData([1250n, -305n, 10000n, null], 12, 2)),
  fieldFor('d38', decimalData([10n ** 38n - 1n, 1n, -(10n ** 38n - 1n), 0n], 38, 10)),
  fieldFor('i64', bigintData([-(2n ** 63n), 2n ** 63n - 1n, 0n, 1n])),
  fieldFor('u64', bigintData([2n ** 64n - 1n, 0n, 2n ** 53n + 1n, 1n], true)),
  decimalTextColumn('big', ['-123456789012345678901234567890123456789012.50', 'NaN', 'Infinity', null], { dbType: 'numeric', note: 'More than 38 digits: exact text.' })
]);

describe('a Parquet download', () => {
  let dir: string;
  beforeAll(async () => {
    await initParquetNode();
    dir = mkdtempSync(join(tmpdir(), 'cairn-parquet-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps Decimal128(p, s) as DECIMAL(p, s) with equal values, and decimal text as text', async () => {
    const file = join(dir, 'result.parquet');
    writeFileSync(file, tableToParquetBytes(parquet, table));
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM '${file}'`)).getRowObjectsJS();
      expect(Object.fromEntries(described.map((r) => [r.column_name, r.column_type]))).toEqual({ money: 'DECIMAL(12,2)', d38: 'DECIMAL(38,10)', i64: 'BIGINT', u64: 'UBIGINT', big: 'VARCHAR' });
      const read = (await connection.runAndReadAll(`SELECT money::VARCHAR AS money, d38::VARCHAR AS d38, i64::VARCHAR AS i64, u64::VARCHAR AS u64, big FROM '${file}'`)).getRowObjectsJS();
      expect(read).toEqual([
        { money: '12.50', d38: '9999999999999999999999999999.9999999999', i64: '-9223372036854775808', u64: '18446744073709551615', big: '-123456789012345678901234567890123456789012.50' },
        { money: '-3.05', d38: '0.0000000001', i64: '9223372036854775807', u64: '0', big: 'NaN' },
        { money: '100.00', d38: '-9999999999999999999999999999.9999999999', i64: '0', u64: '9007199254740993', big: 'Infinity' },
        { money: null, d38: '0.0000000000', i64: '1', u64: '1', big: null }
      ]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    // The Arrow schema stored in the file keeps what the column is.
    const back = tableFromIPC(parquet.readParquet(tableToParquetBytes(parquet, table)).intoIPCStream());
    expect(fieldNotes(back.schema.fields[4])).toEqual({ textType: 'decimal', dbType: 'numeric', note: 'More than 38 digits: exact text.' });
  });
});

describe('the cairn module of JS cells', () => {
  it('reads decimals as exact Decimals, 64-bit integers as BigInt, NaN text as NaN', () => {
    const [first, second] = rows(table);
    expect(first.money).toBeInstanceOf(Decimal);
    expect(String(first.money)).toBe('12.50');
    expect(Number(first.money)).toBe(12.5);
    expect(first.i64).toBe(-(2n ** 63n));
    expect(String(first.big)).toBe('-123456789012345678901234567890123456789012.50');
    expect(second.big).toBeNaN();
    expect(values(table, 'money').map(String)).toEqual(['12.50', '-3.05', '100.00', 'null']);
  });

  it('sums a money column exactly', () => {
    const money = tableOf([fieldFor('amount', decimalData([123456789012345670n, 8n, null], 18, 2))]);
    expect(String(sum(money, 'amount'))).toBe('1234567890123456.78');
    expect(sum(table, 'i64')).toBe(0n);
    expect(sum(table, 'big')).toBeNaN();
    expect(() => sum(table, 'nope')).toThrow(/no column "nope"/);
  });

  it('sends a Decimal a cell returns to the page as its exact text', () => {
    const total = sum(table, 'money');
    expect(encodeValue(total).value).toEqual({ kind: 'json', value: '109.45' });
    expect(encodeValue({ total, n: 1 }).value).toEqual({ kind: 'json', value: { total: '109.45', n: 1 } });
  });
});
