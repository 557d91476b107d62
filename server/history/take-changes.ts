/**
 * Bring another copy's changes into a document as a CRDT merge: the other side's items
 * that this one lacks, and its deletions. Both documents descend from the same items (a
 * fork starts from its origin's state), so both sides' edits are kept, nothing is
 * duplicated, and where one side deleted a cell the other edited, the deletion wins.
 *
 * Only cells, order and files travel: the receiving notebook keeps its own title,
 * generation and run requests (a merge must not rename the origin or start its runs).
 */
import * as Y from 'yjs';
import { metaOf, orderOf, readOrder, RUNS } from '../../src/lib/doc/index.js';
import { copyCell } from './make-equal.js';

function plain(map: Y.Map<unknown>): Map<string, unknown> {
  return new Map([...map.entries()].map(([k, v]) => [k, v instanceof Y.AbstractType ? v.toJSON() : v]));
}

/** Put the entries of `map` back to `saved` where they differ. */
function putBack(map: Y.Map<unknown>, saved: Map<string, unknown>): void {
  for (const key of [...map.keys()]) if (!saved.has(key)) map.delete(key);
  for (const [key, value] of saved) {
    const now = map.get(key);
    const nowPlain = now instanceof Y.AbstractType ? now.toJSON() : now;
    if (JSON.stringify(nowPlain) !== JSON.stringify(value)) map.set(key, value);
  }
}

/** Apply `otherState` (a whole-document update of the other copy) to `doc`, keeping `doc`'s meta and runs. */
export function takeChanges(doc: Y.Doc, otherState: Uint8Array): void {
  doc.transact(() => {
    const meta = plain(metaOf(doc));
    const runs = plain(doc.getMap(RUNS));
    Y.applyUpdate(doc, Y.diffUpdate(otherState, Y.encodeStateVector(doc)));
    putBack(metaOf(doc), meta);
    putBack(doc.getMap(RUNS), runs);
  });
}

/**
 * Write cell `id` from `source` into `doc` again (a cell the merge deleted that the reviewer
 * keeps), placed after the cell it followed in `source`.
 */
export function keepCell(doc: Y.Doc, source: Y.Doc, id: string): void {
  doc.transact(() => {
    copyCell(doc, source, id);
    if (readOrder(doc).includes(id) && orderOf(doc).toArray().includes(id)) return;
    const sourceOrder = readOrder(source);
    const at = sourceOrder.indexOf(id);
    const order = orderOf(doc);
    const raw = order.toArray();
    let index = 0;
    for (let k = at - 1; k >= 0; k--) {
      const i = raw.indexOf(sourceOrder[k]);
      if (i >= 0) {
        index = i + 1;
        break;
      }
    }
    order.insert(index, [id]);
  });
}
