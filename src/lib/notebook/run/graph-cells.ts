/**
 * The notebook document as graph cells: each cell's inputs found by parsing (SQL through
 * the engine's own parser, JS through acorn), cached by source so a keystroke re-parses
 * one cell, not the notebook. The server reads published reports with it too, so its
 * imports are relative (the server runs without the app's path aliases).
 */
import * as Y from 'yjs';
import { BROWSER_ENGINE, cellKind, cellName, cellsOf, readOrder } from '../../doc/index.js';
import { jsDependencies, sqlDependencies, type GraphCell, type ParseError, type SqlParser } from '../../../../kernels/graph/index.js';
import { inputNames } from '../../../../kernels/sql-placeholders.js';
import { INPUT_NAME, parseOptionsFrom, readInputConfig, validateInput, type InputType, type InputValue } from '../../contract/inputs.js';

/** Kinds that compute a value (an input's value is its validated `config.value`). Text cells are prose. */
export function isComputed(kind: string): boolean {
  return kind === 'sql' || kind === 'js' || kind === 'chart' || kind === 'input';
}

/** What an input cell's graph `params` hold: what its readers' keys and bindings depend on. */
export interface InputParams {
  type: InputType;
  value: InputValue;
  /** `cell.column` a select's options come from; the value is checked against them when the cell runs. */
  optionsFrom?: string;
}

/** Nothing but whitespace, `;` and comments (SQL's and JS's): such a cell is idle. */
function isBlankSource(source: string): boolean {
  return source.replace(/--[^\n]*|\/\/[^\n]*|\/\*[\s\S]*?\*\/|[\s;]/g, '') === '';
}

interface Parsed {
  inputs: string[];
  parseError: ParseError | null;
  positions?: Record<string, number>;
  parameters?: string[];
  parameterPositions?: Record<string, number>;
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
    if (kind === 'input') return inputCell(id, name, cell.get('config'));
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
    return {
      id,
      name,
      kind,
      source,
      engine,
      inputs: parsed.inputs,
      parseError,
      inputPositions: parsed.positions,
      parameters: parsed.parameters,
      parameterPositions: parsed.parameterPositions,
      empty: isBlankSource(source)
    };
  }

  private sql(source: string): Promise<Parsed> {
    let hit = this.sqlCache.get(source);
    if (!hit) {
      // `$name` reads an input; found by the same tokenizer that binds it (kernels/sql-placeholders.ts).
      const names = inputNames(source);
      const parameters = { parameters: [...names.keys()], parameterPositions: Object.fromEntries(names) };
      hit = sqlDependencies(this.parser, source).then((r) => (r.ok ? { inputs: r.inputs, parseError: null, ...parameters } : { inputs: [], parseError: r.error, ...parameters }));
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

/**
 * An input cell as the graph sees it: its key covers its type and validated value (not its
 * label), so changing the value re-keys exactly the cells that read it. A value that does
 * not fit is the cell's error, which blocks its readers; a select's `optionsFrom` cell is
 * its input, and the value is checked against that column when the cell runs.
 */
function inputCell(id: string, name: string, configMap: unknown): GraphCell {
  const fail = (message: string): GraphCell => ({ id, name, kind: 'input', inputs: [], params: null, parseError: { message, position: null } });
  if (name && !INPUT_NAME.test(name)) return fail(`${name} cannot be read as $${name}: an input's name is letters, digits and _, not starting with a digit`);
  const read = readInputConfig(configMap instanceof Y.Map ? configMap.toJSON() : {});
  if (!read.ok) return fail(read.message);
  const config = read.config;
  const from = config.type === 'select' && config.optionsFrom ? parseOptionsFrom(config.optionsFrom) : null;
  if (config.type === 'select' && config.optionsFrom && !from) return fail(`options from ${config.optionsFrom}: write cell.column`);
  const check = validateInput(config, config.value);
  if (!check.ok) return fail(`${name || 'the value'} ${check.message}`);
  const params: InputParams = { type: config.type, value: check.value, ...(from ? { optionsFrom: config.optionsFrom } : {}) };
  return { id, name, kind: 'input', inputs: from ? [from.cell] : [], params };
}
