/**
 * Computing one notebook cell's result on the server, from a parsed graph of the notebook:
 * server SQL cells on their connection, browser-engine SQL cells on the server's own DuckDB
 * over the same samples, and charts as their aggregation query over their source. Published
 * reports (as their publisher) and opened notebooks (as their reader) both compute through
 * here, so there is one way a cell's result is made on the server.
 *
 * Every run goes through the query service: results land in the shared result cache,
 * concurrent misses share one execution, and each run is in the audit log.
 */
import { createHash } from 'node:crypto';
import { tableFromIPC, type Table } from 'apache-arrow';
import { AppError } from '../errors.js';
import type { QueryService, QueryRequest, ServerRunProvenance } from '../query/service.js';
import { SAMPLES_CONNECTION_ID, type ConnectionService } from '../connections/service.js';
import { isManager, type WorkspaceRole } from '../../src/lib/contract/index.js';
import { BROWSER_ENGINE } from '../../src/lib/doc/index.js';
import { compileChart, type ChartConfig } from '../../src/lib/chart/compile.js';
import { composeServerSql, parameterInputs, type Graph, type GraphCell } from '../../kernels/graph/index.js';
import { QueryError } from '../../kernels/engine.js';
import type { ParameterInput } from '../../kernels/input-params.js';
import { KINDS } from '../../kernels/connection-kinds.js';
import { quoteIdentFor } from '../../kernels/sql-ident.js';
import { SAMPLES } from '../../kernels/samples.js';
import type { InputValue } from '../../src/lib/contract/inputs.js';
import { resultInputs } from '../../src/lib/provenance/result-inputs.js';
import { logger } from '../log.js';

const log = logger('results');

/** One cell's result as the server computed (or cached) it. */
export interface CellResult {
  cellId: string;
  cell: string;
  /** The whole Arrow IPC stream. */
  ipc: Uint8Array;
  /** When it was computed. */
  resultAt: Date;
  rows: number;
  /** SHA-256 of `ipc` (an ETag). */
  hash: string;
  /** The run that computed or served it (its audit-log entry). */
  runId: string;
}

/** `cached`: only from the shared cache (`not_cached` otherwise); `fresh`: computed now. */
export type ComputeMode = 'cached' | 'fresh';

/** A notebook's cells as a graph, with its named cells. */
export interface CellGraph {
  graph: Graph;
  byName: Map<string, GraphCell>;
}

/** Input values by input name that replace the notebook's own. */
export type InputOverrides = Record<string, InputValue>;

/** Who a computation runs as, and whether they may start runs on a connection. */
export interface Actor {
  workspaceId: string;
  notebookId: string;
  userId: string;
  role: WorkspaceRole;
  /**
   * Why this actor may not compute on server connection `connectionId` in `mode` (an
   * `AppError` to throw), or null when they may.
   */
  refuse(connectionId: string, mode: ComputeMode): Promise<AppError | null>;
  /** What to record in the notebook's run history for a run of `cell` (its result key and inputs). */
  provenance?(cell: GraphCell): Promise<ServerRunProvenance | undefined>;
}

/** The run-history record of a run of `cell` in `graph`: its result key (the page's) and its inputs' keys. */
export function provenanceFor(graph: Graph, cell: GraphCell): ServerRunProvenance | undefined {
  const key = graph.node(cell.id)?.key;
  if (!key) return undefined;
  return { resultKey: key, inputs: resultInputs(graph, cell.id), kind: cell.kind === 'chart' ? 'chart' : 'sql', engine: cell.kind === 'chart' ? BROWSER_ENGINE : (cell.engine ?? BROWSER_ENGINE) };
}

/** Kinds whose result the server computes: SQL and charts (JS runs in readers' browsers; inputs and text have none). */
export function servedOnServer(cell: Pick<GraphCell, 'kind'>): boolean {
  return cell.kind === 'sql' || cell.kind === 'chart';
}

export class CellCompute {
  /** Decoded results, kept as long as their result is. */
  private readonly tables = new WeakMap<CellResult, Table>();
  private readonly samples = new Map<string, Promise<{ name: string; type: string }[]>>();

  constructor(
    private readonly queries: QueryService,
    private readonly connections: ConnectionService
  ) {}

