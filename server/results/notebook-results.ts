/**
 * An open notebook's last results, for its first paint: the server reads the live document
 * into the same dataflow graph the page builds (so each cell's key is the page's), and
 * computes a cell's result through {@link CellCompute} as the reader — from the shared
 * cache, or computed on a miss (browser-engine cells and charts on the server's own DuckDB
 * over the samples; a server cell's miss is left to the page, which runs it on its
 * connection as before). Only results the server computed are ever served: nothing a
 * browser ran is.
 */
import * as Y from 'yjs';
import { AppError } from '../errors.js';
import type { CollabServer } from '../collab/server.js';
import type { WorkspaceRole } from '../../src/lib/contract/index.js';
import { FILES } from '../../src/lib/doc/index.js';
import { GraphCells } from '../../src/lib/notebook/run/graph-cells.js';
import type { ChartConfig } from '../../src/lib/chart/compile.js';
import { buildGraph, sha256Hex, type GraphCell, type Leaf, type SqlParser } from '../../kernels/graph/index.js';
import { SAMPLES } from '../../kernels/samples.js';
import type { NotebookResultCell, NotebookResultList } from '../../src/lib/contract/notebook-results.js';
import { CellCompute, columnsOf, provenanceFor, servedOnServer, type Actor, type CellGraph, type CellResult } from './cell-compute.js';

/** Notebook graphs kept parsed, by notebook and document state. */
const MAX_GRAPHS = 100;
/** Parsed SQL answers remembered for listings (sources, not notebooks). */
const MAX_PARSES = 2000;

/** The reader a result is computed for. */
export interface NotebookReader {
  workspaceId: string;
  notebookId: string;
  userId: string;
  role: WorkspaceRole;
}

/** A cell's result with the key it was computed under, and for a chart the columns it compiles against. */
export interface NotebookCellResult {
  result: CellResult;
  key: string;
  sourceColumns?: { name: string; type: string }[];
}

interface ParsedGraph extends CellGraph {
  state: string;
}

export class NotebookResults {
  private readonly cells: GraphCells;
  private readonly graphs = new Map<string, Promise<ParsedGraph>>();
  /** What the parser answered, by SHA-256 of the SQL: handed to pages so they need no engine to build their graph. */
  private readonly parses = new Map<string, string[]>();

  constructor(
    private readonly collab: CollabServer,
    private readonly compute: CellCompute,
    parser: SqlParser
  ) {
    this.cells = new GraphCells({
      tableNames: async (sql) => {
        const names = await parser.tableNames(sql);
        if (this.parses.size >= MAX_PARSES) this.parses.delete(this.parses.keys().next().value!);
        this.parses.set(sha256Hex(sql), names);
        return names;
      }
    });
  }

  /** The cells that have a result the server can paint, with their keys, and the parser's answers for the notebook's SQL. */
  async list(notebookId: string): Promise<NotebookResultList> {
    const cg = await this.graphOf(notebookId);
    const cells: NotebookResultCell[] = [];
    const tables: Record<string, string[]> = {};
    for (const node of cg.graph.nodesInOrder()) {
      const cell = node.cell;
      if (cell.kind === 'sql' && cell.source !== undefined) {
        const hash = sha256Hex(cell.source);
        const names = this.parses.get(hash);
        if (names) tables[hash] = names;
      }
      if (!servedOnServer(cell) || !node.key || node.error || node.blockedBy || cell.empty) continue;
      cells.push({ cellId: cell.id, name: cell.name, kind: cell.kind as 'sql' | 'chart', key: node.key, engine: cell.kind === 'sql' ? (cell.engine ?? null) : null });
    }
    return { cells, tables };
  }

