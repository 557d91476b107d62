/**
 * Make a notebook's cells equal to another document's, as edits: unchanged cells keep their
 * items, changed text is edited by a character diff, and a cell that no longer exists is
 * written again under its own id. Used by restore and by keeping a cell a merge deleted.
 * Connected clients receive ordinary updates, so nothing is duplicated.
 */
import * as Y from 'yjs';
import { diffChars } from 'diff';
import { cellsOf, orderOf, readOrder, FILES, type CellMap } from '../../src/lib/doc/index.js';
import { steadyIds } from './cell-diff.js';

/** Edit `text` into `target` with as few deletions and insertions as a character diff gives. */
export function editText(text: Y.Text, target: string): void {
  const current = text.toString();
  if (current === target) return;
  let at = 0;
  for (const part of diffChars(current, target)) {
    if (part.added) {
      text.insert(at, part.value);
      at += part.value.length;
    } else if (part.removed) text.delete(at, part.value.length);
    else at += part.value.length;
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function copyOf(value: unknown): unknown {
  return value instanceof Y.AbstractType ? value.clone() : value;
}

/** Edit `map` so its entries equal `target`'s (nested text, prose and maps included). */
function editMap(map: Y.Map<unknown>, target: Y.Map<unknown>): void {
  for (const key of [...map.keys()]) if (!target.has(key)) map.delete(key);
  for (const [key, want] of target.entries()) {
    const have = map.get(key);
    if (want instanceof Y.Text) {
      if (have instanceof Y.Text) editText(have, want.toString());
      else map.set(key, want.clone());
    } else if (want instanceof Y.XmlFragment) {
      // Prose is compared as a whole: a changed paragraph structure is rewritten.
      if (!(have instanceof Y.XmlFragment)) map.set(key, want.clone());
      else if (have.toString() !== want.toString()) {
        have.delete(0, have.length);
        have.insert(0, want.toArray().map((node) => node.clone()) as (Y.XmlElement | Y.XmlText)[]);
      }
    } else if (want instanceof Y.Map) {
      if (have instanceof Y.Map) editMap(have, want);
      else map.set(key, want.clone());
    } else if (want instanceof Y.AbstractType) {
      map.set(key, want.clone());
    } else if (!sameJson(have, want)) map.set(key, want);
  }
}

/** Bring cell `id` from `source` into `doc` (written again if `doc` no longer has it). */
export function copyCell(doc: Y.Doc, source: Y.Doc, id: string): void {
  const want = cellsOf(source).get(id);
  if (!want) return;
  const have = cellsOf(doc).get(id);
  if (have) editMap(have, want);
  else cellsOf(doc).set(id, want.clone() as CellMap);
}

/** Make `doc`'s display order equal `target` (ids in order), moving as few ids as possible. */
export function editOrder(doc: Y.Doc, target: string[]): void {
  const order = orderOf(doc);
  const visible = readOrder(doc);
  const raw = order.toArray();
  const clean = raw.length === target.length && raw.every((id, i) => id === target[i]);
  if (clean) return;
  const steady = steadyIds(visible, target);
  // Keep the first occurrence of each steady id; drop everything else (moved, removed, duplicates).
  const kept = new Set<string>();
  const keepIndex = new Set<number>();
  raw.forEach((id, i) => {
    if (steady.has(id) && !kept.has(id)) {
      kept.add(id);
      keepIndex.add(i);
    }
  });
  for (let i = raw.length - 1; i >= 0; i--) if (!keepIndex.has(i)) order.delete(i, 1);
  for (let k = 0; k < target.length; k++) {
    const id = target[k];
    if (kept.has(id)) continue;
    const now = order.toArray();
    const at = k === 0 ? 0 : now.indexOf(target[k - 1]) + 1;
    order.insert(at, [id]);
    kept.add(id);
  }
}

/** Make `doc`'s cells, order and files equal `target`'s. Meta (title, generation) and runs are left alone. */
export function makeCellsEqual(doc: Y.Doc, target: Y.Doc): void {
  doc.transact(() => {
    const cells = cellsOf(doc);
    const wanted = cellsOf(target);
    for (const id of [...cells.keys()]) if (!wanted.has(id)) cells.delete(id);
    const targetOrder = readOrder(target);
    for (const id of targetOrder) copyCell(doc, target, id);
    editOrder(doc, targetOrder);
    const files = doc.getMap(FILES);
    const wantFiles = target.getMap(FILES);
    for (const key of [...files.keys()]) if (!wantFiles.has(key)) files.delete(key);
    for (const [key, value] of wantFiles.entries()) if (!sameJson(files.get(key), value)) files.set(key, copyOf(value));
  });
}
