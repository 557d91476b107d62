/**
 * The SQL a server cell sends to its warehouse. Cells on the same connection that read
 * each other by name compose there: each upstream cell is inlined as a CTE under its name,
 * so no rows leave the warehouse until the final result. A server cell cannot
 * read what only the browser has — another engine's result, a JS value, an uploaded file
 * or a bundled sample — and says so instead of failing with "table not found".
 */
import type { Graph, GraphCell } from './graph.js';
import { quoteIdentFor, type SqlDialect } from '../sql-ident.js';
import type { ParameterInput } from '../input-params.js';

export type ComposedSql =
  | {
      ok: true;
      sql: string;
      inlined: string[];
      /** The ids of the cells in `sql`: the cell's own and the inlined ones (whose `$name` inputs are bound too). */
      cellIds: string[];
      /** A position in `sql` (the database's error offset) as an offset into the cell's own text; null inside an inlined cell. */
      toCellOffset: (position: number) => number | null;
    }
  | { ok: false; message: string; name: string };

/** A SQL cell's text without the trailing semicolons a CTE body cannot carry. */
export function cellSql(cell: GraphCell): string {
  return (cell.source ?? '').replace(/[\s;]+$/, '');
}

export interface ComposeOptions {
  /** The connection has the bundled samples as tables (a server DuckDB without a file, README.md). */
  hasSamples?: boolean;
}

export function composeServerSql(graph: Graph, id: string, dialect: SqlDialect, options: ComposeOptions = {}): ComposedSql {
  const root = graph.node(id);
  if (!root) return { ok: false, message: 'No such cell.', name: '' };
  const engine = root.cell.engine;
  const inlined: GraphCell[] = [];
  const seen = new Set<string>();

  const visit = (cellId: string): ComposedSql | null => {
    const node = graph.node(cellId)!;
    for (const input of node.inputs) {
      if (input.kind === 'external') continue; // a table in the warehouse
      if (input.kind === 'cell' && input.parameter) continue; // an input, bound as a parameter
      if (input.kind === 'sample' && options.hasSamples) continue; // the connection has its own copy
      if (input.kind !== 'cell') {
        const what = input.kind === 'file' ? 'a file added to this notebook' : 'a bundled sample';
        return { ok: false, name: input.name, message: `${input.name} is ${what}, which lives in the browser; a cell on a server connection reads only that warehouse's tables and cells on the same connection. Run this cell in the browser, or load the data into the warehouse.` };
      }
      const upstream = graph.node(input.id)!.cell;
      if (upstream.kind !== 'sql' || upstream.engine !== engine) {
        return { ok: false, name: input.name, message: `${input.name} is ${describe(upstream)}, which this connection cannot read. Cells on a server connection read only that warehouse and cells on the same connection; read ${input.name} from a browser cell instead.` };
      }
      if (seen.has(upstream.id)) continue;
      seen.add(upstream.id);
      const failed = visit(upstream.id);
      if (failed) return failed;
      inlined.push(upstream);
    }
    return null;
  };
  const failed = visit(id);
  if (failed) return failed;

  const sql = cellSql(root.cell);
  const cellIds = [id, ...inlined.map((c) => c.id)];
  if (inlined.length === 0) return { ok: true, sql, inlined: [], cellIds, toCellOffset: (p) => p };
  const ctes = inlined.map((c) => `${quoteIdentFor(dialect, c.name)} as (\n${cellSql(c)}\n)`).join(',\n');
  const lead = leadingWith(sql);
  const at = lead ? lead.end : 0;
  const insert = lead ? ` ${ctes},\n` : `with ${ctes}\n`;
  const toCellOffset = (p: number) => (p < at ? p : p >= at + insert.length ? p - insert.length : null);
  return { ok: true, sql: sql.slice(0, at) + insert + sql.slice(at), inlined: inlined.map((c) => c.name), cellIds, toCellOffset };
}

function describe(cell: GraphCell): string {
  if (cell.kind === 'js') return 'a JavaScript cell';
  if (cell.kind === 'chart') return 'a chart';
  if (!cell.engine || cell.engine === 'browser') return 'a browser (DuckDB-WASM) result';
  return 'a result from another connection';
}

/**
 * When `sql` starts with `WITH` (or `WITH RECURSIVE`), where the keyword ends, so the
 * inlined CTEs join its list; comments and whitespace before it are skipped.
 */
function leadingWith(sql: string): { end: number } | null {
  const m = /^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*with(?:\s+recursive)?\b/i.exec(sql);
  return m ? { end: m[0].length } : null;
}

/**
 * The inputs the cells `ids` read as `$name`, as {@link bindInputs} takes them: the input
 * cell's type and its validated value (an input cell's `params`, see
 * src/lib/notebook/run/graph-cells.ts).
 */
export function parameterInputs(graph: Graph, ids: readonly string[]): Record<string, ParameterInput> {
  const out: Record<string, ParameterInput> = {};
  for (const id of ids) {
    for (const r of graph.node(id)?.inputs ?? []) {
      if (r.kind !== 'cell' || !r.parameter) continue;
      const params = graph.node(r.id)?.cell.params as { type?: unknown; value?: unknown } | undefined;
      if (params && typeof params.type === 'string') out[r.name.slice(1)] = { type: params.type, value: params.value };
    }
  }
  return out;
}
