/**
 * A report's refresh and alerts (docs/api.md, "Scheduled refresh and alerts"), for the
 * notebook's editors: refresh now, see how refreshes went, and manage alerts and their
 * delivery history. A raw webhook URL is for workspace owners and admins; editors choose a
 * saved webhook.
 */
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { readJson, validate } from '../body.js';
import { sendJson } from '../respond.js';
import { allow } from '../../access/rules.js';
import { AppError } from '../../errors.js';
import { AlertCreate, isManager, type CellRefreshView } from '../../../src/lib/contract/index.js';
import { memberRole } from '../../workspaces/repository.js';
import { webhookInWorkspace } from '../../workspaces/webhooks.js';
import { alertDeliveries, createAlert, deleteAlert, listAlerts } from '../../reports/alerts.js';
import { reportRefreshState } from '../../reports/refresher.js';

export function reportAlertRoutes(router: Router, app: AppContext): void {
  const { db, config, reports, refresher } = app;
  const managesWorkspace = async (workspaceId: string, userId: string) => isManager(await memberRole(db, workspaceId, userId));

  router.add('POST', '/api/reports/:slug/refresh', allow.report('manage'), async ({ res, report }) => {
    const cells = await refresher.refresh(report, 'manual');
    const view: CellRefreshView[] = cells.map((c) => ({ cellId: c.cellId, cell: c.cell, ok: c.ok, rows: c.rows, error: c.error, at: c.at.toISOString() }));
    sendJson(res, 200, { refreshed: true, ok: cells.every((c) => c.ok), cells: view });
  });

  router.add('GET', '/api/reports/:slug/refresh', allow.report('manage'), async ({ res, report }) => {
    sendJson(res, 200, await reportRefreshState(db, report));
  });

  router.add('GET', '/api/reports/:slug/alerts', allow.report('manage'), async ({ res, report, session }) => {
    sendJson(res, 200, { alerts: await listAlerts(db, config.secretKey, report.id, await managesWorkspace(report.workspaceId, session!.user.id)) });
  });

  router.add('POST', '/api/reports/:slug/alerts', allow.report('manage'), async ({ req, res, report, session }) => {
    const body = validate(AlertCreate, await readJson(req, config.maxBodyBytes));
    const userId = session!.user.id;
    if (body.webhook && !(await managesWorkspace(report.workspaceId, userId))) {
      throw new AppError('forbidden', 'Only workspace owners and admins set a webhook URL; choose one of the workspace’s saved webhooks (webhookId).');
    }
    if (body.webhookId && !(await webhookInWorkspace(db, report.workspaceId, body.webhookId))) {
      throw new AppError('bad_request', `webhookId: the workspace has no webhook "${body.webhookId}".`);
    }
    const shown = (await reports.view(report)).cells.filter((c) => c.name !== '' && c.kind !== 'text' && c.kind !== 'input');
    if (!shown.some((c) => c.name === body.cell)) {
      throw new AppError('bad_request', `cell: the report shows no cell named "${body.cell}"${shown.length ? ` (it shows ${shown.map((c) => c.name).join(', ')})` : ''}.`);
    }
    const id = await createAlert(db, config.secretKey, report.id, userId, {
      cell: body.cell,
      name: body.name ?? body.cell,
      condition: body.condition,
      webhook: body.webhook ?? null,
      webhookId: body.webhookId ?? null
    });
    sendJson(res, 201, { id });
  });

  router.add('DELETE', '/api/reports/:slug/alerts/:alertId', allow.report('manage'), async ({ res, report, params }) => {
    await deleteAlert(db, report.id, params.alertId);
    sendJson(res, 200, { ok: true });
  });

  router.add('GET', '/api/reports/:slug/alerts/:alertId/deliveries', allow.report('manage'), async ({ res, report, params }) => {
    sendJson(res, 200, { deliveries: await alertDeliveries(db, report.id, params.alertId) });
  });
}
