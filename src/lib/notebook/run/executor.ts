/**
 * What running one cell means, by kind. SQL runs on the browser's DuckDB; JS in the cell's
 * sandbox; a chart as a DuckDB aggregation of its source, drawn by Plot. The results a cell
 * reads by name become DuckDB tables just before it runs (see result-tables.ts), so SQL
 * cells can `select … from name`.
 */
import type { Table } from 'apache-arrow';
import type { Executor, Graph, GraphCell } from '$kernels/graph/index.js';
import { jsCellBody, parameterInputs } from '$kernels/graph/index.js';
import { bindInputs, InputParameterError, type BoundSql } from '$kernels/input-params.js';
import type { SqlDialect } from '$kernels/sql-ident.js';
import { validateInput, parseOptionsFrom, type InputOption } from '$lib/contract/inputs.js';
import type { InputParams } from './graph-cells';
import { compileChart, type ChartConfig, type CompiledChart } from '$lib/chart';
import { SANDBOX_IMPORTER, SandboxError, sandboxValueToJs, type Sandbox, type SandboxConsoleEntry, type SandboxValue } from '$lib/sandbox';
import type { ResultTables } from './result-tables';
import { quoteIdent } from '$kernels/sql-ident.js';
import { decimalTextNotices } from '$kernels/duckdb-wasm/arrow-input.js';
import type { ServerOrigin } from './server-cells';

/** The browser engine as cells need it. */
export interface CellKernel {
  /** Load, once, the bundled samples and the notebook's files among `names`. */
  ensureSources(names: readonly string[]): Promise<void>;
  /** Run `sql` to an Arrow table, stopping at `rowLimit` rows. */
  query(sql: string, options: { signal?: AbortSignal; rowLimit?: number; params?: readonly unknown[] }): Promise<{ table: Table; truncated: boolean }>;
  /** The tables `sql` reads, by DuckDB's own parser (CTE names excluded). */
  tableNames(sql: string): Promise<string[]>;
  /** Make `value` (an Arrow table or an array of objects) the table `name`, replacing any before. */
  registerTable(name: string, value: Table | readonly object[]): Promise<void>;
}

/**
 * What a cell's output area shows after a successful run. `notices` are sentences about the
 * run the user should see beside its result (a column DuckDB could not read exactly).
 */
export type CellOutput =
  | { kind: 'sql'; table: Table; truncated: boolean; server?: ServerOrigin; notices?: string[]; painted?: PaintedOrigin }
  | { kind: 'js'; value: SandboxValue; display: boolean; console: SandboxConsoleEntry[] }
  | { kind: 'chart'; chart: CompiledChart; table: Table; notices?: string[]; painted?: PaintedOrigin }
  // `choices`: a select's options read from another cell's column (`optionsFrom`).
  | { kind: 'input'; value: unknown; choices?: InputOption[] };

/** A result the server computed and the page painted before computing its own (last-results.ts). */
export interface PaintedOrigin {
  resultAt: Date;
  /** The server's run that computed or served it (its audit-log entry). */
  runId: string;
}

/** A failure located in the cell's source, for underlining. */
export class CellRunError extends Error {
  constructor(
    message: string,
    /** 0-based offset into the source, when known. */
    readonly position: number | null = null
  ) {
    super(message);
    this.name = 'CellRunError';
  }
}

export interface ExecutorDeps {
  kernel: () => Promise<CellKernel>;
  /** Results registered as tables, shared with the grid's sort and filter. */
  results: ResultTables;
  /** The sandbox of a JS cell (its iframe lives in the cell's output area). */
  sandbox: (cellId: string) => Promise<Sandbox>;
  /** Called with a cell's output when a run succeeded and was not superseded. */
  publish: (cellId: string, output: CellOutput) => void;
  /** Largest result a SQL cell brings into the page. */
  rowLimit?: number;
  /** Runs SQL cells whose engine is a server connection; without it they fail with a message. */
  runServerCell?: (cell: GraphCell, signal: AbortSignal) => Promise<Table>;
  /** The graph the cells run in: where a SQL cell's `$name` inputs get their types and values. */
  graph: () => Graph;
}

