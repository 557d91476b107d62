/**
 * A result's bytes for the clipboard and downloads: TSV of a selected range, CSV and JSON of
 * the whole table (written by kernels/arrow/csv.ts and json.ts, which the server shares)
 * chunk by chunk into a Blob, and Arrow IPC (Parquet is in parquet.ts, loaded only when
 * someone asks for it). Values are read column-wise from the Arrow
 * vectors; no row objects are ever made for the whole table.
 */
import { tableToIPC, type Table } from 'apache-arrow';
import { csvChunks } from '../../../kernels/arrow/csv.js';
import { jsonChunks } from '../../../kernels/arrow/json.js';
import { columnReader, rawFormatter } from '../../../kernels/arrow/plain-values.js';

/** A TSV field as spreadsheets paste it: quoted when it holds a tab, quote, CR or LF. */
export function tsvField(text: string): string {
  return /["\t\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

/** A rectangle of cells, inclusive, in table row and column indexes. */
export interface CellRange {
  row0: number;
  row1: number;
  col0: number;
  col1: number;
}

/** The cells of `range` as TSV (raw values, no header unless `header`), rows joined by \n. */
export function rangeToTsv(table: Table, range: CellRange, header = false): string {
  const cols: number[] = [];
  for (let c = range.col0; c <= range.col1; c++) cols.push(c);
  const vectors = cols.map((c) => columnReader(table.getChildAt(c)!));
  const formats = cols.map((c) => rawFormatter(table.schema.fields[c].type));
  const lines: string[] = [];
  if (header) lines.push(cols.map((c) => tsvField(table.schema.fields[c].name)).join('\t'));
  for (let r = range.row0; r <= range.row1; r++) {
    lines.push(vectors.map((read, i) => tsvField(formats[i](read(r)))).join('\t'));
  }
  return lines.join('\n');
}

/** How a download is written: a turn for the page between chunks, progress, cancellation. */
export interface BlobOptions {
  /** Called between chunks; the browser passes a short sleep so the page stays responsive. */
  yieldEvery?: () => Promise<void>;
  signal?: AbortSignal;
}

/** Text chunks (from kernels/arrow csv.ts or json.ts) gathered into a Blob of `type`, yielding between chunks. */
async function chunksToBlob(chunks: Iterable<string>, type: string, options: BlobOptions): Promise<Blob> {
  const parts: string[] = [];
  for (const chunk of chunks) {
    options.signal?.throwIfAborted();
    parts.push(chunk);
    if (options.yieldEvery) await options.yieldEvery();
  }
  return new Blob(parts, { type });
}

/** The table as CSV (kernels/arrow/csv.ts: exact values, CRLF line ends), chunk by chunk into a Blob. */
export function tableToCsvBlob(table: Table, options: BlobOptions = {}): Promise<Blob> {
  return chunksToBlob(csvChunks(table), 'text/csv;charset=utf-8', options);
}

/** The table as JSON (kernels/arrow/json.ts: `{columns, rows}`, exact values), chunk by chunk into a Blob. */
export function tableToJsonBlob(table: Table, options: BlobOptions = {}): Promise<Blob> {
  return chunksToBlob(jsonChunks(table), 'application/json', options);
}

/** The table as an Arrow IPC file (`.arrow`), field metadata (`cairn.type`, `cairn.db_type`, `cairn.note`) included. */
export function tableToArrowBlob(table: Table): Blob {
  return new Blob([tableToIPC(table, 'file') as Uint8Array<ArrayBuffer>], { type: 'application/vnd.apache.arrow.file' });
}

export { downloadBlob } from '../download.js';

/** A safe file name stem from a cell or result name. */
export function fileStem(name: string | undefined): string {
  const stem = (name ?? '').trim().replace(/[^\w.-]+/g, '_').replace(/^[_.]+|[_.]+$/g, '');
  return stem || 'result';
}

/** Put `text` on the clipboard (one helper app-wide: src/lib/clipboard.ts). */
export { copyText } from '../clipboard.js';
