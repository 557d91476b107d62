/** The notebook's `meta` map: its title and generation. */
import type * as Y from 'yjs';
import { META } from './schema.js';

export function metaOf(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(META);
}

/** The notebook's title ('' when unset). */
export function readTitle(doc: Y.Doc): string {
  const title = metaOf(doc).get('title');
  return typeof title === 'string' ? title : '';
}

export function setTitle(doc: Y.Doc, title: string, origin?: unknown): void {
  doc.transact(() => metaOf(doc).set('title', title), origin);
}

/** The generation set when the notebook was created or forked ('' when unset). */
export function readGeneration(doc: Y.Doc): string {
  const generation = metaOf(doc).get('generation');
  return typeof generation === 'string' ? generation : '';
}

/** Start a document: title and generation, in one transaction. Only for a new or forked notebook. */
export function initMeta(doc: Y.Doc, title: string, generation: string, origin?: unknown): void {
  doc.transact(() => {
    const meta = metaOf(doc);
    meta.set('title', title);
    meta.set('generation', generation);
  }, origin);
}
