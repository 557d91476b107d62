/**
 * The `cairn` module a JS cell can import (README.md, "JS cells"): exact reading of the
 * Arrow tables other cells hand it. apache-arrow itself returns a Decimal128 value as raw
 * 32-bit words and knows nothing of Cairn's `cairn.type: decimal` text; here a decimal is
 * a {@link Decimal} (`String(d)` exact, `Number(d)` a float, `plus`/`Decimal.sum` exact).
 * 64-bit integers stay BigInt, as Arrow gives them. Pure: tested in Node.
 */
import { DataType, type Field, type Table } from 'apache-arrow';
import { Decimal, DECIMAL_LITERAL, decimalToBigInt } from '../../../../kernels/arrow/decimal.js';
import { isDecimalText } from '../../../../kernels/arrow/field-metadata.js';

export { Decimal };

/** A column's values as a JS cell reads them: decimals as Decimal, decimal text's NaN/±Infinity as numbers, the rest as Arrow gives them. */
function reader(field: Field): (value: unknown) => unknown {
  const type = DataType.isDictionary(field.type) ? field.type.dictionary : field.type;
  if (DataType.isDecimal(type)) {
    const { scale } = type;
    // A negative scale (whole tens, hundreds…) is the same number at scale 0.
    return (v) => (v === null || v === undefined ? null : scale >= 0 ? new Decimal(decimalToBigInt(v), scale) : new Decimal(decimalToBigInt(v) * 10n ** BigInt(-scale), 0));
  }
  if (isDecimalText(field)) {
    return (v) => (v === null || v === undefined ? null : DECIMAL_LITERAL.test(v as string) ? Decimal.parse(v as string) : Number(v));
  }
  return (v) => v ?? null;
}

function fieldOf(table: Table, column: string): Field {
  const field = table.schema.fields.find((f) => f.name === column);
  if (!field) throw new Error(`no column "${column}": the table has ${table.schema.fields.map((f) => f.name).join(', ') || 'no columns'}`);
  return field;
}

/** The table's rows as plain objects, decimals as {@link Decimal} (README.md, "JS cells"). */
export function rows(table: Table): Record<string, unknown>[] {
  const fields = table.schema.fields;
  const readers = fields.map(reader);
  const vectors = fields.map((_, c) => table.getChildAt(c)!);
  const out: Record<string, unknown>[] = new Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < fields.length; c++) row[fields[c].name] = readers[c](vectors[c].get(r));
    out[r] = row;
  }
  return out;
}

/** One column's values, decimals as {@link Decimal}. */
export function values(table: Table, column: string): unknown[] {
  const read = reader(fieldOf(table, column));
  const vector = table.getChild(column)!;
  const out: unknown[] = new Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = read(vector.get(i));
  return out;
}

/**
 * The exact sum of a column, nulls skipped: a {@link Decimal} for a decimal column (NaN or
 * ±Infinity among decimal text make it that number, as in PostgreSQL), a BigInt for a
 * 64-bit integer column, a number otherwise.
 */
export function sum(table: Table, column: string): Decimal | bigint | number {
  const field = fieldOf(table, column);
  const all = values(table, column).filter((v) => v !== null);
  if (DataType.isDecimal(field.type) || isDecimalText(field)) {
    if (all.some((v) => typeof v === 'number')) return all.reduce<number>((a, v) => a + Number(v), 0);
    return Decimal.sum(all as Decimal[]);
  }
  if (all.some((v) => typeof v === 'bigint')) return all.reduce<bigint>((a, v) => a + BigInt(v as bigint | number), 0n);
  return all.reduce<number>((a, v) => a + Number(v), 0);
}
