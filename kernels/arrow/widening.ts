/**
 * Redoing a run with a wider column type instead of rounding (docs/types.md, "Exact
 * decimals whose size is not known up front"). A decimal column whose Arrow type is chosen
 * from the first batch's values may meet a later value that does not fit; its builder then
 * throws {@link WiderResultNeeded}, naming the type that would have held it, and the run is
 * done again with that type given up front.
 *
 * {@link firstBatchHeld} does this inside the engine for everything up to the first batch
 * (the consumer has seen nothing yet). After it, the error reaches the query service, which
 * remembers the wider type for the query and tells the client to run it again.
 */
import type { RecordBatch } from 'apache-arrow';
import { QueryError, type RunResult } from '../engine.js';

/**
 * A column's form on a redo: for decimals, Decimal128(38, scale); for any column, 'text'
 * (the database's own text for each value: NaN in a numeric(10,2), an infinite date).
 */
export type DecimalChoice = { scale: number } | 'text';

/** Choices given up front, by result column index. */
export type Widening = Readonly<Record<number, DecimalChoice>>;

/** A value did not fit its column's type; `widening` is what the next run should use. */
export class WiderResultNeeded extends QueryError {
  readonly code = 'result_widened';
  constructor(
    engine: string,
    readonly column: string,
    readonly widening: Widening,
    /** What did not fit, in words ("NaN or an infinite value, which no Arrow decimal holds"). */
    readonly reason = 'a value with more digits than the first rows showed'
  ) {
    super(`Column "${column}" has ${reason}; rather than change it, Cairn runs the query again with a wider type.`, engine);
    this.name = 'WiderResultNeeded';
  }
}

/**
 * `base` with the choices of `more` (a later error, which knew `base`) taking over; text,
 * once chosen, stays.
 */
export function mergeWidening(base: Widening, more: Widening): Widening {
  const out: Record<number, DecimalChoice> = { ...base };
  for (const [index, choice] of Object.entries(more)) if (out[Number(index)] !== 'text') out[Number(index)] = choice;
  return out;
}

/** Each redo settles at least one column for good (a choice of text stays), so this bounds columns needing one; the last error stands. */
const MAX_ATTEMPTS = 12;

/**
 * Runs `attempt` and waits for its first batch before answering, so the result's schema
 * is the one the first batch's values chose (the batch's own schema). A value that does
 * not fit within that first batch redoes the run with the wider type, invisibly to the
 * caller.
 */
export async function firstBatchHeld(attempt: (widening: Widening) => Promise<RunResult>, widening: Widening = {}): Promise<RunResult> {
  let current = widening;
  for (let tries = 1; ; tries++) {
    let result: RunResult;
    let iterator: AsyncIterator<RecordBatch>;
    let first: IteratorResult<RecordBatch>;
    try {
      // An engine that sends its schema with its first batch (DuckDB's worker) fails here.
      result = await attempt(current);
      iterator = result.batches[Symbol.asyncIterator]();
      first = await iterator.next();
    } catch (err) {
      if (err instanceof WiderResultNeeded && tries < MAX_ATTEMPTS) {
        current = mergeWidening(current, err.widening);
        continue;
      }
      throw err;
    }
    if (first.done) return { schema: result.schema, batches: emptyAfter(iterator), summary: result.summary };
    return { schema: first.value.schema, batches: prepend(first.value, iterator), summary: result.summary };
  }
}

async function* emptyAfter(iterator: AsyncIterator<RecordBatch>): AsyncGenerator<RecordBatch> {
  await iterator.return?.();
}

/** `first`, then the rest of `iterator`; giving up early closes `iterator` (which frees the connection). */
function prepend(first: RecordBatch, iterator: AsyncIterator<RecordBatch>): AsyncIterableIterator<RecordBatch> {
  let pending: RecordBatch | null = first;
  return {
    next: async () => {
      if (pending) {
        const value = pending;
        pending = null;
        return { done: false, value };
      }
      return iterator.next();
    },
    return: async (value?: unknown) => {
      pending = null;
      await iterator.return?.(value);
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    }
  };
}