/**
 * `sql` of the cells `ids` (a cell and those inlined into it) with its `$name` inputs made
 * positional parameters for `dialect` (kernels/input-params.ts); a `$name` with no input is
 * the cell's error, pointing at it.
 */
export function bindCellInputs(graph: Graph, ids: readonly string[], sql: string, dialect: SqlDialect): BoundSql {
  try {
    return bindInputs(sql, parameterInputs(graph, ids), dialect);
  } catch (err) {
    if (err instanceof InputParameterError) throw new CellRunError(err.message, ids.length === 1 ? err.position : null);
    throw err;
  }
}

/** The `engine` of cells that run on the page's DuckDB-WASM. */
export function runsInBrowser(cell: Pick<GraphCell, 'engine'>): boolean {
  return !cell.engine || cell.engine === 'browser';
}

/** Rows a browser SQL cell brings into the page before it says "truncated". */
export const BROWSER_ROW_LIMIT = 5_000_000;

export function createExecutor(deps: ExecutorDeps): Executor {
  const isTable = (v: unknown): v is Table => !!v && typeof v === 'object' && 'schema' in v && 'numRows' in v && typeof (v as Table).getChildAt === 'function';
  const isRows = (v: unknown): v is object[] => Array.isArray(v) && v.length > 0 && v.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r));

  /**
   * Tables the engine must have before `cell` runs: samples and files it reads, and the
   * results of cells it reads. Returns what the cell should say about them (decimal text
   * columns DuckDB reads as VARCHAR).
   */
  async function prepare(kernel: CellKernel, cell: GraphCell, inputs: Map<string, unknown>): Promise<string[]> {
    await kernel.ensureSources(cell.inputs.filter((name) => !inputs.has(name)));
    const notices: string[] = [];
    for (const [name, value] of inputs) {
      if (isTable(value) || isRows(value)) await deps.results.ensure(kernel, name, value);
      if (isTable(value)) notices.push(...decimalTextNotices(name, value));
    }
    return notices;
  }

  async function runSql(cell: GraphCell, inputs: Map<string, unknown>, signal: AbortSignal): Promise<Table> {
    if (!runsInBrowser(cell)) {
      if (!deps.runServerCell) throw new CellRunError('Server connections are not available here.');
      return deps.runServerCell(cell, signal);
    }
    const kernel = await deps.kernel();
    const notices = await prepare(kernel, cell, inputs);
    const bound = bindCellInputs(deps.graph(), [cell.id], (cell.source ?? '').replace(/;\s*$/, ''), 'duckdb');
    let result: { table: Table; truncated: boolean };
    try {
      result = await kernel.query(bound.sql, { signal, rowLimit: deps.rowLimit ?? BROWSER_ROW_LIMIT, params: bound.params });
    } catch (err) {
      // DuckDB's position is in the bound SQL; the author wrote the other.
      const at = (err as { position?: unknown } | null)?.position;
      if (bound.names.length && typeof at === 'number' && err instanceof Error) throw new CellRunError(err.message, bound.toOriginal(at));
      throw err;
    }
    const { table, truncated } = result;
    if (!signal.aborted) deps.publish(cell.id, { kind: 'sql', table, truncated, notices });
    return table;
  }

  async function runJs(cell: GraphCell, inputs: Map<string, unknown>, signal: AbortSignal): Promise<unknown> {
    const body = jsCellBody(cell.source ?? '', { importer: SANDBOX_IMPORTER });
    if (!body.ok) throw new CellRunError(body.error.message, body.error.position);
    const sandbox = await deps.sandbox(cell.id);
    const lines: SandboxConsoleEntry[] = [];
    try {
      const result = await sandbox.run(cell.id, body.body, inputs, {
        signal,
        source: cell.source,
        onConsole: (entry) => lines.push(entry)
      });
      const value = sandboxValueToJs(result.value);
      if (!signal.aborted) deps.publish(cell.id, { kind: 'js', value: result.value, display: result.display, console: lines });
      return value;
    } catch (err) {
      if (err instanceof SandboxError && err.line !== undefined) {
        throw new CellRunError(`${err.message} (line ${err.line}${err.column ? `, column ${err.column}` : ''})`, offsetOf(cell.source ?? '', err.line, err.column ?? 1));
      }
      throw err;
    }
  }

  async function runChart(cell: GraphCell, inputs: Map<string, unknown>, signal: AbortSignal): Promise<Table> {
    const config = (cell.params ?? {}) as ChartConfig;
    const source = String(config.source ?? '').trim();
    const kernel = await deps.kernel();
    const notices = await prepare(kernel, cell, inputs);
    // A cell's Arrow result carries its columns; a sample, a file or a JS value's rows are asked of DuckDB.
    const input = inputs.get(source);
    const schema = isTable(input) ? input.schema : (await kernel.query(`select * from ${quoteIdent(source)} limit 0`, { signal })).table.schema;
    const columns = schema.fields.map((f) => ({ name: f.name, type: String(f.type) }));
    const chart = compileChart(config, columns, source);
    if ('error' in chart) throw new CellRunError(chart.error.field ? `${chart.error.field}: ${chart.error.message}` : chart.error.message);
    const { table } = await kernel.query(chart.sql, { signal, rowLimit: chart.rowLimit });
    if (!signal.aborted) deps.publish(cell.id, { kind: 'chart', chart, table, notices });
    return table;
  }

  /**
   * An input's value is its validated `config.value` (graph-cells.ts); a select whose
   * options come from a column is checked against that column's distinct values here,
   * once the cell it reads has a result.
   */
  async function runInput(cell: GraphCell, inputs: Map<string, unknown>): Promise<unknown> {
    const params = cell.params as InputParams;
    let choices: InputOption[] | undefined;
    if (params.optionsFrom) {
      const from = parseOptionsFrom(params.optionsFrom)!;
      choices = distinctValues(inputs.get(from.cell), from.column, `${from.cell}.${from.column}`);
      const check = validateInput({ type: 'select', label: '', optionsFrom: params.optionsFrom }, params.value, choices);
      if (!check.ok) {
        deps.publish(cell.id, { kind: 'input', value: params.value, choices });
        throw new CellRunError(`${cell.name || 'the value'} ${check.message}`);
      }
    }
    deps.publish(cell.id, { kind: 'input', value: params.value, choices });
    return params.value;
  }

  function distinctValues(source: unknown, column: string, what: string): InputOption[] {
    let values: unknown[];
    if (isTable(source)) {
      // Column names match as DuckDB's identifiers do: exactly, else ignoring case.
      const field = source.schema.fields.find((f) => f.name === column) ?? source.schema.fields.find((f) => f.name.toLowerCase() === column.toLowerCase());
      const vector = field ? source.getChild(field.name) : null;
      if (!vector) throw new CellRunError(`options from ${what}: ${column} is not a column of its result`);
      values = vector.toArray() as unknown[];
      if (!Array.isArray(values)) values = Array.from(values);
    } else if (isRows(source)) {
      const key = Object.keys(source[0] ?? {}).find((k) => k === column) ?? Object.keys(source[0] ?? {}).find((k) => k.toLowerCase() === column.toLowerCase()) ?? column;
      values = source.map((row) => (row as Record<string, unknown>)[key]);
    } else throw new CellRunError(`options from ${what}: its result is not a table`);
    const out = new Set<InputOption>();
    for (const v of values) {
      if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) out.add(v);
      else if (typeof v === 'bigint') out.add(Number(v));
      if (out.size >= 1000) break;
    }
    return [...out];
  }

  return (cell, inputs, signal) => {
    switch (cell.kind) {
      case 'input':
        return runInput(cell, inputs);
      case 'sql':
        return runSql(cell, inputs, signal);
      case 'js':
        return runJs(cell, inputs, signal);
      case 'chart':
        return runChart(cell, inputs, signal);
      default:
        return Promise.reject(new CellRunError(`${cell.kind} cells do not run`));
    }
  };
}

/** 0-based offset of a 1-based line and column. */
function offsetOf(source: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = source.indexOf('\n', offset);
    if (next < 0) return source.length;
    offset = next + 1;
  }
  return Math.min(source.length, offset + column - 1);
}
