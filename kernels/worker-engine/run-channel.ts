/**
 * One run's messages on the main thread, in order: the schema first, then batches until
 * `end` or `error`. Shared by the worker engines (worker-engine/engine.ts for Postgres and
 * MySQL, duckdb-node/engine.ts), whose protocols stream results the same way and differ
 * only in how an error is described. A local failure (cancel, crash) ends the run at once,
 * whatever the worker still sends.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { resultStream } from '../arrow/index.js';
import type { RunOptions, RunResult } from '../engine.js';
import { decodeBatch, decodeSchema } from './ipc-decode.js';
import type { ResultMessage as StreamMessage } from './stream-protocol.js';

/** The worker as a run needs it: who gets its messages, and a way to acknowledge or cancel. */
export interface RunPort {
  listen(id: number, listener: RunChannel): void;
  unlisten(id: number, listener: RunChannel): void;
  post(message: { type: 'ack' | 'cancel'; id: number }): void;
}

function isStream(message: { type: string }): message is StreamMessage {
  return message.type === 'schema' || message.type === 'batch' || message.type === 'end';
}

export class RunChannel {
  readonly schema: Promise<Schema>;
  private schemaBytes: Uint8Array | null = null;
  private resolveSchema!: (schema: Schema) => void;
  private rejectSchema!: (error: unknown) => void;
  private readonly queue: (StreamMessage | { type: 'failed'; error: unknown })[] = [];
  private wake: (() => void) | null = null;
  private finished = false;

  constructor(
    private readonly port: RunPort,
    readonly id: number,
    /** The protocol's `error` message as the error the run fails with. */
    private readonly toError: (message: never) => unknown
  ) {
    this.schema = new Promise<Schema>((resolve, reject) => {
      this.resolveSchema = resolve;
      this.rejectSchema = reject;
    });
    this.schema.catch(() => undefined);
    port.listen(id, this);
  }

  message(message: { type: string }): void {
    if (message.type === 'error') return this.fail(this.toError(message as never));
    if (!isStream(message)) return;
    if (message.type === 'schema') {
      this.schemaBytes = message.bytes;
      this.resolveSchema(decodeSchema(message.bytes));
    } else {
      this.push(message);
    }
  }

  crash(error: unknown): void {
    this.fail(error);
  }

  /** Ends the run here with `error`: before the schema, `run()` rejects; after, the batches throw. */
  fail(error: unknown): void {
    this.rejectSchema(error);
    this.push({ type: 'failed', error });
  }

  private push(item: (typeof this.queue)[number]): void {
    this.queue.push(item);
    this.wake?.();
  }

  private async next(): Promise<(typeof this.queue)[number]> {
    while (this.queue.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = null;
    return this.queue.shift()!;
  }

  /**
   * The run as a {@link RunResult}, for the engine to return once it has posted the run:
   * `signal` aborting ends it here and cancels it in the worker; so does the reader
   * releasing it early.
   */
  async result({ signal, rowLimit }: RunOptions): Promise<RunResult> {
    const onAbort = () => {
      this.fail(signal!.reason);
      this.close();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const release = () => {
      signal?.removeEventListener('abort', onAbort);
      this.close();
    };
    let schema: Schema;
    try {
      schema = await this.schema;
    } catch (e) {
      release();
      throw e;
    }
    return resultStream(schema, this.batches(schema), { rowLimit, signal, release });
  }

  /** The run's batches, decoded; each one taken lets the worker send another. */
  async *batches(schema: Schema): AsyncGenerator<RecordBatch> {
    try {
      for (;;) {
        const item = await this.next();
        if (item.type === 'failed') throw item.error;
        if (item.type === 'end') return;
        if (item.type !== 'batch') continue;
        this.port.post({ type: 'ack', id: this.id });
        yield decodeBatch(schema, this.schemaBytes!, item.bytes);
      }
    } finally {
      this.close();
    }
  }

  /** Stops listening; a run still going in the worker is canceled there (it ignores ended ids). */
  close(): void {
    if (this.finished) return;
    this.finished = true;
    this.port.unlisten(this.id, this);
    this.port.post({ type: 'cancel', id: this.id });
  }
}
