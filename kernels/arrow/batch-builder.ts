/**
 * Rows in, record batches out: the server engines' one way of turning a driver's rows
 * into Arrow. A batch is cut every `batchRows` rows so a client sees the first rows while
 * the database is still sending the rest.
 */
import { RecordBatch, Schema, Struct, makeData, type Field } from 'apache-arrow';
import { columnBuilder, type ColumnBuilder } from './column-builder.js';
import { isDecimalColumn } from './decimal-column.js';

/** Rows per batch: big enough that per-batch overhead vanishes, small enough to stream. */
export const DEFAULT_BATCH_ROWS = 16_384;

export class BatchBuilder {
  readonly columns: ColumnBuilder[];
  private rows = 0;
  private current: Schema;

  /**
   * @param builders Builders to use instead of `columnBuilder(field.type)`, by column
   *   index: a {@link DecimalColumnBuilder} there chooses its column's type from the first
   *   batch, and the schema follows it.
   */
  constructor(
    private readonly fields: Field[],
    readonly batchRows = DEFAULT_BATCH_ROWS,
    builders: ReadonlyMap<number, ColumnBuilder> = new Map()
  ) {
    this.columns = fields.map((f, i) => builders.get(i) ?? columnBuilder(f.type));
    this.current = new Schema(this.resolvedFields());
  }

  /** The result's schema: final once the first batch is out (see decimal-column.ts). */
  get schema(): Schema {
    return this.current;
  }

  private resolvedFields(): Field[] {
    return this.fields.map((f, i) => {
      const column = this.columns[i]!;
      return isDecimalColumn(column) ? column.field(f) : f;
    });
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
    // Decimal columns pick their type in their first finish(); the schema follows once.
    const fields = this.resolvedFields();
    if (fields.some((f, i) => f !== this.current.fields[i])) this.current = new Schema(fields);
    const data = makeData({ type: new Struct(this.schema.fields), length, nullCount: 0, children });
    return new RecordBatch(this.schema, data);
  }
}
