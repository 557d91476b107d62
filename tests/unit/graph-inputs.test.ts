import * as Y from 'yjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { blockingDuckDb } from '../support/duckdb.js';
import { insertCell, setConfigValue, type ConfigValue, type NewCell } from '../../src/lib/doc/index.js';
import { GraphCells } from '../../src/lib/notebook/run/graph-cells.js';
import { buildGraph, DuckDbSqlParser, parameterInputs, Runtime, type GraphCell, type SqlParser } from '../../kernels/graph/index.js';

let parser: SqlParser;

beforeAll(async () => {
  const db = await blockingDuckDb();
  parser = new DuckDbSqlParser(db.connect());
}, 60_000);

function notebook(cells: NewCell[]): { doc: Y.Doc; ids: Record<string, string> } {
  const doc = new Y.Doc();
  const ids: Record<string, string> = {};
  for (const c of cells) ids[c.name ?? ''] = insertCell(doc, c);
  return { doc, ids };
}

const input = (name: string, config: Record<string, ConfigValue>): NewCell => ({ kind: 'input', name, config: { label: name, ...config } });

async function graphOf(doc: Y.Doc, cells = new GraphCells(parser)) {
  return buildGraph(await cells.read(doc));
}

describe('input cells in the graph', () => {
  it('makes a SQL cell reading $name and a JS cell reading name depend on the input', async () => {
    const { doc, ids } = notebook([
      input('threshold', { type: 'number', value: 5 }),
      { kind: 'sql', name: 'big', source: 'select * from range(10) t(x) where x > $threshold' },
      { kind: 'js', name: 'twice', source: 'threshold * 2' },
      { kind: 'sql', name: 'other', source: "select '$threshold' as s -- $threshold" }
    ]);
    const graph = await graphOf(doc);
    expect(graph.node(ids.big)!.inputIds).toEqual([ids.threshold]);
    expect(graph.node(ids.twice)!.inputIds).toEqual([ids.threshold]);
    expect(graph.node(ids.other)!.inputIds).toEqual([]);
    expect(graph.downstream(ids.threshold)).toEqual([ids.big, ids.twice]);
    expect(parameterInputs(graph, [ids.big])).toEqual({ threshold: { type: 'number', value: 5 } });
  });

  it('re-keys exactly the cells that read an input when its value changes, and not for its label', async () => {
    const { doc, ids } = notebook([
      input('threshold', { type: 'number', value: 5 }),
      { kind: 'sql', name: 'big', source: 'select * from range(10) t(x) where x > $threshold' },
      { kind: 'sql', name: 'plain', source: 'select 1' }
    ]);
    const cells = new GraphCells(parser);
    const before = await graphOf(doc, cells);
    setConfigValue(doc, ids.threshold, 'label', 'Minimum');
    const relabelled = await graphOf(doc, cells);
    expect(relabelled.node(ids.big)!.key).toBe(before.node(ids.big)!.key);
    setConfigValue(doc, ids.threshold, 'value', 7);
    const after = await graphOf(doc, cells);
    expect(after.node(ids.threshold)!.key).not.toBe(before.node(ids.threshold)!.key);
    expect(after.node(ids.big)!.key).not.toBe(before.node(ids.big)!.key);
    expect(after.node(ids.plain)!.key).toBe(before.node(ids.plain)!.key);
  });

  it('shows an invalid value on the input and blocks the cells that read it', async () => {
    const { doc, ids } = notebook([
      input('threshold', { type: 'slider', value: 500, min: 0, max: 100 }),
      { kind: 'sql', name: 'big', source: 'select $threshold' }
    ]);
    const graph = await graphOf(doc);
    expect(graph.node(ids.threshold)!.error).toMatchObject({ kind: 'input', message: 'threshold must be a number between 0 and 100' });
    expect(graph.node(ids.big)!.blockedBy).toBe(ids.threshold);
    expect(graph.node(ids.big)!.key).toBeNull();
  });

  it('says so on the SQL cell when $name names no input, pointing at it', async () => {
    const { doc, ids } = notebook([
      { kind: 'sql', name: 'q', source: 'select * from range(3) where range > $nope' },
      { kind: 'sql', name: 'notinput', source: 'select 1' },
      { kind: 'sql', name: 'r', source: 'select $notinput' }
    ]);
    const graph = await graphOf(doc);
    expect(graph.node(ids.q)!.error).toMatchObject({ kind: 'undefined', message: '$nope is not an input: no input cell is named nope', position: 37 });
    expect(graph.node(ids.r)!.error).toMatchObject({ message: '$notinput is not an input: notinput is a sql cell, not an input' });
  });

  it('makes a select with optionsFrom depend on the cell its options come from', async () => {
    const { doc, ids } = notebook([
      { kind: 'sql', name: 'carriers', source: "select 'AA' as code" },
      input('carrier', { type: 'select', optionsFrom: 'carriers.code', value: 'AA' })
    ]);
    const graph = await graphOf(doc);
    expect(graph.node(ids.carrier)!.inputIds).toEqual([ids.carriers]);
  });

  it('re-runs only the dependents of a changed input', async () => {
    const { doc, ids } = notebook([
      input('n', { type: 'number', value: 1 }),
      { kind: 'js', name: 'a', source: 'n + 1' },
      { kind: 'js', name: 'b', source: '40 + 2' }
    ]);
    const calls: string[] = [];
    const executor = async (cell: GraphCell, inputs: Map<string, unknown>) => {
      calls.push(cell.name);
      if (cell.kind === 'input') return (cell.params as { value: unknown }).value;
      return new Function(...inputs.keys(), `return (${cell.source});`)(...inputs.values());
    };
    const cells = new GraphCells(parser);
    const runtime = new Runtime(await graphOf(doc, cells), executor);
    await runtime.runAll();
    expect(runtime.state(ids.a)!.value).toBe(2);
    calls.length = 0;
    setConfigValue(doc, ids.n, 'value', 10);
    runtime.setGraph(await graphOf(doc, cells));
    expect(runtime.state(ids.a)!.status).toBe('stale');
    expect(runtime.state(ids.b)!.status).toBe('done');
    await runtime.runCell(ids.n);
    expect(calls).toEqual(['n', 'a']);
    expect(runtime.state(ids.a)!.value).toBe(11);
  });
});
