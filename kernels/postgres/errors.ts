/**
 * Driver and server errors → {@link QueryError}s a notebook user can act on: PostgreSQL's
 * own message with the position mapped into the user's SQL, and connection failures
 * (refused, unknown host, timeout, wrong password) said plainly. The password never
 * appears in a message, whatever the driver put there.
 */
import { QueryError } from '../engine.js';

export interface ErrorContext {
  /** The engine (connection) id. */
  engine: string;
  host: string;
  port: number;
  password: string;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
}

/** Where the user's SQL sits inside the text that was sent (0 when sent as is). */
export interface SqlOrigin {
  sql: string;
  offset: number;
}

interface PgErrorLike {
  message?: string;
  code?: string;
  position?: string;
  severity?: string;
  hint?: string;
}

export function toQueryError(err: unknown, ctx: ErrorContext, origin?: SqlOrigin): QueryError {
  if (err instanceof QueryError) return err;
  const e = (err ?? {}) as PgErrorLike & { errno?: number; syscall?: string };
  const raw = String(e.message ?? err);
  const where = `${ctx.host}:${ctx.port}`;
  let message: string;
  let position: number | null = null;

  if (typeof e.severity === 'string' && typeof e.code === 'string') {
    // From PostgreSQL itself.
    message = raw;
    if (e.code === '57014' && /statement timeout/i.test(raw)) {
      message = `canceled: statement timeout of ${formatSeconds(ctx.statementTimeoutMs)} exceeded`;
    } else if (e.code === '25006') {
      message = `${raw} (this connection runs queries read-only)`;
    } else if (e.code === '28P01' || e.code === '28000') {
      message = `could not connect to PostgreSQL at ${where}: ${raw}`;
    } else if (e.code === '3D000') {
      message = `could not connect to PostgreSQL at ${where}: ${raw}`;
    }
    if (e.hint) message += ` (hint: ${e.hint})`;
    if (origin && e.position !== undefined) {
      const p = Number(e.position) - 1 - origin.offset;
      position = Number.isInteger(p) && p >= 0 && p <= origin.sql.length ? p : null;
    }
  } else if (e.code === 'ECONNREFUSED') {
    message = `could not connect to PostgreSQL at ${where}: connection refused`;
  } else if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') {
    message = `could not connect to PostgreSQL at ${where}: host not found`;
  } else if (e.code === 'ETIMEDOUT' || /timeout expired|connection timeout|timeout exceeded when trying to connect/i.test(raw)) {
    message = `could not connect to PostgreSQL at ${where}: no answer within ${formatSeconds(ctx.connectTimeoutMs)}`;
  } else if (e.code === 'ECONNRESET' || e.code === 'EPIPE' || /Connection terminated/i.test(raw)) {
    message = `the connection to PostgreSQL at ${where} was lost: ${raw}`;
  } else {
    message = raw;
  }
  return new QueryError(scrub(message, ctx.password), ctx.engine, position);
}

/** `text` with every occurrence of the password masked. */
export function scrub(text: string, password: string): string {
  return password.length >= 3 ? text.split(password).join('***') : text;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