  /** The decoded table of a result (decoded once per result held). */
  table(result: CellResult): Table {
    let table = this.tables.get(result);
    if (!table) this.tables.set(result, (table = tableFromIPC(result.ipc)));
    return table;
  }

  /** Compute (or with `cached`, look up) `cell`'s result in `cg` as `actor`. */
  async compute(cg: CellGraph, cell: GraphCell, actor: Actor, overrides: InputOverrides, mode: ComputeMode): Promise<CellResult> {
    const node = cg.graph.node(cell.id)!;
    if (node.error) throw new AppError('not_computable', `${cell.name}: ${node.error.message}`);
    if (node.blockedBy) {
      const upstream = cg.graph.node(node.blockedBy)!.cell;
      throw new AppError('not_computable', `${cell.name} reads ${upstream.name}, which cannot run: ${cg.graph.node(upstream.id)!.error?.message ?? 'it failed'}`);
    }
    if (cell.kind === 'chart') return this.computeChart(cg, cell, actor, overrides, mode);
    const target = await this.target(actor, cell.engine ?? BROWSER_ENGINE, mode);
    const composed = composeServerSql(cg.graph, cell.id, target.dialect, { hasSamples: target.hasSamples });
    if (!composed.ok) throw new AppError('not_computable', `${cell.name} cannot be computed on the server: ${composed.message}`);
    const inputs = withOverrides(parameterInputs(cg.graph, composed.cellIds), overrides);
    return this.run(actor, cell, target.connectionId, composed.sql, inputs, mode);
  }

  /**
   * A chart's result is the data it draws: its aggregation over its source, on the
   * server's DuckDB. A browser-engine source (or a sample) is inlined as a CTE; a
   * warehouse source's result is loaded into that DuckDB first, under its hash.
   */
  private async computeChart(cg: CellGraph, cell: GraphCell, actor: Actor, overrides: InputOverrides, mode: ComputeMode): Promise<CellResult> {
    const config = (cell.params ?? {}) as ChartConfig;
    const sourceName = String(config.source ?? '').trim();
    const source = cg.byName.get(sourceName);
    const sample = SAMPLES.find((s) => s.name === sourceName);
    let from: string;
    let sourceSql: string;
    let inputs: Record<string, ParameterInput> = {};
    let columns: { name: string; type: string }[];
    if (source && source.kind === 'sql' && (source.engine ?? BROWSER_ENGINE) === BROWSER_ENGINE) {
      const upstream = await this.compute(cg, source, actor, overrides, mode);
      columns = columnsOf(this.table(upstream));
      const composed = composeServerSql(cg.graph, source.id, 'duckdb', { hasSamples: true });
      if (!composed.ok) throw new AppError('not_computable', composed.message);
      inputs = withOverrides(parameterInputs(cg.graph, composed.cellIds), overrides);
      from = source.name;
      sourceSql = `${quoteIdentFor('duckdb', from)} as (\n${composed.sql}\n)`;
    } else if (source && source.kind === 'sql') {
      const upstream = await this.compute(cg, source, actor, overrides, mode);
      columns = columnsOf(this.table(upstream));
      from = `report_result_${upstream.hash.slice(0, 24)}`;
      await this.connections.loadIntoSamples(from, upstream.ipc);
      sourceSql = '';
    } else if (!source && sample) {
      from = sample.name;
      columns = await this.sampleColumns(actor, cell, from);
      sourceSql = '';
    } else {
      throw new AppError('not_computable', `${cell.name} draws ${sourceName || 'nothing'}, which only a reader's browser can compute.`);
    }
    const chart = compileChart(config, columns, from);
    if ('error' in chart) throw new AppError('not_computable', `${cell.name}: ${chart.error.field ? `${chart.error.field}: ` : ''}${chart.error.message}`);
    return this.run(actor, cell, SAMPLES_CONNECTION_ID, withCte(sourceSql, chart.sql), inputs, mode);
  }

  /** A bundled sample's columns never change: asked of the server DuckDB once per sample, not per page view. */
  sampleColumns(actor: Actor, cell: GraphCell, sample: string): Promise<{ name: string; type: string }[]> {
    let columns = this.samples.get(sample);
    if (!columns) {
      const sql = `select * from ${quoteIdentFor('duckdb', sample)} limit 0`;
      columns = this.run(actor, cell, SAMPLES_CONNECTION_ID, sql, {}, 'cached')
        .catch(() => this.run(actor, cell, SAMPLES_CONNECTION_ID, sql, {}, 'fresh'))
        .then((probe) => columnsOf(tableFromIPC(probe.ipc)));
      columns.catch(() => this.samples.delete(sample));
      this.samples.set(sample, columns);
    }
    return columns;
  }

