/**
 * The messages between the DuckDB engine (main thread) and its worker thread. Results
 * stream as worker-engine/stream-protocol.ts describes, the same as the other worker
 * engine's; a slow reader pauses DuckDB's streaming result.
 */
import type { Widening } from '../arrow/index.js';
import type { ResultMessage } from '../worker-engine/stream-protocol.js';

/** What the worker is started with (`workerData.init`; `workerData.entry` is for the shared boot). */
export interface WorkerInit {
  /** A database file; absent: an in-memory database with the bundled samples. */
  path: string | null;
  readOnly: boolean;
  maxConnections: number;
  statementTimeoutMs: number;
  /** Where the sample files are (vega-datasets' `data/` folder). */
  samplesDir: string;
  /** DuckDB's `memory_limit` for the whole database, e.g. `2GB`. */
  memoryLimit: string;
  /** DuckDB's `threads` for the whole database. */
  threads: number;
}

/** Main thread → worker. */
export type ToWorker =
  | {
      type: 'run';
      id: number;
      sql: string;
      params: readonly unknown[];
      /** Stop producing once more than this many rows were sent (so the reader sees it was cut). */
      rowLimit: number | null;
      /** Internal catalogue queries skip the read-only statement check; never user SQL. */
      internal: boolean;
      /** Column types chosen up front (`RunOptions.widen`, kernels/arrow/widening.ts). */
      widen: Widening;
    }
  /** The reader took a batch: the worker may send one more. */
  | { type: 'ack'; id: number }
  /** Stop the run: interrupt DuckDB if it is executing, drop the result if it is paused. */
  | { type: 'cancel'; id: number }
  /** (Re)create table `name` from Arrow IPC bytes. */
  | { type: 'register'; id: number; name: string; bytes: Uint8Array }
  /** Interrupt every run and answer `closed` once they all ended, so the thread can exit promptly. */
  | { type: 'close' }
  /** Test hook: throw an uncaught error in the worker, as a bug there would. */
  | { type: 'crash' };

/** Why a run stopped early, when the worker stopped it. */
export type StopReason = 'canceled' | 'timeout';

/** Worker → main thread. */
export type FromWorker =
  /** The database is open and the samples are in place. */
  | { type: 'ready' }
  /** Opening the database failed; the worker exits after this. */
  | { type: 'init-error'; message: string }
  | ResultMessage
  /**
   * `message` is DuckDB's (maybe its JSON form); `reason` set when the worker stopped the
   * run itself; `widened` when a value did not fit its column's type, so the main thread
   * raises a WiderResultNeeded asking for this widening.
   */
  | { type: 'error'; id: number; message: string; reason: StopReason | null; widened?: { column: string; widening: Widening; reason: string } }
  /** `register` finished. */
  | { type: 'done'; id: number }
  /** Every run ended after `close`. */
  | { type: 'closed' }
  /**
   * An uncaught error: the worker stops every run and exits once DuckDB is idle (a thread
   * that ends with DuckDB's native work in flight aborts the whole process).
   */
  | { type: 'fatal'; message: string };
