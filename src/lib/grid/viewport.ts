/**
 * Virtual scrolling arithmetic: which rows are on screen for a scroll position, and where
 * to draw them. Browsers cap an element's height (Chrome ~33.5M px, Firefox ~17.9M px), so
 * past MAX_SCROLL_HEIGHT the scrollable height is capped and scroll positions are scaled to
 * rows; below it the mapping is the identity.
 */

/** Tallest scrollable body the grid makes, under every browser's element-height limit. */
export const MAX_SCROLL_HEIGHT = 15_000_000;

/** Geometry of the scrolled body: rows of a fixed height in a viewport of a given height. */
export interface BodyGeometry {
  rows: number;
  rowHeight: number;
  /** Height of the visible body (the scroller's client height minus the sticky header). */
  viewportHeight: number;
  /** Upper bound for the body's physical height (tests pass small values). */
  maxHeight?: number;
}

/** The rows to draw: [first, end) and the body offset at which row `first` is drawn. */
export interface RowWindow {
  first: number;
  end: number;
  offsetY: number;
}

/** The body's physical (scrollable) height in px. */
export function bodyHeight(g: BodyGeometry): number {
  return Math.min(g.rows * g.rowHeight, g.maxHeight ?? MAX_SCROLL_HEIGHT);
}

/** Virtual px per physical px of scroll (1 unless the body is capped). */
function scrollScale(g: BodyGeometry): number {
  const physical = bodyHeight(g) - g.viewportHeight;
  const virtual = g.rows * g.rowHeight - g.viewportHeight;
  return physical > 0 && virtual > physical ? virtual / physical : 1;
}

/** The virtual (unscaled) scroll offset for a physical scrollTop. */
export function virtualTop(scrollTop: number, g: BodyGeometry): number {
  const maxVirtual = Math.max(0, g.rows * g.rowHeight - g.viewportHeight);
  return Math.min(maxVirtual, Math.max(0, scrollTop * scrollScale(g)));
}

/** The physical scrollTop that shows virtual offset `top`. */
export function physicalTop(top: number, g: BodyGeometry): number {
  return top / scrollScale(g);
}

/** Rows on screen at `scrollTop`, with `overscan` extra rows above and below. */
export function rowWindow(scrollTop: number, g: BodyGeometry, overscan = 4): RowWindow {
  if (g.rows <= 0 || g.rowHeight <= 0) return { first: 0, end: 0, offsetY: 0 };
  const top = virtualTop(scrollTop, g);
  const first = Math.max(0, Math.floor(top / g.rowHeight) - overscan);
  const end = Math.min(g.rows, Math.ceil((top + Math.max(0, g.viewportHeight)) / g.rowHeight) + overscan);
  // Row `first` sits at virtual y = first * rowHeight, i.e. that far from the virtual top,
  // and the virtual top is drawn at the physical scrollTop.
  const offsetY = Math.max(0, scrollTop + first * g.rowHeight - top);
  return { first, end, offsetY };
}

/**
 * The physical scrollTop that brings `row` fully into view with the least movement, or
 * null when it already is.
 */
export function scrollTopToReveal(row: number, scrollTop: number, g: BodyGeometry): number | null {
  const top = virtualTop(scrollTop, g);
  const rowTop = row * g.rowHeight;
  const rowBottom = rowTop + g.rowHeight;
  if (rowTop < top) return Math.floor(physicalTop(rowTop, g));
  if (rowBottom > top + g.viewportHeight) return Math.ceil(physicalTop(rowBottom - g.viewportHeight, g));
  return null;
}

/**
 * The rows kept in the DOM: a pool of `size` row elements, each showing one row of
 * [start, start + size). Row `r` always goes to slot `r mod size`, so when the grid
 * scrolls by a few rows only the slots of rows that came into the pool change (the others
 * keep their nodes, text and layout), and with an even size a slot's stripe never changes.
 */
export interface RowPool {
  size: number;
  start: number;
  /** A multiple of `size` at or before `start`: rows are drawn at (row - base) × rowHeight in the pool's box. */
  base: number;
  /** Where the pool's box is drawn in the body (px). */
  offsetY: number;
}

/** Slots for a viewport: the rows it shows, one more for a partly shown row, `overscan` on each side; even, at most `rows`. */
export function poolSize(g: BodyGeometry, overscan: number): number {
  if (g.rows <= 0 || g.rowHeight <= 0) return 0;
  const n = Math.ceil(Math.max(0, g.viewportHeight) / g.rowHeight) + 1 + 2 * overscan;
  return Math.min(g.rows, n + (n % 2));
}

/** The pool for `win` (from rowWindow with the same overscan): it covers [win.first, win.end). */
export function rowPool(win: RowWindow, g: BodyGeometry, overscan: number): RowPool {
  const size = poolSize(g, overscan);
  if (size === 0) return { size: 0, start: 0, base: 0, offsetY: 0 };
  // Near the end the pool starts earlier, so it always holds `size` rows.
  const start = Math.max(0, Math.min(win.first, g.rows - size));
  const base = start - (start % size);
  return { size, start, base, offsetY: win.offsetY - (win.first - base) * g.rowHeight };
}

/** The row slot `k` of `pool` shows: the one row of [start, start + size) that is k modulo size. */
export function slotRow(k: number, pool: RowPool): number {
  return pool.start + ((((k - pool.start) % pool.size) + pool.size) % pool.size);
}
