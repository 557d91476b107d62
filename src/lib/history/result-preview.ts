/**
 * A cell's result as a proposal compares it: the server's result of the cell in one notebook
 * (`GET /api/notebooks/:id/results/:cellId`, the same one a notebook paints when it opens),
 * its first rows formatted as the grid formats them.
 */
import { tableFromIPC } from 'apache-arrow';
import { ApiError, client } from '$lib/api';
import { cellFormatter, type FormattedCell } from '$lib/grid';

export const PREVIEW_ROWS = 8;

export type ResultPreview =
  | { ok: true; columns: string[]; rows: FormattedCell[][]; rowCount: number; resultAt: string | null }
  | { ok: false; message: string };

export async function previewResult(notebookId: string, cellId: string): Promise<ResultPreview> {
  try {
    const res = await client.request('GET', `/api/notebooks/${encodeURIComponent(notebookId)}/results/${encodeURIComponent(cellId)}`);
    const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
    const fields = table.schema.fields;
    const formatters = fields.map((f) => cellFormatter(f.type));
    const rows: FormattedCell[][] = [];
    for (let r = 0; r < Math.min(PREVIEW_ROWS, table.numRows); r++) {
      rows.push(fields.map((f, i) => formatters[i](table.getChildAt(i)?.get(r))));
    }
    return { ok: true, columns: fields.map((f) => f.name), rows, rowCount: table.numRows, resultAt: res.headers.get('x-cairn-result-at') };
  } catch (err) {
    if (err instanceof ApiError) {
      if (err.code === 'not_cached') return { ok: false, message: 'No cached result: it has not run on its connection yet.' };
      if (err.status === 404) return { ok: false, message: 'Not available to you, or the cell has no result.' };
      return { ok: false, message: err.message };
    }
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}
