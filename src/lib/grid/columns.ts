/**
 * The grid's columns for a table: name, header label, formatter, alignment and a starting
 * width measured from the header and the first rows (never the whole table).
 */
import { columnReader } from '../../../kernels/arrow/plain-values.js';
import { DataType, type Table } from 'apache-arrow';
import { fieldNotes } from '../../../kernels/arrow/field-metadata.js';
import { fieldTypeLabel } from '../../../kernels/arrow/plain-values.js';
import { cellFormatter, isNumericType, isTextType, type CellFormatter } from './format.js';

/** One column as the grid shows it. */
export interface GridColumn {
  index: number;
  name: string;
  type: DataType;
  /** Short type name for the header: the database's (`cairn.db_type`) where the engine says it, else the Arrow type's. */
  label: string;
  /** The engine's note on how the values differ from the database's (`cairn.note`), shown as a marker on the header. */
  note?: string;
  numeric: boolean;
  /** What a bare word in its filter box means, and whether a typed number stays exact text (`decimal`). */
  filterKind: 'number' | 'decimal' | 'text' | 'other';
  format: CellFormatter;
  /** Starting width in px. */
  width: number;
}

/** Approximate advance of one character: 13px monospace (numbers, dates) and 13px sans text. */
const MONO_CHAR_PX = 7.9;
const SANS_CHAR_PX = 7.2;
/** Cell padding plus room for the sort arrow. */
const CELL_PAD_PX = 26;
/** The header's column name is bold: wider per character than body text. */
const HEADER_CHAR_PX = 8.6;
export const MIN_COLUMN_WIDTH = 48;
export const MAX_AUTO_COLUMN_WIDTH = 320;
/**
 * Numbers get more room: a cut number is misread (its last digits, the cents, are what the
 * ellipsis hides), and a 38-digit decimal with separators is about 50 characters.
 */
export const MAX_AUTO_NUMBER_WIDTH = 560;
/** Rows sampled to size a column: this many from the start, the end, and spread between. */
const SAMPLE_EACH = 50;

/** Row indexes to measure: the first and last rows and an even spread (never the whole table). */
export function sampleRows(rows: number): number[] {
  if (rows <= SAMPLE_EACH * 3) return Array.from({ length: rows }, (_, i) => i);
  const out = new Set<number>();
  for (let i = 0; i < SAMPLE_EACH; i++) {
    out.add(i);
    out.add(rows - 1 - i);
    out.add(Math.floor(((i + 0.5) * rows) / SAMPLE_EACH));
  }
  return [...out];
}

/** The grid's columns for `table`, sized from the header and a sample of rows (sampleRows). */
export function gridColumns(table: Table): GridColumn[] {
  const sample = sampleRows(table.numRows);
  return table.schema.fields.map((field, index) => {
    const notes = fieldNotes(field);
    const format = cellFormatter(field.type, notes.textType);
    const label = notes.dbType ?? fieldTypeLabel(field);
    const vector = table.getChildAt(index);
    const read = vector ? columnReader(vector) : null;
    let chars = field.name.length;
    let mono = false;
    if (vector) {
      for (const r of sample) {
        const cell = format(read!(r));
        if (cell.text.length > chars) chars = cell.text.length;
        if (cell.kind !== 'text' && cell.kind !== 'null') mono = true;
      }
    }
    const numeric = isNumericType(field.type, notes.textType);
    const decimal = numeric && (DataType.isDecimal(field.type) || notes.textType === 'decimal');
    return {
      index,
      name: field.name,
      type: field.type,
      label,
      note: notes.note,
      numeric,
      filterKind: decimal ? 'decimal' : numeric ? 'number' : isTextType(field.type) ? 'text' : 'other',
      format,
      width: clampWidth(Math.max(Math.ceil(chars * (mono ? MONO_CHAR_PX : SANS_CHAR_PX)), label.length * 6.6, field.name.length * HEADER_CHAR_PX) + CELL_PAD_PX, numeric ? MAX_AUTO_NUMBER_WIDTH : MAX_AUTO_COLUMN_WIDTH)
    };
  });
}

/** A width within [MIN_COLUMN_WIDTH, max]. */
export function clampWidth(px: number, max = 2000): number {
  return Math.max(MIN_COLUMN_WIDTH, Math.min(max, Math.round(px)));
}
