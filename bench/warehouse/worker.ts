/**
 * One measurement in a process of its own, so its peak RSS (VmHWM) is that path's alone:
 * `node --import tsx worker.ts <mode> <database url> <sql>` prints one JSON line.
 *
 * Modes: `cairn` (engine → Arrow IPC bytes, the COPY path), `params` (the same with a
 * bound parameter: the extended protocol's binary rows), `json` (node-postgres row objects
 * → JSON.stringify, what a naive API does), `cursor` (pg-cursor rowMode 'array' → Arrow,
 * the params path we did not choose), `copy-streams` (binary COPY through pg-copy-streams
 * into Cairn's decoder: what the engine did before it read CopyData off the socket itself).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Bool, DateDay, Decimal, Field, Float64, Int32, Int64, TimestampMicrosecond, Utf8, type RecordBatch } from 'apache-arrow';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { BatchBuilder, IpcStreamEncoder } from '../../kernels/arrow/index.js';
import { createPostgresEngine } from '../../kernels/postgres/index.js';
import { createWorkerEngine } from '../../kernels/worker-engine/index.js';
import type { ServerEngine } from '../../kernels/engine.js';
import { RowDecoder } from '../../kernels/postgres/binary-values.js';
import { CopyBinaryDecoder } from '../../kernels/postgres/copy-decoder.js';
import { OID, planColumns } from '../../kernels/postgres/types.js';

export interface WorkerResult {
  mode: string;
  rows: number;
  bytes: number;
  ms: number;
  /** RSS before the query, after connecting and warming nothing (MB). */
  baseRssMb: number;
  /** Peak RSS of the process (VmHWM, MB). */
  peakRssMb: number;
  /** Highest RSS sampled every 10 ms during the query (MB). */
  sampledPeakRssMb: number;
  /** CPU time (user + system) this process spent on the query, ms: less sensitive than wall time to a busy machine. */
  cpuMs: number;
}

const MB = 1024 * 1024;

// pg-cursor ships no types; this is the part used here.
const Cursor = createRequire(import.meta.url)('pg-cursor') as new (
  text: string,
  values: unknown[],
  config: { rowMode: 'array' }
) => { read(rows: number): Promise<unknown[]>; close(): Promise<void> };

function vmHwmMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / MB;
}

function engineFor(url: URL, inWorker: boolean): ServerEngine {
  const config = { host: url.hostname, port: Number(url.port || 5432), database: url.pathname.slice(1), user: decodeURIComponent(url.username), password: '' };
  const options = { id: 'bench', statementTimeoutMs: 600_000 };
  // `thread`: the engine in a worker thread, as the server runs it (kernels/worker-engine).
  return inWorker
    ? createWorkerEngine({ module: new URL('../../kernels/postgres/index.ts', import.meta.url).href, factory: 'createPostgresEngine' }, config, options)
    : createPostgresEngine(config, options);
}

async function cairn(url: URL, sql: string, params: unknown[], ready?: ServerEngine): Promise<{ rows: number; bytes: number }> {
  const engine = ready ?? engineFor(url, false);
  try {
    const result = await engine.run(sql, params);
    const encoder = new IpcStreamEncoder(result.schema);
    let bytes = encoder.start().byteLength;
    let rows = 0;
    for await (const batch of result.batches) {
      rows += batch.numRows;
      bytes += encoder.encode(batch).byteLength;
    }
    bytes += encoder.end().byteLength;
    return { rows, bytes };
  } finally {
    await engine.close();
  }
}

async function json(url: URL, sql: string): Promise<{ rows: number; bytes: number }> {
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rows } = await client.query(sql);
    return { rows: rows.length, bytes: Buffer.byteLength(JSON.stringify(rows)) };
  } finally {
    await client.end();
  }
}

