/**
 * Element sizes for the grid without reading layout from script. `bind:clientHeight` and
 * `bind:offsetHeight` read the property once when the grid mounts, which forces the browser
 * to lay out the whole page synchronously in the middle of rendering (≈ 6 ms on a notebook
 * page, measured with bench/browser-sql) — and then again for the frame. A ResizeObserver
 * is told the sizes after the frame's own layout, before paint, so nothing is laid out twice.
 */

/** Calls `onSize` with `el`'s height in px (its content box, or border box) whenever it changes. Returns the stop function. */
export function observeHeight(el: Element, box: 'content-box' | 'border-box', onSize: (px: number) => void): () => void {
  const observer = new ResizeObserver((entries) => {
    const entry = entries[entries.length - 1];
    const size = box === 'border-box' ? entry.borderBoxSize?.[0] : entry.contentBoxSize?.[0];
    // contentRect is the content box; old engines without the box sizes still have it.
    onSize(Math.round(size ? size.blockSize : entry.contentRect.height));
  });
  observer.observe(el, { box });
  return () => observer.disconnect();
}
