/**
 * Any {@link ServerEngine} run in a worker thread (issue 5: one slow query never blocks
 * the server's event loop). The worker (worker.ts) imports the module named by the spec,
 * builds the engine there and streams each result back as Arrow IPC bytes; this side
 * decodes them into RecordBatches and hands them out as a {@link RunResult},
 * acknowledging each batch taken so the worker never runs far ahead of the reader.
 *
 * One worker per engine (per connection), started on first use. A worker that dies fails
 * every pending request with a clear QueryError; the next call starts a fresh one.
 */
import { Worker } from 'node:worker_threads';
import type { Schema } from 'apache-arrow';
import { resultStream } from '../arrow/index.js';
import { QueryError, type RunOptions, type RunResult, type ServerEngine, type ServerEngineOptions, type TableInfo } from '../engine.js';
import { RunChannel } from './run-channel.js';
import type { EngineSpec, ErrorInfo, FromWorker, ToWorker, WorkerInit } from './protocol.js';

export type { EngineSpec } from './protocol.js';

const BOOT_URL = new URL('./boot.mjs', import.meta.url);
const ENTRY_URL = new URL('./worker.ts', import.meta.url).href;

/** Receives one request's messages; told when the worker died under it. */
interface Listener {
  message(message: FromWorker): void;
  crash(error: QueryError): void;
}

/** One live worker thread and the requests waiting on it. */
class WorkerHandle {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  /** Set when the worker is gone; the engine then starts another. */
  dead: QueryError | null = null;
  private readonly listeners = new Map<number, Listener>();
  private onClosed: (() => void) | null = null;

  constructor(init: WorkerInit, engineId: string) {
    this.worker = new Worker(BOOT_URL, { workerData: { entry: ENTRY_URL, init } });
    let settle!: (error: QueryError | null) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(error) : resolve());
    });
    this.ready.catch(() => undefined);
    this.worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        if (this.listeners.size === 0) this.worker.unref();
        return settle(null);
      }
      if (message.type === 'init-error') {
        const error = new QueryError(`could not start the engine: ${message.message}`, engineId);
        settle(error);
        this.die(error);
        void this.worker.terminate();
        return;
      }
      if (message.type === 'closed') return this.onClosed?.();
      this.listeners.get(message.id)?.message(message);
    });
    this.worker.on('error', (e) => {
      const error = new QueryError(`the engine's worker thread crashed (${e.message}); the query did not finish`, engineId);
      settle(error);
      this.die(error);
    });
    this.exited = new Promise<void>((resolve) => {
      this.worker.on('exit', (code) => {
        const error = new QueryError(`the engine's worker thread stopped unexpectedly (exit code ${code}); the query did not finish`, engineId);
        settle(error);
        this.die(error);
        resolve();
      });
    });
  }

  /** The worker keeps the process alive only while a request is pending. */
  listen(id: number, listener: Listener): void {
    this.listeners.set(id, listener);
    this.worker.ref();
  }

  unlisten(id: number, listener: Listener): void {
    if (this.listeners.get(id) !== listener) return;
    this.listeners.delete(id);
    if (this.listeners.size === 0) this.worker.unref();
  }

  post(message: ToWorker): void {
    if (!this.dead) this.worker.postMessage(message);
  }

  /**
   * Closes the engine in the worker — its pools end once running queries are done, as
   * in the main thread — then ends the thread.
   */
  async close(): Promise<void> {
    if (!this.dead) {
      this.worker.ref();
      await Promise.race([
        new Promise<void>((resolve) => {
          this.onClosed = resolve;
          this.post({ type: 'close' });
        }),
        this.exited
      ]);
    }
    await this.worker.terminate();
  }

  die(error: QueryError): void {
    if (this.dead) return;
    this.dead = error;
    const listeners = [...this.listeners.values()];
    this.listeners.clear();
    for (const listener of listeners) listener.crash(error);
  }
}

function toQueryError(error: ErrorInfo): QueryError {
  return new QueryError(error.message, error.engine, error.position);
}

class WorkerEngine implements ServerEngine {
  readonly id: string;
  private readonly init: WorkerInit;
  private handle: WorkerHandle | null = null;
  private nextId = 1;
  private closed = false;

  constructor(spec: EngineSpec, config: unknown, options: ServerEngineOptions) {
    this.id = options.id;
    this.init = { spec, config, options };
  }

  /** The live worker, started (again) when there is none. */
  private async worker(): Promise<WorkerHandle> {
    if (this.closed) throw new QueryError('the engine is closed', this.id);
    if (!this.handle || this.handle.dead) {
      // A crashed thread may still be exiting; it holds no shared state, so don't wait.
      if (this.handle) void this.handle.worker.terminate();
      this.handle = new WorkerHandle(this.init, this.id);
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
    const onAbort = () => {
      channel.fail(signal!.reason);
      channel.close();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    handle.post({ type: 'run', id, sql, params: [...params], rowLimit: rowLimit ?? null });
    let schema: Schema;
    try {
      schema = await channel.schema;
    } catch (e) {
      signal?.removeEventListener('abort', onAbort);
      channel.close();
      throw e;
    }
    return resultStream(schema, channel.batches(schema), {
      rowLimit,
      signal,
      release: () => {
        signal?.removeEventListener('abort', onAbort);
        channel.close();
      }
    });
  }

  /** A request answered by one `result` (or `error`). */
  private async call(method: 'schema' | 'ping'): Promise<TableInfo[] | null> {
    const handle = await this.worker();
    const id = this.nextId++;
    return new Promise<TableInfo[] | null>((resolve, reject) => {
      const listener: Listener = {
        message: (m) => {
          handle.unlisten(id, listener);
          if (m.type === 'result') resolve(m.value);
          else if (m.type === 'error') reject(toQueryError(m.error));
        },
        crash: reject
      };
      handle.listen(id, listener);
      handle.post({ type: 'call', id, method });
    });
  }

  async schema(): Promise<TableInfo[]> {
    return (await this.call('schema')) ?? [];
  }

  async ping(): Promise<void> {
    await this.call('ping');
  }

  async close(): Promise<void> {
    this.closed = true;
    const handle = this.handle;
    this.handle = null;
    if (!handle) return;
    await handle.ready.catch(() => undefined);
    await handle.close();
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
