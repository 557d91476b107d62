/**
 * One statement on one pooled connection, streamed: mysql2's row events become Arrow
 * batches while the server is still sending, the socket is paused while the consumer is
 * behind, and stopping early kills the statement on the server before the connection
 * goes back to the pool.
 */
import { Schema, type RecordBatch } from 'apache-arrow';
import type { FieldPacket, PoolConnection, Query } from 'mysql2';
import { BatchBuilder, DEFAULT_BATCH_ROWS, type ColumnBuilder, type Widening } from '../arrow/index.js';
import { mapColumn, type Convert } from './types.js';

/** Batches waiting for the consumer before the socket is paused. */
const HIGH_WATER_BATCHES = 2;
/** A partial batch is sent after this long, so slowly arriving rows are still seen early. */
const FLUSH_AFTER_MS = 100;
/** How long a killed statement gets to finish on the wire before its connection is dropped instead. */
const DRAIN_TIMEOUT_MS = 5_000;

export interface RunConfig {
  sql: string;
  values: unknown[];
  /** Runs `KILL QUERY <threadId>` on a connection other than this one. */
  kill: (threadId: number) => Promise<void>;
  /** Ends the transaction the run was started in; `null` when there is none. */
  endTransaction: string | null;
  /** Undoes what the run left on the session beyond its transaction, before the connection is reused. */
  resetSession?: string;
  batchRows?: number;
  /** The engine's id, named by the error that asks for a wider redo. */
  engine: string;
  /** Column forms an earlier run of the same query asked for, by column index. */
  widening?: Widening;
}

export class MysqlRun {
  /** Resolves with the result's schema when the column definitions arrive (empty for a statement without rows). */
  readonly schema: Promise<Schema>;
  private resolveSchema!: (s: Schema) => void;
  private rejectSchema!: (e: unknown) => void;
  private builder: BatchBuilder | null = null;
  private converters: (Convert | null)[] = [];
  private readonly queue: RecordBatch[] = [];
  private waiter: (() => void) | null = null;
  private failure: unknown = null;
  /** The statement finished on the wire (its end, or the connection's death). */
  private ended = false;
  private readonly endedPromise: Promise<void>;
  private markEnded!: () => void;
  private broken = false;
  private paused = false;
  /** Rows after a stop are read off the wire and dropped. */
  private discarding = false;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private closed: Promise<void> | null = null;
  private readonly query: Query;

  constructor(
    private readonly conn: PoolConnection,
    private readonly config: RunConfig
  ) {
    this.schema = new Promise((resolve, reject) => {
      this.resolveSchema = resolve;
      this.rejectSchema = reject;
    });
    this.schema.catch(() => undefined);
    this.endedPromise = new Promise((resolve) => (this.markEnded = resolve));
    // A fatal socket error is emitted on the connection, not on the running command.
    conn.on('error', this.onConnectionError);
    this.query = conn.execute({ sql: config.sql, values: config.values, rowsAsArray: true } as never);
    this.query.on('fields', (fields: FieldPacket[] | undefined, index?: number) => this.onFields(fields, index ?? 0));
    this.query.on('result', (row: unknown, index?: number) => this.onRow(row, index ?? 0));
    this.query.on('error', (e: unknown) => this.fail(e));
    this.query.on('end', () => this.onEnd());
  }

  /** Whether the statement has finished on the wire (rows may still wait for the consumer). */
  get finished(): boolean {
    return this.ended;
  }

