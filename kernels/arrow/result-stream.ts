/**
 * Turns an engine's batch generator into a {@link RunResult}: the row cap, the summary
 * promise and cleanup live here once instead of in every engine.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import type { RunResult } from '../engine.js';

export interface ResultStreamOptions {
  rowLimit?: number;
  signal?: AbortSignal;
  /** Maps a driver error to the engine's error type. */
  toError?: (e: unknown) => unknown;
  /** Runs once when the stream ends for any reason: release the connection here. */
  release?: (error: unknown) => Promise<void> | void;
  /** Told after each batch with the rows delivered so far. */
  onRows?: (rows: number) => void;
}

export function resultStream(schema: Schema, source: AsyncIterable<RecordBatch>, options: ResultStreamOptions = {}): RunResult {
  const { rowLimit, signal, toError = (e) => e, release, onRows } = options;
  let settle!: (s: { rows: number; truncated: boolean } | Error) => void;
  const summary = new Promise<{ rows: number; truncated: boolean }>((resolve, reject) => {
    settle = (s) => (s instanceof Error ? reject(s) : resolve(s));
  });
  summary.catch(() => undefined);
  let started = false;
  const iterator0 = source[Symbol.asyncIterator]();

  async function* batches(): AsyncGenerator<RecordBatch> {
    started = true;
    let rows = 0;
    let truncated = false;
    let failure: unknown = null;
    const iterator = iterator0;
    try {
      for (;;) {
        signal?.throwIfAborted();
        const next = await iterator.next();
        if (next.done) break;
        const batch = next.value;
        if (batch.numRows === 0) continue;
        if (rowLimit !== undefined && rows + batch.numRows > rowLimit) {
          truncated = true;
          const keep = rowLimit - rows;
          if (keep > 0) {
            rows += keep;
            onRows?.(rows);
            yield batch.slice(0, keep);
          }
          break;
        }
        rows += batch.numRows;
        onRows?.(rows);
        yield batch;
      }
      signal?.throwIfAborted();
    } catch (e) {
      failure = signal?.aborted ? signal.reason : toError(e);
      throw failure;
    } finally {
      // Stops the driver when the consumer quit early or the cap was reached.
      await iterator.return?.().catch(() => undefined);
      await release?.(failure);
      settle(failure === null ? { rows, truncated } : (failure as Error));
    }
  }

  const generator = batches();
  // `return()` on a generator that never started skips its `finally`; a caller that drops
  // the result unread must still give the connection back.
  const iterable: AsyncIterableIterator<RecordBatch> = {
    next: () => generator.next(),
    return: async (value?: unknown) => {
      if (!started) {
        started = true;
        await iterator0.return?.().catch(() => undefined);
        await release?.(null);
        settle({ rows: 0, truncated: false });
      }
      return generator.return(value as undefined);
    },
    [Symbol.asyncIterator]() {
      return this;
    }
  };
  return { schema, batches: iterable, summary };
}
