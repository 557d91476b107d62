/**
 * Server DuckDB benchmark: `select * from <sample>` for flights_3m (3M rows: TIMESTAMP,
 * 2 × BIGINT, 2 × VARCHAR, from Parquet) and flights_200k (a table), measured in the same
 * run as:
 *   copy    native DuckDB `COPY (…) TO '/dev/null' (FORMAT csv)` — DuckDB alone, no JS
 *   chunks  node-api `stream()` + `fetchChunk()` reading no value — DuckDB plus the binding
 *   cairn   Cairn's engine: the worker converts chunks to Arrow IPC, this thread decodes
 *           the batches (kernels/duckdb-node)
 * The baselines run on this thread with the engine's thread count; the engine's worker
 * runs at a lower priority (it yields to the server's event loop), so on a loaded machine
 * the ratio grows. Modes are interleaved for ROUNDS rounds; medians reported.
 */
import { availableParallelism, loadavg } from 'node:os';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { createDuckDbEngine } from '../../kernels/duckdb-node/index.js';
import { createSamples, defaultSamplesDir } from '../../kernels/duckdb-node/samples.js';
import { fmt, target, type BenchResult, type Cell } from '../report.js';

const ROUNDS = Number(process.env.CAIRN_BENCH_ROUNDS) || 3;
const TABLES = ['flights_3m', 'flights_200k'] as const;
const MODES = ['copy', 'chunks', 'cairn'] as const;
type Mode = (typeof MODES)[number];

const LABELS: Record<Mode, string> = {
  copy: "DuckDB COPY … TO '/dev/null' (csv)",
  chunks: 'node-api fetchChunk, values unread',
  cairn: 'Cairn engine → Arrow IPC → RecordBatches'
};

interface Measurement {
  table: string;
  mode: Mode;
  ms: number;
  rows: number;
  /** 1-minute load average when the measurement ended (2 cores: above 2 means others competed). */
  load: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function native(connection: DuckDBConnection, table: string, mode: 'copy' | 'chunks'): Promise<number> {
  if (mode === 'copy') {
    const result = await connection.run(`COPY (select * from ${table}) TO '/dev/null' (FORMAT csv)`);
    return Number(result.rowsChanged);
  }
  const result = await connection.stream(`select * from ${table}`);
  let rows = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return rows;
    rows += chunk.rowCount;
  }
}

export async function run(): Promise<BenchResult> {
  const threads = String(Math.max(1, availableParallelism() - 1));
  const instance = await DuckDBInstance.create(':memory:', { threads });
  const connection = await instance.connect();
  await createSamples(connection, defaultSamplesDir());
  const engine = createDuckDbEngine({}, { id: 'bench' });
  await engine.ping();

  const measure = async (table: string, mode: Mode): Promise<Measurement> => {
    const started = performance.now();
    let rows = 0;
    if (mode === 'cairn') {
      const result = await engine.run(`select * from ${table}`, []);
      for await (const batch of result.batches) rows += batch.numRows;
    } else {
      rows = await native(connection, table, mode);
    }
    return { table, mode, ms: performance.now() - started, rows, load: loadavg()[0]! };
  };

  const all: Measurement[] = [];
  try {
    // One unmeasured pass warms the OS's file cache and both instances.
    for (const table of TABLES) for (const mode of MODES) await measure(table, mode);
    for (let round = 1; round <= ROUNDS; round++) {
      const order = MODES.map((_, i) => MODES[(i + round - 1) % MODES.length]!);
      for (const table of TABLES) {
        for (const mode of order) {
          const m = await measure(table, mode);
          console.log(`[duckdb-node] round ${round} ${table} ${mode}: ${m.rows} rows in ${m.ms.toFixed(0)} ms (load ${m.load.toFixed(2)})`);
          all.push(m);
        }
      }
    }
  } finally {
    await engine.close();
    connection.closeSync();
    instance.closeSync();
  }

  const med = (table: string, mode: Mode) => median(all.filter((m) => m.table === table && m.mode === mode).map((m) => m.ms));
  const rows: Cell[][] = [];
  for (const table of TABLES) {
    const floor = med(table, 'chunks');
    for (const mode of MODES) {
      const ms = med(table, mode);
      const count = all.find((m) => m.table === table && m.mode === mode)!.rows;
      rows.push([`${table}: ${LABELS[mode]}`, ms, (count / ms) * 1000, ms / floor]);
    }
  }
  const ratio3m = med('flights_3m', 'cairn') / med('flights_3m', 'chunks');
  const loads = all.map((m) => m.load);
  return {
    name: 'duckdb-node',
    title: `Server DuckDB: select * → Arrow, Cairn's engine vs native DuckDB (medians of ${ROUNDS} interleaved rounds)`,
    tables: [{ title: 'Paths', columns: ['path', 'ms', 'rows/s', '× fetchChunk'], rows }],
    targets: [
      target('Cairn flights_3m time / node-api fetchChunk time', ratio3m, { max: 4 }),
      target('Cairn flights_3m rows/s (millions)', 3 / (med('flights_3m', 'cairn') / 1000), { min: 1 })
    ],
    notes: [
      `DuckDB threads ${threads}; 1-minute load average ${fmt(Math.min(...loads))}–${fmt(Math.max(...loads))} during the run (2 cores: above 2 means others competed).`,
      'The engine worker runs at nice 10 (DuckDB threads it starts inherit that); the baselines run at normal priority.'
    ],
    data: { rounds: ROUNDS, measurements: all }
  };
}
