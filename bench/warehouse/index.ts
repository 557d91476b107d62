/**
 * Warehouse benchmark: 1M rows × 8 mixed columns (int4, int8, float8, numeric(12,2),
 * text, timestamptz, date, bool; 5% nulls) from PostgreSQL, measured in the same run as:
 *   psql    `psql -c "COPY (select …) TO STDOUT"` > /dev/null — the floor
 *   cairn   Cairn's engine → Arrow IPC bytes (binary COPY path)
 *   thread  Cairn's engine in a worker thread, as the server runs it → Arrow IPC bytes
 *   params  the same query with a bound parameter (extended protocol, binary rows)
 *   copy-streams  binary COPY via pg-copy-streams → the same decoder (the COPY reader not chosen)
 *   cursor  pg-cursor rowMode 'array' → Arrow (the parameterized path not chosen)
 *   json    node-postgres row objects → JSON.stringify
 *   psql-exact / exact  psql and Cairn on a query whose numerics are unconstrained (arithmetic
 *           on numeric(12,2)): Cairn holds back the first batch, picks Decimal128(38, s)
 *           from its values and writes every value exactly (docs/types.md)
 * Each measurement runs in a child process (worker.ts) so its peak RSS is its own; the
 * modes are interleaved for ROUNDS rounds and medians reported, because the machine's two
 * cores are shared with PostgreSQL itself.
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '../../tests/support/postgres.js';
import { postgresAvailable } from '../collab/servers.js';
import { fmt, target, type BenchResult, type Cell } from '../report.js';
import type { WorkerResult } from './worker.js';

const ROWS = Number(process.env.CAIRN_BENCH_ROWS) || 1_000_000;
const ROUNDS = Number(process.env.CAIRN_BENCH_ROUNDS) || 3;
const PSQL = process.env.CAIRN_BENCH_PSQL ?? '/usr/bin/psql';
const QUERY = 'select i4, i8, f8, amount, label, at, day, flag from wide';
/** Unconstrained numerics: what sums and arithmetic on money return. */
const EXACT_QUERY = 'select i4, amount * 3 as tripled, amount / 7 as seventh, amount + i4 as shifted, label from wide';
const ALL_MODES = ['psql', 'cairn', 'thread', 'params', 'copy-streams', 'cursor', 'json', 'psql-exact', 'exact'] as const;
type Mode = (typeof ALL_MODES)[number];
/** CAIRN_BENCH_MODES=psql,cairn,params runs a subset (psql and cairn are always kept: the targets need them). */
const MODES: readonly Mode[] = process.env.CAIRN_BENCH_MODES
  ? ALL_MODES.filter((m) => m === 'psql' || m === 'cairn' || m === 'psql-exact' || m === 'exact' || process.env.CAIRN_BENCH_MODES!.split(',').includes(m))
  : ALL_MODES;

const LABELS: Record<Mode, string> = {
  psql: 'psql COPY … TO STDOUT → /dev/null',
  cairn: 'Cairn engine → Arrow IPC (binary COPY)',
  thread: 'Cairn engine in a worker thread (as the server runs it) → Arrow IPC',
  params: 'Cairn engine, bound $1 → Arrow IPC (extended protocol, binary)',
  'copy-streams': 'pg-copy-streams binary COPY → same decoder → Arrow IPC (not used)',
  cursor: "pg-cursor rowMode 'array' → Arrow IPC (not used)",
  json: 'node-postgres rows → JSON.stringify',
  'psql-exact': 'psql COPY, unconstrained numerics → /dev/null',
  exact: 'Cairn engine, unconstrained numerics → exact Decimal128 → Arrow IPC'
};

