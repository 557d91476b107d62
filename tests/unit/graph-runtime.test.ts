import { describe, expect, it, vi } from 'vitest';
import { buildGraph, jsDependencies, Runtime, type GraphCell } from '../../kernels/graph/index.js';

/** A JS cell whose inputs come from the real dependency analysis. */
function js(name: string, source: string): GraphCell {
  const deps = jsDependencies(source);
  if (!deps.ok) throw new Error(deps.error.message);
  return { id: name, name, kind: 'js', source, inputs: deps.inputs };
}

/** A promise the test resolves by hand. */
function deferred<T = unknown>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/**
 * An executor that evaluates a cell's source as an expression over its inputs (enough for
 * these tests), records every call, and can be held open per cell with `hold`.
 */
function harness() {
  const calls: string[] = [];
  const signals = new Map<string, AbortSignal[]>();
  const holds = new Map<string, Array<ReturnType<typeof deferred>>>();
  const executor = async (cell: GraphCell, inputs: Map<string, unknown>, signal: AbortSignal) => {
    calls.push(cell.id);
    signals.set(cell.id, [...(signals.get(cell.id) ?? []), signal]);
    const gate = holds.get(cell.id)?.shift();
    if (gate) await gate.promise;
    const fn = new Function(...inputs.keys(), `return (${cell.source});`);
    return fn(...inputs.values());
  };
  const hold = (id: string) => {
    const gate = deferred();
    holds.set(id, [...(holds.get(id) ?? []), gate]);
    return gate;
  };
  return { calls, signals, executor, hold };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('runtime', () => {
  it('runs cells in topological order and hands each its inputs by name', async () => {
    const h = harness();
    const runtime = new Runtime(buildGraph([js('total', 'a + b'), js('a', '1'), js('b', 'a * 2')]), h.executor);
    await runtime.runAll();
    expect(h.calls).toEqual(['a', 'b', 'total']);
    expect(runtime.state('total')).toMatchObject({ status: 'done', value: 3 });
  });

  it('runs independent branches at the same time', async () => {
    const h = harness();
    const gateX = h.hold('x');
    const gateY = h.hold('y');
    const runtime = new Runtime(buildGraph([js('x', '1'), js('y', '2'), js('z', 'x + y')]), h.executor);
    const run = runtime.runAll();
    await tick();
    expect([runtime.state('x')!.status, runtime.state('y')!.status, runtime.state('z')!.status]).toEqual(['running', 'running', 'queued']);
    gateY.resolve(undefined);
    gateX.resolve(undefined);
    await run;
    expect(runtime.state('z')!.value).toBe(3);
  });

  it('does not re-run a cell whose key is unchanged, even when asked to run it', async () => {
    const h = harness();
    const runtime = new Runtime(buildGraph([js('a', '1'), js('b', 'a + 1')]), h.executor);
    await runtime.runAll();
    await runtime.runAll();
    await runtime.runCell('b');
    expect(h.calls).toEqual(['a', 'b']);
    expect(runtime.state('b')).toMatchObject({ status: 'done', value: 2 });
  });

  it('marks an edited cell and its dependents stale without running, keeping the old value', async () => {
    const h = harness();
    const runtime = new Runtime(buildGraph([js('a', '1'), js('b', 'a + 1'), js('c', '10')]), h.executor);
    await runtime.runAll();
    runtime.setGraph(buildGraph([js('a', '2'), js('b', 'a + 1'), js('c', '10')]));
    expect(runtime.state('a')).toMatchObject({ status: 'stale', value: 1 });
    expect(runtime.state('b')!.status).toBe('stale');
    expect(runtime.state('c')!.status).toBe('done');
    expect(h.calls).toHaveLength(3);

    await runtime.runCell('a');
    expect(h.calls.slice(3)).toEqual(['a', 'b']);
    expect(runtime.state('b')).toMatchObject({ status: 'done', value: 3 });
  });

  it('reuses the old result again when an edit is undone', async () => {
    const h = harness();
    const cells = [js('a', '1'), js('b', 'a + 1')];
    const runtime = new Runtime(buildGraph(cells), h.executor);
    await runtime.runAll();
    runtime.setGraph(buildGraph([js('a', '5'), js('b', 'a + 1')]));
    runtime.setGraph(buildGraph(cells));
    expect(runtime.state('b')!.status).toBe('done');
  });

  it('leaves an empty cell idle: never run, and what reads it is blocked by it', async () => {
    const h = harness();
    const empty = { ...js('blank', ''), empty: true };
    const runtime = new Runtime(buildGraph([empty, js('reader', 'blank + 1'), js('fine', '7')]), h.executor);
    await runtime.runAll();
    expect(h.calls).toEqual(['fine']);
    expect(runtime.state('blank')!.status).toBe('idle');
    expect(runtime.state('reader')).toMatchObject({ status: 'blocked', blockedBy: 'blank' });
    // Typed into: it runs, and its reader with it.
    runtime.setGraph(buildGraph([js('blank', '41'), js('reader', 'blank + 1'), js('fine', '7')]));
    expect(runtime.state('blank')!.status).toBe('idle');
    await runtime.runAll();
    expect(runtime.state('reader')).toMatchObject({ status: 'done', value: 42 });
  });

  it('marks an errored cell stale when it is edited, like any other', async () => {
    const h = harness();
    const runtime = new Runtime(buildGraph([js('bad', 'null.boom')]), h.executor);
    await runtime.runAll();
    expect(runtime.state('bad')!.status).toBe('error');
    runtime.setGraph(buildGraph([js('bad', '1')]));
    expect(runtime.state('bad')!.status).toBe('stale');
  });

  it('turns a failing cell into an error, blocks its dependents and still runs the rest', async () => {
    const h = harness();
    const runtime = new Runtime(
      buildGraph([js('bad', 'null.boom'), js('reader', 'bad + 1'), js('further', 'reader'), js('fine', '7')]),
      h.executor
    );
    await expect(runtime.runAll()).resolves.toBeUndefined();
    expect(runtime.state('bad')).toMatchObject({ status: 'error', error: { cellId: 'bad', kind: 'runtime' } });
    expect(runtime.state('reader')).toMatchObject({ status: 'blocked', blockedBy: 'bad' });
    expect(runtime.state('further')).toMatchObject({ status: 'blocked', blockedBy: 'bad' });
    expect(runtime.state('fine')).toMatchObject({ status: 'done', value: 7 });
    expect(h.calls).not.toContain('reader');
  });

  it('shows cycle, unknown-name and duplicate errors on their cells and runs the rest', async () => {
    const h = harness();
    const graph = buildGraph([
      js('p', 'q'),
      js('q', 'p'),
      js('u', 'nowhere + 1'),
      { ...js('dup', '1'), id: 'dup1' },
      { ...js('dup', '2'), id: 'dup2' },
      js('ok', '40 + 2')
    ]);
    const runtime = new Runtime(graph, h.executor);
    expect(runtime.state('p')).toMatchObject({ status: 'error', error: { kind: 'cycle' } });
    await runtime.runAll();
    expect(runtime.state('q')!.error!.kind).toBe('cycle');
    expect(runtime.state('u')!.error!.message).toBe('nowhere is not defined');
    expect(runtime.state('dup1')!.error!.kind).toBe('duplicate');
    expect(runtime.state('ok')).toMatchObject({ status: 'done', value: 42 });
    expect(h.calls).toEqual(['ok']);
  });

  it('re-runs a failed cell rather than reusing its error', async () => {
    let fail = true;
    const runtime = new Runtime(buildGraph([js('flaky', '1')]), async () => {
      if (fail) throw new Error('network down');
      return 'ok';
    });
    await runtime.runAll();
    expect(runtime.state('flaky')!.error!.message).toBe('network down');
    fail = false;
    await runtime.runAll();
    expect(runtime.state('flaky')).toMatchObject({ status: 'done', value: 'ok' });
  });

  it('discards a result that arrives after an edit made it stale', async () => {
    const h = harness();
    const gate = h.hold('a');
    const runtime = new Runtime(buildGraph([js('a', '1'), js('b', 'a + 1')]), h.executor);
    const run = runtime.runAll();
    await tick();
    const version = runtime.state('a')!.version;
    runtime.setGraph(buildGraph([js('a', '2'), js('b', 'a + 1')]));
    expect(h.signals.get('a')![0].aborted).toBe(true);
    gate.resolve(undefined);
    await run;
    expect(runtime.state('a')!.status).toBe('idle');
    expect(runtime.state('a')!.value).toBeUndefined();
    expect(runtime.state('a')!.version).toBeGreaterThan(version);
    expect(h.calls).toEqual(['a']);
  });

  it('aborts a superseded run and keeps only the newer result, even when the older finishes last', async () => {
    let round = 0;
    const gates = [deferred<string>(), deferred<string>()];
    const signals: AbortSignal[] = [];
    const runtime = new Runtime(buildGraph([js('slow', '"x"'), js('after', 'slow')]), async (cell, inputs, signal) => {
      if (cell.id === 'after') return `after(${inputs.get('slow')})`;
      signals.push(signal);
      // The executor ignores its signal on purpose: the runtime must not wait for it.
      return gates[round++].promise;
    });
    const first = runtime.run(['slow', 'after'], { force: true });
    await tick();
    const second = runtime.run(['slow'], { force: true });
    await tick();
    expect(signals[0].aborted).toBe(true);
    expect(signals[1].aborted).toBe(false);
    gates[1].resolve('new');
    await second;
    gates[0].resolve('old');
    await first;
    expect(runtime.state('slow')!.value).toBe('new');
    // The older run's dependent followed the newer computation instead of the dropped one.
    expect(runtime.state('after')!.value).toBe('after(new)');
  });

  it('joins a computation already under way with the same key instead of restarting it', async () => {
    const h = harness();
    const gate = h.hold('a');
    const runtime = new Runtime(buildGraph([js('a', '1'), js('b', 'a + 1')]), h.executor);
    const first = runtime.runCell('a');
    await tick();
    const second = runtime.runCell('b');
    gate.resolve(undefined);
    await Promise.all([first, second]);
    expect(h.calls.filter((id) => id === 'a')).toHaveLength(1);
    expect(runtime.state('b')!.value).toBe(2);
  });

  it('tells listeners which cells changed, batched, and survives a throwing listener', async () => {
    const onListenerError = vi.fn();
    const runtime = new Runtime(buildGraph([js('a', '1'), js('b', 'a + 1')]), harness().executor, { onListenerError });
    const seen: string[][] = [];
    runtime.subscribe(() => {
      throw new Error('broken view');
    });
    const unsubscribe = runtime.subscribe((ids) => seen.push([...ids]));
    await runtime.runAll();
    await tick();
    expect(new Set(seen.flat())).toEqual(new Set(['a', 'b']));
    expect(onListenerError).toHaveBeenCalled();
    unsubscribe();
    const count = seen.length;
    runtime.setGraph(buildGraph([js('a', '2'), js('b', 'a + 1')]));
    await tick();
    expect(seen.length).toBe(count);
  });

  it('refresh re-runs a cell and every dependent even when keys are unchanged', async () => {
    const h = harness();
    const runtime = new Runtime(buildGraph([js('a', '1'), js('b', 'a + 1'), js('c', '3')]), h.executor);
    await runtime.runAll();
    await runtime.runCell('a', { refresh: true });
    expect(h.calls.slice(3)).toEqual(['a', 'b']);
  });

  it('cancel stops a running cell: it ends as "Run cancelled", its dependents are blocked, the rest still runs', async () => {
    const h = harness();
    const runtime = new Runtime(buildGraph([js('slow', '1'), js('after', 'slow + 1'), js('other', '2')]), h.executor);
    h.hold('slow');
    const run = runtime.runAll();
    await expect.poll(() => runtime.state('slow')?.status).toBe('running');
    expect(runtime.cancel('slow')).toBe(true);
    await run;
    expect(runtime.state('slow')).toMatchObject({ status: 'error', error: { kind: 'runtime', message: 'Run cancelled' } });
    expect(h.signals.get('slow')![0].aborted).toBe(true);
    expect(runtime.state('after')).toMatchObject({ status: 'blocked', blockedBy: 'slow' });
    expect(runtime.state('other')).toMatchObject({ status: 'done', value: 2 });
    expect(runtime.cancel('other')).toBe(false);
  });

  it('keeps the position an executor error carries, so the editor can underline it', async () => {
    const executor = async () => {
      throw Object.assign(new Error('Referenced column "nope" not found'), { position: 7 });
    };
    const runtime = new Runtime(buildGraph([{ id: 'q', name: 'q', kind: 'sql', source: 'select nope', inputs: [] }]), executor);
    await runtime.runAll();
    expect(runtime.state('q')?.error).toMatchObject({ kind: 'runtime', position: 7 });
  });
});
