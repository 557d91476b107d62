/**
 * A notebook as it was at a version. The stored log keeps every item, deleted ones with their
 * content (compaction merges updates, it does not garbage-collect them), so a document
 * built from it without GC, read through a version's snapshot, is exactly that version.
 */
import * as Y from 'yjs';

/** The whole history of a notebook as one document that keeps deleted content. */
export function historyDoc(updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc({ gc: false });
  try {
    // One merge, one apply: applying 100,000 small updates one by one costs far more.
    Y.applyUpdate(doc, updates.length === 1 ? updates[0] : Y.mergeUpdates(updates));
  } catch {
    // One bad stored update must not hide the rest (the live room skips it the same way).
    for (const update of updates) {
      try {
        Y.applyUpdate(doc, update);
      } catch {
        /* skipped, as the room does */
      }
    }
  }
  return doc;
}

/** The document at `snapshot` (a Y.encodeSnapshot), as a fresh doc of its own. */
export function docAt(history: Y.Doc, snapshot: Uint8Array): Y.Doc {
  return Y.createDocFromSnapshot(history, Y.decodeSnapshot(snapshot));
}

/** The snapshot of `doc` as it is now, encoded. */
export function snapshotOf(doc: Y.Doc): Uint8Array {
  return Y.encodeSnapshot(Y.snapshot(doc));
}

/** Whether every item of snapshot `inner` is also in `outer` (it was cut no later). */
export function snapshotContains(outer: Uint8Array, inner: Uint8Array): boolean {
  const a = Y.decodeSnapshot(outer).sv;
  for (const [client, clock] of Y.decodeSnapshot(inner).sv) if ((a.get(client) ?? 0) < clock) return false;
  return true;
}
