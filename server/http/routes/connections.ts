/**
 * `/api/connections*`: list, add (admin), change (admin), delete (admin), test, and the
 * schema browser's catalogue. Passwords go in and never come out.
 */
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { readJson, validate } from '../body.js';
import { sendJson } from '../respond.js';
import { requireMember } from '../../auth/request-user.js';
import { ConnectionInput, ConnectionPatch } from '../../connections/shapes.js';

export function connectionRoutes(router: Router, app: AppContext): void {
  const { db, config, connections } = app;

  router.add('GET', '/api/connections', async ({ req, res, url }) => {
    const { workspaceId } = await requireMember(db, req, url);
    sendJson(res, 200, { connections: await connections.list(workspaceId) });
  });

  router.add('POST', '/api/connections', async ({ req, res, url }) => {
    const { user, workspaceId } = await requireMember(db, req, url);
    const input = validate(ConnectionInput, await readJson(req, config.maxBodyBytes));
    sendJson(res, 201, await connections.create(workspaceId, user.id, input));
  });

  // Before saving: the form's "Test connection" with what was typed.
  router.add('POST', '/api/connections/test', async ({ req, res, url }) => {
    const { user, workspaceId } = await requireMember(db, req, url);
    const input = validate(ConnectionInput, await readJson(req, config.maxBodyBytes));
    sendJson(res, 200, await connections.testInput(workspaceId, user.id, input));
  });

  router.add('GET', '/api/connections/:id', async ({ req, res, url, params }) => {
    const { workspaceId } = await requireMember(db, req, url);
    sendJson(res, 200, await connections.get(workspaceId, params.id));
  });

  router.add('PATCH', '/api/connections/:id', async ({ req, res, url, params }) => {
    const { user, workspaceId } = await requireMember(db, req, url);
    const patch = validate(ConnectionPatch, await readJson(req, config.maxBodyBytes));
    sendJson(res, 200, await connections.update(workspaceId, user.id, params.id, patch));
  });

  router.add('DELETE', '/api/connections/:id', async ({ req, res, url, params }) => {
    const { user, workspaceId } = await requireMember(db, req, url);
    await connections.remove(workspaceId, user.id, params.id);
    sendJson(res, 200, { ok: true });
  });

  router.add('POST', '/api/connections/:id/test', async ({ req, res, url, params }) => {
    const { user, workspaceId } = await requireMember(db, req, url);
    sendJson(res, 200, await connections.test(workspaceId, user.id, params.id));
  });

  router.add('GET', '/api/connections/:id/schema', async ({ req, res, url, params }) => {
    const { workspaceId } = await requireMember(db, req, url);
    const refresh = url.searchParams.get('refresh') === '1';
    sendJson(res, 200, { tables: await connections.schema(workspaceId, params.id, refresh) });
  });
}