interface Measurement {
  mode: Mode;
  ms: number;
  rows: number;
  bytes: number | null;
  peakRssMb: number | null;
  baseRssMb: number | null;
  /** Client CPU time (user + system), ms. */
  cpuMs: number;
  /** 1-minute load average when the measurement ended (2 cores: above 2 means others competed). */
  load: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function runProcess(command: string, args: string[], captureStdout: boolean): Promise<{ stdout: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', captureStdout ? 'pipe' : 'ignore', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve({ stdout, ms });
      else reject(new Error(`${command} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

async function measure(mode: Mode, url: string): Promise<Measurement> {
  if (mode === 'psql' || mode === 'psql-exact') {
    // psql's wall time, connection included (a few ms of seconds); bash's `times` gives its CPU time.
    const script = `"$0" "$1" -X -q -c "$2" > /dev/null && times`;
    const { stdout, ms } = await runProcess('/bin/bash', ['-c', script, PSQL, url, `COPY (${mode === 'psql' ? QUERY : EXACT_QUERY}) TO STDOUT`], true);
    const children = stdout.trim().split('\n').pop()!.match(/(\d+)m([\d.]+)s/g) ?? [];
    const cpuMs = children.reduce((sum, t) => {
      const [, m, s] = /(\d+)m([\d.]+)s/.exec(t)!;
      return sum + (Number(m) * 60 + Number(s)) * 1000;
    }, 0);
    return { mode, ms, rows: ROWS, bytes: null, peakRssMb: null, baseRssMb: null, cpuMs, load: loadavg()[0] };
  }
  const worker = fileURLToPath(new URL('./worker.ts', import.meta.url));
  const workerMode = mode === 'exact' ? 'cairn' : mode;
  const sql = mode === 'params' || mode === 'cursor' ? `${QUERY} where i4 >= $1` : mode === 'exact' ? EXACT_QUERY : QUERY;
  const params = mode === 'params' || mode === 'cursor' ? JSON.stringify([0]) : '';
  const { stdout } = await runProcess(process.execPath, ['--import', 'tsx', worker, workerMode, url, sql, params], true);
  const r = JSON.parse(stdout.trim().split('\n').pop()!) as WorkerResult;
  return { mode, ms: r.ms, rows: r.rows, bytes: r.bytes, peakRssMb: r.peakRssMb, baseRssMb: r.baseRssMb, cpuMs: r.cpuMs, load: loadavg()[0] };
}

async function seed(url: string): Promise<void> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`
      create table wide as
      select g::int4 as i4,
             case when g % 20 = 1 then null else g::int8 * 1000003 end as i8,
             case when g % 20 = 2 then null else g * 0.001 end::float8 as f8,
             case when g % 20 = 3 then null else (g % 1000000) / 100.0 end::numeric(12,2) as amount,
             case when g % 20 = 4 then null else 'customer ' || g || ' ' || md5(g::text) end as label,
             case when g % 20 = 5 then null else timestamptz '2020-01-01 00:00:00+00' + g * interval '1.000001 second' end as at,
             case when g % 20 = 6 then null else date '1990-01-01' + (g % 20000) end as day,
             case when g % 20 = 7 then null else g % 3 = 0 end as flag
      from generate_series(1, ${ROWS}) g`);
    await client.query('vacuum analyze wide');
  } finally {
    await client.end();
  }
}

export async function run(): Promise<BenchResult> {
  if (!(await postgresAvailable())) {
    return { name: 'warehouse', title: 'Warehouse: PostgreSQL → Arrow', tables: [], targets: [], notes: ['PostgreSQL at 127.0.0.1:5432 is not reachable; nothing measured.'], data: null };
  }
  const db = await createTestDatabase();
  const all: Measurement[] = [];
  try {
    const seeded = performance.now();
    await seed(db.url);
    console.log(`[warehouse] seeded ${ROWS.toLocaleString('en-US')} rows in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
    // One unmeasured pass warms PostgreSQL's buffer cache and the OS's file cache.
    await measure('psql', db.url);
    for (let round = 1; round <= ROUNDS; round++) {
      // Rotate the order each round so no mode always runs first.
      const order = MODES.map((_, i) => MODES[(i + round - 1) % MODES.length]);
      for (const mode of order) {
        const m = await measure(mode, db.url);
        if (m.rows !== ROWS) throw new Error(`${mode} returned ${m.rows} rows, expected ${ROWS}`);
        all.push(m);
        console.log(`[warehouse] round ${round} ${mode}: ${m.ms.toFixed(0)} ms${m.peakRssMb ? `, peak RSS ${m.peakRssMb.toFixed(0)} MB` : ''}`);
      }
    }
  } finally {
    await db.drop();
  }

  const by = (mode: Mode) => all.filter((m) => m.mode === mode);
  const med = (mode: Mode, key: 'ms' | 'peakRssMb' | 'baseRssMb' | 'bytes' | 'cpuMs') => median(by(mode).map((m) => m[key] ?? NaN));
  const psqlMs = med('psql', 'ms');
  const cairnMs = med('cairn', 'ms');
  const rows: Cell[][] = MODES.map((mode) => {
    const ms = med(mode, 'ms');
    return [
      LABELS[mode],
      ms,
      ROWS / (ms / 1000),
      ms / (mode === 'exact' || mode === 'psql-exact' ? med('psql-exact', 'ms') : psqlMs),
      med(mode, 'cpuMs'),
      mode === 'psql' ? null : med(mode, 'peakRssMb'),
      mode === 'psql' ? null : med(mode, 'baseRssMb'),
      mode === 'psql' ? null : med(mode, 'bytes') / 1024 / 1024
    ];
  });
  const ratioVsPsql = cairnMs / psqlMs;
  const paramsVsPsql = med('params', 'ms') / psqlMs;
  const jsonVsCairn = med('json', 'ms') / cairnMs;
  const exactVsPsql = med('exact', 'ms') / med('psql-exact', 'ms');
  return {
    name: 'warehouse',
    title: `Warehouse: PostgreSQL → client, ${ROWS.toLocaleString('en-US')} rows × 8 columns (medians of ${ROUNDS} interleaved rounds)`,
    tables: [
      {
        title: 'Paths',
        columns: ['path', 'ms', 'rows/s', '× psql', 'client CPU ms', 'peak RSS MB', 'RSS before MB', 'output MB'],
        rows
      }
    ],
    targets: [
      target('Cairn (COPY → Arrow) time / psql COPY time', ratioVsPsql, { max: 1.5 }),
      target('Cairn parameterized time / psql COPY time', paramsVsPsql, { max: 1.5 }),
      target('node-postgres → JSON time / Cairn time', jsonVsCairn, { min: 5 }),
      target('Cairn exact unconstrained numerics / psql COPY of the same', exactVsPsql, { max: 1.5 })
    ],
    notes: [
      `Load average during the runs: ${fmt(median(all.map((m) => m.load)))} (median) on ${cpus().length} shared cores; wall times swing with it, client CPU times much less.`,
      `psql writes text COPY to /dev/null; Cairn decodes binary COPY into Arrow buffers and encodes IPC (bytes counted, not sent).`,
      `Peak RSS is each child process's VmHWM (Node itself is ≈ ${fmt(med('cairn', 'baseRssMb'), 0)} MB before the query); Cairn streams in 16,384-row batches, so its peak does not grow with the row count, while JSON holds every row object.`,
      `pg-cursor rowMode 'array' is the alternative parameterized path: ${fmt(med('cursor', 'ms') / med('params', 'ms'))}× the time of the binary extended protocol, which Cairn uses.`,
      `The exact rows compare with psql on the same query (psql-exact): arithmetic on numeric(12,2), which PostgreSQL returns as unconstrained numeric.`,
      `pg-copy-streams is the alternative COPY reader: ${fmt(med('copy-streams', 'ms') / cairnMs)}× the time of Cairn's own CopyData reader.`
    ],
    data: { rows: ROWS, rounds: ROUNDS, query: QUERY, measurements: all }
  };
}
