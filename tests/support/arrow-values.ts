/** Arrow columns built from exact values, for tests of everything that reads them back. */
import { Decimal, Field, Int64, RecordBatch, Schema, Struct, Table, Uint64, makeData, vectorFromArray, type Data, type DataType } from 'apache-arrow';
import { notedField } from '../../kernels/arrow/field-metadata.js';

/** A Decimal128(precision, scale) column of unscaled values (null for null), as engines write it. */
export function decimalData(values: (bigint | null)[], precision: number, scale: number): Data<Decimal> {
  const words = new BigUint64Array(values.length * 2);
  const validity = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v === null) return;
    validity[i >> 3] |= 1 << (i & 7);
    words[2 * i] = BigInt.asUintN(64, v);
    words[2 * i + 1] = BigInt.asUintN(64, v >> 64n);
  });
  const nullCount = values.filter((v) => v === null).length;
  return makeData({ type: new Decimal(scale, precision, 128), length: values.length, nullCount, nullBitmap: validity, data: new Uint32Array(words.buffer) });
}

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
