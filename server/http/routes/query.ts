/**
 * `POST /api/query` → an Arrow IPC stream (docs/api.md): headers go out with the first
 * batch, so an error before it is a JSON error; after it, the stream ends without its
 * end-of-stream marker and `GET /api/runs/:id` tells what happened. `GET /api/runs`,
 * `GET /api/runs/:id` and `POST /api/runs/:id/cancel` read and stop runs.
 */
import { once } from 'node:events';
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { readJson, validate } from '../body.js';
import { sendJson } from '../respond.js';
import { HttpError } from '../errors.js';
import { allow } from '../../access/rules.js';
import { authorizeQuery } from '../../access/query-access.js';
import { isManager, QueryBody } from '../../../src/lib/contract/index.js';
import { QueryError } from '../../../kernels/engine.js';
import type { QueryReply, QueryRequest } from '../../query/service.js';

export function queryRoutes(router: Router, app: AppContext): void {
  const { db, config, queries } = app;

  // The connection and notebook are in the body: server/access/query-access.ts settles them.
  router.add('POST', '/api/query', allow.user(), async ({ req, res, session }) => {
    const user = session.user;
    const body = validate(QueryBody, await readJson(req, config.maxBodyBytes));
    const { workspaceId, role } = await authorizeQuery(db, req, user.id, body, (notebookId, cellId) => app.notebooks.cellEngine(notebookId, cellId));
    // The client leaving (closing the tab, cancelling the fetch) stops its share of the run.
    let clientGone = false;
    res.on('close', () => (clientGone = !res.writableFinished));

    let reply: QueryReply;
    try {
      reply = await queries.start({
        workspaceId,
        userId: user.id,
        manager: isManager(role),
        connectionId: body.connectionId,
        sql: body.sql,
        params: body.params,
        inputs: body.inputs as QueryRequest['inputs'],
        notebookId: body.notebookId ?? null,
        cellId: body.cellId ?? null,
        runToken: body.runToken,
        maxAgeMs: body.maxAge === undefined ? undefined : body.maxAge * 1000,
        cacheOnly: body.cacheOnly,
        runId: body.runId,
        provenance: body.provenance
      });
    } catch (err) {
      if (err instanceof QueryError) {
        sendJson(res, 400, { error: { code: 'query_error', message: err.message, position: err.position } }, body.runId ? { 'x-cairn-run-id': body.runId } : {});
        return;
      }
      throw err;
    }

    res.writeHead(200, {
      'content-type': 'application/vnd.apache.arrow.stream',
      'cache-control': 'no-store',
      'x-cairn-run-id': reply.runId,
      'x-cairn-cache': reply.cache,
      'x-cairn-result-at': reply.resultAt.toISOString(),
      'x-cairn-row-limit': String(reply.rowLimit),
      ...(reply.rows === null ? {} : { 'x-cairn-rows': String(reply.rows), 'x-cairn-truncated': String(reply.truncated) })
    });
    try {
      for await (const chunk of reply.body) {
        if (clientGone) break;
        if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      }
    } finally {
      await reply.finish(clientGone);
    }
    res.end();
  });

  router.add('GET', '/api/runs', allow.member('viewer'), async ({ res, url, session, workspace }) => {
    const limit = Number(url.searchParams.get('limit') ?? 200);
    const runs = await queries.runs.list({
      workspaceId: workspace.id,
      viewer: { userId: session.user.id, manager: isManager(workspace.role) },
      notebookId: url.searchParams.get('notebookId') || undefined,
      connectionId: url.searchParams.get('connectionId') || undefined,
      limit: Number.isFinite(limit) ? limit : 200
    });
    sendJson(res, 200, { runs: runs.map((r) => ({ ...r, ...(queries.liveStatus(r.id) ?? {}) })) });
  });

  router.add('GET', '/api/runs/:id', allow.run('read'), async ({ res, params, workspace }) => {
    const run = await queries.run(workspace.id, params.id);
    if (!run) throw new HttpError(404, 'not_found', 'No such run.');
    sendJson(res, 200, run);
  });

  router.add('POST', '/api/runs/:id/cancel', allow.run('cancel'), async ({ res, params, workspace }) => {
    sendJson(res, 200, { canceled: queries.cancel(workspace.id, params.id) });
  });
}