/** Binary COPY through pg-copy-streams, decoded by Cairn's COPY decoder (the bench table's columns, described by hand). */
async function copyStreamsPath(url: URL, sql: string): Promise<{ rows: number; bytes: number }> {
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const column = (name: string, typeOid: number, typeModifier = -1) => ({ name, typeOid, typeModifier });
  const plans = planColumns(
    [
      column('i4', OID.int4),
      column('i8', OID.int8),
      column('f8', OID.float8),
      column('amount', OID.numeric, ((12 << 16) | 2) + 4),
      column('label', OID.text),
      column('at', OID.timestamptz),
      column('day', OID.date),
      column('flag', OID.bool)
    ],
    new Map(),
    true
  );
  const rowDecoder = new RowDecoder(plans, 'bench');
  const decoder = new CopyBinaryDecoder(rowDecoder);
  const encoder = new IpcStreamEncoder(rowDecoder.builder.schema);
  let bytes = encoder.start().byteLength;
  let rows = 0;
  const out: RecordBatch[] = [];
  try {
    const stream = client.query(copyStreams.to(`COPY (${sql}) TO STDOUT (FORMAT binary)`));
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      decoder.push(chunk, out);
      for (const b of out.splice(0)) {
        rows += b.numRows;
        bytes += encoder.encode(b).byteLength;
      }
    }
    const last = decoder.finish();
    if (last) {
      rows += last.numRows;
      bytes += encoder.encode(last).byteLength;
    }
    bytes += encoder.end().byteLength;
    return { rows, bytes };
  } finally {
    await client.end();
  }
}

/** pg-cursor, rows as arrays of text-parsed values, converted to the Arrow conventions by hand. */
async function cursor(url: URL, sql: string, params: unknown[]): Promise<{ rows: number; bytes: number }> {
  const raw = (v: string) => v;
  const client = new pg.Client({ connectionString: url.toString(), types: { getTypeParser: () => raw } as never });
  await client.connect();
  const fields = [
    new Field('i4', new Int32(), true),
    new Field('i8', new Int64(), true),
    new Field('f8', new Float64(), true),
    new Field('amount', new Decimal(2, 12, 128), true),
    new Field('label', new Utf8(), true),
    new Field('at', new TimestampMicrosecond('UTC'), true),
    new Field('day', new DateDay(), true),
    new Field('flag', new Bool(), true)
  ];
  const builder = new BatchBuilder(fields);
  const encoder = new IpcStreamEncoder(builder.schema);
  let bytes = encoder.start().byteLength;
  let rows = 0;
  const out = (b: ReturnType<BatchBuilder['flush']>) => {
    if (b) bytes += encoder.encode(b).byteLength;
  };
  try {
    const c = client.query(new Cursor(sql, params, { rowMode: 'array' }) as never) as unknown as InstanceType<typeof Cursor>;
    for (;;) {
      const chunk = (await c.read(16_384)) as Array<Array<string | null>>;
      if (chunk.length === 0) break;
      for (const r of chunk) {
        const row = [
          r[0] === null ? null : Number(r[0]),
          r[1] === null ? null : BigInt(r[1]),
          r[2] === null ? null : Number(r[2]),
          r[3] === null ? null : BigInt(r[3].replace('.', '')),
          r[4],
          r[5] === null ? null : BigInt(Date.parse(r[5].replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'))) * 1000n,
          r[6] === null ? null : Date.parse(r[6]) / 86_400_000,
          r[7] === null ? null : r[7] === 't'
        ];
        out(builder.appendRow(row));
        rows++;
      }
    }
    out(builder.flush());
    bytes += encoder.end().byteLength;
    await c.close();
    return { rows, bytes };
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const [mode, urlText, sql, paramJson] = process.argv.slice(2);
  const url = new URL(urlText);
  const params = paramJson ? (JSON.parse(paramJson) as unknown[]) : [];
  // The server keeps a connection's worker running, so its start-up (a thread, TypeScript
  // loaded in it, a connection) is not part of a query's time.
  let warm: ServerEngine | undefined;
  if (mode === 'thread') {
    warm = engineFor(url, true);
    await warm.ping();
  }
  const baseRssMb = process.memoryUsage().rss / MB;
  let sampled = baseRssMb;
  const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss / MB)), 10);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const r =
    mode === 'cairn' || mode === 'params'
      ? await cairn(url, sql, params)
      : mode === 'thread'
        ? await cairn(url, sql, params, warm)
      : mode === 'json'
        ? await json(url, sql)
        : mode === 'cursor'
          ? await cursor(url, sql, params)
          : mode === 'copy-streams'
            ? await copyStreamsPath(url, sql)
          : (() => {
              throw new Error(`unknown mode ${mode}`);
            })();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  const result: WorkerResult = { mode, ...r, ms, baseRssMb, peakRssMb: vmHwmMb(), sampledPeakRssMb: Math.max(sampled, process.memoryUsage().rss / MB), cpuMs: (used.user + used.system) / 1000 };
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
