/**
 * Adding data to a notebook and reading what it has: the files users added (the document's
 * `files` map, src/lib/doc/schema.ts), the bundled samples, and the named cells. Each user action is
 * one transaction with {@link LOCAL_ORIGIN} (one update on the wire, one undo step).
 */
import * as Y from 'yjs';
import { cellName, cellsOf, FILES, freshName, insertCell } from '$doc';
import { SAMPLES } from '$kernels/samples.js';
import { addFile, addUrl, uniqueTableName, type AddedFile, type AddOptions } from '$lib/kernel';
import type { NotebookSession } from './session.svelte';
import { LOCAL_ORIGIN } from './undo';

/** A file users added, as the `files` map records it. */
export interface FileEntry {
  hash: string;
  name: string;
  size: number;
  type: string;
}

/** One row of the `files` map: its table name and the file. */
export interface NotebookFile extends FileEntry {
  table: string;
}

/** The extensions the file picker offers (validation itself is `validateFile`'s). */
export const ACCEPT = '.csv,.tsv,.parquet,.arrow,.feather,.json,.ndjson';

function isFileEntry(v: unknown): v is FileEntry {
  if (!v || typeof v !== 'object') return false;
  const f = v as Record<string, unknown>;
  return typeof f.hash === 'string' && typeof f.name === 'string' && typeof f.size === 'number';
}

function filesOf(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(FILES);
}

/** The notebook's added files, by table name. */
export function readFiles(doc: Y.Doc): NotebookFile[] {
  const out: NotebookFile[] = [];
  for (const [table, entry] of filesOf(doc).entries()) {
    if (isFileEntry(entry)) out.push({ table, hash: entry.hash, name: entry.name, size: entry.size, type: typeof entry.type === 'string' ? entry.type : '' });
  }
  return out.sort((a, b) => a.table.localeCompare(b.table));
}

/** Calls `onChange` with the files now and whenever the map changes (anyone's change). Returns the unsubscribe. */
export function observeFiles(doc: Y.Doc, onChange: (files: NotebookFile[]) => void): () => void {
  const map = filesOf(doc);
  const handler = () => onChange(readFiles(doc));
  map.observe(handler);
  handler();
  return () => map.unobserve(handler);
}

/** Every name a new table must not take: cell names, file table names, sample names. */
export function takenNames(doc: Y.Doc): string[] {
  const names: string[] = [];
  for (const cell of cellsOf(doc).values()) {
    const name = cellName(cell);
    if (name) names.push(name);
  }
  for (const table of filesOf(doc).keys()) names.push(table);
  for (const s of SAMPLES) names.push(s.name);
  return names;
}

/** `select * from <table>`, quoting the name when it is not a plain identifier. */
export function selectAllSql(table: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.test(table);
  return `select * from ${plain ? table : `"${table.replace(/"/g, '""')}"`}`;
}

/**
 * Records an uploaded file under a table name not used by a cell, file or sample, and adds
 * a SQL cell reading it at `index` (default: the end), in one transaction. The same file
 * (by hash and name) already in the notebook is reused rather than added twice.
 * Returns the table name and the new cell's id.
 */
export function recordFile(doc: Y.Doc, added: AddedFile, index?: number): { table: string; cellId: string } {
  let table = '';
  let cellId = '';
  doc.transact(() => {
    const files = filesOf(doc);
    const existing = readFiles(doc).find((f) => f.hash === added.hash && f.name === added.name);
    table = existing?.table ?? uniqueTableName(added.table, takenNames(doc));
    if (!existing) files.set(table, { hash: added.hash, name: added.name, size: added.size, type: added.type } satisfies FileEntry);
    cellId = insertCell(doc, { kind: 'sql', name: freshName(doc, 'query'), source: selectAllSql(table) }, index, LOCAL_ORIGIN);
  }, LOCAL_ORIGIN);
  return { table, cellId };
}

/** Removes the file recorded under `table` (its bytes stay on the server, addressed by hash). */
export function removeFile(doc: Y.Doc, table: string): void {
  doc.transact(() => filesOf(doc).delete(table), LOCAL_ORIGIN);
}

/** Adds a SQL cell `select * from <table>` at `index` (default: the end). Returns its id. */
export function insertQueryCell(s: NotebookSession, table: string, index?: number): string {
  s.undo.stopCapturing();
  const id = insertCell(s.doc, { kind: 'sql', name: freshName(s.doc, 'query'), source: selectAllSql(table) }, index, LOCAL_ORIGIN);
  s.undo.stopCapturing();
  return id;
}

/** Uploads a file from disk and records it (see {@link recordFile}); rejects with a `FileInputError` and records nothing on failure. */
export async function addDataFile(s: NotebookSession, file: File, options: AddOptions = {}): Promise<{ table: string; cellId: string }> {
  const added = await addFile(file, options);
  return record(s, added);
}

/** Fetches `url` in the browser, uploads it and records it; rejects with a `FileInputError` and records nothing on failure. */
export async function addDataUrl(s: NotebookSession, url: string, options: AddOptions = {}): Promise<{ table: string; cellId: string }> {
  const added = await addUrl(url, options);
  return record(s, added);
}

function record(s: NotebookSession, added: AddedFile): { table: string; cellId: string } {
  s.undo.stopCapturing();
  const result = recordFile(s.doc, added);
  s.undo.stopCapturing();
  s.runner.run(result.cellId);
  return result;
}

/** A size for people: `812 B`, `14.2 KB`, `3.1 MB`. */
export function formatSize(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}

/** The files a drag carries, or none (a cell being reordered carries no files). */
export function draggedFiles(e: DragEvent): boolean {
  return !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');
}
