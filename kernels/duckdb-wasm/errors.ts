/**
 * DuckDB-WASM's errors, decoded into {@link QueryError}s that say where in the SQL they
 * happened. With `errors_as_json` on (the engine sets it on every connection) DuckDB
 * reports `{"exception_type", "exception_message", "position"}`, sometimes prefixed
 * ("Parser Error: {…}") or nested (the message itself JSON); without it, a text message
 * with a `LINE n:` excerpt and a caret. Editors count UTF-16 code units; DuckDB counts
 * code points in syntax errors and UTF-8 bytes in every other error (measured on 1.4.3),
 * so positions are converted.
 */
import { QueryError } from '../engine.js';
import { errorMessage } from '../error-message.js';

/** The engine id every error from this engine carries. */
export const ENGINE_ID = 'browser';

/** What DuckDB said, before it becomes a {@link QueryError}. */
export interface DuckDbErrorInfo {
  /** DuckDB's exception type (`Parser`, `Binder`, `Catalog`, `Permission`, …), when known. */
  type: string | null;
  message: string;
  /** 0-based UTF-16 offset into `sql`, when DuckDB gave one. */
  position: number | null;
}

/** `e` (anything DuckDB-WASM threw) decoded against the SQL text it was about. */
export function decodeDuckDbError(e: unknown, sql: string): DuckDbErrorInfo {
  const raw = errorMessage(e);
  const json = parseJsonError(raw);
  if (json) {
    const at = json.position === undefined ? NaN : Number(json.position);
    const type = json.exception_type ?? null;
    return {
      type,
      message: withType(json.exception_type, json.exception_message ?? raw),
      position: Number.isFinite(at) ? toUtf16Offset(sql, at, type) : null
    };
  }
  const caret = parseCaretError(raw, sql);
  const typed = /^([A-Za-z ]+?) Error: /.exec(raw);
  return { type: typed ? typed[1].replace(/ /g, '') : null, message: caret.message, position: caret.position };
}

/** `e` as a {@link QueryError} of this engine, with its position in `sql`. */
export function toQueryError(e: unknown, sql: string): QueryError {
  if (e instanceof QueryError) return e;
  const info = decodeDuckDbError(e, sql);
  return new QueryError(info.message, ENGINE_ID, info.position);
}

interface JsonError {
  exception_type?: string;
  exception_message?: string;
  position?: string | number;
}

/** The JSON object in `raw` (after an optional "X Error: " prefix), unwrapping nested JSON messages. */
function parseJsonError(raw: string): JsonError | null {
  const start = raw.indexOf('{');
  if (start < 0 || start > 40) return null;
  let info: JsonError;
  try {
    info = JSON.parse(raw.slice(start)) as JsonError;
  } catch {
    return null;
  }
  if (typeof info !== 'object' || info === null || typeof info.exception_message !== 'string') return null;
  // `send` wraps the JSON error of the pending query in another one.
  const inner = parseJsonError(info.exception_message);
  if (inner) return { ...info, ...inner, position: inner.position ?? info.position };
  return info;
}

/** "Binder Error: x" stays as DuckDB words it; a bare JSON message gets its type back as a prefix. */
function withType(type: string | undefined, message: string): string {
  if (!type) return message;
  const label = type === 'Invalid Input' ? 'Invalid Input Error' : `${type} Error`;
  return message.startsWith(label) ? message : `${label}: ${message}`;
}

/**
 * A text error with DuckDB's excerpt: "…\n\nLINE 3: select x from t\n               ^".
 * DuckDB shows at most ~40 columns either side of the error, with "..." where it cut, so
 * the excerpt is found in its line to recover the offset.
 */
function parseCaretError(raw: string, sql: string): { message: string; position: number | null } {
  const m = /\n*LINE (\d+): ([^\n]*)\n( *)\^/.exec(raw);
  if (!m) return { message: raw.trim(), position: null };
  // The excerpt sometimes appears twice (parser errors); the message is what comes before it.
  const message = raw.slice(0, m.index).trim();
  const lineNumber = Number(m[1]);
  const prefix = `LINE ${m[1]}: `;
  let excerpt = m[2];
  let caretColumn = m[3].length - prefix.length;
  const cutStart = excerpt.startsWith('...');
  if (cutStart) {
    excerpt = excerpt.slice(3);
    caretColumn -= 3;
  }
  if (excerpt.endsWith('...')) excerpt = excerpt.slice(0, -3);
  // DuckDB counts every '\n' and every '\r' as the end of a line.
  let lineStart = 0;
  for (let n = 1; n < lineNumber; n++) {
    const next = sql.slice(lineStart).search(/[\r\n]/);
    if (next < 0) return { message, position: null };
    lineStart += next + 1;
  }
  const lineEnd = sql.slice(lineStart).search(/[\r\n]/);
  const line = lineEnd < 0 ? sql.slice(lineStart) : sql.slice(lineStart, lineStart + lineEnd);
  if (caretColumn < 0) return { message, position: null };
  const at = cutStart ? line.indexOf(excerpt) : 0;
  if (at < 0) return { message, position: null };
  return { message, position: Math.min(sql.length, lineStart + at + codePointsToUtf16(line.slice(at), caretColumn)) };
}

/** DuckDB's position of an error of `type` as a UTF-16 offset into `sql`. */
function toUtf16Offset(sql: string, at: number, type: string | null): number {
  return type === 'Parser' ? codePointsToUtf16(sql, at) : utf8OffsetToUtf16(sql, at);
}

/** UTF-16 offset of the character `points` code points into `text`. */
export function codePointsToUtf16(text: string, points: number): number {
  let offset = 0;
  for (let i = 0; i < points && offset < text.length; i++) {
    offset += (text.codePointAt(offset) ?? 0) > 0xffff ? 2 : 1;
  }
  return offset;
}

/** UTF-16 offset in `text` of the character starting at UTF-8 byte `bytes`. */
export function utf8OffsetToUtf16(text: string, bytes: number): number {
  let seen = 0;
  let i = 0;
  while (i < text.length && seen < bytes) {
    const cp = text.codePointAt(i) ?? 0;
    seen += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}
