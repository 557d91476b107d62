/**
 * The cell dataflow graph (README.md, "How it fits together"): which cell reads which, in what order
 * they run, which cells cannot run and why, each cell's cache key, and what to run when
 * someone runs a cell. Immutable and cheap to rebuild: build a new one after every edit.
 *
 * Name policy. A name a cell reads resolves to a cell, else a file, else a sample
 * (src/lib/doc/schema.ts); a name that is in more than one of those is
 * `ambiguous` on the cell reading it. A name nothing defines is an error for JS and chart
 * cells ("x is not defined", as in Observable) but passes through for SQL cells: SQL may
 * read tables only the engine knows (a warehouse's tables, a DuckDB view), and the engine
 * reports a real missing table better than the graph could. SQL names also match
 * case-insensitively when nothing matches exactly, as DuckDB's identifiers do.
 */
import { cellError, type CellError } from './cell-error.js';
import { cellKey } from './cell-key.js';
import type { ParseError } from './parse-error.js';
import { stronglyConnected, topologicalOrder } from './topo.js';
import { errorMessage } from '../error-message.js';

/** A cell as the graph sees it: its result name, what it reads, and what its key covers. */
export interface GraphCell {
  id: string;
  /** The result name other cells read it by; empty for a cell nobody can read. */
  name: string;
  /** `sql`, `js`, `chart`, `input`: only `sql` changes how unknown names are treated. */
  kind: string;
  /** Names it reads, as found by {@link jsDependencies} / {@link sqlDependencies} or a chart's source. */
  inputs: readonly string[];
  source?: string;
  engine?: string | null;
  /** Chart config, parameters: any JSON value; part of the key. */
  params?: unknown;
  /** A SQL or JS cell with nothing but whitespace and comments: idle, never run (README.md, "Dataflow"). */
  empty?: boolean;
  /** The parse failure found while finding its inputs, if any: the cell shows it and cannot run. */
  parseError?: ParseError | null;
  /** Offset of each input's first use, so "x is not defined" can point at `x`. */
  inputPositions?: Readonly<Record<string, number>>;
  /** SQL: the input cells it reads as `$name` (README.md, "Inputs"), by name. */
  parameters?: readonly string[];
  /** Offset of each parameter's first `$name`. */
  parameterPositions?: Readonly<Record<string, number>>;
}

/** A resolvable name that is not a cell: an uploaded file or a bundled sample. */
export interface Leaf {
  name: string;
  kind: 'file' | 'sample';
  /** Changes when its content does (a file's content hash; a sample's version). */
  key: string;
}

/** How one name a cell reads resolved. */
export type Resolution =
  // `parameter`: an input cell read as `$name` (the resolution's name is `$name`).
  | { name: string; kind: 'cell'; id: string; parameter?: true }
  | { name: string; kind: 'file' | 'sample'; key: string }
  // SQL only: a table only the engine knows.
  | { name: string; kind: 'external' };

/** Everything the graph knows about one cell. */
export interface GraphNode {
  cell: GraphCell;
  /** Position in display order. */
  index: number;
  /** Each name it reads, resolved; names that failed to resolve are absent (and `error` says why). */
  inputs: Resolution[];
  /** Ids of the cells it reads, without repeats. */
  inputIds: string[];
  /** Ids of the cells that read it. */
  dependents: string[];
  /** Why it cannot run on its own account, or null. */
  error: CellError | null;
  /** The id of the failed cell upstream that stops it from running, or null. */
  blockedBy: string | null;
  /** Its cache key; null when it cannot run (error or blocked). */
  key: string | null;
}

/** The key of the value a cell currently holds from a successful run, if any. */
export type ResultKeys = (id: string) => string | undefined;

/** The graph of `cells` (in display order; the computing kinds, not text) with `leaves` (files, samples) as extra names. */
export function buildGraph(cells: readonly GraphCell[], leaves: readonly Leaf[] = []): Graph {
  return new Graph(cells, leaves);
}

/** An immutable cell graph; see {@link buildGraph}. */
export class Graph {
  /** Cell ids in topological order (display order where the edges allow). */
  readonly order: readonly string[];
  private readonly nodes = new Map<string, GraphNode>();

