/**
 * Which files Cairn reads and how, with no dependency on DuckDB or parquet-wasm, so the
 * page can validate a file before it loads the engine.
 */
import type { SampleFormat } from '../samples.js';

/** A file users added, as the notebook's `files` map records it (src/lib/doc/schema.ts). */
export interface FileRef {
  hash: string;
  name: string;
  size: number;
  type: string;
}

/** The notebook's `files` map: table name → file. */
export type NotebookFiles = Readonly<Record<string, FileRef>>;

/** The URL path the Cairn server serves an added file's bytes at. */
export function fileUrl(hash: string): string {
  return `/api/files/${encodeURIComponent(hash)}`;
}

const EXTENSIONS: Record<string, SampleFormat> = {
  csv: 'csv',
  tsv: 'csv',
  txt: 'csv',
  parquet: 'parquet',
  pq: 'parquet',
  arrow: 'arrow',
  arrows: 'arrow',
  feather: 'arrow',
  ipc: 'arrow',
  json: 'json',
  ndjson: 'json',
  jsonl: 'json'
};

/** How a file is read, from its name's extension or else its MIME type; null when Cairn cannot read it. */
export function fileFormat(file: { name: string; type?: string }): SampleFormat | null {
  const ext = /\.([A-Za-z0-9]+)$/.exec(file.name)?.[1]?.toLowerCase();
  if (ext && EXTENSIONS[ext]) return EXTENSIONS[ext];
  const type = (file.type ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'text/csv' || type === 'text/tab-separated-values') return 'csv';
  if (type.includes('parquet')) return 'parquet';
  if (type.includes('arrow')) return 'arrow';
  if (type === 'application/json' || type === 'application/x-ndjson') return 'json';
  return null;
}
