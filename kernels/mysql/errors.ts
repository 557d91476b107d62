/**
 * mysql2 errors → QueryError messages a notebook user can act on, never carrying the
 * connection's password.
 */
import { QueryError } from '../engine.js';

interface DriverError {
  message?: string;
  code?: string;
  errno?: number;
  sqlMessage?: string;
}

/** Server error numbers for a statement stopped by max_statement_time (MariaDB) / max_execution_time (MySQL). */
const TIMEOUT_ERRNOS = new Set([1969, 3024]);
/** Failures to reach or log in to the server, as opposed to a failing statement. */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_HOST_NOT_PRIVILEGED',
  'ER_CON_COUNT_ERROR',
  'PROTOCOL_CONNECTION_LOST'
]);

export interface ErrorContext {
  engine: string;
  host: string;
  port: number;
  user: string;
  password: string;
  statementTimeoutMs: number;
}

/** The message for an expired statement timeout (shared with the client-side backstop). */
export function timeoutMessage(ms: number): string {
  return `canceled: statement timeout of ${ms / 1000} s`;
}

/** Maps any driver or network error to a QueryError; QueryErrors pass through. */
export function toQueryError(e: unknown, ctx: ErrorContext, sql?: string): QueryError {
  if (e instanceof QueryError) return e;
  const err = (e ?? {}) as DriverError;
  let message: string;
  if (err.errno !== undefined && TIMEOUT_ERRNOS.has(err.errno)) {
    message = timeoutMessage(ctx.statementTimeoutMs);
  } else if (err.code !== undefined && CONNECT_CODES.has(err.code)) {
    message = `cannot connect to MySQL at ${ctx.host}:${ctx.port} as ${ctx.user}: ${err.sqlMessage ?? err.message ?? String(e)} (${err.code})`;
  } else if (err.sqlMessage !== undefined) {
    message = `${err.sqlMessage} (${err.code ?? err.errno})`;
  } else {
    message = err.message ?? String(e);
  }
  return new QueryError(redact(message, ctx.password), ctx.engine, sql === undefined ? null : syntaxPosition(err, sql));
}

/** Defence in depth: the server never echoes the password, but nothing here may. */
function redact(message: string, password: string): string {
  return password.length >= 4 ? message.split(password).join('***') : message;
}

/** MySQL says "… near 'frm t' at line 2"; the offset of that text in the SQL, when it is found there. */
function syntaxPosition(err: DriverError, sql: string): number | null {
  if (err.code !== 'ER_PARSE_ERROR' || err.sqlMessage === undefined) return null;
  const m = /near '([\s\S]*)' at line (\d+)$/.exec(err.sqlMessage);
  if (!m) return null;
  // The server quotes at most 80 characters; a prefix is enough to find the place.
  const snippet = m[1]!.slice(0, 20);
  if (snippet === '') return sql.trimEnd().length;
  let lineStart = 0;
  for (let line = 1; line < Number(m[2]); line++) {
    const next = sql.indexOf('\n', lineStart);
    if (next === -1) break;
    lineStart = next + 1;
  }
  const at = sql.indexOf(snippet, lineStart);
  return at === -1 ? null : at;
}
