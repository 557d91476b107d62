import { describe, expect, it } from 'vitest';
import { buildGraph, jsDependencies, type GraphCell } from '../../kernels/graph/index.js';
import { edgeId, lineageModel, lineageShape } from '../../src/lib/notebook/lineage/model.js';
import { NODE_HEIGHT, NODE_WIDTH, edgePath, layoutLineage, type LineageLayout } from '../../src/lib/notebook/lineage/layout.js';
import { fitView, panBy, READABLE_SCALE, reveal, zoomAt } from '../../src/lib/notebook/lineage/viewport.js';
import { statusLine } from '../../src/lib/notebook/lineage/status.js';

function js(name: string, source: string, id = name): GraphCell {
  const deps = jsDependencies(source);
  return deps.ok ? { id, name, kind: 'js', source, inputs: deps.inputs } : { id, name, kind: 'js', source, inputs: [], parseError: deps.error };
}

function sql(name: string, tables: string[], parameters: string[] = []): GraphCell {
  return { id: name, name, kind: 'sql', source: `select * from ${tables.join(', ') || 'range(1)'}`, engine: 'browser', inputs: tables, parameters };
}

function input(name: string): GraphCell {
  return { id: name, name, kind: 'input', inputs: [], params: { type: 'number', value: 1 } };
}

/** Every pair of node boxes that overlap. */
function overlaps(layout: LineageLayout): string[] {
  const boxes = [...layout.nodes];
  const found: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, p] = boxes[i];
      const [b, q] = boxes[j];
      if (p.x < q.x + NODE_WIDTH && q.x < p.x + NODE_WIDTH && p.y < q.y + NODE_HEIGHT && q.y < p.y + NODE_HEIGHT) found.push(`${a}/${b}`);
    }
  }
  return found;
}

describe('lineage model', () => {
  it('has a node per computing cell in display order and an edge from each input to its reader', () => {
    const model = lineageModel(buildGraph([js('total', 'a + b'), js('a', '1'), js('b', 'a * 2'), js('lonely', '42')]));
    expect(model.nodes.map((n) => n.id)).toEqual(['total', 'a', 'b', 'lonely']);
    expect(model.edges.map((e) => e.id).sort()).toEqual([edgeId('a', 'b'), edgeId('a', 'total'), edgeId('b', 'total')].sort());
    expect(model.nodes.find((n) => n.id === 'a')?.readers.sort()).toEqual(['b', 'total']);
    expect(model.nodes.find((n) => n.id === 'lonely')).toMatchObject({ inputs: [], readers: [], problem: null });
  });

  it('marks the cells and edges of a cycle, and not the edge that only leads into it', () => {
    const model = lineageModel(buildGraph([js('start', '1'), js('a', 'b + start'), js('b', 'a')]));
    expect(model.nodes.find((n) => n.id === 'a')?.problem?.kind).toBe('cycle');
    expect(model.nodes.find((n) => n.id === 'b')?.problem?.message).toMatch(/circular definition: b → a → b/);
    const cyclic = model.edges.filter((e) => e.inCycle).map((e) => e.id).sort();
    expect(cyclic).toEqual([edgeId('a', 'b'), edgeId('b', 'a')].sort());
    expect(model.edges.find((e) => e.id === edgeId('start', 'a'))?.inCycle).toBe(false);
  });

  it('puts an unknown name on the cell that reads it', () => {
    const model = lineageModel(buildGraph([js('x', 'nope + 1')]));
    expect(model.nodes[0].problem).toEqual({ kind: 'undefined', message: 'nope is not defined' });
  });

  it('tells a $name parameter edge from a table read, and keeps the engine of SQL cells', () => {
    const model = lineageModel(buildGraph([input('year'), sql('flights', []), sql('q', ['flights'], ['year'])]));
    expect(model.edges.find((e) => e.from === 'year')).toMatchObject({ to: 'q', parameter: true });
    expect(model.edges.find((e) => e.from === 'flights')).toMatchObject({ to: 'q', parameter: false });
    expect(model.nodes.find((n) => n.id === 'q')?.engine).toBe('browser');
    expect(model.nodes.find((n) => n.id === 'year')?.engine).toBeNull();
  });

  it('has the same shape after an edit that changes no dependency, and another when one changes', () => {
    const before = lineageShape(lineageModel(buildGraph([js('a', '1'), js('b', 'a')])));
    expect(lineageShape(lineageModel(buildGraph([js('a', '2'), js('b', 'a * 3')])))).toBe(before);
    expect(lineageShape(lineageModel(buildGraph([js('a', '2'), js('b', '3')])))).not.toBe(before);
  });
});

