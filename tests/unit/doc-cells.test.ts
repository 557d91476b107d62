import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  cellsOf,
  cellsToJSON,
  deleteCell,
  freshName,
  insertCell,
  moveCell,
  orderOf,
  readOrder,
  setCellEngine,
  setCellTtl,
  cellTtl,
  DEFAULT_CACHE_TTL_SECONDS,
  setProseMarkdown
} from '../../src/lib/doc/index.js';

/** Two docs that exchange updates only when `sync` is called, like two offline clients. */
function pair(): { a: Y.Doc; b: Y.Doc; sync(): void } {
  const a = new Y.Doc();
  const b = new Y.Doc();
  return {
    a,
    b,
    sync() {
      Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
      Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
    }
  };
}

describe('cells', () => {
  it('insertCell creates each kind with the fields src/lib/doc/schema.ts lists', () => {
    const doc = new Y.Doc();
    const sql = insertCell(doc, { kind: 'sql', name: 'q', source: 'select 1' });
    const text = insertCell(doc, { kind: 'text' });
    const chart = insertCell(doc, { kind: 'chart', name: 'c', config: { mark: 'line', x: 'hour' } });
    const js = insertCell(doc, { kind: 'js', name: 'v', source: '1 + 1' });
    const cells = cellsOf(doc);
    expect(cells.get(sql)!.get('source')).toBeInstanceOf(Y.Text);
    expect(cells.get(sql)!.get('engine')).toBe('browser');
    expect(cells.get(text)!.get('prose')).toBeInstanceOf(Y.XmlFragment);
    expect(cells.get(js)!.get('engine')).toBeUndefined();
    const config = cells.get(chart)!.get('config') as Y.Map<unknown>;
    expect(config.get('mark')).toBe('line');
    expect(config.get('x')).toBe('hour');
    expect(config.get('aggregate')).toBe('count');
    expect(readOrder(doc)).toEqual([sql, text, chart, js]);
  });

  it('insertCell places a cell at an index and clamps out-of-range ones', () => {
    const doc = new Y.Doc();
    const a = insertCell(doc, { kind: 'sql' });
    const b = insertCell(doc, { kind: 'sql' }, 0);
    const c = insertCell(doc, { kind: 'sql' }, 99);
    expect(readOrder(doc)).toEqual([b, a, c]);
  });

  it('each insert is one transaction, so one undo step', () => {
    const doc = new Y.Doc();
    const origin = Symbol('local');
    const undo = new Y.UndoManager([orderOf(doc), cellsOf(doc)], { trackedOrigins: new Set([origin]) });
    insertCell(doc, { kind: 'sql', source: 'select 1' }, undefined, origin);
    undo.stopCapturing();
    const b = insertCell(doc, { kind: 'js' }, undefined, origin);
    undo.undo();
    expect(readOrder(doc)).toHaveLength(1);
    expect(cellsOf(doc).has(b)).toBe(false);
  });

  it('moveCell moves the id and keeps the content items', () => {
    const doc = new Y.Doc();
    const ids = ['a', 'b', 'c', 'd'].map((n) => insertCell(doc, { kind: 'sql', name: n, source: n }));
    const text = cellsOf(doc).get(ids[0])!.get('source');
    moveCell(doc, ids[0], 2);
    expect(readOrder(doc)).toEqual([ids[1], ids[2], ids[0], ids[3]]);
    expect(cellsOf(doc).get(ids[0])!.get('source')).toBe(text);
    moveCell(doc, ids[3], 0);
    expect(readOrder(doc)).toEqual([ids[3], ids[1], ids[2], ids[0]]);
  });

  it('a concurrent edit to a moved cell is kept', () => {
    const { a, b, sync } = pair();
    const x = insertCell(a, { kind: 'sql', source: 'select 1' });
    const y = insertCell(a, { kind: 'sql' });
    sync();
    moveCell(a, x, 1);
    (cellsOf(b).get(x)!.get('source') as Y.Text).insert(8, '0');
    sync();
    expect(readOrder(a)).toEqual([y, x]);
    expect((cellsOf(a).get(x)!.get('source') as Y.Text).toString()).toBe('select 10');
  });

  it('deleteCell removes the id and the content', () => {
    const doc = new Y.Doc();
    const a = insertCell(doc, { kind: 'sql' });
    const b = insertCell(doc, { kind: 'sql' });
    deleteCell(doc, a);
    expect(readOrder(doc)).toEqual([b]);
    expect(cellsOf(doc).has(a)).toBe(false);
  });

  it('freshName never returns a name in use', () => {
    const doc = new Y.Doc();
    insertCell(doc, { kind: 'sql', name: 'query1' });
    insertCell(doc, { kind: 'sql', name: 'query2' });
    expect(freshName(doc, 'query')).toBe('query3');
  });
});

