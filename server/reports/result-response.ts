/**
 * A report cell's result as an HTTP response: the body is the result alone (Arrow IPC,
 * CSV or JSON as kernels/arrow writes them), its age in `x-cairn-result-at`, and an ETag
 * from the result's hash so a reader polling an unchanged result gets a 304.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Table } from 'apache-arrow';
import { toCsv } from '../../kernels/arrow/csv.js';
import { toJson } from '../../kernels/arrow/json.js';
import { AppError } from '../errors.js';
import type { ReportResult } from './results.js';

export const RESULT_FORMATS = ['arrow', 'csv', 'json'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

/** Longer query strings are refused: a report has a handful of inputs. */
export const MAX_QUERY_STRING = 4096;

const CONTENT_TYPES: Record<ResultFormat, string> = {
  arrow: 'application/vnd.apache.arrow.stream',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8'
};

/** `by_region.csv` → the cell's name and the format; anything else is a 404, as for a missing cell. */
export function parseResultFile(file: string): { name: string; format: ResultFormat } {
  const dot = file.lastIndexOf('.');
  const format = file.slice(dot + 1) as ResultFormat;
  if (dot <= 0 || !RESULT_FORMATS.includes(format)) throw new AppError('not_found', 'A cell result is addressed as <name>.arrow, <name>.csv or <name>.json.');
  return { name: file.slice(0, dot), format };
}

/** Text forms are written once per result and format. */
const texts = new WeakMap<ReportResult, Partial<Record<'csv' | 'json', Buffer>>>();

export function sendResult(req: IncomingMessage, res: ServerResponse, result: ReportResult, format: ResultFormat, table: () => Table, headers: Record<string, string> = {}): void {
  const etag = `"${result.hash.slice(0, 32)}-${format}"`;
  const common = {
    'cache-control': 'private, no-cache',
    etag,
    'x-cairn-result-at': result.resultAt.toISOString(),
    'x-cairn-rows': String(result.rows),
    'access-control-expose-headers': 'x-cairn-result-at, x-cairn-refresh-error, x-cairn-rows',
    ...headers
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, common);
    res.end();
    return;
  }
  let body: Uint8Array;
  if (format === 'arrow') body = result.ipc;
  else {
    let forms = texts.get(result);
    if (!forms) texts.set(result, (forms = {}));
    body = forms[format] ??= Buffer.from(format === 'csv' ? toCsv(table()) : toJson(table()));
  }
  res.writeHead(200, { ...common, 'content-type': CONTENT_TYPES[format], 'content-length': String(body.byteLength) });
  res.end(body);
}
