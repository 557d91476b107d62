/** `/api/notebooks*`: list, create, rename, delete and read notebooks. */
import { z } from 'zod';
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { readJson, validate } from '../body.js';
import { sendJson } from '../respond.js';
import { HttpError } from '../errors.js';
import { requireUser } from '../../auth/request-user.js';
import { notebookAccess } from '../../notebooks/access.js';
import { listNotebooks } from '../../notebooks/repository.js';
import { DEFAULT_WORKSPACE_ID } from '../../notebooks/workspaces.js';
import type { Access } from '../../collab/hooks.js';

const Title = z.object({ title: z.string().trim().min(1, 'is required').max(200) });
const CreateBody = z.object({ title: z.string().trim().max(200).optional() });

export function notebookRoutes(router: Router, app: AppContext): void {
  const { db, config } = app;

  /** The signed-in user, and a 404/403 unless they may `need` the notebook. */
  async function authorize(ctx: Parameters<Parameters<Router['add']>[2]>[0], need: 'view' | 'edit') {
    const user = await requireUser(db, ctx.req, ctx.url);
    const access: Access = await notebookAccess(db, user.id, ctx.params.id);
    if (access === 'missing') throw new HttpError(404, 'not_found', 'No such notebook.');
    if (access === 'none' || (need === 'edit' && access !== 'edit')) throw new HttpError(403, 'forbidden', 'You do not have access to this notebook.');
    return user;
  }

  router.add('GET', '/api/notebooks', async ({ req, res, url }) => {
    const user = await requireUser(db, req, url);
    const q = url.searchParams.get('q')?.trim() || undefined;
    sendJson(res, 200, { notebooks: await listNotebooks(db, user.id, q) });
  });

  router.add('POST', '/api/notebooks', async ({ req, res, url }) => {
    const user = await requireUser(db, req, url);
    const body = validate(CreateBody, await readJson(req, config.maxBodyBytes));
    const id = await app.notebooks.create(DEFAULT_WORKSPACE_ID, user.id, body.title || 'Untitled notebook');
    sendJson(res, 201, { id });
  });

  router.add('GET', '/api/notebooks/:id', async (ctx) => {
    await authorize(ctx, 'view');
    sendJson(ctx.res, 200, await app.notebooks.view(ctx.params.id));
  });

  router.add('PATCH', '/api/notebooks/:id', async (ctx) => {
    await authorize(ctx, 'edit');
    const { title } = validate(Title, await readJson(ctx.req, config.maxBodyBytes));
    await app.notebooks.rename(ctx.params.id, title);
    sendJson(ctx.res, 200, { id: ctx.params.id, title });
  });

  router.add('DELETE', '/api/notebooks/:id', async (ctx) => {
    await authorize(ctx, 'edit');
    await app.notebooks.remove(ctx.params.id);
    sendJson(ctx.res, 200, { ok: true });
  });
}
