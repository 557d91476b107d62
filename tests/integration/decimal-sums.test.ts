/**
 * A property of the exact path (docs/types.md): random decimals of random precision (up to
 * DuckDB's 38 digits) and scale, summed by PostgreSQL, equal the sum a browser cell
 * computes in DuckDB-WASM over the server's result, to the last digit — and the server's
 * own `sum()` column, an unconstrained numeric, arrives exact as well.
 */
import pg from 'pg';
import { tableFromIPC, type Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { buildEngine } from '../../server/connections/engines.js';
import { IpcStreamEncoder, decimalText, parseDecimal, rescale, type ExactDecimal } from '../../kernels/arrow/index.js';
import type { ServerEngine } from '../../kernels/engine.js';
import type { AsyncDuckDB } from '@duckdb/duckdb-wasm';
import { DuckDbWasmEngine } from '../../kernels/duckdb-wasm/index.js';
import { createNodeDuckDb } from '../../kernels/duckdb-wasm/node.js';

const TRIALS = 40;
const ROWS = 300;

/** A small seeded PRNG (mulberry32): a failing trial can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A random decimal of at most `digits` digits at `scale`, as text. */
function randomDecimal(next: () => number, digits: number, scale: number): string {
  const length = 1 + Math.floor(next() * digits);
  let unscaled = 0n;
  for (let i = 0; i < length; i++) unscaled = unscaled * 10n + BigInt(Math.floor(next() * 10));
  return decimalText(next() < 0.4 ? -unscaled : unscaled, scale);
}

function unscaledOf(words: Uint32Array): bigint {
  let v = 0n;
  for (let i = words.length - 1; i >= 0; i--) v = (v << 32n) | BigInt(words[i]!);
  return BigInt.asIntN(words.length * 32, v);
}

/** Equal as decimals, whatever the scale each side prints. */
function sameDecimal(a: string, b: string): boolean {
  const x = parseDecimal(a) as ExactDecimal;
  const y = parseDecimal(b) as ExactDecimal;
  const scale = Math.max(x.scale, y.scale);
  return rescale(x, scale) === rescale(y, scale);
}

describe('decimal sums: PostgreSQL and a browser cell over its result agree to the last digit', () => {
  let db: TestDatabase;
  let admin: pg.Client;
  let engine: ServerEngine;
  let wasm: AsyncDuckDB;
  let browser: DuckDbWasmEngine;

  beforeAll(async () => {
    db = await createTestDatabase();
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const url = new URL(db.url);
    // The worker-thread engine the server builds for a saved connection.
    engine = buildEngine(
      {
        id: 'warehouse',
        kind: 'postgres',
        config: { host: url.hostname, port: Number(url.port || 5432), database: url.pathname.slice(1), user: 'postgres', password: '' },
        options: { maxConnections: 2, rowLimit: 100_000, statementTimeoutMs: 60_000, readOnly: true, acceptPrivilegedAccount: true }
      } as never,
      '/tmp'
    );
    wasm = await createNodeDuckDb();
    browser = new DuckDbWasmEngine(wasm);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await engine?.close();
    await admin?.end();
    await db?.drop();
  });

  async function serverTable(sql: string): Promise<Table> {
    const result = await engine.run(sql, []);
    const encoder = new IpcStreamEncoder(result.schema);
    const parts = [encoder.start()];
    for await (const batch of result.batches) parts.push(encoder.encode(batch));
    parts.push(encoder.end());
    return tableFromIPC(Buffer.concat(parts));
  }

  it(`holds for ${TRIALS} random precisions and scales`, { timeout: 120_000 }, async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const seed = 1000 + trial;
      const next = random(seed);
      const precision = 1 + Math.floor(next() * 38);
      const scale = Math.floor(next() * (precision + 1));
      // Room for the sum of ROWS values within the column's own precision.
      const digits = Math.max(1, precision - 3);
      const values = Array.from({ length: ROWS }, () => (next() < 0.05 ? 'null' : randomDecimal(next, digits, scale)));
      const table = `t${trial}`;
      await admin.query(`create table ${table} (v numeric(${precision},${scale}))`);
      await admin.query(`insert into ${table} values ${values.map((v) => `(${v})`).join(', ')}`);
      const warehouseSum: string = (await admin.query(`select sum(v)::text as s from ${table}`)).rows[0].s;

      // The server cell's result, as the browser receives it, registered in DuckDB-WASM.
      const result = await serverTable(`select v from ${table}`);
      expect(String(result.schema.fields[0]!.type), `seed ${seed}`).toBe(`Decimal[${precision}e${scale > 0 ? '+' : ''}${scale}]`);
      await browser.registerTable(table, result);
      const cell = await browser.run(`select sum(v)::varchar as s from ${table}`);
      let browserSum = '';
      for await (const batch of cell.batches) browserSum = String(batch.getChildAt(0)!.get(0));
      expect(sameDecimal(browserSum, warehouseSum), `seed ${seed}: DuckDB-WASM ${browserSum} vs PostgreSQL ${warehouseSum}`).toBe(true);

      // The warehouse's own sum() is an unconstrained numeric: exact through the server too.
      const summed = await serverTable(`select sum(v) as s from ${table}`);
      const type = summed.schema.fields[0]!.type as { scale: number };
      const got = decimalText(unscaledOf(summed.getChildAt(0)!.get(0) as Uint32Array), type.scale);
      expect(sameDecimal(got, warehouseSum), `seed ${seed}: server ${got} vs PostgreSQL ${warehouseSum}`).toBe(true);
    }
  });
});
