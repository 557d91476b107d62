/**
 * The grid body's pooled rows, drawn by hand rather than by Svelte. On a fast scroll every
 * drawn row shows a new row every frame (bench/grid jumps ~1,667 rows a frame), and going
 * through Svelte for that meant a new object and array per row and cell, a reconciled
 * `{#each}`, class strings rebuilt per cell, and ~2–3.5 ms of effects a frame, plus the
 * garbage behind the major GCs that made the 50 ms frames. Here the row and cell elements
 * are made once per pool (size × columns); a frame reads each value straight from its
 * Arrow vector, formats it with the column's formatter, and writes only what changed:
 * a text node's data, a class name from a per-column cache, a transform.
 *
 * Everything here only writes to the DOM; it never reads layout.
 */
import { columnReader } from '../../../kernels/arrow/plain-values.js';
import type { Vector } from 'apache-arrow';
import type { CellFormatter, FormattedCell } from './format.js';
import { formatInteger } from './format.js';
import { slotRow, type RowPool } from './viewport.js';
import type { CellRange } from './export.js';

/** What the body needs of a column. */
export interface BodyColumn {
  format: CellFormatter;
  numeric: boolean;
}

export interface Cursor {
  row: number;
  col: number;
}

type Kind = FormattedCell['kind'];
const KINDS: Kind[] = ['null', 'number', 'text', 'bool', 'temporal', 'nested'];
/** Selection state of a cell as bits: 1 selected, 2 the cursor. */
const SELECTED = 1;
const CURSOR = 2;

interface Slot {
  el: HTMLDivElement;
  num: Text;
  cells: HTMLDivElement[];
  texts: Text[];
  /** Per cell: the class name last written (one of the column's cached strings). */
  classes: string[];
  titles: (string | undefined)[];
  /** Per cell: the SELECTED | CURSOR bits last written. */
  marks: Uint8Array;
  /** The row shown (-1: none yet) and its y in the pool's box. */
  row: number;
  y: number;
  odd: boolean;
  rowIndex: number;
}

export class PooledRows {
  private readonly slots: Slot[] = [];
  /** classNames[c][kindIndex * 4 + marks]: every class string a cell of column c can have, made once. */
  private readonly classNames: string[][];
  /** Each column's exact reader (kernels/arrow/plain-values.ts): timestamps keep their micro- and nanoseconds. */
  private readonly readers: ((r: number) => unknown)[];
  private offsetY = NaN;
  private range: CellRange | null = null;
  private cursor: Cursor | null = null;
  private activeId: string | undefined;

  constructor(
    private readonly container: HTMLElement,
    private readonly columns: readonly BodyColumn[],
    vectors: readonly Vector[],
    size: number,
    private readonly rowHeight: number,
    private readonly cellId: (row: number, col: number) => string
  ) {
    this.readers = vectors.map(columnReader);
    this.classNames = columns.map((col) =>
      KINDS.flatMap((kind) =>
        [0, 1, 2, 3].map((m) => `td ${kind}${col.numeric ? ' num' : ''}${m & SELECTED ? ' selected' : ''}${m & CURSOR ? ' cursor' : ''}`)
      )
    );
    const doc = container.ownerDocument;
    const frag = doc.createDocumentFragment();
    for (let k = 0; k < size; k++) {
      const el = doc.createElement('div');
      el.className = 'row data';
      el.setAttribute('role', 'row');
      // The slot, not the row: pointer events ask rowOf(k) (one attribute fewer to write per row drawn).
      el.dataset.k = String(k);
      const numEl = doc.createElement('div');
      numEl.className = 'rownum';
      numEl.setAttribute('role', 'rowheader');
      numEl.setAttribute('aria-colindex', '1');
      const num = doc.createTextNode('');
      numEl.appendChild(num);
      el.appendChild(numEl);
      const cells: HTMLDivElement[] = [];
      const texts: Text[] = [];
      for (let c = 0; c < columns.length; c++) {
        const cell = doc.createElement('div');
        cell.setAttribute('role', 'gridcell');
        cell.setAttribute('aria-colindex', String(c + 2));
        cell.setAttribute('aria-selected', 'false');
        cell.dataset.c = String(c);
        const text = doc.createTextNode('');
        cell.appendChild(text);
        el.appendChild(cell);
        cells.push(cell);
        texts.push(text);
      }
      frag.appendChild(el);
      this.slots.push({
        el,
        num,
        cells,
        texts,
        classes: new Array(columns.length).fill(''),
        titles: new Array(columns.length).fill(undefined),
        marks: new Uint8Array(columns.length),
        row: -1,
        y: NaN,
        odd: false,
        rowIndex: -1
      });
    }
    container.replaceChildren(frag);
  }

  /** The id of the cursor's cell when its row is drawn (for aria-activedescendant), else undefined. */
  get active(): string | undefined {
    return this.activeId;
  }

