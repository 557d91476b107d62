/**
 * The worker thread of a worker engine: builds the engine its `workerData` names, runs
 * queries on it, encodes each RecordBatch as Arrow IPC (kernels/arrow) and posts the
 * bytes. The engine's own work — the driver, decoding rows or wire values into Arrow —
 * happens here, so the server's event loop stays free while a big result streams.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RecordBatch } from 'apache-arrow';
import { IpcStreamEncoder, WiderResultNeeded } from '../arrow/index.js';
import { QueryError, privilegesOf, type ServerEngine } from '../engine.js';
import { transferable } from './ipc-decode.js';
import type { ErrorInfo, FromWorker, ToWorker, WorkerInit } from './protocol.js';
import { BATCH_WINDOW } from './stream-protocol.js';
import { lowerThreadPriority } from './thread-priority.js';
import { errorMessage } from '../error-message.js';

const port = parentPort!;
const init = (workerData as { init: WorkerInit }).init;

lowerThreadPriority();

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function errorInfo(e: unknown): ErrorInfo {
  if (e instanceof WiderResultNeeded) {
    return { message: e.message, engine: e.engine, position: e.position, widened: { column: e.column, widening: e.widening, reason: e.reason } };
  }
  if (e instanceof QueryError) return { message: e.message, engine: e.engine, position: e.position };
  const message = errorMessage(e);
  return { message, engine: init.options.id, position: null };
}

/** One run's state: its abort controller and the credit window. */
class Run {
  readonly controller = new AbortController();
  inFlight = 0;
  private wake: (() => void) | null = null;

  cancel(): void {
    this.controller.abort(new QueryError('canceled', init.options.id));
    this.wake?.();
  }

  acked(): void {
    this.inFlight--;
    this.wake?.();
  }

  /** Waits until the reader has room for another batch; false when the run was canceled. */
  async credit(): Promise<boolean> {
    while (this.inFlight >= BATCH_WINDOW && !this.controller.signal.aborted) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = null;
    return !this.controller.signal.aborted;
  }
}

const runs = new Map<number, Run>();

async function handleRun(engine: ServerEngine, message: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const { id, sql, params, rowLimit, widen } = message;
  const run = new Run();
  runs.set(id, run);
  try {
    // One row past the cap, so the main thread's result stream sees that it was cut.
    const result = await engine.run(sql, params, {
      signal: run.controller.signal,
      rowLimit: rowLimit === null ? undefined : rowLimit + 1,
      widen: widen ?? undefined
    });
    const encoder = new IpcStreamEncoder(result.schema);
    const schemaBytes = transferable(encoder.start());
    post({ type: 'schema', id, bytes: schemaBytes }, [schemaBytes.buffer as ArrayBuffer]);
    // Breaking out (cancel) returns the engine's iterator: it releases its connection.
    for await (const batch of result.batches as AsyncIterable<RecordBatch>) {
      if (batch.numRows === 0) continue;
      const bytes = transferable(encoder.encode(batch));
      run.inFlight++;
      post({ type: 'batch', id, bytes, rows: batch.numRows }, [bytes.buffer as ArrayBuffer]);
      if (!(await run.credit())) break;
    }
    if (run.controller.signal.aborted) throw run.controller.signal.reason;
    post({ type: 'end', id });
  } catch (e) {
    post({ type: 'error', id, error: errorInfo(e) });
  } finally {
    runs.delete(id);
  }
}

async function handleCall(engine: ServerEngine, message: Extract<ToWorker, { type: 'call' }>): Promise<void> {
  try {
    const value =
      message.method === 'schema' ? await engine.schema() : message.method === 'privileges' ? await privilegesOf(engine) : (await engine.ping(), null);
    post({ type: 'result', id: message.id, value });
  } catch (e) {
    post({ type: 'error', id: message.id, error: errorInfo(e) });
  }
}

/** As in the main thread: the engine's pools end once running queries gave their connections back. */
async function close(engine: ServerEngine): Promise<void> {
  try {
    await engine.close();
  } finally {
    post({ type: 'closed' });
  }
}

try {
  const module = (await import(init.spec.module)) as Record<string, unknown>;
  const factory = module[init.spec.factory];
  if (typeof factory !== 'function') throw new Error(`${init.spec.module} does not export a function ${init.spec.factory}`);
  const engine = factory(init.config, init.options) as ServerEngine;
  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'run':
        void handleRun(engine, message);
        break;
      case 'ack':
        runs.get(message.id)?.acked();
        break;
      case 'cancel':
        runs.get(message.id)?.cancel();
        break;
      case 'call':
        void handleCall(engine, message);
        break;
      case 'close':
        void close(engine);
        break;
    }
  });
  post({ type: 'ready' });
} catch (e) {
  post({ type: 'init-error', message: errorInfo(e).message });
}
