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
import { notebookStanding } from '../../access/policy.js';
import { PublishBody } from '../../../src/lib/contract/index.js';
import { summary } from '../../reports/service.js';
import { createReportToken, listReportTokens, revokeReportToken } from '../../reports/repository.js';
import { sendResult, parseResultFile, MAX_QUERY_STRING } from '../../reports/result-response.js';
import { AppError } from '../../errors.js';
import { reportPageData } from '../../reports/page-data.js';
import { lastRefreshErrors, refreshErrorHeader } from '../../reports/refresh-state.js';

export function reportRoutes(router: Router, app: AppContext): void {
  const { db, config, site, reports, reportResults, reportLimits } = app;

  router.add('POST', '/api/notebooks/:id/publish', allow.notebook('edit'), async ({ req, res, params, session, workspace }) => {
    const body = validate(PublishBody, await readJson(req, config.maxBodyBytes));
    const report = await reports.publish(params.id, workspace.id, session.user.id, body);
    app.reportPages.clear();
    // Publishing computes what the report shows, behind the answer: a slow warehouse does
    // not hold up the author, and a reader who arrives first shares the computation. Through
    // the refresher, so each cell's outcome is recorded and alerts are checked.
    app.refresher.refreshInBackground(report, 'publish');
    sendJson(res, 200, summary(report, (path) => site.link(path, req.headers.host)));
  });

  router.add('GET', '/api/notebooks/:id/publish', allow.notebook('read'), async ({ req, res, params }) => {
    sendJson(res, 200, await reports.state(params.id, (path) => site.link(path, req.headers.host)));
  });

  router.add('DELETE', '/api/notebooks/:id/publish', allow.notebook('edit'), async ({ res, params }) => {
    const unpublished = await reports.unpublish(params.id);
    app.reportPages.clear();
    sendJson(res, 200, { unpublished });
  });

  router.add('GET', '/api/reports/:slug', allow.report('read'), async ({ req, res, report }) => {
    await reportLimits.take(req);
    sendJson(res, 200, await reports.view(report));
  });

  // A cell's result as Arrow, CSV or JSON: computed with the report's inputs (readers may set
  // the shown ones in the query string), cached, and fresh by the report's refresh policy.
  router.add('GET', '/api/reports/:slug/cells/:cellFile', allow.report('read'), async ({ req, res, url, params, report }) => {
    await reportLimits.take(req);
    if (url.search.length > MAX_QUERY_STRING) throw new AppError('uri_too_long', `The query string is over ${MAX_QUERY_STRING} characters; a report's inputs fit in less.`);
    const { name, format } = parseResultFile(params.cellFile);
    const overrides = await reportResults.overrides(report, url.searchParams);
    const result = await reportResults.result(report, name, overrides);
    sendResult(req, res, result, format, () => reportResults.table(result), await refreshErrorHeader(db, report.id, result.cellId));
  });

  // The report page's data (src/routes/r/[slug]): shown cells with their results' first rows.
  router.add('GET', '/api/reports/:slug/page', allow.report('read'), async ({ req, res, url, report, session }) => {
    await reportLimits.take(req);
    if (url.search.length > MAX_QUERY_STRING) throw new AppError('uri_too_long', `The query string is over ${MAX_QUERY_STRING} characters; a report's inputs fit in less.`);
    const overrides = await reportResults.overrides(report, url.searchParams);
    // One query for the page's refresh errors, not one per cell.
    let errors: ReturnType<typeof lastRefreshErrors> | null = null;
    const refreshError = async (cellId: string) => (await (errors ??= lastRefreshErrors(db, report.id))).get(cellId) ?? null;
    // Those who edit the notebook manage its report (the page links them to it).
    const canManage = session ? (await notebookStanding(db, session.user.id, report.notebookId))?.access === 'edit' : false;
    sendJson(res, 200, await reportPageData(reports, reportResults, report, overrides, refreshError, canManage));
  });

  router.add('POST', '/api/reports/:slug/tokens', allow.report('manage'), async ({ res, report, session }) => {
    const { id, token } = await createReportToken(db, report.id, session!.user.id);
    sendJson(res, 201, { id, token });
  });

  router.add('GET', '/api/reports/:slug/tokens', allow.report('manage'), async ({ res, report }) => {
    sendJson(res, 200, { tokens: await listReportTokens(db, report.id) });
  });

  router.add('DELETE', '/api/reports/:slug/tokens/:tokenId', allow.report('manage'), async ({ res, params, report }) => {
    if (!(await revokeReportToken(db, report.id, params.tokenId))) throw new AppError('not_found', 'No such live token on this report.');
    sendJson(res, 200, { revoked: true });
  });
}
