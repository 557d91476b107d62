/**
 * `/api/connections*`: list (what the caller may use), add, change and delete (admins),
 * test (admins: a test's error is not a port scanner for members), and the schema
 * browser's catalogue. Passwords go in and never come out.
 */
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { readJson, validate } from '../body.js';
import { sendJson } from '../respond.js';
import { allow } from '../../access/rules.js';
import { AppError } from '../../errors.js';
import { ConnectionInput, ConnectionPatch } from '../../connections/shapes.js';
import { isManager } from '../../../src/lib/contract/index.js';

export function connectionRoutes(router: Router, app: AppContext): void {
  const { config, connections } = app;

  router.add('GET', '/api/connections', allow.member('viewer'), async ({ res, session, workspace }) => {
    sendJson(res, 200, { connections: await connections.list(workspace.id, session.user.id, workspace.role) });
  });

  router.add('POST', '/api/connections', allow.member('admin'), async ({ req, res, session, workspace }) => {
    const input = validate(ConnectionInput, await readJson(req, config.maxBodyBytes));
    // A file-backed DuckDB reads and writes files on the server itself: instance admins only.
    if (input.kind === 'duckdb' && 'path' in input.config && input.config.path && !session.user.instanceAdmin) {
      throw new AppError('forbidden', 'Only instance admins add file-backed DuckDB connections.');
    }
    sendJson(res, 201, await connections.create(workspace.id, session.user.id, input));
  });

  // Before saving: the form's "Test connection" with what was typed.
  router.add('POST', '/api/connections/test', allow.member('admin'), async ({ req, res, session, workspace }) => {
    const input = validate(ConnectionInput, await readJson(req, config.maxBodyBytes));
    if (input.kind === 'duckdb' && 'path' in input.config && input.config.path && !session.user.instanceAdmin) {
      throw new AppError('forbidden', 'Only instance admins add file-backed DuckDB connections.');
    }
    sendJson(res, 200, await connections.testInput(workspace.id, session.user.id, input));
  });

  router.add('GET', '/api/connections/:id', allow.connection('use'), async ({ res, params, workspace }) => {
    sendJson(res, 200, await connections.get(workspace.id, params.id));
  });

  router.add('PATCH', '/api/connections/:id', allow.connection('manage'), async ({ req, res, params, session, workspace }) => {
    const patch = validate(ConnectionPatch, await readJson(req, config.maxBodyBytes));
    if (patch.config && 'path' in patch.config && !session.user.instanceAdmin) {
      throw new AppError('forbidden', 'Only instance admins point DuckDB connections at files.');
    }
    sendJson(res, 200, await connections.update(workspace.id, session.user.id, params.id, patch));
  });

  router.add('DELETE', '/api/connections/:id', allow.connection('manage'), async ({ res, params, session, workspace }) => {
    await connections.remove(workspace.id, session.user.id, params.id);
    sendJson(res, 200, { ok: true });
  });

  router.add('POST', '/api/connections/:id/test', allow.connection('manage'), async ({ res, params, session, workspace }) => {
    sendJson(res, 200, await connections.test(workspace.id, session.user.id, params.id));
  });

  router.add('GET', '/api/connections/:id/schema', allow.connection('use'), async ({ res, url, params, session, workspace }) => {
    const refresh = url.searchParams.get('refresh') === '1';
    const viewer = { userId: session.user.id, manager: isManager(workspace.role) };
    sendJson(res, 200, { tables: await connections.schema(workspace.id, params.id, viewer, refresh) });
  });
}
