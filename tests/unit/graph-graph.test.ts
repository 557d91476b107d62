import { describe, expect, it } from 'vitest';
import { buildGraph, jsDependencies, type GraphCell, type Leaf } from '../../kernels/graph/index.js';

/** A JS cell whose inputs come from the real dependency analysis. */
function js(name: string, source: string, id = name): GraphCell {
  const deps = jsDependencies(source);
  return deps.ok
    ? { id, name, kind: 'js', source, inputs: deps.inputs, inputPositions: deps.positions }
    : { id, name, kind: 'js', source, inputs: [], parseError: deps.error };
}

/** A SQL cell reading `tables` (as DuckDB's getTableNames would report them). */
function sql(name: string, tables: string[], source = `select * from ${tables.join(', ') || 'range(1)'}`, id = name): GraphCell {
  return { id, name, kind: 'sql', source, engine: 'browser', inputs: tables };
}

const leaves: Leaf[] = [
  { name: 'airports', kind: 'sample', key: 'v1' },
  { name: 'uploads', kind: 'file', key: 'hash-1' }
];

describe('graph order', () => {
  it('puts every input before its readers, even when shown after them', () => {
    const graph = buildGraph([js('total', 'a + b'), js('a', '1'), js('b', 'a * 2')]);
    expect(graph.order).toEqual(['a', 'b', 'total']);
  });

  it('keeps display order among cells that do not depend on each other', () => {
    const graph = buildGraph([js('x', '1'), js('y', '2'), js('z', 'x + 1'), js('w', '3')]);
    expect(graph.order).toEqual(['x', 'y', 'z', 'w']);
  });

  it('knows each cell’s upstream and downstream', () => {
    const graph = buildGraph([js('a', '1'), js('b', 'a'), js('c', 'b'), js('d', '4')]);
    expect(graph.upstream('c')).toEqual(['a', 'b']);
    expect(graph.downstream('a')).toEqual(['b', 'c']);
  });

  it('resolves SQL names to cells, then files and samples, and passes unknown tables to the engine', () => {
    const graph = buildGraph([sql('q', ['Flights', 'airports', 'uploads', 'warehouse_table']), sql('flights', [])], leaves);
    expect(graph.node('q')!.inputs).toEqual([
      { name: 'Flights', kind: 'cell', id: 'flights' },
      { name: 'airports', kind: 'sample', key: 'v1' },
      { name: 'uploads', kind: 'file', key: 'hash-1' },
      { name: 'warehouse_table', kind: 'external' }
    ]);
    expect(graph.node('q')!.error).toBeNull();
  });
});

describe('graph errors are values on the cells involved', () => {
  it('marks every cell of a cycle, names the loop, and blocks only what reads it', () => {
    const graph = buildGraph([js('a', 'c + 1'), js('b', 'a + 1'), js('c', 'b + 1'), js('d', 'c'), js('free', '42')]);
    expect(graph.node('a')!.error).toMatchObject({ kind: 'cycle', message: 'circular definition: a → b → c → a' });
    expect(graph.node('b')!.error!.message).toBe('circular definition: b → c → a → b');
    expect(graph.node('d')!.blockedBy).toBe('c');
    expect(graph.node('free')!.error).toBeNull();
    expect(graph.node('free')!.key).not.toBeNull();
    expect(graph.order).toHaveLength(5);
  });

  it('calls a cell that reads itself a cycle', () => {
    expect(buildGraph([sql('t', ['t'])]).node('t')!.error!.message).toBe('circular definition: t → t');
  });

  it('marks every cell sharing a name as duplicate, and blocks their readers', () => {
    const graph = buildGraph([js('x', '1', 'c1'), js('x', '2', 'c2'), js('y', 'x + 1'), js('z', '3')]);
    expect(graph.node('c1')!.error).toMatchObject({ kind: 'duplicate', message: 'x is defined by 2 cells' });
    expect(graph.node('c2')!.error!.kind).toBe('duplicate');
    expect(graph.node('y')!.blockedBy).toBe('c1');
    expect(graph.node('z')!.key).not.toBeNull();
  });

  it('says "x is not defined" for a JS cell reading an unknown name, pointing at it', () => {
    const source = 'const a = 1;\na + missing';
    const graph = buildGraph([js('v', source)]);
    expect(graph.node('v')!.error).toMatchObject({ kind: 'undefined', message: 'missing is not defined', position: source.indexOf('missing') });
  });

  it('lets JS read samples and files but not unknown engine tables', () => {
    const graph = buildGraph([js('v', 'airports.numRows + uploads.numRows')], leaves);
    expect(graph.node('v')!.error).toBeNull();
  });

  it('reports a name that is both a cell and a sample as ambiguous on its reader', () => {
    const graph = buildGraph([sql('airports', []), sql('q', ['airports'])], leaves);
    expect(graph.node('q')!.error).toMatchObject({ kind: 'ambiguous', message: 'airports names both a cell and a sample; rename one' });
    expect(graph.node('airports')!.error).toBeNull();
  });

  it('shows a parse error on its cell and blocks its readers', () => {
    const graph = buildGraph([js('a', 'const = 1'), js('b', 'a')]);
    expect(graph.node('a')!.error).toMatchObject({ kind: 'syntax', position: 6 });
    expect(graph.node('b')!.blockedBy).toBe('a');
    expect(graph.node('b')!.key).toBeNull();
  });
});

