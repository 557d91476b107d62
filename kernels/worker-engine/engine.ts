/**
 * Any {@link ServerEngine} run in a worker thread (one slow query never blocks
 * the server's event loop). The worker (worker.ts) imports the module named by the spec,
 * builds the engine there and streams each result back as Arrow IPC bytes; this side
 * decodes them into RecordBatches and hands them out as a {@link RunResult},
 * acknowledging each batch taken so the worker never runs far ahead of the reader.
 *
 * One worker per engine (per connection), started on first use. A worker that dies fails
 * every pending request with a clear QueryError; the next call starts a fresh one.
 */
import { QueryError, type PrivilegeReport, type RunOptions, type RunResult, type ServerEngine, type ServerEngineOptions, type TableInfo } from '../engine.js';
import { WiderResultNeeded } from '../arrow/widening.js';
import { RunChannel } from './run-channel.js';
import { WorkerHandle, type Listener } from './worker-handle.js';
import type { CallMethod, EngineSpec, ErrorInfo, FromWorker, ToWorker, WorkerInit } from './protocol.js';

export type { EngineSpec } from './protocol.js';

const ENTRY_URL = new URL('./worker.ts', import.meta.url).href;
const WORDING = { name: "the engine's worker thread", initFailed: 'could not start the engine' };

type Handle = WorkerHandle<ToWorker, FromWorker>;

function toQueryError(error: ErrorInfo): QueryError {
  if (error.widened) return new WiderResultNeeded(error.engine, error.widened.column, error.widened.widening, error.widened.reason);
  return new QueryError(error.message, error.engine, error.position);
}

class WorkerEngine implements ServerEngine {
  readonly id: string;
  private readonly init: WorkerInit;
  private handle: Handle | null = null;
  private nextId = 1;
  private closed = false;

  constructor(spec: EngineSpec, config: unknown, options: ServerEngineOptions) {
    this.id = options.id;
    this.init = { spec, config, options };
  }

  /** The live worker, started (again) when there is none. */
  private async worker(): Promise<Handle> {
    if (this.closed) throw new QueryError('the engine is closed', this.id);
    if (!this.handle || this.handle.dead) {
      // A crashed thread may still be exiting; it holds no shared state, so don't wait.
      if (this.handle) void this.handle.worker.terminate();
      this.handle = new WorkerHandle(ENTRY_URL, this.init, this.id, WORDING);
    }
    const handle = this.handle;
    await handle.ready;
    return handle;
  }

  async run(sql: string, params: readonly unknown[], options: RunOptions = {}): Promise<RunResult> {
    const { signal, rowLimit } = options;
    signal?.throwIfAborted();
    const handle = await this.worker();
    signal?.throwIfAborted();
    const id = this.nextId++;
    const channel = new RunChannel(handle, id, (m: Extract<FromWorker, { type: 'error' }>) => toQueryError(m.error));
    handle.post({ type: 'run', id, sql, params: [...params], rowLimit: rowLimit ?? null, widen: options.widen ?? null });
    return channel.result(options);
  }

  /** A request answered by one `result` (or `error`). */
  private async call<T extends TableInfo[] | PrivilegeReport | null>(method: CallMethod): Promise<T> {
    const handle = await this.worker();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const listener: Listener<FromWorker> = {
        message: (m) => {
          handle.unlisten(id, listener);
          if (m.type === 'result') resolve(m.value as T);
          else if (m.type === 'error') reject(toQueryError(m.error));
        },
        crash: reject
      };
      handle.listen(id, listener);
      handle.post({ type: 'call', id, method });
    });
  }

  async schema(): Promise<TableInfo[]> {
    return (await this.call<TableInfo[] | null>('schema')) ?? [];
  }

  async ping(): Promise<void> {
    await this.call<null>('ping');
  }

  async privileges(): Promise<PrivilegeReport> {
    return this.call<PrivilegeReport>('privileges');
  }

  async close(): Promise<void> {
    this.closed = true;
    const handle = this.handle;
    this.handle = null;
    if (!handle) return;
    await handle.ready.catch(() => undefined);
    // The engine closes in the worker — its pools end once running queries are done, as in
    // the main thread — and then the thread ends.
    handle.worker.ref();
    await handle.requestClose({ type: 'close' });
    await handle.worker.terminate();
    handle.die(new QueryError('the engine was closed', this.id));
  }
}

/**
 * A {@link ServerEngine} built in a worker thread: `spec.module` (an absolute file URL)
 * must export `spec.factory(config, options)`. `config` crosses by structured clone.
 */
export function createWorkerEngine(spec: EngineSpec, config: unknown, options: ServerEngineOptions): ServerEngine {
  return new WorkerEngine(spec, config, options);
}
