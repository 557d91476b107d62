/**
 * What the report page renders on the server: the report's shown cells, and for each result
 * its first rows, row count and age — everything a reader sees before any script runs.
 */
import type { Table } from 'apache-arrow';
import { AppError } from '../errors.js';
import { columnReader, fieldTypeLabel, plainJson, toPlain } from '../../kernels/arrow/plain-values.js';
import { errorMessage } from '../../kernels/error-message.js';
import type { ConfigValue } from '../../src/lib/doc/index.js';
import type { ReportPageCell, ReportPageData, ResultPreview } from '../../src/lib/contract/index.js';
import type { ReportService } from './service.js';
import type { InputOverrides, ReportResults } from './results.js';
import type { ReportRow } from './repository.js';

/** Rows of each result in the page itself; the rest download from the cell's endpoints. */
export const PREVIEW_ROWS = 100;

export async function reportPageData(
  reports: ReportService,
  results: ReportResults,
  report: ReportRow,
  overrides: InputOverrides,
  /** The cell's last failed refresh, when one failed after its result was computed. */
  refreshError: (cellId: string) => Promise<{ error: string; at: Date } | null>,
  canManage: boolean
): Promise<ReportPageData> {
  const view = await reports.view(report);
  const scripts = await reports.scripts(report);
  const cells: ReportPageCell[] = await Promise.all(
    view.cells.map(async (cell): Promise<ReportPageCell> => {
      const resultKey = cell.kind === 'js' || cell.kind === 'sql' || cell.kind === 'chart' ? await results.resultKey(report, cell.id, overrides) : null;
      const keyed = resultKey ? { resultKey } : {};
      if (cell.kind === 'js') return { ...cell, ...keyed, script: scripts.get(cell.id) ?? '' };
      if (cell.kind !== 'sql' && cell.kind !== 'chart') return cell;
      try {
        const result = await results.result(report, cell.name, overrides);
        const page: ReportPageCell = { ...cell, ...keyed, result: preview(results.table(result), result.resultAt) };
        if (cell.kind === 'chart') page.chartColumns = await results.chartColumns(report, cell.name, overrides);
        const failed = await refreshError(cell.id);
        if (failed && failed.at >= result.resultAt) page.refreshError = failed.error;
        return page;
      } catch (err) {
        return { ...cell, error: { code: err instanceof AppError ? err.code : 'internal', message: errorMessage(err) } };
      }
    })
  );
  // A select whose options come from a column: the reader picks from that column's values.
  const inputs = await Promise.all(
    view.inputs.map(async (input) => {
      const choices = await results.inputChoices(report, input.name).catch(() => null);
      return choices ? { ...input, options: choices } : input;
    })
  );
  const values: Record<string, ConfigValue> = {};
  for (const input of inputs) values[input.name] = (overrides[input.name] as ConfigValue | undefined) ?? input.value;
  return { slug: view.slug, title: view.title, version: view.version, publishedAt: view.publishedAt, cells, inputs, values, canManage };
}

function preview(table: Table, resultAt: Date): ResultPreview {
  const fields = table.schema.fields;
  const readers = fields.map((f) => {
    const vector = table.getChild(f.name);
    return vector ? columnReader(vector) : () => null;
  });
  const rows: unknown[][] = [];
  for (let r = 0; r < Math.min(PREVIEW_ROWS, table.numRows); r++) {
    rows.push(readers.map((read, c) => JSON.parse(plainJson(toPlain(read(r), fields[c].type)))));
  }
  return { columns: fields.map((f) => ({ name: f.name, type: fieldTypeLabel(f) })), rows, rowCount: table.numRows, resultAt: resultAt.toISOString() };
}