describe('lineage layout', () => {
  it('places inputs left of their readers', () => {
    const layout = layoutLineage(lineageModel(buildGraph([js('c', 'b'), js('a', '1'), js('b', 'a')])));
    const x = (id: string) => layout.nodes.get(id)!.x;
    expect(x('a')).toBeLessThan(x('b'));
    expect(x('b')).toBeLessThan(x('c'));
    const route = layout.edges.get(edgeId('a', 'b'))!;
    expect(route[0].x).toBeCloseTo(x('a') + NODE_WIDTH, 0);
    expect(route[route.length - 1].x).toBeCloseTo(x('b'), 0);
  });

  it('lays out 200 cells of mixed shapes with no two nodes overlapping, inside its bounds', () => {
    const cells: GraphCell[] = [];
    for (let i = 0; i < 40; i++) {
      // A chain of three with a fan-in, then two cells nobody reads.
      cells.push(js(`raw${i}`, '1'), js(`clean${i}`, `raw${i} + 1`), js(`joined${i}`, `clean${i} + raw${i} + ${i > 0 ? `joined${i - 1}` : '0'}`));
      cells.push(js(`note${i}`, `${i}`), js(`other${i}`, `${i} * 2`));
    }
    const model = lineageModel(buildGraph(cells));
    expect(model.nodes).toHaveLength(200);
    const layout = layoutLineage(model);
    expect(layout.nodes.size).toBe(200);
    expect(overlaps(layout)).toEqual([]);
    for (const p of layout.nodes.values()) {
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.x + NODE_WIDTH).toBeLessThanOrEqual(layout.width + 0.5);
      expect(p.y + NODE_HEIGHT).toBeLessThanOrEqual(layout.height + 0.5);
    }
    expect(layout.edges.size).toBe(model.edges.length);
  });

  it('packs independent cells into rows instead of one tall column', () => {
    const layout = layoutLineage(lineageModel(buildGraph(Array.from({ length: 100 }, (_, i) => js(`c${i}`, `${i}`)))));
    expect(overlaps(layout)).toEqual([]);
    expect(layout.width / layout.height).toBeGreaterThan(0.7);
    expect(layout.width / layout.height).toBeLessThan(3);
  });

  it('lays out a cycle and a self-reading cell without failing', () => {
    const layout = layoutLineage(lineageModel(buildGraph([js('a', 'b'), js('b', 'a'), js('me', 'me + 1')])));
    expect(layout.nodes.size).toBe(3);
    expect(overlaps(layout)).toEqual([]);
  });

  it('draws an edge path that starts and ends on its route’s ends', () => {
    const path = edgePath([{ x: 0, y: 0 }, { x: 50, y: 10 }, { x: 100, y: 40 }]);
    expect(path.startsWith('M0,0')).toBe(true);
    expect(path.endsWith('L100,40')).toBe(true);
    expect(edgePath([{ x: 1, y: 2 }, { x: 3, y: 4 }])).toBe('M1,2L3,4');
  });
});

describe('lineage viewport', () => {
  it('fits a small graph centred, never enlarged', () => {
    expect(fitView({ width: 200, height: 100 }, { width: 1000, height: 600 })).toEqual({ x: 400, y: 250, k: 1 });
  });

  it('shows a graph too big to read whole from its start at a readable scale', () => {
    const view = fitView({ width: 8000, height: 6000 }, { width: 800, height: 600 }, { readable: true });
    expect(view).toEqual({ x: 24, y: 24, k: READABLE_SCALE });
    expect(fitView({ width: 8000, height: 6000 }, { width: 800, height: 600 }).k).toBeLessThan(READABLE_SCALE);
  });

  it('zooms about the pointer, which stays over the same point', () => {
    const view = zoomAt({ x: 10, y: 20, k: 1 }, 2, 110, 220);
    expect(view).toEqual({ x: -90, y: -180, k: 2 });
    expect(zoomAt(view, 1000, 0, 0).k).toBe(2.5);
  });

  it('pans to reveal a box off screen, and not when it shows', () => {
    const view = { x: 0, y: 0, k: 1 };
    expect(reveal(view, { x: 10_000, y: 50, width: 220, height: 64 }, { width: 800, height: 600 })).toEqual(panBy(view, 800 - 24 - 10_220, 0));
    expect(reveal(view, { x: 100, y: 100, width: 220, height: 64 }, { width: 800, height: 600 })).toEqual(view);
  });
});

describe('lineage status words', () => {
  it('uses the cells’ status words, with the age, error or blocker after them', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(statusLine('done', { resultAt: new Date(now - 5 * 60_000), now })).toBe('done · 5 min ago');
    expect(statusLine('error', { error: 'x is not defined' })).toBe('error · x is not defined');
    expect(statusLine('blocked', { blockedBy: 'flights' })).toBe('blocked by flights');
    expect(statusLine('idle', {})).toBe('idle');
    expect(statusLine('running', {})).toBe('running');
  });
});
