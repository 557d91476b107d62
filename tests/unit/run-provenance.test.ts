import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { buildGraph, canonicalJson, type GraphCell } from '../../kernels/graph/index.js';
import { createRunRecorder, serverRunProvenance, type FinishedRun, type RecordedOutput } from '../../src/lib/notebook/run/provenance.js';
import type { BrowserRunBody } from '../../src/lib/contract/provenance.js';

/**
 * What the page reports of its runs: a browser SQL run's key, its inputs (the cells it read,
 * not the input cells, whose values are its parameters) and the SHA-256 of its Arrow IPC
 * bytes; a JS value's hash over its canonical JSON; nothing for server cells or readers.
 */
const cells: GraphCell[] = [
  { id: 'i1', name: 'min', kind: 'input', inputs: [], params: { type: 'number', value: 5 } },
  { id: 'a', name: 'a', kind: 'sql', inputs: [], source: 'select 1 as x', engine: 'browser' },
  { id: 'b', name: 'b', kind: 'sql', inputs: ['a'], parameters: ['min'], source: 'select x from a where x > $min', engine: 'browser' },
  { id: 's', name: 's', kind: 'sql', inputs: ['a'], source: 'select * from a', engine: 'warehouse' },
  { id: 'j', name: 'j', kind: 'js', inputs: ['b'], source: 'b.numRows' }
];
const graph = buildGraph(cells);
const sha = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

function recorder(mayRecord = true) {
  const posted: BrowserRunBody[] = [];
  const errors: unknown[] = [];
  const record = createRunRecorder({ record: async (run) => posted.push(run), mayRecord: () => mayRecord, onError: (e) => errors.push(e) });
  const finish = async (id: string, output: RecordedOutput) => {
    const run: FinishedRun = { cell: graph.node(id)!.cell, key: graph.node(id)!.key!, graph, output, durationMs: 42 };
    await record(run);
  };
  return { posted, errors, finish };
}

describe('the provenance of the page’s runs', () => {
  it('reports a browser SQL run with its key, the cells it read, its bound inputs and the hash of its Arrow IPC bytes', async () => {
    const { posted, errors, finish } = recorder();
    const table = tableFromArrays({ x: Int32Array.from([1, 2, 3]) });
    await finish('b', { kind: 'sql', table });
    expect(errors).toEqual([]);
    expect(posted).toEqual([
      {
        resultKey: graph.node('b')!.key,
        cellId: 'b',
        kind: 'sql',
        source: 'select x from a where x > $min',
        params: { min: 5 },
        inputs: [graph.node('a')!.key],
        durationMs: 42,
        rows: 3,
        resultHash: sha(tableToIPC(table, 'stream'))
      }
    ]);
  });

  it('hashes a JS value by its canonical JSON, so key order does not change it', async () => {
    const { posted, finish } = recorder();
    await finish('j', { kind: 'js', value: { kind: 'json', value: { b: 2, a: [1, 'x'] } } });
    expect(posted[0]).toMatchObject({ kind: 'js', rows: null, inputs: [graph.node('b')!.key], resultHash: sha(canonicalJson({ a: [1, 'x'], b: 2 })) });
  });

  it('leaves server cells to the server, which gets their key and inputs with the query', async () => {
    const { posted, finish } = recorder();
    await finish('s', { kind: 'sql', table: tableFromArrays({ x: [1] }), server: { connectionId: 'warehouse', runId: 'r1' } });
    expect(posted).toEqual([]);
    expect(serverRunProvenance(graph, 's')).toEqual({ provenance: { resultKey: graph.node('s')!.key, inputs: [graph.node('a')!.key] } });
  });

  it('reports nothing for a reader, nor for an input cell', async () => {
    const reader = recorder(false);
    await reader.finish('a', { kind: 'sql', table: tableFromArrays({ x: [1] }) });
    expect(reader.posted).toEqual([]);
    const editor = recorder();
    await editor.finish('i1', { kind: 'input' });
    expect(editor.posted).toEqual([]);
  });
});
