import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { runAuthors } from '../../server/notebooks/run-attribution.js';

/** What a client's edit would send the server: the update from `server`'s state to `client`'s. */
function edit(server: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  const client = new Y.Doc();
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
  const before = Y.encodeStateVector(client);
  change(client);
  return Y.encodeStateAsUpdate(client, before);
}

describe('run attribution', () => {
  it('reads who a new run request says started it', () => {
    const server = new Y.Doc();
    const update = edit(server, (d) => d.getMap('runs').set('c1', { runId: 'r1', by: 'Ana', at: '2026-01-01' }));
    expect(runAuthors(server, Y.decodeUpdate(update))).toEqual(['Ana']);
  });

  it('reads a run request that replaces one the server already has (its parent is only implied)', () => {
    const server = new Y.Doc();
    Y.applyUpdate(server, edit(server, (d) => d.getMap('runs').set('c1', { runId: 'r1', by: 'Ana', at: 'a' })));
    const update = edit(server, (d) => d.getMap('runs').set('c1', { runId: 'r2', by: 'Mallory', at: 'b' }));
    expect(Y.decodeUpdate(update).structs.every((s) => (s as Y.Item).parent === null)).toBe(true);
    expect(runAuthors(server, Y.decodeUpdate(update))).toEqual(['Mallory']);
  });

  it('reads a request whose parent is implied by an earlier one in the same update (an offline client syncing)', () => {
    const server = new Y.Doc();
    const update = edit(server, (d) => {
      d.transact(() => d.getMap('runs').set('c1', { runId: 'r1', by: 'Ana', at: 'a' }));
      d.transact(() => d.getMap('runs').set('c1', { runId: 'r2', by: 'Eve', at: 'b' }));
    });
    const items = Y.decodeUpdate(update).structs as Y.Item[];
    expect(items.some((s) => s.parent === null && s.content instanceof Y.ContentAny)).toBe(true);
    // The replaced request travels as deleted content: only the live one names anybody.
    expect(runAuthors(server, Y.decodeUpdate(update))).toEqual(['Eve']);
  });

  it('ignores a `by` anywhere but the runs map', () => {
    const server = new Y.Doc();
    const update = edit(server, (d) => {
      d.getMap('cells').set('c1', { by: 'Mallory' });
      const nested = new Y.Map();
      d.getMap('meta').set('x', nested);
      nested.set('run', { by: 'Mallory' });
      d.getArray('order').push([{ by: 'Mallory' }]);
    });
    expect(runAuthors(server, Y.decodeUpdate(update))).toEqual([]);
  });
});
