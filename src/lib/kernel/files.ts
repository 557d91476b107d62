/**
 * Adding data files to a notebook: a file from the user's disk, or the bytes behind a URL
 * (fetched by the browser, so it works for any URL the browser can read — subject to
 * CORS), uploaded to Cairn (`POST /api/files`, content-addressed). The caller records the
 * answer in the notebook's `files` map under a table name.
 */
import { fileFormat, type FileRef } from '$kernels/duckdb-wasm/formats.js';
import type { SampleFormat } from '$kernels/samples.js';

/** The largest file the browser accepts (the server's default limit; it may be lower). */
export const MAX_FILE_BYTES = 1024 * 1024 * 1024;

/** A file Cairn cannot take, with a message to show as it is. */
export class FileInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileInputError';
  }
}

/** An uploaded file: what the `files` map records, and the table name to record it under. */
export interface AddedFile extends FileRef {
  /** A table name derived from the file name (see {@link tableNameFor}). */
  table: string;
  format: SampleFormat;
}

const MIME: Record<SampleFormat, string> = {
  csv: 'text/csv',
  parquet: 'application/vnd.apache.parquet',
  arrow: 'application/vnd.apache.arrow.file',
  json: 'application/json'
};

/** How Cairn will read `file`; throws a {@link FileInputError} for a type or size it cannot take. */
export function validateFile(file: { name: string; size: number; type?: string }, maxBytes = MAX_FILE_BYTES): SampleFormat {
  const format = fileFormat(file);
  if (!format) {
    throw new FileInputError(`${file.name} is not a file Cairn can read. Add a CSV, Parquet, Arrow or JSON file.`);
  }
  if (file.size === 0) throw new FileInputError(`${file.name} is empty.`);
  if (file.size > maxBytes) throw new FileInputError(`${file.name} is ${formatBytes(file.size)}; files are limited to ${formatBytes(maxBytes)}.`);
  return format;
}

/** A SQL-friendly table name for a file: its name without the extension, lowercase, each run of non-word characters as `_`. */
export function tableNameFor(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.[A-Za-z0-9]+$/, '');
  const name = base
    .toLowerCase()
    .replace(/\W+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!name) return 'file';
  // An identifier cannot start with a digit without quotes.
  return /^\d/.test(name) ? `_${name}` : name;
}

/** `base`, or `base_2`, `base_3`, … : the first not in `taken` (compared case-insensitively). */
export function uniqueTableName(base: string, taken: Iterable<string>): string {
  const used = new Set([...taken].map((t) => t.toLowerCase()));
  if (!used.has(base.toLowerCase())) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}_${n}`.toLowerCase())) return `${base}_${n}`;
}

export interface AddOptions {
  signal?: AbortSignal;
  /** For tests; the browser's `fetch` otherwise. */
  fetch?: typeof fetch;
  maxBytes?: number;
}

/** Uploads `file` to Cairn (`POST /api/files`); rejects with a {@link FileInputError}. */
export async function addFile(file: File, options: AddOptions = {}): Promise<AddedFile> {
  const format = validateFile(file, options.maxBytes);
  const doFetch = options.fetch ?? fetch;
  const type = file.type || MIME[format];
  let res: Response;
  try {
    res = await doFetch('/api/files', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'x-file-name': encodeURIComponent(file.name), 'content-type': type },
      body: file,
      signal: options.signal
    });
  } catch (e) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw new FileInputError(`Could not upload ${file.name}: the server did not answer. Check your connection and try again.`);
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new FileInputError(`Could not upload ${file.name}: ${body?.error?.message ?? `the server answered ${res.status}`}`);
  }
  const stored = (await res.json()) as FileRef;
  return { hash: stored.hash, name: stored.name, size: stored.size, type: stored.type, table: tableNameFor(stored.name), format };
}

/**
 * Fetches `url` in the browser and uploads its bytes as {@link addFile} does. The file's
 * name comes from the answer's Content-Disposition, else the URL's last path segment.
 */
export async function addUrl(url: string, options: AddOptions = {}): Promise<AddedFile> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FileInputError(`${url} is not a URL.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new FileInputError(`Only http and https URLs can be added, not ${parsed.protocol}`);
  const doFetch = options.fetch ?? fetch;
  let res: Response;
  try {
    // No cookies: another site's data is read as anyone would read it.
    res = await doFetch(parsed.href, { credentials: 'omit', signal: options.signal });
  } catch {
    if (options.signal?.aborted) throw options.signal.reason;
    throw new FileInputError(
      `Could not fetch ${parsed.href}: the server did not answer, or it does not let other sites read it (CORS). Download the file and add it from your disk instead.`
    );
  }
  if (!res.ok) throw new FileInputError(`Could not fetch ${parsed.href}: it answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`);
  const name = nameFromResponse(res, parsed);
  const type = (res.headers.get('content-type') ?? '').split(';')[0].trim();
  const declared = Number(res.headers.get('content-length') ?? NaN);
  // Refuse early what is known to be too big or unreadable, before downloading it.
  if (Number.isFinite(declared) && declared > 0) validateFile({ name, size: declared, type }, options.maxBytes);
  const blob = await res.blob();
  return addFile(new File([blob], name, { type: fileFormat({ name }) ? '' : type }), options);
}

function nameFromResponse(res: Response, url: URL): string {
  const disposition = res.headers.get('content-disposition') ?? '';
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition);
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  const fromHeader = star ? safeDecode(star[1].trim()) : plain?.[1]?.trim();
  if (fromHeader) return fromHeader;
  const last = url.pathname.split('/').filter(Boolean).at(-1);
  return last ? safeDecode(last) : url.hostname;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}
