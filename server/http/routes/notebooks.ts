/** `/api/notebooks*`: list, create, rename, delete and read notebooks, and who has access to each. */
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { readJson, validate } from '../body.js';
import { sendJson } from '../respond.js';
import { allow } from '../../access/rules.js';
import { getNotebookAccess, listNotebooks, setNotebookAccess } from '../../notebooks/repository.js';
import { NotebookAccessBody, NotebookCreateBody, NotebookRenameBody, type NotebookDetail } from '../../../src/lib/contract/index.js';
import { connectionIdsOf } from '../../notebooks/service.js';


export function notebookRoutes(router: Router, app: AppContext): void {
  const { db, config, collab } = app;

  router.add('GET', '/api/notebooks', allow.member('viewer'), async ({ res, url, session, workspace }) => {
    const q = url.searchParams.get('q')?.trim() || undefined;
    sendJson(res, 200, { notebooks: await listNotebooks(db, workspace.id, session.user.id, q) });
  });

  router.add('POST', '/api/notebooks', allow.member('editor'), async ({ req, res, session, workspace }) => {
    const body = validate(NotebookCreateBody, await readJson(req, config.maxBodyBytes));
    const id = await app.notebooks.create(workspace.id, session.user.id, body.title || 'Untitled notebook');
    sendJson(res, 201, { id });
  });

  router.add('GET', '/api/notebooks/:id', allow.notebook('read'), async ({ res, params, notebook, workspace }) => {
    const view = await app.notebooks.view(params.id);
    // Names and kinds only, for every reader: a cell can then say where it runs to someone
    // who may not use (or even list) that connection.
    const connections = await app.connections.names(workspace.id, connectionIdsOf(view.cells));
    const detail: NotebookDetail = { ...view, workspaceId: workspace.id, connections, access: notebook.access, canShare: notebook.canShare };
    sendJson(res, 200, detail);
  });

  router.add('PATCH', '/api/notebooks/:id', allow.notebook('edit'), async ({ req, res, params }) => {
    const { title } = validate(NotebookRenameBody, await readJson(req, config.maxBodyBytes));
    await app.notebooks.rename(params.id, title);
    sendJson(res, 200, { id: params.id, title });
  });

  router.add('DELETE', '/api/notebooks/:id', allow.notebook('edit'), async ({ res, params }) => {
    await app.notebooks.remove(params.id);
    sendJson(res, 200, { ok: true });
  });

  router.add('GET', '/api/notebooks/:id/access', allow.notebook('read'), async ({ res, params }) => {
    sendJson(res, 200, await getNotebookAccess(db, params.id));
  });

  router.add('PUT', '/api/notebooks/:id/access', allow.notebook('share'), async ({ req, res, params, workspace }) => {
    const access = validate(NotebookAccessBody, await readJson(req, config.maxBodyBytes));
    await setNotebookAccess(db, params.id, workspace.id, access);
    // Whoever lost access, or edit rights, has their open sockets closed or made read-only now.
    await collab.reauthorize((_, room) => room === params.id);
    await app.events.reauthorize((_, notebookId) => notebookId === params.id);
    sendJson(res, 200, await getNotebookAccess(db, params.id));
  });
}
