/**
 * The notebook document as graph cells: each cell's inputs found by parsing (SQL through
 * the engine's own parser, JS through acorn), cached by source so a keystroke re-parses
 * one cell, not the notebook.
 */
import * as Y from 'yjs';
import { BROWSER_ENGINE, cellKind, cellName, cellsOf, readOrder } from '$doc';
import { jsDependencies, sqlDependencies, type GraphCell, type ParseError, type SqlParser } from '$kernels/graph/index.js';

/** Kinds that compute a value. Text cells are prose; input cells join with their UI. */
export function isComputed(kind: string): boolean {
  return kind === 'sql' || kind === 'js' || kind === 'chart';
}

/** Nothing but whitespace, `;` and comments (SQL's and JS's): such a cell is idle. */
function isBlankSource(source: string): boolean {
  return source.replace(/--[^\n]*|\/\/[^\n]*|\/\*[\s\S]*?\*\/|[\s;]/g, '') === '';
}

interface Parsed {
  inputs: string[];
  parseError: ParseError | null;
  positions?: Record<string, number>;
}

export class GraphCells {
  private readonly sqlCache = new Map<string, Promise<Parsed>>();
  private readonly jsCache = new Map<string, Parsed>();

  constructor(private readonly parser: SqlParser) {}

  /** Every computed cell of `doc`, in display order, with its inputs. */
  async read(doc: Y.Doc): Promise<GraphCell[]> {
    const cells = cellsOf(doc);
    const out: Promise<GraphCell>[] = [];
    for (const id of readOrder(doc)) {
      const cell = cells.get(id);
      const kind = cell ? cellKind(cell) : null;
      if (!cell || !kind || !isComputed(kind)) continue;
      out.push(this.toGraphCell(id, kind, cell));
    }
    return Promise.all(out);
  }

  private async toGraphCell(id: string, kind: string, cell: Y.Map<unknown>): Promise<GraphCell> {
    const name = cellName(cell);
    if (kind === 'chart') {
      const config = cell.get('config');
      const params = config instanceof Y.Map ? (config.toJSON() as Record<string, unknown>) : {};
      const source = typeof params.source === 'string' ? params.source.trim() : '';
      return { id, name, kind, inputs: source ? [source] : [], params, parseError: source ? null : { message: 'Choose the data this chart shows.', position: null } };
    }
    const text = cell.get('source');
    const source = text instanceof Y.Text ? text.toString() : '';
    const engine = typeof cell.get('engine') === 'string' ? (cell.get('engine') as string) : null;
    const parsed = kind === 'sql' ? await this.sql(source) : this.js(source);
    // DuckDB's parser finds the names a server cell reads, but the warehouse's dialect is not
    // DuckDB's (backticks, `::` casts in odd places, vendor syntax): there, a parse failure
    // only means no names were found, and the warehouse itself reports real syntax errors.
    const onServer = kind === 'sql' && engine !== null && engine !== BROWSER_ENGINE;
    const parseError = onServer ? null : parsed.parseError;
    return { id, name, kind, source, engine, inputs: parsed.inputs, parseError, inputPositions: parsed.positions, empty: isBlankSource(source) };
  }

  private sql(source: string): Promise<Parsed> {
    let hit = this.sqlCache.get(source);
    if (!hit) {
      hit = sqlDependencies(this.parser, source).then((r) => (r.ok ? { inputs: r.inputs, parseError: null } : { inputs: [], parseError: r.error }));
      this.remember(this.sqlCache, source, hit);
    }
    return hit;
  }

  private js(source: string): Parsed {
    let hit = this.jsCache.get(source);
    if (!hit) {
      const r = jsDependencies(source);
      hit = r.ok ? { inputs: r.inputs, parseError: null, positions: r.positions } : { inputs: [], parseError: r.error };
      this.remember(this.jsCache, source, hit);
    }
    return hit;
  }

  /** Keep the caches bounded: a long session types thousands of versions of each cell. */
  private remember<V>(cache: Map<string, V>, key: string, value: V): void {
    if (cache.size > 500) cache.delete(cache.keys().next().value as string);
    cache.set(key, value);
  }
}
