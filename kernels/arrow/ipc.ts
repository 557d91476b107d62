/**
 * Arrow IPC stream bytes for a result, written batch by batch so the HTTP response
 * streams while the engine is still producing. The end-of-stream marker is written only
 * when the result completed: a reader that sees the stream end without it knows the
 * result is incomplete (docs/api.md, `POST /api/query`).
 */
import { RecordBatchStreamWriter, type RecordBatch, type Schema } from 'apache-arrow';

/**
 * apache-arrow's writer queues its output for an async reader; this one collects each
 * message's bytes so they can be taken synchronously after every batch.
 */
class CollectingWriter extends RecordBatchStreamWriter {
  chunks: Uint8Array[] = [];
  protected override _write(chunk: ArrayBufferView | ArrayBufferLike | ArrayLike<number> | Iterable<number> | null | undefined): this {
    if (this._started && chunk) {
      const bytes = ArrayBuffer.isView(chunk)
        ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        : new Uint8Array(chunk as ArrayBufferLike);
      if (bytes.byteLength > 0) {
        this.chunks.push(bytes);
        this._position += bytes.byteLength;
      }
    }
    return this;
  }
}

/** The schema message, then each batch's messages; `end()` is the end-of-stream marker. */
export class IpcStreamEncoder {
  private readonly writer = new CollectingWriter({ autoDestroy: false });

  constructor(private readonly schema: Schema) {}

  /** The schema message; `encode` writes it first by itself when `start` was not called. */
  start(): Uint8Array {
    this.writer.reset(undefined, this.schema);
    return this.take();
  }

  /** The bytes for `batch` (the first call also carries the schema). */
  encode(batch: RecordBatch): Uint8Array {
    this.writer.write(batch);
    return this.take();
  }

  /** The end-of-stream marker (and the schema, for a result with no batches). */
  end(): Uint8Array {
    this.writer.finish();
    return this.take();
  }

  private take(): Uint8Array {
    const chunks = this.writer.chunks;
    this.writer.chunks = [];
    if (chunks.length === 1) return chunks[0]!;
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
}
