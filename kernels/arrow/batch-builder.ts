/**
 * Rows in, record batches out: the server engines' one way of turning a driver's rows
 * into Arrow. A batch is cut every `batchRows` rows so a client sees the first rows while
 * the database is still sending the rest.
 */
import { RecordBatch, Schema, Struct, makeData, type Field } from 'apache-arrow';
import { columnBuilder, type ColumnBuilder } from './column-builder.js';

/** Rows per batch: big enough that per-batch overhead vanishes, small enough to stream. */
export const DEFAULT_BATCH_ROWS = 16_384;

export class BatchBuilder {
  readonly schema: Schema;
  readonly columns: ColumnBuilder[];
  private rows = 0;

  constructor(
    fields: Field[],
    readonly batchRows = DEFAULT_BATCH_ROWS
  ) {
    this.schema = new Schema(fields);
    this.columns = fields.map((f) => columnBuilder(f.type));
  }

  /** Rows appended since the last batch. */
  get pending(): number {
    return this.rows;
  }

  /** Appends one row (values in field order); returns a batch when one is full. */
  appendRow(values: ArrayLike<unknown>): RecordBatch | null {
    const columns = this.columns;
    for (let i = 0; i < columns.length; i++) columns[i]!.append(values[i]);
    return ++this.rows >= this.batchRows ? this.flush() : null;
  }

  /** Counts a row whose columns the caller appended directly (wire decoders). */
  endRow(): RecordBatch | null {
    return ++this.rows >= this.batchRows ? this.flush() : null;
  }

  /**
   * Counts `count` rows whose columns the caller appended column by column (columnar
   * drivers hand over a chunk per column); returns a batch once `batchRows` are pending,
   * so a batch may exceed `batchRows` by up to one chunk.
   */
  endRows(count: number): RecordBatch | null {
    this.rows += count;
    return this.rows >= this.batchRows ? this.flush() : null;
  }

  /** The rows so far as a batch, or `null` when there are none. */
  flush(): RecordBatch | null {
    if (this.rows === 0) return null;
    const length = this.rows;
    this.rows = 0;
    const children = this.columns.map((c) => c.finish());
    const data = makeData({ type: new Struct(this.schema.fields), length, nullCount: 0, children });
    return new RecordBatch(this.schema, data);
  }
}
