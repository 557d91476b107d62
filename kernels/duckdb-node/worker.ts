/**
 * The DuckDB worker thread: owns the DuckDB instance and its connections, runs
 * statements, turns DuckDB's data chunks into Arrow batches (kernels/arrow) and posts
 * them as IPC bytes. Everything heavy — DuckDB's own work and the conversion to Arrow —
 * happens here, so the server's event loop stays free while a big query runs.
 *
 * Each run streams (`prepared.stream()` + `fetchChunk`), sends at most BATCH_WINDOW
 * batches ahead of the reader, and is stopped by `connection.interrupt()` on cancel or
 * when its statement timeout runs out. The timeout counts time spent in DuckDB, not time
 * spent waiting for a slow reader.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { DuckDBConnection, DuckDBInstance, DuckDBResult } from '@duckdb/node-api';
import type { RecordBatch, Schema } from 'apache-arrow';
import { IpcStreamEncoder, WiderResultNeeded, type Widening } from '../arrow/index.js';
import { transferable } from '../worker-engine/ipc-decode.js';
import { createTableFromArrow } from './arrow-input.js';
import { openLockedDown } from './lockdown.js';
import { ConnectionPool } from './pool.js';
import { createSamples } from './samples.js';
import { executeStatements } from './statements.js';
import { columnMapping, resultBuilder, uniqueNames } from './types.js';
import { appendChunk } from './vectors.js';
import type { FromWorker, StopReason, ToWorker, WorkerInit } from './worker-protocol.js';
import { BATCH_WINDOW } from '../worker-engine/stream-protocol.js';
import { lowerThreadPriority } from '../worker-engine/thread-priority.js';
import { errorMessage } from '../error-message.js';

const port = parentPort!;
const init = (workerData as { init: WorkerInit }).init;

lowerThreadPriority();

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

/** Time left for a run's statements, paused while the run waits for its reader. */
class Deadline {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private since = 0;
  constructor(
    private remaining: number,
    private readonly onExpire: () => void
  ) {}
  resume(): void {
    if (this.timer) return;
    this.since = performance.now();
    this.timer = setTimeout(this.onExpire, Math.max(0, this.remaining));
  }
  pause(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.remaining -= performance.now() - this.since;
  }
}

class StopError extends Error {
  constructor(readonly reason: StopReason) {
    super(reason);
  }
}

/** One run's state in the worker. */
class Run {
  /** Set once: why the run must stop. */
  stop: StopReason | null = null;
  /** The connection while DuckDB is working on this run's behalf (what `interrupt` targets). */
  busyOn: DuckDBConnection | null = null;
  inFlight = 0;
  private wake: (() => void) | null = null;
  readonly deadline = new Deadline(init.statementTimeoutMs, () => this.halt('timeout'));

  halt(reason: StopReason): void {
    if (this.stop) return;
    this.stop = reason;
    this.busyOn?.interrupt();
    this.wake?.();
  }

  /** Throws if the run was stopped: an interrupted stream can end as if it were complete. */
  check(): void {
    if (this.stop) throw new StopError(this.stop);
  }

  /** Awaits DuckDB work that `halt` may interrupt. */
  async busy<T>(connection: DuckDBConnection, work: () => Promise<T>): Promise<T> {
    this.check();
    this.busyOn = connection;
    try {
      return await work();
    } finally {
      this.busyOn = null;
      this.check();
    }
  }

  acked(): void {
    this.inFlight--;
    this.wake?.();
  }

  /** Waits until the reader has room for another batch (or the run is stopped). */
  async credit(): Promise<void> {
    this.deadline.pause();
    while (this.inFlight >= BATCH_WINDOW && !this.stop) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = null;
    this.deadline.resume();
    this.check();
  }
}

const runs = new Map<number, Run>();


/**
 * Streams `result` as Arrow. The schema goes out with the first batch, not before: a
 * decimal column (HUGEINT) chooses its type from the first batch's values (docs/types.md),
 * and an IPC stream cannot change its schema. A value its column cannot hold throws
 * {@link WiderResultNeeded}; before the first batch the main thread redoes the run at once.
 */
async function stream(id: number, run: Run, connection: DuckDBConnection, result: DuckDBResult, rowLimit: number | null, widen: Widening): Promise<void> {
  const names = uniqueNames(result.columnNames());
  const mappings = result.columnTypes().map((type, i) => columnMapping(names[i]!, type, { index: i, choice: widen[i] }));
  const builder = resultBuilder(mappings);
  let encoder: IpcStreamEncoder | null = null;
  const start = (schema: Schema) => {
    encoder = new IpcStreamEncoder(schema);
    const schemaBytes = transferable(encoder.start());
    post({ type: 'schema', id, bytes: schemaBytes }, [schemaBytes.buffer as ArrayBuffer]);
    return encoder;
  };

  const send = async (batch: RecordBatch | null) => {
    if (!batch) return;
    const bytes = transferable((encoder ?? start(batch.schema)).encode(batch));
    run.inFlight++;
    post({ type: 'batch', id, bytes, rows: batch.numRows }, [bytes.buffer as ArrayBuffer]);
    await run.credit();
  };

  let rows = 0;
  let first = true;
  for (;;) {
    const chunk = await run.busy(connection, () => result.fetchChunk());
    if (!chunk || chunk.rowCount === 0) break;
    // Read one row past the cap, no more: enough for the reader to know the result was cut.
    const take = rowLimit === null ? chunk.rowCount : Math.min(chunk.rowCount, rowLimit + 1 - rows);
    appendChunk(chunk, take, mappings, builder);
    rows += take;
    const capped = rowLimit !== null && rows > rowLimit;
    const full = builder.endRows(take);
    // The first rows go out at once, so a grid can show them while the rest stream in.
    await send(full ?? (first || capped ? builder.flush() : null));
    first = false;
    if (capped) return;
  }
  await send(builder.flush());
  if (!encoder) start(builder.schema);
}