  constructor(cells: readonly GraphCell[], leaves: readonly Leaf[]) {
    const byName = groupByName(cells, (c) => c.name);
    const leafByName = groupByName(leaves, (l) => l.name);

    cells.forEach((cell, index) => {
      if (this.nodes.has(cell.id)) return; // a repeated id is one cell: readers keep the first
      this.nodes.set(cell.id, { cell, index, inputs: [], inputIds: [], dependents: [], error: null, blockedBy: null, key: null });
    });
    const list = [...this.nodes.values()];

    for (const node of list) {
      const { cell } = node;
      if (cell.parseError) node.error = cellError(cell.id, cell.kind === 'input' ? 'input' : 'syntax', cell.parseError.message, cell.parseError.position);
      const sharing = cell.name ? byName.exact.get(cell.name) ?? [] : [];
      if (!node.error && sharing.length > 1) {
        node.error = cellError(cell.id, 'duplicate', `${cell.name} is defined by ${sharing.length} cells`);
      }
      for (const name of new Set(cell.inputs)) this.resolve(node, name, byName, leafByName);
      for (const name of new Set(cell.parameters ?? [])) this.resolveParameter(node, name, byName);
    }
    for (const node of list) {
      for (const id of node.inputIds) this.nodes.get(id)!.dependents.push(node.cell.id);
    }

    // Cycles: every member of a strongly connected component with more than one cell, or
    // a cell reading itself, is an error that names the loop from its own point of view.
    const position = new Map(list.map((n, i) => [n.cell.id, i]));
    const out = list.map((n) => n.dependents.map((id) => position.get(id)!));
    const components = stronglyConnected(out);
    for (const members of components) {
      const looped = members.length > 1 || out[members[0]].includes(members[0]);
      if (!looped) continue;
      const inLoop = new Set(members);
      for (const m of members) {
        const path = shortestLoop(m, out, inLoop).map((i) => list[i].cell.name || list[i].cell.id);
        // A cycle outranks the cell's other errors: fixing anything else would not let it run.
        list[m].error = cellError(list[m].cell.id, 'cycle', `circular definition: ${path.join(' → ')}`);
      }
    }
    this.order = topologicalOrder(out, components).map((i) => list[i].cell.id);

    // In topological order every input is settled before its readers: blocked and keys.
    for (const id of this.order) {
      const node = this.nodes.get(id)!;
      if (node.error) continue;
      for (const inputId of node.inputIds) {
        const input = this.nodes.get(inputId)!;
        if (input.error) node.blockedBy = inputId;
        else if (input.blockedBy) node.blockedBy = input.blockedBy;
        if (node.blockedBy) break;
      }
      if (node.blockedBy) continue;
      try {
        node.key = cellKey({
          kind: node.cell.kind,
          source: node.cell.source ?? '',
          engine: node.cell.engine ?? null,
          params: node.cell.params ?? null,
          inputs: node.inputs.map((r) => [r.name, r.kind === 'cell' ? this.nodes.get(r.id)!.key! : r.kind === 'external' ? 'external' : `${r.kind}:${r.key}`])
        });
      } catch (e) {
        node.error = cellError(id, 'key', `cannot key this cell: ${errorMessage(e)}`);
      }
    }
  }

  /** The node for cell `id`, or undefined when the graph has no such cell. */
  node(id: string): GraphNode | undefined {
    return this.nodes.get(id);
  }

  /** Every node, in topological order. */
  nodesInOrder(): GraphNode[] {
    return this.order.map((id) => this.nodes.get(id)!);
  }

  /** Ids of every cell `id` reads, directly or not, in topological order. */
  upstream(id: string): string[] {
    return this.closure([id], (n) => n.inputIds);
  }

  /** Ids of every cell that reads `id`, directly or not, in topological order: what an edit to `id` makes stale. */
  downstream(id: string): string[] {
    return this.closure([id], (n) => n.dependents);
  }

  /** True when the cell's held result (`results`) is its current key's. */
  isUpToDate(id: string, results: ResultKeys): boolean {
    const key = this.nodes.get(id)?.key ?? null;
    return key !== null && results(id) === key;
  }

  /**
   * What "run cell X" runs, in topological order: the targets; their dependents that are
   * not up to date (all of them with `refresh`); and every input any of those needs that
   * is not up to date (stale, never run, failed).
   */
  plan(targets: string | Iterable<string>, results: ResultKeys, options: { refresh?: boolean } = {}): string[] {
    const roots = (typeof targets === 'string' ? [targets] : [...targets]).filter((id) => this.nodes.has(id));
    const chosen = new Set(roots);
    for (const id of this.closure(roots, (n) => n.dependents)) {
      if (options.refresh || !this.isUpToDate(id, results)) chosen.add(id);
    }
    return this.withInputs(chosen, results);
  }

  /** What "Run all" runs: every cell that is not up to date (every cell with `refresh`), in topological order. */
  planAll(results: ResultKeys, options: { refresh?: boolean } = {}): string[] {
    return this.order.filter((id) => options.refresh || !this.isUpToDate(id, results));
  }

