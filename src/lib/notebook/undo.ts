/**
 * Structural undo: one Y.UndoManager per open notebook, tracking `order`, `cells` and `files`
 * changes made with {@link LOCAL_ORIGIN}. Adding a file records it and adds a cell reading it
 * in one step, so undoing that removes both. Editors use their own undo managers with their
 * own origins, so undoing here never reverts a collaborator's work or anyone's typing.
 */
import * as Y from 'yjs';
import { FILES, cellsOf, orderOf } from '../doc/index.js';

/** The origin of every structural change this browser makes (add, move, delete, rename, config). */
export const LOCAL_ORIGIN = Symbol('cairn-local');

/** An undo manager for this user's structural changes to `doc`. */
export function createStructuralUndo(doc: Y.Doc): Y.UndoManager {
  return new Y.UndoManager([orderOf(doc), cellsOf(doc), doc.getMap(FILES)], {
    trackedOrigins: new Set([LOCAL_ORIGIN]),
    // Typing a name merges into one step; discrete actions call stopCapturing() themselves.
    captureTimeout: 500
  });
}
