/**
 * The lineage view's model: the notebook's cell graph as nodes and edges to draw. Derived
 * from the same {@link Graph} the runner schedules by, so the picture and the runs never
 * disagree about who reads whom. Statuses are not part of it: they change far more often
 * than the graph's shape and only restyle the drawing.
 */
import type { CellErrorKind, Graph } from '$kernels/graph/index.js';

/** One computing cell (text cells do not compute and are not drawn). */
export interface LineageNode {
  id: string;
  /** The name other cells read it by; empty for an unnamed cell. */
  name: string;
  kind: string;
  /** Where a SQL cell runs (`browser` or a connection id); null for other kinds. */
  engine: string | null;
  /** Position in the notebook's display order. */
  index: number;
  /** Why the graph says it cannot run (a cycle, an unknown name, a syntax error), or null. */
  problem: { kind: CellErrorKind; message: string } | null;
  /** Ids of the cells it reads. */
  inputs: string[];
  /** Ids of the cells that read it. */
  readers: string[];
}

/** "`to` reads `from`": drawn from input to reader. */
export interface LineageEdge {
  id: string;
  from: string;
  to: string;
  /** Read as a `$name` parameter rather than as a table or value. */
  parameter: boolean;
  /** Part of a circular definition. */
  inCycle: boolean;
}

export interface LineageModel {
  /** In display order. */
  nodes: LineageNode[];
  edges: LineageEdge[];
}

/** The edge id of "`to` reads `from`". */
export function edgeId(from: string, to: string): string {
  return `${from}->${to}`;
}

/** The lineage of `graph`'s cells. */
export function lineageModel(graph: Graph): LineageModel {
  const graphNodes = graph.nodesInOrder().sort((a, b) => a.index - b.index);
  const nodes: LineageNode[] = graphNodes.map((n) => ({
    id: n.cell.id,
    name: n.cell.name,
    kind: n.cell.kind,
    engine: n.cell.kind === 'sql' ? (n.cell.engine ?? null) : null,
    index: n.index,
    problem: n.error ? { kind: n.error.kind, message: n.error.message } : null,
    inputs: [...n.inputIds],
    readers: [...n.dependents]
  }));
  const edges: LineageEdge[] = [];
  for (const n of graphNodes) {
    const cyclic = n.error?.kind === 'cycle';
    for (const from of n.inputIds) {
      const parameter = n.inputs.some((r) => r.kind === 'cell' && r.id === from && r.parameter === true) && !n.inputs.some((r) => r.kind === 'cell' && r.id === from && !r.parameter);
      // Both ends in one loop: the reader reaches back to its input.
      const inCycle = cyclic && graph.node(from)?.error?.kind === 'cycle' && (from === n.cell.id || graph.downstream(n.cell.id).includes(from));
      edges.push({ id: edgeId(from, n.cell.id), from, to: n.cell.id, parameter, inCycle });
    }
  }
  return { nodes, edges };
}

/**
 * What the layout depends on: which nodes, in which order, and which edges. Names,
 * statuses and errors are left out (nodes have a fixed size), so only a change of
 * shape costs a re-layout.
 */
export function lineageShape(model: LineageModel): string {
  return `${model.nodes.map((n) => n.id).join(',')}|${model.edges.map((e) => e.id).join(',')}`;
}
