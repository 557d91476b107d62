/**
 * The results a published report shows, computed on the server (docs/api.md, "Reports").
 *
 * - A report's cells are read from its pinned Yjs snapshot into the same dataflow graph the
 *   notebook page builds, with DuckDB's parser in the server.
 * - Server SQL cells run on their connection as the publisher (whose grant must still
 *   stand), browser-engine SQL cells on the server's own DuckDB over the same samples, and
 *   charts as their aggregation query over their source: the reader never sends SQL, only
 *   input values, which are validated and bound.
 * - Every run goes through the query service, so results land in the shared result cache,
 *   concurrent misses share one execution, and each run is in the audit log.
 * - In front of that, the results readers ask for are held in memory for a few seconds, so
 *   a crowd reading one cached report costs one cache lookup, not one per reader; a stale
 *   result is served while its refresh runs, and swapped when the new one lands.
 */
import * as Y from 'yjs';
import type { Table } from 'apache-arrow';
import type { Queryable } from '../store/index.js';
import { AppError } from '../errors.js';
import type { ServerRunProvenance } from '../query/service.js';
import type { InputParams } from '../../src/lib/notebook/run/graph-cells.js';
import type { ConnectionService } from '../connections/service.js';
import { memberRole } from '../workspaces/repository.js';
import { cellsToJSON } from '../../src/lib/doc/index.js';
import { GraphCells } from '../../src/lib/notebook/run/graph-cells.js';
import { parseInputText, parseOptionsFrom, readInputConfig, validateInput, type InputConfig } from '../../src/lib/contract/inputs.js';
import type { ChartConfig } from '../../src/lib/chart/compile.js';
import { buildGraph, canonicalJson, type Graph, type GraphCell, type Leaf, type SqlParser } from '../../kernels/graph/index.js';
import { SAMPLES } from '../../kernels/samples.js';
import { columnReader } from '../../kernels/arrow/plain-values.js';
import { errorMessage } from '../../kernels/error-message.js';
import { CellCompute, columnsOf, provenanceFor, servedOnServer, type Actor, type CellResult, type ComputeMode, type InputOverrides } from '../results/cell-compute.js';
import { reportSnapshot, type ReportRow } from './repository.js';
import type { CellRefresh, ComputeReport } from './refresh.js';


/** How long a result held in memory is served before the shared cache is asked again. */
const RECHECK_MS = 5_000;
/** Bytes of results held in memory across all reports; least recently read go first. */
const MEMORY_BYTES = 64 * 1024 * 1024;
/** The most choices a select fed by a column offers (a column of ids is not a menu). */
const MAX_CHOICES = 1000;
/** Report graphs kept parsed (each is small; a republish makes a new one). */
const MAX_GRAPHS = 200;

/** One cell's result as a report serves it. */
export type ReportResult = CellResult;

/** Reader-set input values by input name, validated. */
export type { InputOverrides };

interface ReportInputCell {
  id: string;
  config: InputConfig;
  hidden: boolean;
}

/** A report's cells as a graph, with what readers may see and set. */
interface ReportGraph {
  graph: Graph;
  byName: Map<string, GraphCell>;
  hidden: Set<string>;
  /** Shown cells whose code the report shows. */
  showCode: Set<string>;
  inputs: Map<string, ReportInputCell>;
  cells: GraphCell[];
  leaves: Leaf[];
}

interface Held {
  result: ReportResult;
  checkedAt: number;
}

export class ReportResults {
  private readonly cells: GraphCells;
  private readonly graphs = new Map<string, Promise<ReportGraph>>();
  private readonly held = new Map<string, Held>();
  private heldBytes = 0;
  private readonly pending = new Map<string, Promise<ReportResult>>();
  private readonly refreshing = new Map<string, Promise<ReportResult>>();

  constructor(
    private readonly db: Queryable,
    private readonly cellCompute: CellCompute,
    private readonly connections: ConnectionService,
    parser: SqlParser
  ) {
    this.cells = new GraphCells(parser);
  }

  /**
   * Reader-set inputs from a query string: only inputs the report shows may be set, and
   * every value must fit its input (`invalid_input`, naming it). Other parameters are
   * ignored, so links with tracking tags still work.
   */
  async overrides(report: ReportRow, query: URLSearchParams): Promise<InputOverrides> {
    const rg = await this.graphOf(report);
    const out: InputOverrides = {};
    for (const [name, text] of query) {
      const input = rg.inputs.get(name);
      if (!input || input.hidden) continue;
      const value = parseInputText(input.config, text);
      const choices = input.config.type === 'select' && input.config.optionsFrom ? await this.choices(report, input.config.optionsFrom) : undefined;
      const check = validateInput(input.config, value, choices);
      if (!check.ok) throw new AppError('invalid_input', `${name} ${check.message}`);
      out[name] = check.value;
    }
    return out;
  }

