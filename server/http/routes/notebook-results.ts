/**
 * A notebook's last results for its page's first paint (src/lib/contract/notebook-results.ts):
 * the list of cells with their keys, then one Arrow IPC body per cell, computed on the
 * server as the reader (server/results/notebook-results.ts).
 */
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { sendJson } from '../respond.js';
import { allow } from '../../access/rules.js';
import { AppError } from '../../errors.js';
import { RESULT_HEADERS } from '../../../src/lib/contract/index.js';

/** Longest cell id accepted in a path (ids are short; anything longer is not one). */
const MAX_CELL_ID = 128;

export function notebookResultRoutes(router: Router, app: AppContext): void {
  const { notebookResults } = app;

  router.add('GET', '/api/notebooks/:id/results', allow.notebook('read'), async ({ res, params }) => {
    sendJson(res, 200, await notebookResults.list(params.id), { 'cache-control': 'private, no-cache' });
  });

  router.add('GET', '/api/notebooks/:id/results/:cellId', allow.notebook('read'), async ({ req, res, params, session, workspace }) => {
    if (params.cellId.length > MAX_CELL_ID) throw new AppError('not_found', 'No cell with a result by that id in this notebook.');
    const { result, key, sourceColumns } = await notebookResults.result(
      { workspaceId: workspace.id, notebookId: params.id, userId: session.user.id, role: workspace.role },
      params.cellId
    );
    const etag = `"${result.hash.slice(0, 32)}"`;
    const headers: Record<string, string> = {
      // Revalidated every time: the same key can be refreshed (a server cell's TTL), and the ETag makes that a 304.
      'cache-control': 'private, no-cache',
      etag,
      [RESULT_HEADERS.key]: key,
      [RESULT_HEADERS.at]: result.resultAt.toISOString(),
      [RESULT_HEADERS.runId]: result.runId,
      'x-cairn-rows': String(result.rows),
      ...(sourceColumns ? { [RESULT_HEADERS.sourceColumns]: encodeURIComponent(JSON.stringify(sourceColumns)) } : {})
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': 'application/vnd.apache.arrow.stream', 'content-length': String(result.ipc.byteLength) });
    res.end(result.ipc);
  });
}
