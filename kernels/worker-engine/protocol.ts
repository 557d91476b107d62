/**
 * The messages between a worker engine (main thread, engine.ts) and its worker thread
 * (worker.ts). Results stream as stream-protocol.ts describes.
 */
import type { PrivilegeReport, ServerEngineOptions, TableInfo } from '../engine.js';
import type { Widening } from '../arrow/widening.js';
import type { ResultMessage } from './stream-protocol.js';

/** Which engine the worker builds: `module` (a file URL) exports `factory(config, options)`. */
export interface EngineSpec {
  module: string;
  factory: string;
}

/** What the worker is started with (`workerData`). */
export interface WorkerInit {
  spec: EngineSpec;
  config: unknown;
  options: ServerEngineOptions;
}

/** A QueryError as it crosses threads (engines scrub secrets from messages before this). */
export interface ErrorInfo {
  message: string;
  engine: string;
  position: number | null;
  /** Set when the error is a WiderResultNeeded (kernels/arrow/widening.ts): rebuilt as one on the main thread. */
  widened?: { column: string; widening: Widening; reason: string };
}

/** The engine methods the main thread calls with one answer each (no stream). */
export type CallMethod = 'schema' | 'ping' | 'privileges';

/** Main thread → worker. */
export type ToWorker =
  | { type: 'run'; id: number; sql: string; params: readonly unknown[]; rowLimit: number | null; widen: Widening | null }
  /** The reader took a batch: the worker may send one more. */
  | { type: 'ack'; id: number }
  /** Abort the run (the engine cancels on the database) or drop its result. */
  | { type: 'cancel'; id: number }
  | { type: 'call'; id: number; method: CallMethod }
  /** Close the engine and answer `closed`; the main thread then ends the thread. */
  | { type: 'close' };

/** Worker → main thread. */
export type FromWorker =
  | { type: 'ready' }
  /** Loading the module or building the engine failed; the worker exits after this. */
  | { type: 'init-error'; message: string }
  | ResultMessage
  | { type: 'error'; id: number; error: ErrorInfo }
  /** A `call` finished. */
  | { type: 'result'; id: number; value: TableInfo[] | PrivilegeReport | null }
  | { type: 'closed' };