  /**
   * Cell `name`'s result with `overrides` for its inputs: from memory, else the shared
   * cache, else computed now. A result older than the report's TTL is served while a
   * fresh one is computed behind it.
   */
  async result(report: ReportRow, name: string, overrides: InputOverrides = {}): Promise<ReportResult> {
    const rg = await this.graphOf(report);
    return this.heldResult(report, rg, this.shownCell(rg, name), overrides);
  }

  /** Any cell's result (shown or not) by the path {@link result} describes. */
  private async heldResult(report: ReportRow, rg: ReportGraph, cell: GraphCell, overrides: InputOverrides): Promise<ReportResult> {
    const key = heldKey(report, cell.name, overrides);
    const held = this.held.get(key);
    if (held) {
      this.touch(key, held);
      if (Date.now() - held.checkedAt > RECHECK_MS) void this.recheck(report, rg, cell, overrides, key).catch(() => undefined);
      return held.result;
    }
    return this.once(this.pending, key, async () => {
      const cached = await this.compute(report, rg, cell, overrides, 'cached').catch((err) => {
        if (err instanceof AppError && err.code === 'not_cached') return null;
        throw err;
      });
      const result = cached ?? (await this.fresh(report, rg, cell, overrides, key));
      this.hold(key, result);
      if (cached && this.stale(report, cached)) void this.fresh(report, rg, cell, overrides, key).catch(() => undefined);
      return result;
    });
  }

  /**
   * The result key of cell `cellId` with `overrides` for its inputs: the key the notebook's
   * own page would give the cell with those input values, so one run history serves both.
   */
  async resultKey(report: ReportRow, cellId: string, overrides: InputOverrides = {}): Promise<string | null> {
    return (await this.keyedGraph(report, overrides)).node(cellId)?.key ?? null;
  }

  /**
   * The shown cell whose result has `resultKey` with `overrides`, for its provenance card;
   * null for a hidden cell, a cell without a result, or a key that is not the report's.
   */
  async shownResult(report: ReportRow, resultKey: string, overrides: InputOverrides = {}): Promise<{ cellId: string; name: string; showCode: boolean; source: string | null } | null> {
    const rg = await this.graphOf(report);
    const graph = await this.keyedGraph(report, overrides);
    for (const node of graph.nodesInOrder()) {
      const cell = node.cell;
      if (node.key !== resultKey || rg.hidden.has(cell.id) || !['sql', 'js', 'chart'].includes(cell.kind)) continue;
      return { cellId: cell.id, name: cell.name, showCode: rg.showCode.has(cell.id), source: cell.source ?? null };
    }
    return null;
  }

  private async keyedGraph(report: ReportRow, overrides: InputOverrides): Promise<Graph> {
    const rg = await this.graphOf(report);
    if (Object.keys(overrides).length === 0) return rg.graph;
    const key = heldKey(report, '', overrides);
    let graph = this.keyedGraphs.get(key);
    if (!graph) {
      const cells = rg.cells.map((c) => (c.kind === 'input' && c.name in overrides && c.params ? { ...c, params: { ...(c.params as InputParams), value: overrides[c.name] } } : c));
      graph = buildGraph(cells, rg.leaves);
      if (this.keyedGraphs.size >= MAX_GRAPHS) this.keyedGraphs.delete(this.keyedGraphs.keys().next().value!);
      this.keyedGraphs.set(key, graph);
    }
    return graph;
  }

  /** Report graphs with reader-set input values, by report version and values. */
  private readonly keyedGraphs = new Map<string, Graph>();

  /** What a run of `cell` with `overrides` records as its provenance. */
  private async provenanceOf(report: ReportRow, cell: GraphCell, overrides: InputOverrides): Promise<ServerRunProvenance | undefined> {
    return provenanceFor(await this.keyedGraph(report, overrides), cell);
  }

  /** The decoded table of a result (decoded once per result held). */
  table(result: ReportResult): Table {
    return this.cellCompute.table(result);
  }