describe('setCellEngine', () => {
  it('switches a SQL cell to a connection in one transaction with the given origin, and a collaborator sees it', () => {
    const { a, b, sync } = pair();
    const id = insertCell(a, { kind: 'sql', name: 'q', source: 'select 1' });
    sync();
    const origins: unknown[] = [];
    a.on('afterTransaction', (tr: Y.Transaction) => origins.push(tr.origin));
    expect(setCellEngine(a, id, 'conn-1', 'me')).toBe(true);
    expect(origins).toEqual(['me']);
    sync();
    expect(cellsOf(b).get(id)!.get('engine')).toBe('conn-1');
    expect(setCellEngine(b, id, 'browser')).toBe(true);
    sync();
    expect(cellsOf(a).get(id)!.get('engine')).toBe('browser');
  });

  it('writes nothing when the engine is unchanged, the cell is not SQL, or it does not exist', () => {
    const doc = new Y.Doc();
    const sql = insertCell(doc, { kind: 'sql', name: 'q' });
    const js = insertCell(doc, { kind: 'js', name: 'v' });
    let updates = 0;
    doc.on('update', () => updates++);
    expect(setCellEngine(doc, sql, 'browser')).toBe(false);
    expect(setCellEngine(doc, js, 'conn-1')).toBe(false);
    expect(setCellEngine(doc, 'nope', 'conn-1')).toBe(false);
    expect(setCellEngine(doc, sql, '')).toBe(false);
    expect(updates).toBe(0);
    expect(cellsOf(doc).get(js)!.get('engine')).toBeUndefined();
  });
});

describe('readOrder tolerates what concurrency leaves behind', () => {
  it('keeps the first of duplicate ids', () => {
    const doc = new Y.Doc();
    const a = insertCell(doc, { kind: 'sql' });
    const b = insertCell(doc, { kind: 'sql' });
    orderOf(doc).push([a]);
    expect(readOrder(doc)).toEqual([a, b]);
  });

  it('skips ids with no cell', () => {
    const doc = new Y.Doc();
    const a = insertCell(doc, { kind: 'sql' });
    orderOf(doc).insert(0, ['ghost']);
    expect(readOrder(doc)).toEqual([a]);
  });

  it('shows cells missing from order at the end', () => {
    const doc = new Y.Doc();
    const a = insertCell(doc, { kind: 'sql' });
    const b = insertCell(doc, { kind: 'sql' });
    orderOf(doc).delete(0, 1);
    expect(readOrder(doc)).toEqual([b, a]);
  });

  it('two clients moving the same cell at once leave it shown once', () => {
    const { a, b, sync } = pair();
    const ids = [0, 1, 2].map(() => insertCell(a, { kind: 'sql' }));
    sync();
    moveCell(a, ids[0], 2);
    moveCell(b, ids[0], 1);
    sync();
    const order = readOrder(a);
    expect(order).toEqual(readOrder(b));
    expect(order.filter((id) => id === ids[0])).toHaveLength(1);
    expect([...order].sort()).toEqual([...ids].sort());
  });

  it('a move concurrent with a delete does not resurrect the cell', () => {
    const { a, b, sync } = pair();
    const x = insertCell(a, { kind: 'sql' });
    const y = insertCell(a, { kind: 'sql' });
    sync();
    moveCell(a, x, 1);
    deleteCell(b, x);
    sync();
    expect(readOrder(a)).toEqual([y]);
    expect(readOrder(b)).toEqual([y]);
  });
});

