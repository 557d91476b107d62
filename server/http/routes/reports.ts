/**
 * Published reports (docs/api.md, "Reports"): publish, update and unpublish a notebook's
 * report, see what is live, read a report as its readers do, and make tokens for machine
 * clients.
 */
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { readJson, validate } from '../body.js';
import { sendJson } from '../respond.js';
import { allow } from '../../access/rules.js';
import { PublishBody } from '../../../src/lib/contract/index.js';
import { summary } from '../../reports/service.js';
import { createReportToken } from '../../reports/repository.js';

export function reportRoutes(router: Router, app: AppContext): void {
  const { db, config, site, reports } = app;

  router.add('POST', '/api/notebooks/:id/publish', allow.notebook('edit'), async ({ req, res, params, session, workspace }) => {
    const body = validate(PublishBody, await readJson(req, config.maxBodyBytes));
    const report = await reports.publish(params.id, workspace.id, session.user.id, body);
    sendJson(res, 200, summary(report, (path) => site.link(path, req.headers.host)));
  });

  router.add('GET', '/api/notebooks/:id/publish', allow.notebook('read'), async ({ req, res, params }) => {
    sendJson(res, 200, await reports.state(params.id, (path) => site.link(path, req.headers.host)));
  });

  router.add('DELETE', '/api/notebooks/:id/publish', allow.notebook('edit'), async ({ res, params }) => {
    sendJson(res, 200, { unpublished: await reports.unpublish(params.id) });
  });

  router.add('GET', '/api/reports/:slug', allow.report('read'), async ({ res, report }) => {
    sendJson(res, 200, await reports.view(report));
  });

  router.add('POST', '/api/reports/:slug/tokens', allow.report('manage'), async ({ res, report, session }) => {
    const { id, token } = await createReportToken(db, report.id, session!.user.id);
    sendJson(res, 201, { id, token });
  });
}
