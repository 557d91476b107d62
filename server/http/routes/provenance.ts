/**
 * Provenance of results (docs/api.md, "Provenance"): a notebook's readers look a result up
 * by its key; its editors' browsers report runs on their own engine; a report's readers
 * see the card of a shown cell's result, its code only where the report shows it.
 */
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { readJson, validate } from '../body.js';
import { sendJson } from '../respond.js';
import { allow } from '../../access/rules.js';
import { AppError } from '../../errors.js';
import { BrowserRunBody, RESULT_KEY, type Provenance } from '../../../src/lib/contract/index.js';
import { recordBrowserRun } from '../../provenance/browser-runs.js';
import { MAX_QUERY_STRING } from '../../reports/result-response.js';

const noRun = () => new AppError('not_found', 'No recorded run produced this result.');

export function provenanceRoutes(router: Router, app: AppContext): void {
  const { config, notebooks, runHistory, reportResults, reportLimits } = app;

  router.add('GET', '/api/notebooks/:id/provenance/:resultKey', allow.notebook('read'), async ({ res, params }) => {
    if (!RESULT_KEY.test(params.resultKey)) throw noRun();
    const found = await runHistory.find(params.id, params.resultKey);
    if (!found) throw noRun();
    const cell = await notebooks.cell(params.id, found.cellId);
    sendJson(res, 200, { ...found, cellName: cell?.name ?? null } satisfies Provenance);
  });

  router.add('POST', '/api/notebooks/:id/provenance', allow.notebook('edit'), async ({ req, res, params, session }) => {
    const body = validate(BrowserRunBody, await readJson(req, config.maxBodyBytes));
    await recordBrowserRun(notebooks, runHistory, params.id, session.user.id, body);
    sendJson(res, 201, { ok: true });
  });

  // Readers may set the report's shown inputs in the query string, as on the report page: the
  // key of a result depends on them.
  router.add('GET', '/api/reports/:slug/provenance/:resultKey', allow.report('read'), async ({ req, res, url, params, report }) => {
    await reportLimits.take(req);
    if (url.search.length > MAX_QUERY_STRING) throw new AppError('uri_too_long', `The query string is over ${MAX_QUERY_STRING} characters; a report's inputs fit in less.`);
    if (!RESULT_KEY.test(params.resultKey)) throw noRun();
    const overrides = await reportResults.overrides(report, url.searchParams);
    const shown = await reportResults.shownResult(report, params.resultKey, overrides);
    if (!shown) throw noRun();
    const found = await runHistory.find(report.notebookId, params.resultKey);
    if (!found || found.cellId !== shown.cellId) throw noRun();
    // The cell's published code, never the composed statement: that inlines the cells it
    // reads, whose code the report may hide.
    const { source: _ran, ...rest } = found;
    const source = shown.showCode ? (found.kind === 'chart' ? found.source : (shown.source ?? undefined)) : undefined;
    sendJson(res, 200, { ...rest, cellName: shown.name, ...(source === undefined ? {} : { source }) } satisfies Provenance);
  });
}
