/**
 * Rows off the socket without node-postgres's row parsing, for both fast paths:
 * - binary COPY (`COPY (…) TO STDOUT (FORMAT binary)`, simple Query protocol): CopyData
 *   payloads go to a {@link CopyBinaryDecoder};
 * - the extended protocol (Parse, Bind, Execute, Sync) with binary results, for bound
 *   parameters (COPY takes none): a DataRow's body has the COPY tuple layout, so the same
 *   {@link RowDecoder} reads it.
 * Both give the same Arrow for the same rows.
 *
 * node-postgres would turn every field into a string, so while the rows flow this query
 * takes the socket from node-postgres (as pg-copy-streams does), reads the messages
 * itself, and hands the socket back at the first message that ends the execution
 * (CommandComplete, PortalSuspended, EmptyQueryResponse, ErrorResponse), so node-postgres
 * parses those and the ReadyForQuery and stays in step. COPY reads the same way rather
 * than through pg-copy-streams, which makes a Buffer per CopyData message (per row) and
 * would give COPY a second cancel/drain path; bench/warehouse measures both readers.
 */
import type { Readable } from 'node:stream';
import type { RecordBatch } from 'apache-arrow';
import type { Connection } from 'pg';
import { WiderResultNeeded } from '../arrow/index.js';
import { viewOf, type RowDecoder } from './binary-values.js';
import { Carry, CopyBinaryDecoder } from './copy-decoder.js';

/** Batches decoded ahead of the consumer before the socket is left unread (TCP backpressure then stops PostgreSQL). */
const HIGH_WATER_BATCHES = 2;

const PARSE_COMPLETE = 0x31; // '1'
const BIND_COMPLETE = 0x32; // '2'
const DATA_ROW = 0x44; // 'D'
const NOTICE = 0x4e; // 'N'
const PARAMETER_STATUS = 0x53; // 'S'
const NOTIFICATION = 0x41; // 'A'
const COPY_OUT_RESPONSE = 0x48; // 'H'
const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'

/** Messages read while rows flow; any other ends the execution and goes to node-postgres. */
const PASSING = new Uint8Array(256);
for (const code of [DATA_ROW, COPY_DATA, PARSE_COMPLETE, BIND_COMPLETE, COPY_OUT_RESPONSE, COPY_DONE, NOTICE, PARAMETER_STATUS, NOTIFICATION]) PASSING[code] = 1;

type DataListener = (chunk: Buffer) => void;

export class WireQuery {
  private stream: Readable | null = null;
  private pgData: DataListener | null = null;
  private readonly carry = new Carry();
  private readonly queue: RecordBatch[] = [];
  private finished = false;
  private failure: unknown = null;
  private waiter: (() => void) | null = null;
  private discarding = false;
  /** A value did not fit its column (kernels/arrow/widening.ts): reported once, then the rest is drained. */
  private widened: WiderResultNeeded | null = null;
  private readonly copy: CopyBinaryDecoder | null;

  /**
   * @param message {@link copyMessage} or {@link extendedMessages}: what is sent.
   * @param format 'copy' when the rows come as binary COPY data, 'rows' for DataRows.
   */
  constructor(
    private readonly message: Buffer,
    private readonly rows: RowDecoder,
    format: 'copy' | 'rows'
  ) {
    this.copy = format === 'copy' ? new CopyBinaryDecoder(rows) : null;
  }

  // ---- called by node-postgres (a Submittable) ----

  /** Returns (not throws) an error, which node-postgres then reports through {@link handleError}. */
  submit(connection: Connection): Error | undefined {
    const stream = connection.stream as unknown as Readable & { write(b: Buffer): boolean };
    const listeners = stream.listeners('data') as DataListener[];
    if (listeners.length !== 1) return new Error('the connection is not in a state to stream rows');
    this.stream = stream;
    this.pgData = listeners[0];
    stream.removeListener('data', this.pgData);
    // Flowing, like node-postgres itself: each chunk is decoded as it arrives, and the socket
    // pauses only while the consumer is behind (paused-mode `read()` measured ~20% slower).
    stream.on('data', this.onData);
    stream.write(this.message);
    return undefined;
  }

  handleError(err: unknown): void {
    if (this.stream && this.pgData) this.detach(null); // the socket failed while we held it
    this.failure = err ?? new Error('query failed');
    this.wake();
  }

  handleCommandComplete(): void {}
  handlePortalSuspended(): void {}
  handleEmptyQuery(): void {}

  handleReadyForQuery(): void {
    if (!this.discarding) {
      try {
        const last = this.copy ? this.copy.finish() : this.rows.flush();
        if (last) this.queue.push(last);
      } catch (err) {
        this.failure = err;
      }
    }
    this.finished = true;
    this.wake();
  }

  // ---- called by the engine ----