async function handleRun(message: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const { id, sql, params, rowLimit, internal, widen } = message;
  const run = new Run();
  runs.set(id, run);
  let connection: DuckDBConnection | null = null;
  try {
    connection = await pool.acquire();
    run.check();
    run.deadline.resume();
    const c = connection;
    const result = await run.busy(c, () => executeStatements(c, sql, params, init.readOnly && !internal));
    await stream(id, run, c, result, rowLimit, widen);
    post({ type: 'end', id });
  } catch (e) {
    const reason = e instanceof StopError ? e.reason : run.stop;
    const widened = e instanceof WiderResultNeeded && reason === null ? { column: e.column, widening: e.widening, reason: e.reason } : undefined;
    post({ type: 'error', id, message: errorMessage(e), reason, widened });
  } finally {
    run.deadline.pause();
    runs.delete(id);
    if (connection) pool.release(connection);
  }
}

/** `register` requests inside DuckDB (closing waits for them as for runs). */
let registering = 0;

async function handleRegister(message: Extract<ToWorker, { type: 'register' }>): Promise<void> {
  registering++;
  const connection = await pool.acquire().catch((e: unknown) => {
    registering--;
    throw e;
  });
  try {
    await createTableFromArrow(connection, message.name, message.bytes);
    post({ type: 'done', id: message.id });
  } catch (e) {
    post({ type: 'error', id: message.id, message: errorMessage(e), reason: null });
  } finally {
    registering--;
    pool.release(connection);
  }
}

/**
 * Stops every run and waits until DuckDB is idle: a worker thread that ends while a native
 * DuckDB call is in flight takes the whole process down with it.
 */
async function drain(): Promise<void> {
  for (const run of runs.values()) run.halt('canceled');
  while (runs.size > 0 || registering > 0) await new Promise((resolve) => setTimeout(resolve, 10));
}

let dying = false;

/** An uncaught error: tell the engine at once (it fails the runs and starts a new worker), exit once idle. */
function fatal(error: unknown): void {
  if (dying) return;
  dying = true;
  post({ type: 'fatal', message: errorMessage(error) });
  void drain().finally(() => process.exit(1));
}
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

/**
 * Opens the database locked down (lockdown.ts). An in-memory database gets the samples,
 * whose views read the samples' folder at query time, so that folder stays allowed; a
 * database file reads nothing but itself.
 */
async function open(): Promise<DuckDBInstance> {
  if (init.path !== null && !init.readOnly) await mkdir(dirname(init.path), { recursive: true });
  return openLockedDown({
    path: init.path ?? ':memory:',
    readOnlyFile: init.path !== null && init.readOnly,
    memoryLimit: init.memoryLimit,
    threads: init.threads,
    allowedDirectories: init.path === null ? [init.samplesDir] : [],
    prepare:
      init.path === null
        ? async (instance) => {
            const setup = await instance.connect();
            try {
              await createSamples(setup, init.samplesDir);
            } finally {
              setup.closeSync();
            }
          }
        : undefined
  });
}

/**
 * Set once `close` arrived. A run or register posted after it (the engine may post one
 * that waited for this worker to be ready) is refused: the thread is terminated as soon
 * as it says `closed`, and a thread terminated inside a native DuckDB call aborts the
 * whole process.
 */
let closing = false;

let pool: ConnectionPool;
try {
  pool = new ConnectionPool(await open(), init.maxConnections);
  port.on('message', (message: ToWorker) => {
    if (closing && (message.type === 'run' || message.type === 'register')) {
      post({ type: 'error', id: message.id, message: 'the DuckDB engine was closed', reason: 'canceled' });
      return;
    }
    switch (message.type) {
      case 'run':
        void handleRun(message);
        break;
      case 'ack':
        runs.get(message.id)?.acked();
        break;
      case 'cancel':
        runs.get(message.id)?.halt('canceled');
        break;
      case 'register':
        void handleRegister(message);
        break;
      case 'close':
        closing = true;
        void drain().then(() => post({ type: 'closed' }));
        break;
      case 'crash':
        setImmediate(() => {
          throw new Error('crash requested by a test');
        });
        break;
    }
  });
  post({ type: 'ready' });
} catch (e) {
  post({ type: 'init-error', message: errorMessage(e) });
}
