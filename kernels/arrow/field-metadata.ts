/**
 * What Cairn writes into an Arrow field's metadata, shared by every engine (which writes
 * it) and the browser (which reads it: grid, downloads, JS cells, charts). docs/types.md
 * lists, per engine, which database types carry which keys.
 *
 * - `cairn.type`: what a Utf8 column's text means when it is not plain text:
 *   - `json`: JSON text;
 *   - `decimal`: exact decimal numbers as text (`-12.50`, `NaN`, `Infinity`), for values no
 *     Arrow Decimal128 holds (more than 38 digits, or NaN/±Infinity). They sort, filter
 *     and download as numbers, never through a float.
 * - `cairn.db_type`: the database's own name for the column's type (`numeric`,
 *   `DECIMAL(65,30)`, `BIGINT UNSIGNED`, `interval`), where the Arrow type alone does not
 *   say it.
 * - `cairn.note`: one sentence for the user when the Arrow form differs from the database's
 *   in a way that matters (text instead of a number, a truncated precision); the grid shows
 *   it on the column header. Never set for an exact, native mapping.
 */
import { Field, Schema, Table, type DataType } from 'apache-arrow';

export const CAIRN_TYPE = 'cairn.type';
export const CAIRN_DB_TYPE = 'cairn.db_type';
export const CAIRN_NOTE = 'cairn.note';

/** The values `cairn.type` takes. */
export type CairnTextType = 'json' | 'decimal';

export interface FieldNotes {
  textType?: CairnTextType;
  dbType?: string;
  note?: string;
}

/** Field metadata for `notes`, or undefined when there are none (a plain field). */
export function fieldMetadata(notes: FieldNotes): Map<string, string> | undefined {
  const m = new Map<string, string>();
  if (notes.textType) m.set(CAIRN_TYPE, notes.textType);
  if (notes.dbType) m.set(CAIRN_DB_TYPE, notes.dbType);
  if (notes.note) m.set(CAIRN_NOTE, notes.note);
  return m.size > 0 ? m : undefined;
}

/** A nullable field with Cairn's notes. */
export function notedField(name: string, type: DataType, notes: FieldNotes = {}): Field {
  return new Field(name, type, true, fieldMetadata(notes));
}

/** The notes a field carries (any of them may be absent). */
export function fieldNotes(field: Pick<Field, 'metadata'>): FieldNotes {
  const textType = field.metadata.get(CAIRN_TYPE);
  return {
    textType: textType === 'json' || textType === 'decimal' ? textType : undefined,
    dbType: field.metadata.get(CAIRN_DB_TYPE),
    note: field.metadata.get(CAIRN_NOTE)
  };
}

/** Whether a field holds exact decimal numbers as text (`cairn.type: decimal`). */
export function isDecimalText(field: Pick<Field, 'metadata'>): boolean {
  return field.metadata.get(CAIRN_TYPE) === 'decimal';
}

/** Whether a field holds JSON text (`cairn.type: json`). */
export function isJsonText(field: Pick<Field, 'metadata'>): boolean {
  return field.metadata.get(CAIRN_TYPE) === 'json';
}

/**
 * `table` with the field metadata of `source`'s same-named fields put back: what a query over
 * a registered result (DuckDB keeps no Arrow field metadata) needs to show and download
 * like the result it came from (the grid's sort and filter).
 */
export function withFieldNotesOf(table: Table, source: Schema): Table {
  const from = new Map(source.fields.map((f) => [f.name, f]));
  let changed = false;
  const fields = table.schema.fields.map((f) => {
    const original = from.get(f.name);
    if (!original || original.metadata.size === 0 || f.metadata.size > 0) return f;
    changed = true;
    return new Field(f.name, f.type, f.nullable, new Map(original.metadata));
  });
  return changed ? new Table(new Schema(fields, table.schema.metadata), table.batches) : table;
}