  /**
   * Recompute every result the report shows, with its published input values, ignoring
   * the cache (a refresh). A failed cell keeps its last good result where readers see it.
   */
  readonly computeAll: ComputeReport = async (report) => {
    const rg = await this.graphOf(report);
    const out: CellRefresh[] = [];
    for (const cell of rg.byName.values()) {
      if (rg.hidden.has(cell.id) || !servedOnServer(cell)) continue;
      try {
        const result = await this.fresh(report, rg, cell, {}, heldKey(report, cell.name, {}));
        out.push({ cellId: cell.id, cell: cell.name, ok: true, table: this.table(result), rows: result.rows, error: null, at: result.resultAt });
      } catch (err) {
        out.push({ cellId: cell.id, cell: cell.name, ok: false, table: null, rows: null, error: errorMessage(err), at: new Date() });
      }
    }
    return out;
  };

  /** The shown cell called `name` that has a result; 404 for hidden, missing and text cells. */
  private shownCell(rg: ReportGraph, name: string): GraphCell {
    const cell = rg.byName.get(name);
    if (!cell || rg.hidden.has(cell.id)) throw new AppError('not_found', `No shown cell called ${name} in this report.`);
    if (cell.kind === 'js') throw new AppError('not_computable', `${name} is a JavaScript cell: it runs in each reader's browser, so the server has no result for it.`);
    if (!servedOnServer(cell)) throw new AppError('not_found', `${name} has no result to serve.`);
    return cell;
  }

  private stale(report: ReportRow, result: ReportResult): boolean {
    const ttl = report.refresh.ttlMinutes;
    return ttl !== undefined && Date.now() - result.resultAt.getTime() > ttl * 60_000;
  }

  /** Ask the shared cache again: another process may have refreshed it; a stale result starts a refresh. */
  private async recheck(report: ReportRow, rg: ReportGraph, cell: GraphCell, overrides: InputOverrides, key: string): Promise<void> {
    const held = this.held.get(key);
    if (held) held.checkedAt = Date.now();
    const cached = await this.compute(report, rg, cell, overrides, 'cached').catch(() => null);
    if (cached && (!held || cached.resultAt > held.result.resultAt)) this.hold(key, cached);
    const current = cached ?? held?.result;
    if (current && this.stale(report, current)) await this.fresh(report, rg, cell, overrides, key);
  }

  /** Compute now, bypassing the cache; one at a time per result, swapped in when it lands. */
  private fresh(report: ReportRow, rg: ReportGraph, cell: GraphCell, overrides: InputOverrides, key: string): Promise<ReportResult> {
    return this.once(this.refreshing, key, async () => {
      const result = await this.compute(report, rg, cell, overrides, 'fresh');
      this.hold(key, result);
      return result;
    });
  }

  private async compute(report: ReportRow, rg: ReportGraph, cell: GraphCell, overrides: InputOverrides, mode: ComputeMode): Promise<ReportResult> {
    // Each run is recorded under the key the notebook page gives the cell, with these inputs.
    const actor: Actor = { ...(await this.publisher(report)), provenance: (c) => this.provenanceOf(report, c, overrides) };
    return this.cellCompute.compute(rg, cell, actor, overrides, mode);
  }

  /** The columns of the data chart `name` draws from (what compiles it in a reader's browser). */
  async chartColumns(report: ReportRow, name: string, overrides: InputOverrides = {}): Promise<{ name: string; type: string }[]> {
    const rg = await this.graphOf(report);
    const cell = this.shownCell(rg, name);
    const sourceName = String((cell.params as ChartConfig | null)?.source ?? '').trim();
    const source = rg.byName.get(sourceName);
    // Through the held results, as the page's own cells are: a cache lookup per page view
    // would also write an audit-log run per reader (bench/report).
    if (source && source.kind === 'sql') return columnsOf(this.table(await this.heldResult(report, rg, source, overrides)));
    if (SAMPLES.some((s) => s.name === sourceName)) return this.cellCompute.sampleColumns(await this.publisher(report), cell, sourceName);
    return [];
  }

  /**
   * Who the report's queries run as: its publisher, while still a member of its workspace
   * and allowed to use the connections its cells run on.
   */
  private async publisher(report: ReportRow): Promise<Actor> {
    const role = report.publishedBy ? await memberRole(this.db, report.workspaceId, report.publishedBy) : null;
    if (!report.publishedBy || !role) throw new AppError('not_computable', "The report's publisher is no longer a member of its workspace; someone who is should publish it again.");
    const userId = report.publishedBy;
    return {
      workspaceId: report.workspaceId,
      notebookId: report.notebookId,
      userId,
      role,
      refuse: async (connectionId) => {
        const usable = await this.connections.list(report.workspaceId, userId, role);
        if (usable.some((c) => c.id === connectionId)) return null;
        return new AppError('not_computable', `The report's publisher may no longer query the connection this cell uses; someone who may should publish it again.`);
      }
    };
  }

