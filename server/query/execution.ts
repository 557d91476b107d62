/**
 * One query running on a warehouse, shared by every request for the same result while it
 * runs. When one collaborator runs a server cell, every open copy of the notebook asks for
 * it (docs/api.md, shared runs): they all read this one execution's Arrow IPC bytes instead
 * of sending the warehouse the same query several times.
 *
 * Bytes are kept from the start while the result is small enough to cache, so a request
 * that joins late still gets the whole stream. A bigger result stops being joinable and
 * keeps only what some reader has not read yet; the producer waits for the slowest reader,
 * so memory stays flat however large the result is.
 */
import { createHash } from 'node:crypto';
import type { RunResult } from '../../kernels/engine.js';
import { IpcStreamEncoder } from '../../kernels/arrow/index.js';

export interface ExecutionOutcome {
  rows: number;
  truncated: boolean;
  bytes: number;
  /** SHA-256 of the complete IPC stream (docs/api.md `resultHash`); null when it did not complete. */
  resultHash: string | null;
  error: unknown;
  canceled: boolean;
  /** The whole stream, when it completed and was small enough to keep. */
  retained: Uint8Array[] | null;
}

/** How far the producer may run ahead of the slowest reader, in IPC messages. */
const WINDOW = 8;

export class Execution {
  readonly controller = new AbortController();
  /** When the query was sent: a cached result's age counts from here. */
  readonly startedAt = new Date();
  readonly outcome: Promise<ExecutionOutcome>;
  /** Resolves once the first batch (or the end) is encoded; rejects when the run fails before any batch. */
  readonly firstData: Promise<void>;

  private chunks: Uint8Array[] = [];
  /** Index of `chunks[0]` in the whole stream. */
  private base = 0;
  private produced = 0;
  /** Rows encoded so far (GET /api/runs/:id shows it while the run goes). */
  rowsSoFar = 0;
  private bytes = 0;
  private finished = false;
  private readonly readers = new Set<{ at: number }>();
  private wake: (() => void) | null = null;
  private notifyReaders = new Set<() => void>();
  private resolveFirst!: () => void;
  private rejectFirst!: (e: unknown) => void;

  constructor(
    run: (signal: AbortSignal) => Promise<RunResult>,
    /** Keep the stream for late readers and the cache up to this many bytes. */
    private readonly retainBytes: number
  ) {
    this.firstData = new Promise((resolve, reject) => {
      this.resolveFirst = resolve;
      this.rejectFirst = reject;
    });
    this.firstData.catch(() => undefined);
    this.outcome = this.produce(run);
  }

  /** Whether a new reader can still get the stream from its start. */
  get joinable(): boolean {
    return this.base === 0 && !this.controller.signal.aborted;
  }

  /** A reader from the stream's start; null when the start is gone (see {@link joinable}). */
  read(): { chunks: AsyncIterable<Uint8Array>; leave: () => void } | null {
    if (!this.joinable) return null;
    const reader = { at: 0 };
    this.readers.add(reader);
    const leave = () => {
      if (!this.readers.delete(reader)) return;
      this.wake?.();
      // Nobody is waiting for the rest: stop the query on the database.
      if (this.readers.size === 0 && !this.finished) this.controller.abort(new Error('every reader left'));
    };
    const self = this;
    async function* chunks(): AsyncGenerator<Uint8Array> {
      try {
        for (;;) {
          while (reader.at < self.produced) {
            const chunk = self.chunks[reader.at - self.base]!;
            reader.at++;
            self.wake?.();
            yield chunk;
          }
          if (self.finished) return;
          await new Promise<void>((resolve) => self.notifyReaders.add(resolve));
        }
      } finally {
        leave();
      }
    }
    return { chunks: chunks(), leave };
  }

  private push(chunk: Uint8Array, hash: ReturnType<typeof createHash>): void {
    if (chunk.byteLength === 0) return;
    hash.update(chunk);
    this.bytes += chunk.byteLength;
    this.chunks.push(chunk);
    this.produced++;
    if (this.base === 0 && this.bytes > this.retainBytes) this.trim();
    const waiting = this.notifyReaders;
    this.notifyReaders = new Set();
    for (const notify of waiting) notify();
  }

  /** Drops what every reader has read (only once the stream is too big to keep whole). */
  private trim(): void {
    const slowest = Math.min(this.produced, ...[...this.readers].map((r) => r.at));
    const drop = slowest - this.base;
    if (drop > 0) {
      this.chunks.splice(0, drop);
      this.base = slowest;
    }
  }

  private async backpressure(): Promise<void> {
    for (;;) {
      if (this.base > 0 || this.bytes > this.retainBytes) this.trim();
      const slowest = Math.min(...[...this.readers].map((r) => r.at));
      if (this.readers.size === 0 || this.produced - slowest <= WINDOW || this.controller.signal.aborted) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }

  private async produce(run: (signal: AbortSignal) => Promise<RunResult>): Promise<ExecutionOutcome> {
    const hash = createHash('sha256');
    const signal = this.controller.signal;
    let rows = 0;
    let truncated = false;
    let sawBatch = false;
    try {
      const result = await run(signal);
      const encoder = new IpcStreamEncoder(result.schema);
      this.push(encoder.start(), hash);
      for await (const batch of result.batches) {
        this.push(encoder.encode(batch), hash);
        rows += batch.numRows;
        this.rowsSoFar = rows;
        if (!sawBatch) {
          sawBatch = true;
          this.resolveFirst();
        }
        await this.backpressure();
        signal.throwIfAborted();
      }
      ({ rows, truncated } = await result.summary);
      this.push(encoder.end(), hash);
      this.finish();
      this.resolveFirst();
      return {
        rows,
        truncated,
        bytes: this.bytes,
        resultHash: hash.digest('hex'),
        error: null,
        canceled: false,
        retained: this.base === 0 ? this.chunks : null
      };
    } catch (error) {
      this.finish();
      this.rejectFirst(error);
      return { rows, truncated, bytes: this.bytes, resultHash: null, error, canceled: signal.aborted, retained: null };
    }
  }

  private finish(): void {
    this.finished = true;
    for (const notify of this.notifyReaders) notify();
    this.notifyReaders.clear();
  }
}
