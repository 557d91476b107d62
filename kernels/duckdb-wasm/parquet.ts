/**
 * Parquet to Arrow without DuckDB: DuckDB-WASM 1.32 has no Parquet reader built in and
 * fetches its extension from the internet at first use, which fails offline. parquet-wasm
 * (Rust, WebAssembly) decodes the file into Arrow IPC instead.
 *
 * Measured on flights-3m.parquet (11 row groups, 3M rows, 140 MB as Arrow): the default
 * 1,024-row batches cost 7 s; whole row groups as one batch 1.1 s. Decoding everything at
 * once is fastest but holds the whole table three times (parquet-wasm's memory, the IPC
 * copy, DuckDB); chunks of about a million rows cost little more and hold a third.
 */
import { withEndOfStream } from './arrow-input.js';

/**
 * parquet-wasm's JS, imported on the first decode: a notebook that reads no Parquet never
 * downloads it (its wasm is loaded by the engine's `initParquet`, also only then).
 */
const parquetWasm = () => import('parquet-wasm/esm');

/** Rows decoded per chunk (whole row groups, so a chunk may be larger). */
const CHUNK_ROWS = 1_000_000;

/** Initializes parquet-wasm's WebAssembly module; called once, before the first decode. */
export type ParquetInit = () => Promise<void>;

/** One decoded piece of a Parquet file. */
export interface ParquetChunk {
  /** Arrow IPC stream bytes, with the end-of-stream marker. */
  ipc: Uint8Array;
  rows: number;
}

/** Runs `init` once; a failure is remembered so every caller sees it, and a later call retries. */
export function onceParquet(init: ParquetInit): ParquetInit {
  let ready: Promise<void> | null = null;
  return () => {
    ready ??= init().catch((e: unknown) => {
      ready = null;
      throw e;
    });
    return ready;
  };
}

/** The Parquet file `bytes` as Arrow IPC chunks of whole row groups, decoded one at a time as iterated. */
export async function* parquetToIpcChunks(bytes: Uint8Array): AsyncGenerator<ParquetChunk> {
  const { readParquet } = await parquetWasm();
  const groups = await rowGroupSizes(bytes);
  let start = 0;
  while (start < groups.length || (start === 0 && groups.length === 0)) {
    let end = start;
    let rows = 0;
    do rows += groups[end++] ?? 0;
    while (end < groups.length && rows + groups[end] <= CHUNK_ROWS);
    // A file with no row groups still has a schema: decode it as one (empty) chunk.
    const options = groups.length === 0 ? { batchSize: CHUNK_ROWS } : { rowGroups: range(start, end), batchSize: Math.max(rows, 1) };
    // `intoIPCStream` consumes and frees the decoded table; parquet-wasm's stream lacks the end marker.
    const ipc = withEndOfStream(readParquet(bytes, options).intoIPCStream());
    yield { ipc, rows };
    if (groups.length === 0) return;
    start = end;
  }
}

async function rowGroupSizes(bytes: Uint8Array): Promise<number[]> {
  const { ParquetFile } = await parquetWasm();
  const file = await ParquetFile.fromFile(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  try {
    const meta = file.metadata();
    return meta.rowGroups().map((g) => g.numRows());
  } finally {
    file.free();
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
