/**
 * The messages between the DuckDB engine (main thread) and its worker thread. Results
 * travel as Arrow IPC stream bytes (schema message first, then one message per batch),
 * their ArrayBuffers transferred, never copied; the worker sends at most
 * {@link BATCH_WINDOW} batches ahead of what the main thread has taken, so a slow reader
 * pauses DuckDB's streaming result instead of piling batches up in memory.
 */

/** Batches the worker may send before the main thread acknowledges one. */
export const BATCH_WINDOW = 2;

/** What the worker is started with (`workerData.init`; `workerData.entry` is for the shared boot). */
export interface WorkerInit {
  /** A database file; absent: an in-memory database with the bundled samples. */
  path: string | null;
  readOnly: boolean;
  maxConnections: number;
  statementTimeoutMs: number;
  /** Where the sample files are (vega-datasets' `data/` folder). */
  samplesDir: string;
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
  /** The result's Arrow schema message. */
  | { type: 'schema'; id: number; bytes: Uint8Array }
  | { type: 'batch'; id: number; bytes: Uint8Array; rows: number }
  | { type: 'end'; id: number }
  /** `message` is DuckDB's (maybe its JSON form); `reason` set when the worker stopped the run itself. */
  | { type: 'error'; id: number; message: string; reason: StopReason | null }
  /** `register` finished. */
  | { type: 'done'; id: number }
  /** Every run ended after `close`. */
  | { type: 'closed' }
  /**
   * An uncaught error: the worker stops every run and exits once DuckDB is idle (a thread
   * that ends with DuckDB's native work in flight aborts the whole process).
   */
  | { type: 'fatal'; message: string };
