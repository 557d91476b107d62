/**
 * The binary COPY stream (`COPY (…) TO STDOUT (FORMAT binary)`) decoded into record
 * batches as its chunks arrive. Chunks cut rows anywhere; a row that spans chunks is
 * joined once enough bytes arrived (never by re-copying on every chunk, so a 100 MB
 * bytea does not cost quadratic copying).
 *
 * Layout: 11-byte signature, int32 flags, int32 header-extension length and the
 * extension; then tuples (see {@link RowDecoder}); then an int16 -1 trailer.
 */
import type { RecordBatch } from 'apache-arrow';
import { viewOf, type RowDecoder } from './binary-values.js';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER_BYTES = 19;

/** Holds the unfinished tail of a chunk until the bytes it needs have arrived. */
export class Carry {
  private parts: Buffer[] = [];
  private size = 0;
  private needed = 0;

  /** `chunk`, or the carried tail joined with it once `needed` bytes are there, or null to wait for more. */
  join(chunk: Buffer): Buffer | null {
    if (this.parts.length === 0) return chunk;
    this.parts.push(chunk);
    this.size += chunk.length;
    if (this.size < this.needed) return null;
    const joined = Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    return joined;
  }

  /** Keeps `rest`, which cannot be decoded until it is `needed` bytes long. */
  keep(rest: Buffer, needed: number): void {
    this.parts = [rest];
    this.size = rest.length;
    this.needed = needed;
  }

  /** Bytes held back. */
  get pending(): number {
    return this.size;
  }
}

export class CopyBinaryDecoder {
  private readonly carry = new Carry();
  private headerDone = false;
  private trailerSeen = false;

  constructor(private readonly rows: RowDecoder) {}

  /**
   * Decodes what `chunk[start, end)` completes; full batches are pushed onto `out`. Whole
   * rows are decoded in place (a CopyData message normally holds exactly one row); only a
   * row cut by the range's end is carried over and joined with what follows.
   */
  push(chunk: Buffer, out: RecordBatch[], start = 0, end = chunk.length, chunkView?: DataView): void {
    if (this.trailerSeen) return;
    let buf = chunk;
    let view = chunkView;
    let pos = start;
    if (this.carry.pending > 0) {
      const joined = this.carry.join(chunk.subarray(start, end));
      if (joined === null) return;
      buf = joined;
      view = undefined;
      pos = 0;
      end = joined.length;
    }
    view ??= viewOf(buf);
    if (!this.headerDone) {
      if (end - pos < HEADER_BYTES) return this.carry.keep(buf.subarray(pos, end), HEADER_BYTES);
      if (!buf.subarray(pos, pos + SIGNATURE.length).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
      const body = HEADER_BYTES + view.getInt32(pos + 15);
      if (end - pos < body) return this.carry.keep(buf.subarray(pos, end), body);
      pos += body;
      this.headerDone = true;
    }
    while (pos < end) {
      if (end - pos < 2) return this.carry.keep(buf.subarray(pos, end), 2);
      const count = view.getInt16(pos);
      if (count === -1) {
        this.trailerSeen = true;
        return;
      }
      // Find the row's end first: decode only complete rows.
      let p = pos + 2;
      for (let i = 0; i < count; i++) {
        if (end - p < 4) return this.carry.keep(buf.subarray(pos, end), p + 4 - pos);
        const len = view.getInt32(p);
        p += 4;
        if (len > 0) {
          p += len;
          if (p > end) return this.carry.keep(buf.subarray(pos, end), p - pos);
        }
      }
      const batch = this.rows.decode(view, buf, pos);
      if (batch) out.push(batch);
      pos = p;
    }
  }

  /** At the end of the stream: the last rows; throws when the stream stopped mid-row. */
  finish(): RecordBatch | null {
    if (!this.trailerSeen || this.carry.pending > 0) throw new Error('the COPY stream ended before its trailer');
    return this.rows.flush();
  }
}
