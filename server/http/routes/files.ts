/**
 * `POST /api/files` (the raw bytes as the body; `x-file-name` names it) → `{hash, name,
 * size, type}`, and `GET /api/files/:hash`. Notebooks record the answer in their `files`
 * map; collaborators fetch the bytes by hash.
 */
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { sendJson } from '../respond.js';
import { HttpError } from '../errors.js';
import { requireUser } from '../../auth/request-user.js';

export function fileRoutes(router: Router, app: AppContext): void {
  router.add('POST', '/api/files', async ({ req, res, url }) => {
    await requireUser(app.db, req, url);
    const rawName = req.headers['x-file-name'];
    const name = typeof rawName === 'string' ? decodeFileName(rawName).slice(0, 255) : 'file';
    const type = (req.headers['content-type'] ?? 'application/octet-stream').split(';')[0].trim();
    const length = req.headers['content-length'] ? Number(req.headers['content-length']) : undefined;
    try {
      const stored = await app.files.put(req, length);
      sendJson(res, 201, { ...stored, name, type });
    } catch (err) {
      // Drain what the client is still sending, so it reads our answer instead of a reset.
      req.resume();
      throw err;
    }
  });

  router.add('GET', '/api/files/:hash', async ({ req, res, url, params }) => {
    await requireUser(app.db, req, url);
    const file = app.files.get(params.hash);
    if (!file) throw new HttpError(404, 'not_found', 'No file with that hash.');
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(file.size),
      // Content-addressed: the bytes behind a hash never change.
      'cache-control': 'private, max-age=31536000, immutable'
    });
    file.stream.pipe(res);
  });
}

/** `x-file-name` is percent-encoded (src/lib/kernel/files.ts); malformed encoding is the client's error. */
function decodeFileName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'bad_request', 'The x-file-name header is not valid percent-encoding.');
  }
}
