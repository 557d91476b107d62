/**
 * Forks: `POST /api/notebooks/:id/fork` (readers who edit in some workspace), the origin's
 * list of forks, a fork's standing against its origin, and pulling the origin's changes.
 */
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { readOptionalJson, validate } from '../body.js';
import { sendJson } from '../respond.js';
import { allow } from '../../access/rules.js';
import { ForkBody } from '../../../src/lib/contract/index.js';

export function forkRoutes(router: Router, app: AppContext): void {
  const { config, forks } = app;

  router.add('POST', '/api/notebooks/:id/fork', allow.notebook('read'), async ({ req, res, params, session, workspace }) => {
    const body = validate(ForkBody, await readOptionalJson(req, config.maxBodyBytes));
    const id = await forks.fork(params.id, workspace.id, session.user.id, body.workspaceId);
    sendJson(res, 201, { id });
  });

  router.add('GET', '/api/notebooks/:id/forks', allow.notebook('read'), async ({ res, params, session }) => {
    sendJson(res, 200, { forks: await forks.forksOf(params.id, session.user.id) });
  });

  router.add('GET', '/api/notebooks/:id/fork-status', allow.notebook('read'), async ({ res, params, session }) => {
    sendJson(res, 200, await forks.status(params.id, session.user.id));
  });

  router.add('POST', '/api/notebooks/:id/pull', allow.notebook('edit'), async ({ res, params, session }) => {
    const version = await forks.pull(params.id, session.user.id);
    sendJson(res, 200, { versionId: version.id });
  });
}
