/**
 * The notebook's structure as runes, re-read from the Yjs document by observers. It holds only
 * what the page lays out (order, kinds, names, flags); cell content stays in Yjs and is bound
 * straight into the editors.
 */
import * as Y from 'yjs';
import { cellKind, cellName, cellTtl, cellsOf, metaOf, orderOf, readOrder, readTitle, BROWSER_ENGINE, type CellKind, type CellMap } from '$doc';

/** One cell as the page lays it out. */
export interface CellView {
  id: string;
  kind: CellKind;
  name: string;
  /** Left out of the published report. */
  hidden: boolean;
  /** SQL/JS source shown in the published report (default false). */
  showCode: boolean;
  engine: string;
  /** Seconds a server SQL cell's cached result stays fresh. */
  ttl: number;
  /** The stored Y.Map; editors bind to its shared types. */
  map: CellMap;
  /**
   * Render key: changes when the cell's Y.Map is replaced (an undone delete restores a new
   * map with new shared types, and the editors must bind to those).
   */
  key: string;
}

const instanceIds = new WeakMap<CellMap, number>();
let nextInstance = 1;
function instanceOf(map: CellMap): number {
  let n = instanceIds.get(map);
  if (n === undefined) instanceIds.set(map, (n = nextInstance++));
  return n;
}

function sameView(a: CellView, b: CellView): boolean {
  return a.key === b.key && a.kind === b.kind && a.name === b.name && a.hidden === b.hidden && a.showCode === b.showCode && a.engine === b.engine && a.ttl === b.ttl;
}

export class NotebookState {
  title = $state('');
  cells = $state.raw<CellView[]>([]);
  /** Names used by more than one cell (empty names are not counted). */
  duplicateNames = $derived.by(() => {
    const seen = new Set<string>();
    const dup = new Set<string>();
    for (const c of this.cells) {
      if (!c.name) continue;
      if (seen.has(c.name)) dup.add(c.name);
      seen.add(c.name);
    }
    return dup;
  });

  #doc: Y.Doc;
  #onMeta = () => {
    this.title = readTitle(this.#doc);
  };
  #onOrder = () => this.#readCells();
  #onCells = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
    // Only adds, removes and cell fields change the layout; typing in a cell's text does not.
    const cells = cellsOf(this.#doc);
    if (events.some((e) => e.target === cells || e.target.parent === cells)) this.#readCells();
  };

  constructor(doc: Y.Doc) {
    this.#doc = doc;
    metaOf(doc).observe(this.#onMeta);
    orderOf(doc).observe(this.#onOrder);
    cellsOf(doc).observeDeep(this.#onCells);
    this.#onMeta();
    this.#readCells();
  }

  /** The cell at display position `index`, if any. */
  at(index: number): CellView | undefined {
    return this.cells[index];
  }

  /** The display position of cell `id`, or -1. */
  indexOf(id: string): number {
    return this.cells.findIndex((c) => c.id === id);
  }

  #readCells(): void {
    const cells = cellsOf(this.#doc);
    const previous = new Map(this.cells.map((c) => [c.id, c]));
    const next: CellView[] = [];
    for (const id of readOrder(this.#doc)) {
      const map = cells.get(id);
      if (!map) continue;
      const kind = cellKind(map);
      if (!kind) continue; // a kind this client does not know: skip it rather than fail the page
      const engine = map.get('engine');
      const view: CellView = {
        id,
        kind,
        name: cellName(map),
        hidden: map.get('hidden') === true,
        showCode: map.get('showCode') === true,
        engine: typeof engine === 'string' ? engine : BROWSER_ENGINE,
        ttl: cellTtl(map),
        map,
        key: `${id}:${instanceOf(map)}`
      };
      const old = previous.get(id);
      // Keep the old object when nothing changed, so unchanged cells are not re-rendered.
      next.push(old && sameView(old, view) ? old : view);
    }
    if (next.length !== this.cells.length || next.some((c, i) => c !== this.cells[i])) this.cells = next;
  }

  destroy(): void {
    metaOf(this.#doc).unobserve(this.#onMeta);
    orderOf(this.#doc).unobserve(this.#onOrder);
    cellsOf(this.#doc).unobserveDeep(this.#onCells);
  }
}
