/** `/api/notebooks/:id/comments` and `/api/comments/:id`: threads on cells, resolved and reopened. */
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { readJson, validate } from '../body.js';
import { sendJson } from '../respond.js';
import { allow } from '../../access/rules.js';
import { CommentCreateBody, CommentPatchBody, type CommentList } from '../../../src/lib/contract/index.js';

export function commentRoutes(router: Router, app: AppContext): void {
  const { config } = app;

  router.add('GET', '/api/notebooks/:id/comments', allow.notebook('read'), async ({ res, params }) => {
    const list: CommentList = { comments: await app.comments.list(params.id) };
    sendJson(res, 200, list);
  });

  // Readers comment too: a comment is not a change to the notebook.
  router.add('POST', '/api/notebooks/:id/comments', allow.notebook('read'), async ({ req, res, params, session, workspace }) => {
    const body = validate(CommentCreateBody, await readJson(req, config.maxBodyBytes));
    const comment = await app.comments.create({ ...body, notebookId: params.id, workspaceId: workspace.id, authorId: session.user.id });
    sendJson(res, 201, { id: comment.id, comment });
  });

  router.add('PATCH', '/api/comments/:id', allow.comment('resolve'), async ({ req, res, params, session }) => {
    const { resolved } = validate(CommentPatchBody, await readJson(req, config.maxBodyBytes));
    await app.comments.setResolved(params.id, resolved, session.user.id);
    sendJson(res, 200, { id: params.id, resolved });
  });
}
