/**
 * Who a shared run says started it. Writing `{runId, by, at}` into the document's `runs`
 * map (src/lib/doc/schema.ts) makes every open copy run the cell and show "started by
 * <by>"; `by` must be the writer's own name, or anyone could run things in someone else's
 * name. This reads the run requests an incoming update writes, before it is stored.
 */
import * as Y from 'yjs';
import { RUNS } from '../../src/lib/doc/index.js';
import type { DecodedUpdate } from '../collab/protocol.js';

type Decoded = DecodedUpdate['structs'][number];

/** The `by` of every entry a (decoded) update writes into `doc`'s root `runs` map. */
export function runAuthors(doc: Y.Doc, { structs }: DecodedUpdate): string[] {
  const local = new Map<string, Decoded>();
  for (const s of structs) local.set(idKey(s.id), s);
  const runs = doc.getMap(RUNS);
  const authors: string[] = [];
  for (const s of structs) {
    if (!(s instanceof Y.Item) || !(s.content instanceof Y.ContentAny) || !inRuns(s, runs, doc, local, 0)) continue;
    for (const value of s.content.arr) {
      const by = (value as { by?: unknown } | null)?.by;
      authors.push(typeof by === 'string' ? by : '');
    }
  }
  return authors;
}

/**
 * Whether a decoded item sits in the root `runs` map. Yjs writes the parent only when an
 * item has no neighbours; otherwise it shares the parent of its origin (or right origin),
 * found in this update or in the document.
 */
function inRuns(item: Y.Item, runs: Y.Map<unknown>, doc: Y.Doc, local: Map<string, Decoded>, depth: number): boolean {
  const parent = item.parent as unknown;
  if (typeof parent === 'string') return parent === RUNS;
  if (parent !== null) return false; // an ID: the item is inside a nested type, not a root map
  const ref = item.origin ?? item.rightOrigin;
  if (!ref || depth > 1000) return false;
  const inUpdate = local.get(idKey(ref));
  if (inUpdate) return inUpdate instanceof Y.Item && inRuns(inUpdate, runs, doc, local, depth + 1);
  if (ref.clock >= Y.getState(doc.store, ref.client)) return false;
  const stored = Y.getItem(doc.store, ref);
  return stored instanceof Y.Item && stored.parent === runs;
}

function idKey(id: Y.ID): string {
  return `${id.client}:${id.clock}`;
}