  /**
   * Cell `cellId`'s result for `reader`: the cached one whatever its age (the page refreshes
   * a stale one behind it), else computed now on the server's DuckDB.
   */
  async result(reader: NotebookReader, cellId: string): Promise<NotebookCellResult> {
    const cg = await this.graphOf(reader.notebookId);
    const node = cg.graph.node(cellId);
    if (!node || !servedOnServer(node.cell)) throw new AppError('not_found', 'No cell with a result by that id in this notebook.');
    // A result computed here is recorded under the key the page gives the cell.
    const actor: Actor = { ...this.actor(reader), provenance: async (c) => provenanceFor(cg.graph, c) };
    const result = await this.cachedOrFresh(cg, node.cell, actor);
    const out: NotebookCellResult = { result, key: node.key! };
    if (node.cell.kind === 'chart') out.sourceColumns = await this.sourceColumns(cg, node.cell, actor);
    return out;
  }

  /**
   * The cached result whatever its age, else one computed now. (A result computed a moment
   * ago may not be in the cache yet: the query service stores it just after answering.)
   */
  private cachedOrFresh(cg: CellGraph, cell: GraphCell, actor: Actor): Promise<CellResult> {
    return this.compute.compute(cg, cell, actor, {}, 'cached').catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'not_cached') return this.compute.compute(cg, cell, actor, {}, 'fresh');
      throw err;
    });
  }

  /** The columns of the data a chart draws, which the page compiles the chart against. */
  private async sourceColumns(cg: CellGraph, cell: GraphCell, actor: Actor): Promise<{ name: string; type: string }[]> {
    const sourceName = String((cell.params as ChartConfig | null)?.source ?? '').trim();
    const source = cg.byName.get(sourceName);
    if (source && source.kind === 'sql') return columnsOf(this.compute.table(await this.cachedOrFresh(cg, source, actor)));
    if (SAMPLES.some((s) => s.name === sourceName)) return this.compute.sampleColumns(actor, cell, sourceName);
    return [];
  }

  /**
   * A reader reads any cached result of the notebook's server cells; a miss there is left to
   * the page, whose own run asks the server to compute it (showing it running, streaming its
   * rows, cancellable, and only for those who may run it).
   */
  private actor(reader: NotebookReader): Actor {
    return {
      workspaceId: reader.workspaceId,
      notebookId: reader.notebookId,
      userId: reader.userId,
      role: reader.role,
      refuse: async (_connectionId, mode) =>
        mode === 'cached' ? null : new AppError('not_cached', 'No cached result for this cell yet: the page runs it on its connection.')
    };
  }

  /** The live document as a graph, parsed again only when it changed. */
  private async graphOf(notebookId: string): Promise<ParsedGraph> {
    return this.collab.withRoom(notebookId, async (room) => {
      const state = Buffer.from(Y.encodeStateVector(room.doc)).toString('base64');
      const cached = this.graphs.get(notebookId);
      if (cached) {
        const graph = await cached.catch(() => null);
        if (graph?.state === state) return graph;
      }
      const graph = this.readGraph(room.doc, state);
      graph.catch(() => this.graphs.delete(notebookId));
      this.graphs.delete(notebookId);
      if (this.graphs.size >= MAX_GRAPHS) this.graphs.delete(this.graphs.keys().next().value!);
      this.graphs.set(notebookId, graph);
      return graph;
    });
  }

  private async readGraph(doc: Y.Doc, state: string): Promise<ParsedGraph> {
    // Read synchronously before parsing yields: later edits make a new state, so a new graph.
    const leaves: Leaf[] = SAMPLES.map((s) => ({ name: s.name, kind: 'sample', key: `sample:${s.file}` }));
    for (const [name, file] of doc.getMap<{ hash?: unknown }>(FILES).entries()) {
      if (file && typeof file.hash === 'string') leaves.push({ name, kind: 'file', key: `file:${file.hash}` });
    }
    const cells = await this.cells.read(doc);
    const byName = new Map(cells.filter((c) => c.name).map((c) => [c.name, c]));
    return { graph: buildGraph(cells, leaves), byName, state };
  }
}
