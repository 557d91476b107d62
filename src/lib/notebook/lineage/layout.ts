/**
 * Where the lineage view draws each cell: every connected group of cells is laid out
 * left to right in layers (inputs left of their readers) by dagre, then the groups are
 * packed in rows in notebook order, so a notebook of many small independent pieces fills a
 * screen instead of one very tall column. Nodes have one fixed size, so a layout depends
 * only on the graph's shape ({@link lineageShape}).
 */
import dagre from '@dagrejs/dagre';
import type { LineageModel } from './model.js';

/** A node's drawn size, in layout units (CSS pixels at zoom 1). */
export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 64;
/** Space between packed groups. */
const GROUP_GAP = 40;
/** The rows of groups aim at this width : height ratio (a wide side panel). */
const TARGET_ASPECT = 1.4;

export interface Point {
  x: number;
  y: number;
}

/** A laid-out node: its top-left corner. */
export type NodePlacement = Point;

export interface LineageLayout {
  /** Top-left corner of each node, by cell id. */
  nodes: Map<string, NodePlacement>;
  /** Each edge's route from the input's right side to the reader's left side, by edge id. */
  edges: Map<string, Point[]>;
  width: number;
  height: number;
}

interface Group {
  ids: string[];
  first: number;
  nodes: Map<string, Point>;
  edges: Map<string, Point[]>;
  width: number;
  height: number;
}

/** The layout of `model`; see the module comment. */
export function layoutLineage(model: LineageModel): LineageLayout {
  const groups = connectedGroups(model).map((ids) => layoutGroup(model, ids));
  groups.sort((a, b) => a.first - b.first);

  const area = groups.reduce((sum, g) => sum + (g.width + GROUP_GAP) * (g.height + GROUP_GAP), 0);
  const rowWidth = Math.max(Math.sqrt(area * TARGET_ASPECT), ...groups.map((g) => g.width), NODE_WIDTH);

  const nodes = new Map<string, NodePlacement>();
  const edges = new Map<string, Point[]>();
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  let width = 0;
  for (const g of groups) {
    if (x > 0 && x + g.width > rowWidth) {
      x = 0;
      y += rowHeight + GROUP_GAP;
      rowHeight = 0;
    }
    for (const [id, p] of g.nodes) nodes.set(id, { x: p.x + x, y: p.y + y });
    for (const [id, points] of g.edges) edges.set(id, points.map((p) => ({ x: p.x + x, y: p.y + y })));
    width = Math.max(width, x + g.width);
    rowHeight = Math.max(rowHeight, g.height);
    x += g.width + GROUP_GAP;
  }
  return { nodes, edges, width, height: groups.length ? y + rowHeight : 0 };
}

/** The cells of each connected group (edges taken either way), each in display order. */
function connectedGroups(model: LineageModel): string[][] {
  const parent = new Map(model.nodes.map((n) => [n.id, n.id]));
  const find = (id: string): string => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(id, root);
    return root;
  };
  for (const e of model.edges) {
    if (!parent.has(e.from) || !parent.has(e.to)) continue;
    parent.set(find(e.from), find(e.to));
  }
  const groups = new Map<string, string[]>();
  for (const n of model.nodes) {
    const root = find(n.id);
    groups.set(root, [...(groups.get(root) ?? []), n.id]);
  }
  return [...groups.values()];
}

function layoutGroup(model: LineageModel, ids: string[]): Group {
  const index = new Map(model.nodes.map((n) => [n.id, n.index]));
  const first = Math.min(...ids.map((id) => index.get(id)!));
  const members = new Set(ids);
  if (ids.length === 1 && !model.edges.some((e) => e.from === ids[0] && e.to === ids[0])) {
    return { ids, first, nodes: new Map([[ids[0], { x: 0, y: 0 }]]), edges: new Map(), width: NODE_WIDTH, height: NODE_HEIGHT };
  }

  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 64, edgesep: 10, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const id of ids) g.setNode(id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  const groupEdges = model.edges.filter((e) => members.has(e.from) && members.has(e.to));
  for (const e of groupEdges) g.setEdge(e.from, e.to);
  dagre.layout(g);

  const nodes = new Map<string, Point>();
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const id of ids) {
    const n = g.node(id);
    const p = { x: n.x - NODE_WIDTH / 2, y: n.y - NODE_HEIGHT / 2 };
    nodes.set(id, p);
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x + NODE_WIDTH);
    maxY = Math.max(maxY, p.y + NODE_HEIGHT);
  }
  const edges = new Map<string, Point[]>();
  for (const e of groupEdges) {
    const route = (g.edge(e.from, e.to)?.points ?? []) as Point[];
    for (const p of route) {
      minX = Math.min(minX, p.x);
      minY = Math.min(minY, p.y);
      maxX = Math.max(maxX, p.x);
      maxY = Math.max(maxY, p.y);
    }
    edges.set(e.id, route);
  }
  // Shift the group so its bounding box starts at the origin.
  for (const [id, p] of nodes) nodes.set(id, { x: p.x - minX, y: p.y - minY });
  for (const [id, route] of edges) edges.set(id, route.map((p) => ({ x: p.x - minX, y: p.y - minY })));
  return { ids, first, nodes, edges, width: maxX - minX, height: maxY - minY };
}

/**
 * An SVG path through `points` (a B-spline, as d3's curveBasis draws it): smooth, and it
 * starts and ends exactly on the first and last point.
 */
export function edgePath(points: readonly Point[]): string {
  if (points.length === 0) return '';
  if (points.length < 3) return `M${points.map((p) => `${round(p.x)},${round(p.y)}`).join('L')}`;
  const [p0] = points;
  let d = `M${round(p0.x)},${round(p0.y)}`;
  // Line to the first B-spline point, then one cubic per interior point.
  const at = (i: number) => points[Math.max(0, Math.min(points.length - 1, i))];
  d += `L${round((5 * p0.x + at(1).x) / 6)},${round((5 * p0.y + at(1).y) / 6)}`;
  for (let i = 1; i < points.length; i++) {
    const a = at(i - 1);
    const b = at(i);
    const c = at(i + 1);
    d += `C${round((2 * a.x + b.x) / 3)},${round((2 * a.y + b.y) / 3)} ${round((a.x + 2 * b.x) / 3)},${round((a.y + 2 * b.y) / 3)} ${round((a.x + 4 * b.x + c.x) / 6)},${round((a.y + 4 * b.y + c.y) / 6)}`;
  }
  const last = points[points.length - 1];
  return `${d}L${round(last.x)},${round(last.y)}`;
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
