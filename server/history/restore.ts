/**
 * Restore: the notebook becomes equal to an old version as a new edit. History is never
 * rewritten: the state before the restore is a version of its own, and so is the result.
 */
import type { CollabServer } from '../collab/server.js';
import { readTitle, setTitle } from '../../src/lib/doc/index.js';
import type { Authorship } from './authorship.js';
import type { VersionService } from './versions.js';
import { docAt } from './version-doc.js';
import { makeCellsEqual } from './make-equal.js';
import type { VersionRow } from './repository.js';

export async function restoreVersion(
  deps: { collab: CollabServer; versions: VersionService; authorship: Authorship },
  notebookId: string,
  versionId: string,
  userId: string
): Promise<VersionRow> {
  const { collab, versions, authorship } = deps;
  const target = await versions.version(notebookId, versionId);
  // Keep what was there: unversioned edits become a version before they are replaced.
  await versions.cut(notebookId, { kind: 'auto' });
  const history = await versions.history(notebookId);
  const old = docAt(history, target.snapshot);
  try {
    const change = await collab.withRoom(notebookId, (room) =>
      room.change((doc) => {
        doc.transact(() => {
          makeCellsEqual(doc, old);
          const title = readTitle(old);
          if (title && title !== readTitle(doc)) setTitle(doc, title);
        });
      })
    );
    await authorship.claim(notebookId, userId, change.clientId);
  } finally {
    old.destroy();
    history.destroy();
  }
  const label = target.label ? `Restored \u201c${target.label}\u201d` : `Restored version ${target.seq}`;
  const made = await versions.cut(notebookId, { kind: 'restore', label, by: [userId], always: true });
  return made!;
}
