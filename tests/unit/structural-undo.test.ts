import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { FILES, cellsOf, insertCell, orderOf } from '../../src/lib/doc/index.js';
import { LOCAL_ORIGIN, createStructuralUndo } from '../../src/lib/notebook/undo.js';

const file = { hash: 'a'.repeat(64), name: 'sales.csv', size: 12, type: 'text/csv' };

describe('structural undo', () => {
  it('takes back an added file and the cell reading it in one step, and redo brings both back', () => {
    const doc = new Y.Doc();
    const undo = createStructuralUndo(doc);
    // As recordFile does: one transaction with the local origin.
    doc.transact(() => {
      doc.getMap(FILES).set('sales', file);
      insertCell(doc, { kind: 'sql', name: 'query_1', source: 'select * from sales' }, undefined, LOCAL_ORIGIN);
    }, LOCAL_ORIGIN);
    expect([...doc.getMap(FILES).keys()]).toEqual(['sales']);
    expect(orderOf(doc).length).toBe(1);

    undo.undo();
    expect([...doc.getMap(FILES).keys()]).toEqual([]);
    expect(orderOf(doc).length).toBe(0);
    expect(cellsOf(doc).size).toBe(0);

    undo.redo();
    expect(doc.getMap(FILES).get('sales')).toEqual(file);
    expect(orderOf(doc).length).toBe(1);
  });

  it('takes back removing a file, and leaves a collaborator’s file alone', () => {
    const doc = new Y.Doc();
    const undo = createStructuralUndo(doc);
    doc.transact(() => doc.getMap(FILES).set('theirs', file), 'remote');
    doc.transact(() => doc.getMap(FILES).set('mine', { ...file, name: 'mine.csv' }), LOCAL_ORIGIN);
    undo.stopCapturing();
    doc.transact(() => doc.getMap(FILES).delete('mine'), LOCAL_ORIGIN);
    expect([...doc.getMap(FILES).keys()].sort()).toEqual(['theirs']);

    undo.undo();
    expect([...doc.getMap(FILES).keys()].sort()).toEqual(['mine', 'theirs']);
    undo.undo();
    expect([...doc.getMap(FILES).keys()].sort()).toEqual(['theirs']);
    expect(undo.undoStack.length).toBe(0);
  });
});