  /**
   * Draw `pool`: slot k shows row slotRow(k, pool). A slot already showing its row is not
   * touched (unless the header rows changed, which moves every aria-rowindex).
   *
   * When most of the pool changes at once (a jump, or a fast scroll), only the rows in
   * [visible.first, visible.end) are drawn and the overscan slots are hidden: nobody sees
   * them before the next frame redraws the pool anyway, and they are ~a quarter of the
   * frame's layout, paint and garbage. Returns true when slots were left hidden; the caller
   * paints again (without `visible`) once the scrolling stops.
   */
  paint(pool: RowPool, headerRows: number, visible?: { first: number; end: number }): boolean {
    if (pool.offsetY !== this.offsetY) {
      this.offsetY = pool.offsetY;
      this.container.style.transform = `translateY(${pool.offsetY}px)`;
    }
    const n = Math.min(pool.size, this.slots.length);
    let changed = 0;
    if (visible) for (let k = 0; k < n; k++) if (this.slots[k].row !== slotRow(k, pool)) changed++;
    const partial = visible !== undefined && changed * 2 > n;
    let deferred = false;
    for (let k = 0; k < n; k++) {
      const slot = this.slots[k];
      const row = slotRow(k, pool);
      if (partial && (row < visible.first || row >= visible.end)) {
        if (!slot.el.hidden) slot.el.hidden = true;
        slot.row = -1;
        deferred = true;
        continue;
      }
      if (slot.el.hidden) slot.el.hidden = false;
      if (slot.row !== row) this.fill(slot, row);
      const rowIndex = row + headerRows + 1;
      if (slot.rowIndex !== rowIndex) {
        slot.rowIndex = rowIndex;
        slot.el.setAttribute('aria-rowindex', String(rowIndex));
      }
      const y = (row - pool.base) * this.rowHeight;
      if (slot.y !== y) {
        slot.y = y;
        slot.el.style.transform = `translateY(${y}px)`;
      }
    }
    this.updateActive();
    return deferred;
  }

  /** The row slot `k` shows, or -1. */
  rowOf(k: number): number {
    return this.slots[k]?.row ?? -1;
  }

  /** Show `range` and `cursor` on the drawn rows. */
  select(range: CellRange | null, cursor: Cursor | null): void {
    this.range = range;
    this.cursor = cursor;
    for (const slot of this.slots) if (slot.row >= 0) this.mark(slot);
    this.updateActive();
  }

  private fill(slot: Slot, row: number): void {
    slot.row = row;
    const odd = row % 2 === 1;
    if (slot.odd !== odd) {
      slot.odd = odd;
      slot.el.classList.toggle('odd', odd);
    }
    slot.num.data = formatInteger(row + 1);
    const { columns, readers } = this;
    const { texts, cells, titles, marks } = slot;
    for (let c = 0; c < columns.length; c++) {
      const cell = columns[c].format(readers[c](row));
      if (texts[c].data !== cell.text) texts[c].data = cell.text;
      if (titles[c] !== cell.title) {
        titles[c] = cell.title;
        if (cell.title === undefined) cells[c].removeAttribute('title');
        else cells[c].title = cell.title;
      }
      // The kind may change (null or not); the marks are rewritten by mark() below.
      marks[c] = (marks[c] & 3) | (KINDS.indexOf(cell.kind) << 2);
    }
    this.mark(slot);
  }

  /** Write the class names and aria-selected of a slot's cells for the current selection. */
  private mark(slot: Slot): void {
    const { range, cursor } = this;
    const row = slot.row;
    const inRows = range !== null && row >= range.row0 && row <= range.row1;
    const cursorHere = cursor !== null && cursor.row === row;
    for (let c = 0; c < slot.cells.length; c++) {
      const m = (inRows && c >= range!.col0 && c <= range!.col1 ? SELECTED : 0) | (cursorHere && cursor!.col === c ? CURSOR : 0);
      const old = slot.marks[c];
      const kind = old >> 2;
      const cls = this.classNames[c][kind * 4 + m];
      const cell = slot.cells[c];
      if (slot.classes[c] !== cls) {
        slot.classes[c] = cls;
        cell.className = cls;
      }
      if ((old & 3) === m) continue;
      slot.marks[c] = (kind << 2) | m;
      if ((old & SELECTED) !== (m & SELECTED)) cell.setAttribute('aria-selected', m & SELECTED ? 'true' : 'false');
      if ((old & CURSOR) !== (m & CURSOR)) {
        if (m & CURSOR) cell.id = this.cellId(row, c);
        else if (cell.id) cell.removeAttribute('id');
      }
    }
  }

  private updateActive(): void {
    const cursor = this.cursor;
    let active: string | undefined;
    if (cursor) for (const slot of this.slots) if (slot.row === cursor.row) active = this.cellId(cursor.row, cursor.col);
    this.activeId = active;
  }

  /** Remove the rows. */
  destroy(): void {
    for (const slot of this.slots) slot.el.remove();
    this.slots.length = 0;
  }
}
