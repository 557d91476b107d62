/**
 * Pan and zoom of the lineage drawing as plain values: a view maps layout units to screen
 * pixels (`screen = layout · k + (x, y)`), and every gesture makes a new view.
 */

export interface View {
  x: number;
  y: number;
  k: number;
}

export interface Size {
  width: number;
  height: number;
}

/** Zoom limits: far enough out to see 200 cells' outline, close enough to read a long name. */
export const MIN_SCALE = 0.1;
export const MAX_SCALE = 2.5;
/** Below this scale a fit would make labels unreadable: fit-to-view stops here and shows the start of the graph. */
export const READABLE_SCALE = 0.75;

function clampScale(k: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, k));
}

/**
 * The view that shows all of `content` in `viewport`, centred and never enlarged past 1;
 * with `readable`, a graph too big to read whole is shown from its top-left corner at
 * the smallest readable scale instead.
 */
export function fitView(content: Size, viewport: Size, options: { padding?: number; readable?: boolean } = {}): View {
  const padding = options.padding ?? 24;
  const w = Math.max(1, content.width);
  const h = Math.max(1, content.height);
  const room = { width: Math.max(1, viewport.width - 2 * padding), height: Math.max(1, viewport.height - 2 * padding) };
  const k = clampScale(Math.min(1, room.width / w, room.height / h));
  if (options.readable && k < READABLE_SCALE) return { x: padding, y: padding, k: READABLE_SCALE };
  return { x: (viewport.width - w * k) / 2, y: (viewport.height - h * k) / 2, k };
}

/** `view` zoomed by `factor` about the screen point (`px`, `py`), which stays put. */
export function zoomAt(view: View, factor: number, px: number, py: number): View {
  const k = clampScale(view.k * factor);
  const f = k / view.k;
  return { x: px - (px - view.x) * f, y: py - (py - view.y) * f, k };
}

/** `view` moved by (`dx`, `dy`) screen pixels. */
export function panBy(view: View, dx: number, dy: number): View {
  return { x: view.x + dx, y: view.y + dy, k: view.k };
}

/** `view` moved as little as possible so the layout box (`x`, `y`, `width`, `height`) is on screen. */
export function reveal(view: View, box: { x: number; y: number; width: number; height: number }, viewport: Size, margin = 24): View {
  const left = box.x * view.k + view.x;
  const top = box.y * view.k + view.y;
  const right = left + box.width * view.k;
  const bottom = top + box.height * view.k;
  let dx = 0;
  let dy = 0;
  if (left < margin) dx = margin - left;
  else if (right > viewport.width - margin) dx = Math.max(margin - left, viewport.width - margin - right);
  if (top < margin) dy = margin - top;
  else if (bottom > viewport.height - margin) dy = Math.max(margin - top, viewport.height - margin - bottom);
  return panBy(view, dx, dy);
}

/** The wheel's zoom factor for a `deltaY` (pixels): smooth on trackpads, a step per mouse notch. */
export function wheelFactor(deltaY: number, deltaMode: number): number {
  const pixels = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  return Math.pow(2, -pixels / 500);
}
