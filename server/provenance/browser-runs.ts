/**
 * Runs on a browser's own engine (DuckDB-WASM SQL, JS cells, charts), reported by that
 * browser after each success. The poster is the session's user on a notebook they may
 * edit, so a client can claim runs only as itself. What it claims is checked against the
 * live document: the cell exists, has that kind and runs in the browser, and the source
 * it says ran is the cell's source now (a chart: its settings are the cell's now). A run
 * whose cell changed before the report arrived is refused as stale rather than recorded
 * against text the cell no longer has; the page reports a run only when its result is
 * still current there, so this only loses a run racing an edit.
 */
import { AppError } from '../errors.js';
import type { NotebookService } from '../notebooks/service.js';
import type { BrowserRunBody } from '../../src/lib/contract/provenance.js';
import { BROWSER_ENGINE } from '../../src/lib/doc/index.js';
import { canonicalJson } from '../../kernels/graph/index.js';
import type { RunHistory } from './run-history.js';

export async function recordBrowserRun(notebooks: NotebookService, history: RunHistory, notebookId: string, userId: string, run: BrowserRunBody): Promise<void> {
  const cell = await notebooks.cell(notebookId, run.cellId);
  if (!cell) throw new AppError('bad_request', 'cellId: no such cell in this notebook.');
  if (cell.kind !== run.kind) throw new AppError('bad_request', `kind: the cell is a ${cell.kind} cell.`);
  if (cell.kind === 'sql' && (cell.engine ?? BROWSER_ENGINE) !== BROWSER_ENGINE) {
    throw new AppError('bad_request', 'The cell runs on a server connection: the server records its runs itself.');
  }
  if (cell.kind === 'chart') {
    if (canonicalJson(cell.config ?? {}) !== canonicalJson(run.params.config ?? null)) throw staleRun();
  } else if ((cell.source ?? '') !== run.source) throw staleRun();

  await history.record({
    notebookId,
    resultKey: run.resultKey,
    cellId: run.cellId,
    kind: run.kind,
    engine: BROWSER_ENGINE,
    connectionId: null,
    source: run.source,
    params: run.params,
    inputs: run.inputs,
    userId,
    at: new Date(Date.now() - run.durationMs),
    durationMs: run.durationMs,
    rows: run.rows,
    resultHash: run.resultHash,
    runId: null,
    computed: true
  });
}

function staleRun(): AppError {
  return new AppError('conflict', 'The cell has changed since this run; its result is no longer the one on screen.');
}
