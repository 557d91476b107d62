/** Reading and validating JSON request bodies with zod. */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { HttpError } from './errors.js';

/**
 * Read the body as JSON, refusing anything over `limit` bytes. An oversized body is read
 * to its end (up to 16× the limit) before the 413, so the client sees the answer rather
 * than a reset connection. A body must be labelled `application/json`: an HTML form can
 * send a cross-site POST only as text/plain or a form encoding, never as JSON.
 */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit * 16) req.destroy();
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) throw new HttpError(413, 'body_too_large', `Request body over ${limit} bytes.`);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'bad_request', 'Expected a JSON body.');
  if (!isJsonType(req.headers['content-type'])) throw new HttpError(415, 'unsupported_media_type', 'Send the body with content-type: application/json.');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'bad_request', 'The body is not valid JSON.');
  }
}

/** As {@link readJson}, but an empty body (for routes whose every field is optional) reads as `{}`. */
export async function readOptionalJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const length = req.headers['content-length'];
  if ((length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined) return {};
  return readJson(req, limit);
}

/** Check `value` against `schema`; a mismatch is a 400 naming the first bad field. */
export function validate<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new HttpError(400, 'bad_request', `${where}${issue?.message ?? 'invalid body'}`);
}

function isJsonType(header: string | undefined): boolean {
  return header?.split(';')[0].trim().toLowerCase() === 'application/json';
}