  /** The next batch, null at the end; rejects with PostgreSQL's error. */
  async next(): Promise<RecordBatch | null> {
    for (;;) {
      if (this.widened !== null) {
        const widened = this.widened;
        this.widened = null;
        throw widened;
      }
      if (this.failure !== null) throw this.failure;
      const batch = this.queue.shift();
      if (batch) {
        this.resumeIfRoom();
        return batch;
      }
      if (this.finished) return null;
      this.resumeIfRoom();
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  /** Stops decoding: what still arrives is read and dropped (used while draining after a cancel). */
  discard(): void {
    this.discarding = true;
    this.queue.length = 0;
  }

  private readonly onData = (chunk: Buffer): void => {
    if (!this.stream) return;
    try {
      this.parse(chunk);
    } catch (err) {
      // A decoding bug must not leave the socket stolen: give it back broken.
      this.failure = err;
      this.stream?.destroy(err as Error);
    }
    if (this.stream && this.queue.length >= HIGH_WATER_BATCHES) this.stream.pause();
    this.wake();
  };

  /** Reads on once the consumer has taken batches off a full queue. */
  private resumeIfRoom(): void {
    if (this.stream && this.stream.isPaused() && this.queue.length < HIGH_WATER_BATCHES) this.stream.resume();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private parse(chunk: Buffer): void {
    const buf = this.carry.join(chunk);
    if (buf === null) return;
    const view = viewOf(buf);
    const end = buf.length;
    let pos = 0;
    while (pos < end) {
      const code = buf[pos];
      if (PASSING[code] === 0) {
        // The end of the execution (or an error): node-postgres takes it from here.
        return this.detach(buf.subarray(pos));
      }
      if (end - pos < 5) return this.carry.keep(buf.subarray(pos), 5);
      const size = 1 + view.getInt32(pos + 1);
      if (end - pos < size) return this.carry.keep(buf.subarray(pos), size);
      if (!this.discarding) {
        try {
          if (code === DATA_ROW) {
            const batch = this.rows.decode(view, buf, pos + 5);
            if (batch) this.queue.push(batch);
          } else if (code === COPY_DATA && this.copy) {
            this.copy.push(buf, this.queue, pos + 5, pos + size, view);
          }
        } catch (err) {
          if (!(err instanceof WiderResultNeeded)) throw err;
          // The connection is fine: the rest is read and dropped (the caller cancels the
          // statement) and the run is redone with the wider type.
          this.widened = err;
          this.discard();
        }
      }
      pos += size;
    }
  }

  /** Gives the socket back to node-postgres, with the bytes it has not seen yet. */
  private detach(rest: Buffer | null): void {
    const stream = this.stream!;
    const pgData = this.pgData!;
    this.stream = null;
    this.pgData = null;
    stream.removeListener('data', this.onData);
    stream.on('data', pgData);
    if (rest && rest.length > 0) pgData(rest);
    // As pg-copy-streams does: resume after node-postgres's handler returned.
    process.nextTick(() => stream.resume());
  }
}

/** A simple Query message: for `COPY … TO STDOUT`, which the extended protocol cannot stream. */
export function copyMessage(sql: string): Buffer {
  if (sql.includes('\0')) throw new Error('the SQL text contains a NUL character');
  const text = Buffer.from(sql + '\0', 'utf8');
  const head = Buffer.alloc(5);
  head.write('Q', 0, 'latin1');
  head.writeInt32BE(text.length + 4, 1);
  return Buffer.concat([head, text]);
}

/** A parameter in text format, or bytes (bytea) in binary format, or null. */
export function paramValue(value: unknown): string | Uint8Array | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return arrayLiteral(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A PostgreSQL array literal: every item quoted, so commas and braces in strings are safe. */
function arrayLiteral(items: unknown[]): string {
  const parts = items.map((item) => {
    if (item === null || item === undefined) return 'NULL';
    if (Array.isArray(item)) return arrayLiteral(item);
    const text = paramValue(item);
    const s = typeof text === 'string' ? text : `\\x${Buffer.from(text as Uint8Array).toString('hex')}`;
    return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${parts.join(',')}}`;
}

/**
 * Parse (unnamed statement, parameter types inferred), Bind (text parameters except
 * bytes, one result format per column), Execute (at most `maxRows`, 0 for all), Sync.
 */
export function extendedMessages(sql: string, params: readonly unknown[], resultFormats: readonly number[], maxRows: number): Buffer {
  const parts: Buffer[] = [];
  const message = (code: string, body: Buffer[]) => {
    const length = body.reduce((n, b) => n + b.length, 4);
    const head = Buffer.alloc(5);
    head.write(code, 0, 'latin1');
    head.writeInt32BE(length, 1);
    parts.push(head, ...body);
  };
  const int16 = (n: number) => {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    return b;
  };
  const int32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  const cstring = (s: string) => Buffer.from(s + '\0', 'utf8');

  if (sql.includes('\0')) throw new Error('the SQL text contains a NUL character');
  message('P', [cstring(''), cstring(sql), int16(0)]);

  const values = params.map(paramValue);
  const bind: Buffer[] = [cstring(''), cstring(''), int16(values.length)];
  for (const v of values) bind.push(int16(v instanceof Uint8Array ? 1 : 0));
  bind.push(int16(values.length));
  for (const v of values) {
    if (v === null) bind.push(int32(-1));
    else {
      const bytes = typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      bind.push(int32(bytes.length), bytes);
    }
  }
  bind.push(int16(resultFormats.length));
  for (const f of resultFormats) bind.push(int16(f));
  message('B', bind);

  message('E', [cstring(''), int32(maxRows)]);
  message('S', []);
  return Buffer.concat(parts);
}
