/**
 * A last result from the server as the output a cell shows: a SQL cell's table (with where
 * it came from: the shared cache of its connection, or the server's DuckDB for a browser
 * cell), or a chart compiled against its source's columns and drawn from the server's data.
 */
import * as Y from 'yjs';
import { BROWSER_ENGINE } from '$doc';
import { compileChart, type ChartConfig } from '$lib/chart';
import type { CellOutput } from './executor';
import type { LastResult } from './last-results';

/** The output `result` paints for cell map `cell`, or null when it cannot be shown (a chart whose config no longer compiles). */
export function paintedOutput(result: LastResult, cell: Y.Map<unknown>): CellOutput | null {
  const painted = { resultAt: result.resultAt, runId: result.runId };
  if (result.cell.kind === 'chart') {
    const config = cell.get('config');
    const json = (config instanceof Y.Map ? config.toJSON() : {}) as ChartConfig;
    const chart = compileChart(json, result.sourceColumns ?? [], String(json.source ?? '').trim());
    if ('error' in chart) return null;
    return { kind: 'chart', chart, table: result.table, painted };
  }
  const engine = result.cell.engine;
  const server =
    engine && engine !== BROWSER_ENGINE
      ? { connectionId: engine, runId: result.runId, cache: 'hit' as const, resultAt: result.resultAt, rowLimit: Infinity, streaming: false, refreshing: false }
      : undefined;
  return { kind: 'sql', table: result.table, truncated: false, painted, ...(server ? { server } : {}) };
}
