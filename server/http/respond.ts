/** Writing JSON responses and errors in the shape docs/api.md fixes: `{error: {code, message}}`. */
import type { ServerResponse } from 'node:http';
import { HttpError } from './errors.js';
import { AppError } from '../errors.js';
import { logger } from '../log.js';

const log = logger('http');

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/** Send `err` as an error response: HttpErrors and AppErrors as they say, anything else as a logged 500. */
export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof HttpError) {
    sendJson(res, err.status, { error: { code: err.code, message: err.message } });
    return;
  }
  if (err instanceof AppError) {
    const headers: Record<string, string> = err.retryAfterSeconds === undefined ? {} : { 'retry-after': String(Math.max(1, Math.ceil(err.retryAfterSeconds))) };
    sendJson(res, err.status, { error: { code: err.code, message: err.message } }, headers);
    return;
  }
  log.error('request failed', { err });
  sendJson(res, 500, { error: { code: 'internal', message: 'Something went wrong on the server; it has been logged.' } });
}
