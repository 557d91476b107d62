/**
 * Rows of Arrow batches written as text, a chunk of rows at a time: what the CSV and JSON
 * writers share. Values are read column-wise from each batch's vectors; no row objects are
 * made. A generator, so the browser can give the page a turn between chunks and a server
 * can write each chunk to its response as it comes.
 */
import type { RecordBatch, Schema, Vector } from 'apache-arrow';

/** What the writers read: a Table, or a schema and its batches as they stream. */
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

/**
 * The text of every row, `chunkRows` rows per yielded string: `row(vectors, r)` writes row
 * `r` of a batch whose column vectors are `vectors`; rows are joined by `separator`, and each
 * chunk but the first starts with one.
 */
export function* rowChunks(
  source: ArrowSource,
  row: (vectors: readonly Vector[], r: number) => string,
  separator: string,
  options: ChunkOptions = {}
): Generator<string, void, undefined> {
  const chunkRows = options.chunkRows ?? CHUNK_ROWS;
  const columns = source.schema.fields.length;
  let first = true;
  for (const batch of source.batches) {
    // A batch's own vectors have one chunk each, so get(r) is a direct read.
    const vectors = Array.from({ length: columns }, (_, c) => batch.getChildAt(c)!);
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
}