describe('graph keys', () => {
  it('are equal for the same cells and inputs', () => {
    const cells = () => [js('a', '1'), js('b', 'a * 2')];
    expect(buildGraph(cells()).node('b')!.key).toBe(buildGraph(cells()).node('b')!.key);
  });

  it('change downstream when an upstream source changes, and nowhere else', () => {
    const before = buildGraph([js('a', '1'), js('b', 'a * 2'), js('c', 'b'), js('other', '7')]);
    const after = buildGraph([js('a', '2'), js('b', 'a * 2'), js('c', 'b'), js('other', '7')]);
    for (const id of ['a', 'b', 'c']) expect(after.node(id)!.key).not.toBe(before.node(id)!.key);
    expect(after.node('other')!.key).toBe(before.node('other')!.key);
  });

  it('change when a file a cell reads changes', () => {
    const one = buildGraph([sql('q', ['uploads'])], leaves);
    const two = buildGraph([sql('q', ['uploads'])], [{ name: 'uploads', kind: 'file', key: 'hash-2' }]);
    expect(two.node('q')!.key).not.toBe(one.node('q')!.key);
  });

  it('do not change when a cell is only renamed', () => {
    expect(buildGraph([js('a', '1')]).node('a')!.key).toBe(buildGraph([js('renamed', '1', 'a')]).node('a')!.key);
  });

  it('turn parameters that cannot be keyed into an error on that cell', () => {
    const graph = buildGraph([{ ...sql('q', []), params: [NaN] }]);
    expect(graph.node('q')!.error!.kind).toBe('key');
  });
});

describe('graph plans', () => {
  const cells = [js('a', '1'), js('b', 'a + 1'), js('c', 'b + 1'), js('d', 'a + 10'), js('e', '5')];

  it('marks an edited cell and everything downstream stale, nothing else', () => {
    const before = buildGraph(cells);
    const results = (id: string) => before.node(id)!.key ?? undefined;
    const after = buildGraph([js('a', '1'), js('b', 'a + 2'), js('c', 'b + 1'), js('d', 'a + 10'), js('e', '5')]);
    const stale = after.order.filter((id) => !after.isUpToDate(id, results));
    expect(stale).toEqual(['b', 'c']);
  });

  it('runs a cell, its stale dependents and its stale inputs, in topological order', () => {
    const graph = buildGraph(cells);
    const ran = new Map([['e', graph.node('e')!.key!]]);
    // Nothing has run: running c needs a and b first; d is not c's business.
    expect(graph.plan('c', (id) => ran.get(id))).toEqual(['a', 'b', 'c']);
    // Running a re-runs everything that reads it.
    expect(graph.plan('a', (id) => ran.get(id))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('leaves up-to-date dependents and inputs out, unless asked to refresh', () => {
    const graph = buildGraph(cells);
    const all = (id: string) => graph.node(id)!.key ?? undefined;
    expect(graph.plan('b', all)).toEqual(['b']);
    expect(graph.plan('b', all, { refresh: true })).toEqual(['b', 'c']);
  });

  it('pulls in the other stale inputs of a dependent', () => {
    const graph = buildGraph([js('a', '1'), js('x', '2'), js('sum', 'a + x')]);
    const ran = new Map([['a', graph.node('a')!.key!]]);
    expect(graph.plan('a', (id) => ran.get(id))).toEqual(['a', 'x', 'sum']);
  });

  it('plans Run all as every cell that is not up to date', () => {
    const graph = buildGraph(cells);
    const ran = new Map([['a', graph.node('a')!.key!], ['e', graph.node('e')!.key!]]);
    expect(graph.planAll((id) => ran.get(id))).toEqual(['b', 'c', 'd']);
    expect(graph.planAll((id) => ran.get(id), { refresh: true })).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
