/**
 * A notebook as it was at a version. The stored log keeps every item, deleted ones with their
 * content (compaction merges updates, it does not garbage-collect them), so a document
 * built from it without GC, read through a version's snapshot, is exactly that version.
 */
import * as Y from 'yjs';
import { docOfUpdates } from '../store/merge-updates.js';

/** The whole history of a notebook as one document that keeps deleted content. */
export function historyDoc(updates: Uint8Array[]): Y.Doc {
  return docOfUpdates(updates);
}

/** The document at `snapshot` (a Y.encodeSnapshot), as a fresh doc of its own. */
export function docAt(history: Y.Doc, snapshot: Uint8Array): Y.Doc {
  return Y.createDocFromSnapshot(history, Y.decodeSnapshot(snapshot));
}

/** The snapshot of `doc` as it is now, encoded. */
export function snapshotOf(doc: Y.Doc): Uint8Array {
  return Y.encodeSnapshot(Y.snapshot(doc));
}
