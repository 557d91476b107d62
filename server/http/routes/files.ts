/**
 * `POST /api/files` (the raw bytes as the body; `x-file-name` names it) → `{hash, name,
 * size, type}`, and `GET /api/files/:hash?notebook=<id>`. Notebooks record the answer in
 * their `files` map; collaborators fetch the bytes by hash through the notebook. Uploads
 * count against the workspace's quota.
 */
import { AppError } from '../../errors.js';
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { sendJson } from '../respond.js';
import { allow } from '../../access/rules.js';

export function fileRoutes(router: Router, app: AppContext): void {
  const { db, files, config } = app;

  router.add('POST', '/api/files', allow.member('editor'), async ({ req, res, session, workspace }) => {
    const rawName = req.headers['x-file-name'];
    const name = typeof rawName === 'string' ? decodeFileName(rawName).slice(0, 255) : 'file';
    const type = (req.headers['content-type'] ?? 'application/octet-stream').split(';')[0].trim();
    const length = req.headers['content-length'] ? Number(req.headers['content-length']) : undefined;
    try {
      const used = await workspaceBytes(workspace.id);
      const room = config.limits.workspaceUploadBytes - used;
      if (length !== undefined && length > room) throw quotaError(config.limits.workspaceUploadBytes);
      const stored = await files.put(req, length, Math.max(0, room));
      await db.query(
        `insert into files (hash, workspace_id, uploaded_by, size) values ($1, $2, $3, $4) on conflict do nothing`,
        [stored.hash, workspace.id, session.user.id, stored.size]
      );
      sendJson(res, 201, { ...stored, name, type });
    } catch (err) {
      // Drain what the client is still sending, so it reads our answer instead of a reset.
      req.resume();
      throw err;
    }
  });

  router.add('GET', '/api/files/:hash', allow.file(), async ({ res, params }) => {
    const file = files.get(params.hash);
    if (!file) throw new AppError('not_found', 'No such file.');
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(file.size),
      // Content-addressed: the bytes behind a hash never change.
      'cache-control': 'private, max-age=31536000, immutable'
    });
    file.stream.pipe(res);
  });

  /** Bytes of distinct files the workspace holds. */
  async function workspaceBytes(workspaceId: string): Promise<number> {
    const rows = await db.query<{ bytes: number | string | null }>(
      'select sum(size) as bytes from (select distinct on (hash) size from files where workspace_id = $1) f',
      [workspaceId]
    );
    return Number(rows[0]?.bytes ?? 0);
  }
}

function quotaError(limit: number): AppError {
  return new AppError('quota_exceeded', `This workspace has used its upload quota of ${Math.round(limit / 1024 ** 3)} GB; remove files or ask an admin to raise CAIRN_WORKSPACE_UPLOAD_GB.`);
}

/** `x-file-name` is percent-encoded (src/lib/kernel/files.ts); malformed encoding is the client's error. */
function decodeFileName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError('bad_request', 'The x-file-name header is not valid percent-encoding.');
  }
}
