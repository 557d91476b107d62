/**
 * One live engine worker thread and the requests waiting on it, on the main thread. Both
 * worker engines (worker-engine/engine.ts, duckdb-node/engine.ts) start their thread
 * through the shared TypeScript boot and speak the same lifecycle: `ready` or
 * `init-error` first, per-request messages carrying an `id`, `closed` after `close`, and
 * `fatal` for a crash the worker caught itself. A thread that dies fails every pending
 * request with a clear QueryError; the engine then starts another.
 */
import { Worker } from 'node:worker_threads';
import { QueryError } from '../engine.js';

const BOOT_URL = new URL('./boot.mjs', import.meta.url);

/** Receives one request's messages; told when the worker died under it. */
export interface Listener<M> {
  message(message: M): void;
  crash(error: QueryError): void;
}

/** How failures read for this kind of worker. */
export interface WorkerWording {
  /** What the worker is, for crash messages: "the DuckDB worker". */
  name: string;
  /** What failed when it could not start: "could not open the DuckDB database". */
  initFailed: string;
}

type Lifecycle = { type: 'ready' } | { type: 'init-error'; message: string } | { type: 'closed' } | { type: 'fatal'; message: string };

export class WorkerHandle<ToWorker, FromWorker extends { type: string }> {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  /** Resolves when the thread has exited. */
  readonly exited: Promise<void>;
  /** Set when the worker is gone; the engine then starts another. */
  dead: QueryError | null = null;
  private readonly listeners = new Map<number, Listener<FromWorker>>();
  private onClosed: (() => void) | null = null;

  /** `entry`: the worker module's file URL; `init`: its start data. */
  constructor(entry: string, init: unknown, engineId: string, wording: WorkerWording) {
    this.worker = new Worker(BOOT_URL, { workerData: { entry, init } });
    let settle!: (error: QueryError | null) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(error) : resolve());
    });
    this.ready.catch(() => undefined);
    const crashed = (why: string) => new QueryError(`${wording.name} ${why}; the query did not finish`, engineId);
    this.worker.on('message', (raw: FromWorker) => {
      const message = raw as FromWorker | Lifecycle;
      if (message.type === 'ready') {
        if (this.listeners.size === 0) this.worker.unref();
        return settle(null);
      }
      if (message.type === 'init-error') {
        const error = new QueryError(`${wording.initFailed}: ${(message as Lifecycle & { type: 'init-error' }).message}`, engineId);
        settle(error);
        this.die(error);
        void this.worker.terminate();
        return;
      }
      if (message.type === 'closed') return this.onClosed?.();
      if (message.type === 'fatal') {
        const error = crashed(`crashed (${(message as Lifecycle & { type: 'fatal' }).message})`);
        settle(error);
        return this.die(error);
      }
      if ('id' in message) this.listeners.get((message as { id: number }).id)?.message(raw);
    });
    // A worker that reports its own uncaught errors sends 'fatal'; this catches what escapes
    // (a failure while loading). Runs fail now; the thread counts as gone at 'exit'.
    this.worker.on('error', (e) => {
      const error = crashed(`crashed (${e.message})`);
      settle(error);
      this.die(error);
    });
    this.exited = new Promise<void>((resolve) => {
      this.worker.on('exit', (code) => {
        const error = crashed(`stopped unexpectedly (exit code ${code})`);
        settle(error);
        this.die(error);
        resolve();
      });
    });
  }

  /**
   * Listens for request `id`'s messages. The worker keeps the process alive only while a
   * request is pending, so a forgotten engine never holds a script open.
   */
  listen(id: number, listener: Listener<FromWorker>): void {
    this.listeners.set(id, listener);
    this.worker.ref();
  }

  unlisten(id: number, listener: Listener<FromWorker>): void {
    if (this.listeners.get(id) !== listener) return;
    this.listeners.delete(id);
    if (this.listeners.size === 0) this.worker.unref();
  }

  post(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (!this.dead) this.worker.postMessage(message, transfer);
  }

  /** Sends `close` (the protocol's own message) and resolves on `closed`, the thread's exit, or after `waitMs`. */
  async requestClose(close: ToWorker, waitMs = Infinity): Promise<void> {
    if (this.dead) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      new Promise<void>((resolve) => {
        this.onClosed = resolve;
        this.post(close);
      }),
      ...(Number.isFinite(waitMs) ? [new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))] : []),
      this.exited
    ]);
    clearTimeout(timer);
  }

  die(error: QueryError): void {
    if (this.dead) return;
    this.dead = error;
    const listeners = [...this.listeners.values()];
    this.listeners.clear();
    for (const listener of listeners) listener.crash(error);
  }
}