describe('seeded fuzz: random concurrent edits converge', () => {
  /** A small deterministic PRNG so a failure names its seed. */
  function rng(seed: number) {
    let s = seed >>> 0;
    return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  }

  for (const seed of [1, 2, 3, 42, 1234]) {
    it(`seed ${seed}: three clients, random insert/move/delete/type, partial syncs`, () => {
      const rand = rng(seed);
      const docs = [new Y.Doc(), new Y.Doc(), new Y.Doc()];
      const syncPair = (x: Y.Doc, y: Y.Doc) => {
        Y.applyUpdate(y, Y.encodeStateAsUpdate(x, Y.encodeStateVector(y)));
        Y.applyUpdate(x, Y.encodeStateAsUpdate(y, Y.encodeStateVector(x)));
      };
      for (let step = 0; step < 300; step++) {
        const doc = docs[Math.floor(rand() * docs.length)];
        const order = readOrder(doc);
        const pick = () => order[Math.floor(rand() * order.length)];
        const r = rand();
        if (r < 0.3 || order.length === 0) insertCell(doc, { kind: rand() < 0.5 ? 'sql' : 'js', source: 'x' }, Math.floor(rand() * (order.length + 1)));
        else if (r < 0.55) moveCell(doc, pick(), Math.floor(rand() * order.length));
        else if (r < 0.65) deleteCell(doc, pick());
        else {
          const text = cellsOf(doc).get(pick())?.get('source');
          if (text instanceof Y.Text) text.insert(Math.floor(rand() * (text.length + 1)), 'y');
        }
        if (rand() < 0.2) syncPair(docs[Math.floor(rand() * 3)], docs[Math.floor(rand() * 3)]);
      }
      syncPair(docs[0], docs[1]);
      syncPair(docs[1], docs[2]);
      syncPair(docs[0], docs[1]);
      const orders = docs.map(readOrder);
      expect(orders[1]).toEqual(orders[0]);
      expect(orders[2]).toEqual(orders[0]);
      expect(new Set(orders[0]).size).toBe(orders[0].length);
      expect(orders[0].length).toBe(cellsOf(docs[0]).size);
      expect(cellsToJSON(docs[1])).toEqual(cellsToJSON(docs[0]));
    });
  }
});

describe('text cells as Markdown', () => {
  it('round-trips headings, lists, emphasis, code and links', () => {
    const doc = new Y.Doc();
    const id = insertCell(doc, { kind: 'text' });
    const md = '# Title\n\nSome **bold**, *italic*, `code` and [a link](https://example.com).\n\n* one\n* two';
    setProseMarkdown(doc, id, md);
    expect(cellsToJSON(doc)[0].source).toBe(md);
  });
});

describe('setCellTtl', () => {
  it("sets a SQL cell's cache TTL for every collaborator, defaulting to 10 minutes, and refuses nonsense", () => {
    const { a, b, sync } = pair();
    const id = insertCell(a, { kind: 'sql', name: 'q', source: 'select 1', engine: 'conn-1' });
    const chart = insertCell(a, { kind: 'chart', name: 'c' });
    sync();
    expect(cellTtl(cellsOf(b).get(id)!)).toBe(DEFAULT_CACHE_TTL_SECONDS);
    expect(DEFAULT_CACHE_TTL_SECONDS).toBe(600);
    expect(setCellTtl(a, id, 3600, 'me')).toBe(true);
    expect(setCellTtl(a, id, 3600, 'me')).toBe(false);
    expect(setCellTtl(a, id, -1)).toBe(false);
    expect(setCellTtl(a, id, Number.NaN)).toBe(false);
    expect(setCellTtl(a, chart, 60)).toBe(false);
    sync();
    expect(cellTtl(cellsOf(b).get(id)!)).toBe(3600);
    expect(cellsOf(b).get(chart)!.get('ttl')).toBeUndefined();
  });
});
