/**
 * Attribution from the document's own items: each item's client id names its author (see
 * authorship.ts), and the first version whose state includes the item dates it. A cell was
 * last changed by whoever wrote its newest item; a line of source was written by whoever
 * typed most of its characters. (A pure deletion makes no item, so it dates no cell.)
 */
import * as Y from 'yjs';
import { cellsOf, readOrder, cellKind } from '../../src/lib/doc/index.js';
import type { CellAttribution } from '../../src/lib/contract/index.js';

type Item = NonNullable<Y.Text['_start']>;

/** When each item first appeared: the versions' state vectors, oldest first. */
export class ItemDates {
  private readonly svs: Map<number, number>[];

  constructor(private readonly versions: { at: string; snapshot: Uint8Array }[]) {
    this.svs = versions.map((v) => Y.decodeSnapshot(v.snapshot).sv);
  }

  /** Index of the first version holding item (client, clock); versions.length when none does yet. */
  indexOf(client: number, clock: number): number {
    let lo = 0;
    let hi = this.svs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.svs[mid].get(client) ?? 0) > clock) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  at(index: number): string | null {
    return this.versions[index]?.at ?? null;
  }
}

/** Every live item under a cell: its map entries and everything nested in them. */
function liveItems(type: Y.AbstractType<unknown>, out: Item[]): void {
  for (const item of (type as unknown as { _map: Map<string, Item> })._map.values()) {
    if (item.deleted) continue;
    out.push(item);
    const content = item.content as unknown as { type?: Y.AbstractType<unknown> };
    if (content.type) liveItems(content.type, out);
  }
  for (let n = type._start; n; n = n.right) {
    if (n.deleted) continue;
    out.push(n);
    const content = n.content as unknown as { type?: Y.AbstractType<unknown> };
    if (content.type) liveItems(content.type, out);
  }
}

/** The author of each line of `text`: whoever typed most of its characters. */
function lineAuthors(text: Y.Text, owner: (client: number) => string | null): (string | null)[] {
  const lines: (string | null)[] = [];
  let counts = new Map<string | null, number>();
  const endLine = () => {
    let best: string | null = null;
    let most = 0;
    for (const [who, n] of counts) if (n > most) [best, most] = [who, n];
    lines.push(best);
    counts = new Map();
  };
  for (let n = text._start; n; n = n.right) {
    if (n.deleted || !(n.content instanceof Y.ContentString)) continue;
    const who = owner(n.id.client);
    for (const ch of n.content.str) {
      if (ch === '\n') endLine();
      else counts.set(who, (counts.get(who) ?? 0) + 1);
    }
  }
  endLine();
  return lines;
}

export function attributeCells(doc: Y.Doc, owners: Map<number, string>, dates: ItemDates): CellAttribution[] {
  const owner = (client: number) => owners.get(client) ?? null;
  const cells = cellsOf(doc);
  const out: CellAttribution[] = [];
  for (const id of readOrder(doc)) {
    const cell = cells.get(id);
    if (!cell) continue;
    const items: Item[] = [];
    // The cell's own entry in `cells` counts: creating the cell is changing it.
    const entry = (cells as unknown as { _map: Map<string, Item> })._map.get(id);
    if (entry) items.push(entry);
    liveItems(cell as Y.AbstractType<unknown>, items);
    let newest: Item | null = null;
    let newestIndex = -1;
    for (const item of items) {
      const index = dates.indexOf(item.id.client, item.id.clock);
      if (index > newestIndex || (index === newestIndex && newest && item.id.clock > newest.id.clock && item.id.client === newest.id.client)) {
        newest = item;
        newestIndex = index;
      }
    }
    const source = cell.get('source');
    const kind = cellKind(cell);
    out.push({
      cellId: id,
      by: newest ? owner(newest.id.client) : null,
      at: newestIndex >= 0 ? dates.at(newestIndex) : null,
      ...((kind === 'sql' || kind === 'js') && source instanceof Y.Text ? { lines: lineAuthors(source, owner) } : {})
    });
  }
  return out;
}
