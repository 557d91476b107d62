/**
 * Arrow batches written as text, a chunk of rows at a time: what the CSV and JSON writers
 * share. Values are read column-wise from each batch's vectors; no row objects are made.
 * Generators, so the browser can give the page a turn between chunks, and a server can
 * write each chunk to its response as the batches stream in (a {@link TextFormat}'s `head`,
 * then `rows(batch)` per batch as it arrives, then `tail`).
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { columnReader } from './plain-values.js';

/** What the writers read: a Table, or a schema and its batches. */
export interface ArrowSource {
  schema: Schema;
  batches: Iterable<RecordBatch>;
}

/** Rows per chunk by default: big enough to be fast, small enough that a page stays responsive between chunks. */
export const CHUNK_ROWS = 20_000;

/** Options of the text writers. */
export interface ChunkOptions {
  /** Rows per yielded chunk (default {@link CHUNK_ROWS}). */
  chunkRows?: number;
}

/** A text format for one result: its opening, each batch's rows in chunks (in order), its closing. */
export interface TextFormat {
  readonly head: string;
  rows(batch: RecordBatch, options?: ChunkOptions): Generator<string, void, undefined>;
  readonly tail: string;
}

/**
 * A {@link TextFormat} whose rows are written by `row(vectors, r)` (row `r` of a batch whose
 * column vectors are `vectors`) and joined by `separator`, across batches.
 */
export function textFormat(head: string, row: (columns: readonly ((r: number) => unknown)[], r: number) => string, separator: string, tail: string): TextFormat {
  let first = true;
  return {
    head,
    tail,
    *rows(batch, options = {}) {
      const chunkRows = options.chunkRows ?? CHUNK_ROWS;
      // Exact readers (plain-values.ts): dates and timestamps from their buffers.
      const vectors = Array.from({ length: batch.numCols }, (_, c) => columnReader(batch.getChildAt(c)!));
      for (let start = 0; start < batch.numRows; start += chunkRows) {
        const end = Math.min(batch.numRows, start + chunkRows);
        let chunk = '';
        for (let r = start; r < end; r++) {
          if (!first) chunk += separator;
          first = false;
          chunk += row(vectors, r);
        }
        yield chunk;
      }
    }
  };
}

/** The whole text of `source` in `format`, chunk by chunk: head, rows, tail. */
export function* textChunks(format: TextFormat, source: ArrowSource, options: ChunkOptions = {}): Generator<string, void, undefined> {
  yield format.head;
  for (const batch of source.batches) yield* format.rows(batch, options);
  yield format.tail;
}