  /** The choices of shown select input `name` whose options come from a column (null for other inputs). */
  async inputChoices(report: ReportRow, name: string): Promise<string[] | null> {
    const input = (await this.graphOf(report)).inputs.get(name);
    if (!input || input.hidden || input.config.type !== 'select' || !input.config.optionsFrom) return null;
    return this.choices(report, input.config.optionsFrom);
  }

  /** The distinct values of `cell.column` a select input's options come from. */
  private async choices(report: ReportRow, optionsFrom: string): Promise<string[]> {
    const from = parseOptionsFrom(optionsFrom);
    if (!from) return [];
    const rg = await this.graphOf(report);
    const cell = rg.byName.get(from.cell);
    if (!cell) return [];
    const result = await this.compute(report, rg, cell, {}, 'cached').catch(() => this.compute(report, rg, cell, {}, 'fresh'));
    const vector = this.table(result).getChild(from.column);
    if (!vector) return [];
    const read = columnReader(vector);
    const out = new Set<string>();
    for (let r = 0; r < vector.length && out.size < MAX_CHOICES; r++) {
      const value = read(r);
      if (value !== null && value !== undefined) out.add(String(value));
    }
    return [...out];
  }

  /** The report's cells as a graph, parsed once per published version. */
  private graphOf(report: ReportRow): Promise<ReportGraph> {
    const key = `${report.id}@${report.version}`;
    let graph = this.graphs.get(key);
    if (!graph) {
      graph = this.readGraph(report);
      graph.catch(() => this.graphs.delete(key));
      if (this.graphs.size >= MAX_GRAPHS) this.graphs.delete(this.graphs.keys().next().value!);
      this.graphs.set(key, graph);
    }
    return graph;
  }

  private async readGraph(report: ReportRow): Promise<ReportGraph> {
    const doc = new Y.Doc();
    try {
      Y.applyUpdate(doc, await reportSnapshot(this.db, report.id));
      const cells = await this.cells.read(doc);
      const json = cellsToJSON(doc);
      const hidden = new Set(json.filter((c) => c.hidden).map((c) => c.id));
      const showCode = new Set(json.filter((c) => c.showCode).map((c) => c.id));
      const inputs = new Map<string, ReportInputCell>();
      for (const c of json) {
        if (c.kind !== 'input' || !c.name) continue;
        const read = readInputConfig(c.config ?? {});
        if (read.ok) inputs.set(c.name, { id: c.id, config: read.config, hidden: c.hidden });
      }
      const leaves: Leaf[] = SAMPLES.map((s) => ({ name: s.name, kind: 'sample', key: `sample:${s.file}` }));
      const byName = new Map(cells.filter((c) => c.name).map((c) => [c.name, c]));
      return { graph: buildGraph(cells, leaves), byName, hidden, showCode, inputs, cells, leaves };
    } finally {
      doc.destroy();
    }
  }

  private once<T>(map: Map<string, Promise<T>>, key: string, work: () => Promise<T>): Promise<T> {
    let running = map.get(key);
    if (!running) {
      running = work().finally(() => map.delete(key));
      map.set(key, running);
    }
    return running;
  }

  private hold(key: string, result: ReportResult): void {
    const old = this.held.get(key);
    if (old) {
      this.heldBytes -= old.result.ipc.byteLength;
      this.held.delete(key);
    }
    if (result.ipc.byteLength > MEMORY_BYTES / 4) return; // big results stream from the cache
    this.held.set(key, { result, checkedAt: Date.now() });
    this.heldBytes += result.ipc.byteLength;
    for (const [k, h] of this.held) {
      if (this.heldBytes <= MEMORY_BYTES) break;
      this.held.delete(k);
      this.heldBytes -= h.result.ipc.byteLength;
    }
  }

  private touch(key: string, held: Held): void {
    this.held.delete(key);
    this.held.set(key, held);
  }
}

function heldKey(report: ReportRow, cell: string, overrides: InputOverrides): string {
  return `${report.id}@${report.version}/${cell}/${canonicalJson(overrides)}`;
}
