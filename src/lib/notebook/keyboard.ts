/**
 * Cell keyboard commands (Jupyter-like). A cell element is in "command mode" when it has focus
 * itself, and in "edit mode" when focus is inside it (an editor or a field).
 */
import { addCell, moveBy, removeCell } from './actions';
import { isComputed } from './run/graph-cells';
import { focusCell, focusEditorIn } from './focus';
import type { NotebookSession } from './session.svelte';

const DOUBLE_PRESS_MS = 600;
let lastD = 0;

function isMod(e: KeyboardEvent): boolean {
  return e.metaKey || e.ctrlKey;
}

function neighbour(s: NotebookSession, id: string, delta: number): string | undefined {
  return s.state.at(s.state.indexOf(id) + delta)?.id;
}

function goNext(s: NotebookSession, id: string): void {
  focusCell(neighbour(s, id, 1) ?? id);
}

/** Whether an editor popup (autocomplete) was showing when the current key went down. */
let hadVisiblePopup = false;

/**
 * Capture phase, before any editor sees the key: leaving the editor must win over
 * CodeMirror's and ProseMirror's own bindings for these keys.
 */
export function onCellKeydownCapture(e: KeyboardEvent, s: NotebookSession, id: string): void {
  hadVisiblePopup = e.key === 'Escape' && (e.currentTarget as HTMLElement).querySelector('.cm-tooltip-autocomplete') !== null;
  if (e.key === 'Enter' && (e.shiftKey || isMod(e)) && !e.altKey) {
    e.preventDefault();
    e.stopPropagation();
    // Shift-Enter runs and moves on (as in Jupyter); Mod-Enter runs and stays.
    if (s.state.cells.some((c) => c.id === id && isComputed(c.kind))) s.runner.run(id);
    if (e.shiftKey) goNext(s, id);
  } else if (e.key === 'Backspace' && isMod(e) && e.shiftKey) {
    e.preventDefault();
    e.stopPropagation();
    void removeCell(s, id);
  }
}

/** Bubble phase: Escape leaves an editor; single keys are commands on a selected cell. */
export function onCellKeydown(e: KeyboardEvent, s: NotebookSession, id: string): void {
  const cell = e.currentTarget as HTMLElement;
  if (e.target !== cell) {
    // Escape leaves the editor unless it closed a popup the user could see. (CodeMirror also
    // "uses" Escape to cancel an invisible pending completion, so defaultPrevented is no guide.)
    if (e.key === 'Escape' && !hadVisiblePopup) {
      e.preventDefault();
      cell.focus();
    }
    return;
  }
  if (e.defaultPrevented) return;
  const handled = command(e, s, id, cell);
  if (handled) e.preventDefault();
}

function command(e: KeyboardEvent, s: NotebookSession, id: string, cell: HTMLElement): boolean {
  const index = s.state.indexOf(id);
  if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
    void moveBy(s, id, e.key === 'ArrowUp' ? -1 : 1);
    return true;
  }
  if (isMod(e) || e.altKey) return false;
  switch (e.key) {
    case 'Enter':
      return focusEditorIn(cell);
    case 'j':
    case 'ArrowDown': {
      const next = neighbour(s, id, 1);
      if (next) focusCell(next);
      return true;
    }
    case 'k':
    case 'ArrowUp': {
      const prev = neighbour(s, id, -1);
      if (prev) focusCell(prev);
      return true;
    }
    case 'a':
      void addCell(s, 'sql', index);
      return true;
    case 'b':
      void addCell(s, 'sql', index + 1);
      return true;
    case 'd': {
      const now = Date.now();
      if (now - lastD < DOUBLE_PRESS_MS) {
        lastD = 0;
        void removeCell(s, id);
      } else lastD = now;
      return true;
    }
    default:
      return false;
  }
}