  /** Where a cell on `engine` runs, checked against the actor's right to compute there. */
  private async target(actor: Actor, engine: string, mode: ComputeMode): Promise<{ connectionId: string; dialect: 'duckdb' | 'postgres' | 'mysql'; hasSamples: boolean }> {
    if (engine === BROWSER_ENGINE) return { connectionId: SAMPLES_CONNECTION_ID, dialect: 'duckdb', hasSamples: true };
    const refused = await actor.refuse(engine, mode);
    if (refused) throw refused;
    const [connection] = await this.connections.names(actor.workspaceId, [engine]);
    if (!connection) throw new AppError('not_computable', 'This cell runs on a connection that no longer exists.');
    return { connectionId: engine, dialect: KINDS[connection.kind].dialect, hasSamples: connection.hasSamples };
  }

  /** Run (or read from the cache, `cached`) one query as `actor` and collect its whole result. */
  private async run(actor: Actor, cell: GraphCell, connectionId: string, sql: string, inputs: Record<string, ParameterInput>, mode: ComputeMode): Promise<CellResult> {
    const request: QueryRequest = {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      manager: isManager(actor.role),
      connectionId,
      sql,
      params: [],
      inputs,
      notebookId: actor.notebookId,
      cellId: cell.id,
      ...(mode === 'cached' ? { cacheOnly: true } : {})
    };
    const provenance = await actor.provenance?.(cell);
    if (provenance) request.provenance = provenance;
    let reply;
    try {
      reply = await this.queries.start(request);
    } catch (err) {
      if (err instanceof QueryError) throw new AppError('query_failed', `${cell.name} failed: ${err.message}`);
      throw err;
    }
    const chunks: Uint8Array[] = [];
    let clientGone = true;
    try {
      for await (const chunk of reply.body) chunks.push(chunk);
      clientGone = false;
    } finally {
      await reply.finish(clientGone);
    }
    const ipc = Buffer.concat(chunks);
    if (!endsStream(ipc)) {
      const run = await this.queries.run(actor.workspaceId, reply.runId);
      throw new AppError('query_failed', `${cell.name} failed: ${run?.error ?? 'the result ended early'}`);
    }
    const rows = reply.rows ?? countRows(ipc);
    return { cellId: cell.id, cell: cell.name, ipc, resultAt: reply.resultAt, rows, hash: createHash('sha256').update(ipc).digest('hex'), runId: reply.runId };
  }
}

/** The columns of a result, as a chart compiles against them. */
export function columnsOf(table: Table): { name: string; type: string }[] {
  return table.schema.fields.map((f) => ({ name: f.name, type: String(f.type) }));
}

function withOverrides(inputs: Record<string, ParameterInput>, overrides: InputOverrides): Record<string, ParameterInput> {
  const out = { ...inputs };
  for (const name of Object.keys(out)) if (name in overrides) out[name] = { type: out[name].type, value: overrides[name] };
  return out;
}

/** `sql` with `cte` (`name as (…)`) put first in its WITH list, or in one of its own. */
function withCte(cte: string, sql: string): string {
  if (!cte) return sql;
  const lead = /^\s*with\s+(?!recursive\b)/i.exec(sql);
  return lead ? `with ${cte},\n${sql.slice(lead[0].length)}` : `with ${cte}\n${sql}`;
}

/** An Arrow IPC stream ends with its end-of-stream marker (0xFFFFFFFF then a zero length) only when the run completed. */
function endsStream(ipc: Uint8Array): boolean {
  if (ipc.byteLength < 8) return false;
  const view = new DataView(ipc.buffer, ipc.byteOffset + ipc.byteLength - 8, 8);
  return view.getUint32(0, true) === 0xffffffff && view.getUint32(4, true) === 0;
}

function countRows(ipc: Uint8Array): number {
  try {
    return tableFromIPC(ipc).numRows;
  } catch (err) {
    log.warn('a cached result did not decode', { err });
    return 0;
  }
}