  /** Batches in order; throws the statement's error after the batches before it. */
  async *batches(): AsyncGenerator<RecordBatch> {
    for (;;) {
      const batch = this.queue.shift();
      if (batch !== undefined) {
        if (this.paused && this.failure === null && this.queue.length < HIGH_WATER_BATCHES) {
          this.paused = false;
          this.conn.resume();
        }
        yield batch;
        continue;
      }
      if (this.failure !== null) throw this.failure;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  /** Ends the run with `reason` (cancel, timeout): the consumer sees it at once, the server is stopped in `close`. */
  fail(reason: unknown): void {
    if (this.failure === null) this.failure = reason;
    this.rejectSchema(reason);
    this.wake();
  }

  /**
   * Stops the statement if it is still running, then hands the connection back: rolled
   * back, its session reset and released when it is known to be idle, destroyed when it is not.
   */
  close(): Promise<void> {
    this.closed ??= this.doClose();
    return this.closed;
  }

  private async doClose(): Promise<void> {
    this.clearFlushTimer();
    if (!this.ended) await this.stop();
    this.conn.removeListener('error', this.onConnectionError);
    if (this.broken) {
      this.conn.destroy();
      return;
    }
    for (const sql of [this.config.endTransaction, this.config.resetSession]) {
      if (sql === null || sql === undefined) continue;
      const ok = await new Promise<boolean>((resolve) => {
        this.conn.query(sql, (e) => resolve(!e));
      });
      if (!ok) {
        this.conn.destroy();
        return;
      }
    }
    this.conn.release();
  }

  /** KILL QUERY from another connection, then read what is left on the wire so this one is idle. */
  private async stop(): Promise<void> {
    this.discarding = true;
    this.queue.length = 0;
    try {
      await this.config.kill(this.conn.threadId);
    } catch {
      // Without the kill the statement may run on for minutes: give up this connection.
      this.broken = true;
      return;
    }
    if (this.paused) {
      this.paused = false;
      this.conn.resume();
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const drained = await Promise.race([
      this.endedPromise.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), DRAIN_TIMEOUT_MS)))
    ]);
    clearTimeout(timer);
    if (!drained) this.broken = true;
  }

  private onFields(fields: FieldPacket[] | undefined, index: number): void {
    // Only the first result set is the cell's result (a CALL can return several).
    if (index > 0 || this.builder !== null) return;
    if (fields === undefined) {
      // A statement without a result set (OK packet).
      this.resolveSchema(new Schema([]));
      return;
    }
    try {
      const widening = this.config.widening ?? {};
      const mappings = fields.map((def, index) => mapColumn(def, { engine: this.config.engine, index, choice: widening[index] }));
      this.converters = mappings.map((m) => m.convert);
      const builders = new Map<number, ColumnBuilder>();
      mappings.forEach((m, i) => m.builder && builders.set(i, m.builder));
      this.builder = new BatchBuilder(
        mappings.map((m) => m.field),
        this.config.batchRows ?? DEFAULT_BATCH_ROWS,
        builders
      );
      this.resolveSchema(this.builder.schema);
    } catch (e) {
      this.fail(e);
    }
  }

  private onRow(row: unknown, index: number): void {
    const builder = this.builder;
    if (index > 0 || builder === null || this.discarding || this.failure !== null) return;
    const values = row as unknown[];
    const converters = this.converters;
    try {
      for (let i = 0; i < converters.length; i++) {
        const convert = converters[i];
        const v = values[i];
        if (convert !== null && v !== null && v !== undefined) values[i] = convert(v);
      }
      const batch = builder.appendRow(values);
      if (batch !== null) {
        this.clearFlushTimer();
        this.push(batch);
      } else if (builder.pending === 1) {
        this.flushTimer = setTimeout(() => this.flushPartial(), FLUSH_AFTER_MS);
      }
    } catch (e) {
      // A value the Arrow type cannot hold: stop rather than deliver a wrong value. A
      // WiderResultNeeded names the type that holds it, for the redo (widening.ts). Rows
      // after it would only be dropped: stop reading until close() kills the statement.
      this.fail(e);
      if (!this.paused) {
        this.paused = true;
        this.conn.pause();
      }
    }
  }

  private flushPartial(): void {
    this.flushTimer = null;
    if (this.discarding || this.failure !== null) return;
    let batch: RecordBatch | null | undefined;
    try {
      batch = this.builder?.flush();
    } catch (e) {
      this.fail(e);
      return;
    }
    if (batch) this.push(batch);
  }

  private push(batch: RecordBatch): void {
    this.queue.push(batch);
    if (!this.paused && this.queue.length >= HIGH_WATER_BATCHES) {
      this.paused = true;
      this.conn.pause();
    }
    this.wake();
  }

  private onEnd(): void {
    this.clearFlushTimer();
    if (!this.discarding && this.failure === null) {
      try {
        const rest = this.builder?.flush();
        if (rest) this.queue.push(rest);
      } catch (e) {
        this.fail(e);
      }
    }
    // An error before any columns already rejected the schema; this covers a silent end.
    this.resolveSchema(new Schema([]));
    this.ended = true;
    this.markEnded();
    this.wake();
  }

  private readonly onConnectionError = (e: unknown): void => {
    this.broken = true;
    this.fail(e);
    this.ended = true;
    this.markEnded();
  };

  private clearFlushTimer(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }
}
