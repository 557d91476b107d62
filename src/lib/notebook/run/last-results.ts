/**
 * A notebook's last results, from the server, for painting before the page's engine has
 * started: the list of cells with their keys (and the server parser's answers for the
 * notebook's SQL), then each cell's Arrow result, fetched in parallel and handed over as
 * each arrives. Only results the server computed come this way (server/results).
 */
import { tableFromIPC, type Table } from 'apache-arrow';
import { ApiClient, ApiError } from '$lib/api-client';
import { RESULT_HEADERS, type NotebookResultCell } from '$lib/contract/notebook-results.js';

/** One painted result as it came from the server. */
export interface LastResult {
  cell: NotebookResultCell;
  /** The key it was computed under (the cell's key when the server answered). */
  key: string;
  table: Table;
  resultAt: Date;
  runId: string;
  /** A chart's source columns, which the page compiles the chart against. */
  sourceColumns?: { name: string; type: string }[];
}

const api = new ApiClient();

/**
 * Fetch every listed cell's result, calling `onResult` as each lands. A cell without one
 * (a reader of a server cell nobody ran, a failing query) is left to the page's own run.
 * Resolves when every fetch has settled.
 */
export async function fetchLastResults(notebookId: string, cells: readonly NotebookResultCell[], onResult: (result: LastResult) => void, signal?: AbortSignal): Promise<void> {
  await Promise.all(
    cells.map(async (cell) => {
      try {
        const res = await api.request('GET', `/api/notebooks/${encodeURIComponent(notebookId)}/results/${encodeURIComponent(cell.cellId)}`, undefined, { signal });
        const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
        const columns = res.headers.get(RESULT_HEADERS.sourceColumns);
        if (signal?.aborted) return;
        onResult({
          cell,
          key: res.headers.get(RESULT_HEADERS.key) ?? cell.key,
          table,
          resultAt: new Date(res.headers.get(RESULT_HEADERS.at) ?? Date.now()),
          runId: res.headers.get(RESULT_HEADERS.runId) ?? '',
          ...(columns ? { sourceColumns: JSON.parse(decodeURIComponent(columns)) as { name: string; type: string }[] } : {})
        });
      } catch (err) {
        if (signal?.aborted) return;
        // No result to paint is an ordinary answer (404 not_cached, not_computable): the cell runs here instead.
        if (!(err instanceof ApiError && err.status < 500)) console.warn(`Could not fetch the last result of ${cell.name || cell.cellId}`, err);
      }
    })
  );
}
