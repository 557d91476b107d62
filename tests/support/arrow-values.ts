/** Arrow columns built from exact values, for tests of everything that reads them back. */
import { Field, Int64, RecordBatch, Schema, Struct, Table, Uint64, makeData, vectorFromArray, type Data, type DataType } from 'apache-arrow';
import { notedField } from '../../kernels/arrow/field-metadata.js';

export { decimalData } from '../../kernels/arrow/decimal.js';

/** An Int64 or Uint64 column of bigints. */
export function bigintData(values: bigint[], unsigned = false): Data<Int64 | Uint64> {
  return unsigned
    ? makeData({ type: new Uint64(), length: values.length, nullCount: 0, data: BigUint64Array.from(values) })
    : makeData({ type: new Int64(), length: values.length, nullCount: 0, data: BigInt64Array.from(values) });
}

/** A `cairn.type: decimal` text field and its values. */
export function decimalTextColumn(name: string, values: (string | null)[], notes: { dbType?: string; note?: string } = {}): [Field, Data] {
  return [notedField(name, vectorFromArray(values).type as DataType, { textType: 'decimal', ...notes }), vectorFromArray(values).data[0]];
}

/** A one-batch table of `columns` (field and data each), keeping the fields' metadata. */
export function tableOf(columns: [Field, Data][]): Table {
  const schema = new Schema(columns.map(([f]) => f));
  const length = columns[0]?.[1].length ?? 0;
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children: columns.map(([, d]) => d) });
  return new Table(schema, [new RecordBatch(schema, data)]);
}

/** A plain field for `data`. */
export function fieldFor(name: string, data: Data): [Field, Data] {
  return [new Field(name, data.type, true), data];
}
