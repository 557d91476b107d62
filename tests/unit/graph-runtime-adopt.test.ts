import { describe, expect, it } from 'vitest';
import { buildGraph, jsDependencies, Runtime, type GraphCell } from '../../kernels/graph/index.js';

function js(name: string, source: string): GraphCell {
  const deps = jsDependencies(source);
  if (!deps.ok) throw new Error(deps.error.message);
  return { id: name, name, kind: 'js', source, inputs: deps.inputs };
}

function recorder() {
  const calls: string[] = [];
  const executor = async (cell: GraphCell, inputs: Map<string, unknown>) => {
    calls.push(cell.id);
    return new Function(...inputs.keys(), `return (${cell.source});`)(...inputs.values());
  };
  return { calls, executor };
}

describe('runtime: results adopted from elsewhere (a painted server result)', () => {
  it('an adopted result under the cell’s key is done, reused by a run, and fed to what reads it', async () => {
    const h = recorder();
    const graph = buildGraph([js('a', '1'), js('b', 'a + 1')]);
    const runtime = new Runtime(graph, h.executor);
    expect(runtime.adopt('a', graph.node('a')!.key!, 41)).toBe(true);
    expect(runtime.state('a')).toMatchObject({ status: 'done', value: 41 });
    await runtime.runAll();
    expect(h.calls).toEqual(['b']);
    expect(runtime.state('b')).toMatchObject({ status: 'done', value: 42 });
  });

  it('an adopted result under another key is stale, and a run recomputes it', async () => {
    const h = recorder();
    const runtime = new Runtime(buildGraph([js('a', '1')]), h.executor);
    runtime.adopt('a', 'some-other-key', 7);
    expect(runtime.state('a')?.status).toBe('stale');
    await runtime.runAll();
    expect(h.calls).toEqual(['a']);
    expect(runtime.state('a')).toMatchObject({ status: 'done', value: 1 });
  });

  it('never replaces a result the page computed itself', async () => {
    const h = recorder();
    const graph = buildGraph([js('a', '1')]);
    const runtime = new Runtime(graph, h.executor);
    await runtime.runAll();
    expect(runtime.adopt('a', graph.node('a')!.key!, 99)).toBe(false);
    expect(runtime.state('a')).toMatchObject({ status: 'done', value: 1 });
  });
});
