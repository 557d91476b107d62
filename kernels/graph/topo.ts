/**
 * Graph algorithms over cells numbered 0…n-1 in display order: strongly connected
 * components (Tarjan) and a topological order that stays as close to display order as the
 * edges allow, so independent cells run in the order the reader sees them.
 */

/** Edges as adjacency lists: `out[i]` are the nodes that read node `i` (its dependents). */
export type Adjacency = ReadonlyArray<readonly number[]>;

/** Strongly connected components; each component's members sorted, components in no particular order. */
export function stronglyConnected(out: Adjacency): number[][] {
  const n = out.length;
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;

  // Iterative Tarjan: a notebook with a long chain of cells must not overflow the call stack.
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: Array<[node: number, edge: number]> = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (work.length) {
      const frame = work[work.length - 1];
      const [v, e] = frame;
      if (e < out[v].length) {
        frame[1]++;
        const w = out[v][e];
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = true;
          work.push([w, 0]);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v], index[w]);
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1][0];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = false;
          component.push(w);
        } while (w !== v);
        components.push(component.sort((a, b) => a - b));
      }
    }
  }
  return components;
}

/**
 * A topological order of all nodes: a component's members come together (in display
 * order), and among components whose inputs are all placed, the one shown first goes
 * first. Cycles therefore still get a place, so every cell has a position.
 */
export function topologicalOrder(out: Adjacency, components: number[][]): number[] {
  const componentOf = new Array<number>(out.length);
  components.forEach((members, c) => members.forEach((m) => (componentOf[m] = c)));
  const indegree = new Array<number>(components.length).fill(0);
  const next: Array<Set<number>> = components.map(() => new Set());
  for (let v = 0; v < out.length; v++) {
    for (const w of out[v]) {
      const a = componentOf[v];
      const b = componentOf[w];
      if (a !== b && !next[a].has(b)) {
        next[a].add(b);
        indegree[b]++;
      }
    }
  }
  // Ready components keyed by their first member's display index; kept sorted descending
  // so the smallest pops off the end.
  const first = (c: number): number => components[c][0];
  const ready = components.map((_, c) => c).filter((c) => indegree[c] === 0);
  ready.sort((a, b) => first(b) - first(a));
  const order: number[] = [];
  while (ready.length) {
    const c = ready.pop()!;
    order.push(...components[c]);
    for (const d of next[c]) {
      if (--indegree[d] === 0) {
        // Binary insertion keeps `ready` sorted; notebooks are hundreds of cells, not millions.
        let lo = 0;
        let hi = ready.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (first(ready[mid]) > first(d)) lo = mid + 1;
          else hi = mid;
        }
        ready.splice(lo, 0, d);
      }
    }
  }
  return order;
}
