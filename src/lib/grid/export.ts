/**
 * A result's bytes for the clipboard and downloads: TSV of a selected range, CSV of the
 * whole table streamed batch by batch into a Blob, and Arrow IPC (Parquet is in parquet.ts,
 * loaded only when someone asks for it). Values are read column-wise from the Arrow
 * vectors; no row objects are ever made for the whole table.
 */
import { tableToIPC, type Table } from 'apache-arrow';
import { rawFormatter } from './format.js';

/** A CSV field per RFC 4180: quoted when it holds a comma, quote, CR or LF. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

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
  const vectors = cols.map((c) => table.getChildAt(c)!);
  const formats = cols.map((c) => rawFormatter(table.schema.fields[c].type));
  const lines: string[] = [];
  if (header) lines.push(cols.map((c) => tsvField(table.schema.fields[c].name)).join('\t'));
  for (let r = range.row0; r <= range.row1; r++) {
    lines.push(vectors.map((v, i) => tsvField(formats[i](v.get(r)))).join('\t'));
  }
  return lines.join('\n');
}

/** Rows per CSV chunk: big enough to be fast, small enough that the page stays responsive between chunks. */
const CSV_CHUNK_ROWS = 20_000;

/**
 * The table as CSV (header line, CRLF line ends as RFC 4180 says), built batch by batch and
 * chunk by chunk into Blob parts. `yieldEvery` lets the caller give the event loop a turn
 * between chunks (the browser passes a short sleep); `onprogress` gets rows done.
 */
export async function tableToCsvBlob(
  table: Table,
  options: { yieldEvery?: () => Promise<void>; onprogress?: (rows: number) => void; signal?: AbortSignal } = {}
): Promise<Blob> {
  const fields = table.schema.fields;
  const formats = fields.map((f) => rawFormatter(f.type));
  const parts: string[] = [fields.map((f) => csvField(f.name)).join(',') + '\r\n'];
  let done = 0;
  for (const batch of table.batches) {
    // A batch's own vectors have one chunk each, so get(i) is a direct read.
    const vectors = fields.map((_, c) => batch.getChildAt(c)!);
    for (let start = 0; start < batch.numRows; start += CSV_CHUNK_ROWS) {
      options.signal?.throwIfAborted();
      const end = Math.min(batch.numRows, start + CSV_CHUNK_ROWS);
      let chunk = '';
      for (let r = start; r < end; r++) {
        let line = '';
        for (let c = 0; c < vectors.length; c++) {
          if (c > 0) line += ',';
          line += csvField(formats[c](vectors[c].get(r)));
        }
        chunk += line + '\r\n';
      }
      parts.push(chunk);
      done += end - start;
      options.onprogress?.(done);
      if (options.yieldEvery) await options.yieldEvery();
    }
  }
  return new Blob(parts, { type: 'text/csv;charset=utf-8' });
}

/** The table as an Arrow IPC file (`.arrow`). */
export function tableToArrowBlob(table: Table): Blob {
  return new Blob([tableToIPC(table, 'file') as Uint8Array<ArrayBuffer>], { type: 'application/vnd.apache.arrow.file' });
}

/** Offer `blob` to the user as a file download named `filename`. */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoke after the click has been handled; revoking at once can cancel the download.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A safe file name stem from a cell or result name. */
export function fileStem(name: string | undefined): string {
  const stem = (name ?? '').trim().replace(/[^\w.-]+/g, '_').replace(/^[_.]+|[_.]+$/g, '');
  return stem || 'result';
}

/** Put `text` on the clipboard; falls back to a hidden textarea where the async API is missing or denied. */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch (err) {
    console.warn('grid: clipboard API unavailable, using execCommand', err);
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  const active = document.activeElement as HTMLElement | null;
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  active?.focus();
  if (!ok) throw new Error('the browser refused to copy');
}
