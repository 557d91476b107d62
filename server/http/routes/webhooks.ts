/**
 * A workspace's saved webhooks (docs/api.md, "Scheduled refresh and alerts"): owners and
 * admins save and delete them; editors list their names to choose one for an alert.
 */
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { readJson, validate } from '../body.js';
import { sendJson } from '../respond.js';
import { allow } from '../../access/rules.js';
import { isManager, WebhookCreate } from '../../../src/lib/contract/index.js';
import { createWebhook, deleteWebhook, listWebhooks } from '../../workspaces/webhooks.js';

export function webhookRoutes(router: Router, app: AppContext): void {
  const { db, config } = app;

  router.add('POST', '/api/workspaces/:id/webhooks', allow.workspace('admin'), async ({ req, res, workspace, session }) => {
    const input = validate(WebhookCreate, await readJson(req, config.maxBodyBytes));
    sendJson(res, 201, { id: await createWebhook(db, config.secretKey, workspace.id, session.user.id, input) });
  });

  router.add('GET', '/api/workspaces/:id/webhooks', allow.workspace('editor'), async ({ res, workspace }) => {
    // A chat webhook URL is a credential: editors see names only.
    sendJson(res, 200, { webhooks: await listWebhooks(db, config.secretKey, workspace.id, isManager(workspace.role)) });
  });

  router.add('DELETE', '/api/workspaces/:id/webhooks/:webhookId', allow.workspace('admin'), async ({ res, params, workspace }) => {
    await deleteWebhook(db, workspace.id, params.webhookId);
    sendJson(res, 200, { ok: true });
  });
}