  /** `ids` plus every input they need, transitively, that is not up to date; in topological order. */
  withInputs(ids: Iterable<string>, results: ResultKeys): string[] {
    const chosen = new Set([...ids].filter((id) => this.nodes.has(id)));
    const queue = [...chosen];
    while (queue.length) {
      for (const input of this.nodes.get(queue.pop()!)!.inputIds) {
        if (!chosen.has(input) && !this.isUpToDate(input, results)) {
          chosen.add(input);
          queue.push(input);
        }
      }
    }
    return this.order.filter((id) => chosen.has(id));
  }

  private closure(roots: string[], next: (n: GraphNode) => string[]): string[] {
    const seen = new Set<string>();
    const queue = [...roots];
    while (queue.length) {
      const node = this.nodes.get(queue.pop()!);
      if (!node) continue;
      for (const id of next(node)) {
        if (!seen.has(id)) {
          seen.add(id);
          queue.push(id);
        }
      }
    }
    // A root reached again through a cycle stays out: callers ask about the others.
    for (const root of roots) seen.delete(root);
    return this.order.filter((id) => seen.has(id));
  }

  /** `$name` reads the input cell `name` (exactly: parameters are not SQL identifiers). */
  private resolveParameter(node: GraphNode, name: string, byName: Grouped<GraphCell>): void {
    const { cell } = node;
    const at = cell.parameterPositions?.[name] ?? null;
    const cells = byName.exact.get(name) ?? [];
    const input = cells.find((c) => c.kind === 'input');
    if (!input) {
      const other = cells[0];
      const why = other ? `${name} is a ${other.kind} cell, not an input` : `no input cell is named ${name}`;
      node.error ??= cellError(cell.id, 'undefined', `$${name} is not an input: ${why}`, at);
      return;
    }
    node.inputs.push({ name: `$${name}`, kind: 'cell', id: input.id, parameter: true });
    if (!node.inputIds.includes(input.id)) node.inputIds.push(input.id);
  }

  private resolve(node: GraphNode, name: string, byName: Grouped<GraphCell>, leafByName: Grouped<Leaf>): void {
    const { cell } = node;
    const sql = cell.kind === 'sql';
    // DuckDB identifiers are case-insensitive; an exact match still wins.
    const lookup = <T>(g: Grouped<T>): T[] => g.exact.get(name) ?? (sql ? g.folded.get(name.toLowerCase()) ?? [] : []);
    const cells = lookup(byName);
    const leaves = lookup(leafByName);
    const kinds = [...(cells.length ? ['a cell'] : []), ...new Set(leaves.map((l) => `a ${l.kind}`))];
    const at = cell.inputPositions?.[name] ?? null;
    if (kinds.length > 1) {
      node.error ??= cellError(cell.id, 'ambiguous', `${name} names both ${kinds.join(' and ')}; rename one`, at);
      return;
    }
    if (cells.length) {
      node.inputs.push({ name, kind: 'cell', id: cells[0].id });
      for (const c of cells) if (!node.inputIds.includes(c.id)) node.inputIds.push(c.id);
    } else if (leaves.length) {
      node.inputs.push({ name, kind: leaves[0].kind, key: leaves[0].key });
    } else if (sql) {
      node.inputs.push({ name, kind: 'external' });
    } else {
      node.error ??= cellError(cell.id, 'undefined', `${name} is not defined`, at);
    }
  }
}

interface Grouped<T> {
  exact: Map<string, T[]>;
  folded: Map<string, T[]>;
}

function groupByName<T>(items: readonly T[], nameOf: (item: T) => string): Grouped<T> {
  const exact = new Map<string, T[]>();
  const folded = new Map<string, T[]>();
  for (const item of items) {
    const name = nameOf(item);
    if (!name) continue; // an unnamed cell cannot be read
    exact.set(name, [...(exact.get(name) ?? []), item]);
    folded.set(name.toLowerCase(), [...(folded.get(name.toLowerCase()) ?? []), item]);
  }
  return { exact, folded };
}

/** The shortest walk from `start` back to itself inside the loop, as node indices, start repeated at the end. */
function shortestLoop(start: number, out: ReadonlyArray<readonly number[]>, inLoop: ReadonlySet<number>): number[] {
  const previous = new Map<number, number>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of out[v]) {
      if (!inLoop.has(w)) continue;
      if (w === start) {
        const path: number[] = [];
        for (let u = v; u !== start; u = previous.get(u)!) path.unshift(u);
        return [start, ...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}
