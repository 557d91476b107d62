/**
 * The history benchmark's notebook: 200 cells and 100,000 stored updates, written as a
 * collaborator's edits are (one small update per keystroke or deletion), with a version cut
 * every 2,000 updates, straight into the server's update log.
 */
import * as Y from 'yjs';
import { cellsOf, insertCell } from '../../src/lib/doc/index.js';
import type { AppContext } from '../../server/context.js';

export const CELLS = 200;
export const UPDATES = 100_000;
const VERSION_EVERY = 2_000;
const BATCH = 1_000;

/** A deterministic pseudo-random sequence, so every run edits the same way. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export async function writeHistory(app: AppContext, notebookId: string): Promise<{ versions: number; logBytes: number }> {
  const doc = new Y.Doc();
  const pending: Uint8Array[] = [];
  let stored = 0;
  let logBytes = 0;
  doc.on('update', (u: Uint8Array) => {
    pending.push(u);
    logBytes += u.byteLength;
  });
  const flush = async () => {
    const batch = pending.splice(0);
    stored += batch.length;
    await app.updateLog.append(notebookId, batch);
  };
  // The server's copy of the document starts from the notebook's first update.
  for (const u of await app.updateLog.load(notebookId)) Y.applyUpdate(doc, u);
  pending.length = 0;
  const ids: string[] = [];
  for (let i = 0; i < CELLS; i++) {
    ids.push(insertCell(doc, { kind: i % 10 === 9 ? 'js' : 'sql', name: `cell_${i}`, source: `select ${i} as n` }));
  }
  const next = random(42);
  let versions = 0;
  while (stored + pending.length < UPDATES) {
    const text = cellsOf(doc).get(ids[Math.floor(next() * ids.length)])!.get('source') as Y.Text;
    // Mostly typing, sometimes deleting what was typed, as people edit.
    if (next() < 0.8 || text.length < 20) text.insert(Math.floor(next() * text.length), next() < 0.1 ? '\n' : 'abcdefghij'[Math.floor(next() * 10)]);
    else text.delete(Math.floor(next() * (text.length - 1)), 1);
    if (pending.length >= BATCH) await flush();
    if ((stored + pending.length) % VERSION_EVERY === 0) {
      await flush();
      await app.versions.cutFrom(notebookId, doc, { kind: 'auto', always: true });
      versions++;
    }
  }
  await flush();
  doc.destroy();
  return { versions, logBytes };
}
