/**
 * Keyboard focus between cells. Cells are found by `data-cell-id`, so focus works the same
 * whichever component rendered them.
 */
import { EditorView } from '@codemirror/view';

function cellElement(id: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(`[data-cell-id="${CSS.escape(id)}"]`);
}

/** Focus cell `id`: the cell itself (command mode) or its editor (edit mode). */
export function focusCell(id: string, target: 'cell' | 'editor' = 'cell'): void {
  const el = cellElement(id);
  if (!el) return;
  if (target === 'editor' && focusEditorIn(el)) return;
  el.focus({ preventScroll: true });
  el.scrollIntoView({ block: 'nearest' });
}

/** Focus the main editor inside a cell element; returns whether there was one. */
export function focusEditorIn(cell: HTMLElement): boolean {
  const cm = cell.querySelector<HTMLElement>('.cm-editor');
  if (cm) {
    const view = EditorView.findFromDOM(cm);
    if (view) {
      view.focus();
      return true;
    }
  }
  const target = cell.querySelector<HTMLElement>('.ProseMirror, [data-editor-focus]');
  if (target) {
    target.focus();
    return true;
  }
  return false;
}

/** The cell element that contains `node`, if any. */
export function cellOf(node: EventTarget | null): HTMLElement | null {
  return node instanceof Element ? node.closest<HTMLElement>('[data-cell-id]') : null;
}

/** Whether `node` is somewhere the user types (so single-key shortcuts must not fire). */
export function isEditable(node: EventTarget | null): boolean {
  if (!(node instanceof HTMLElement)) return false;
  return node.isContentEditable || node.tagName === 'INPUT' || node.tagName === 'TEXTAREA' || node.tagName === 'SELECT';
}
