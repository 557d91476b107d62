/**
 * The run error of a cell, underlined where it happened: a wavy mark on the token at the
 * error's position, with the message as its tooltip. The mark moves with edits and is
 * replaced by the next run's outcome.
 */
import { StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, type DecorationSet } from '@codemirror/view';

/** Where and why a run failed; null clears the mark. */
export interface ErrorMark {
  /** 0-based offset into the source. */
  position: number;
  message: string;
}

const setErrorMark = StateEffect.define<ErrorMark | null>();

const errorField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    marks = marks.map(tr.changes);
    for (const effect of tr.effects) {
      if (!effect.is(setErrorMark)) continue;
      marks = Decoration.none;
      const mark = effect.value;
      if (!mark) continue;
      const doc = tr.state.doc;
      const from = Math.max(0, Math.min(mark.position, doc.length));
      // Underline the word at the position (or one character), never past its line.
      const line = doc.lineAt(from);
      const rest = doc.sliceString(from, line.to);
      const word = /^[\w$."]+/.exec(rest)?.[0].length ?? 1;
      const to = Math.min(line.to, from + Math.max(1, word));
      if (to > from) marks = Decoration.set([Decoration.mark({ class: 'cm-cairn-error', attributes: { title: mark.message } }).range(from, to)]);
      else marks = Decoration.set([Decoration.line({ class: 'cm-cairn-error-line', attributes: { title: mark.message } }).range(line.from)]);
    }
    return marks;
  },
  provide: (field) => EditorView.decorations.from(field)
});

const errorTheme = EditorView.baseTheme({
  '.cm-cairn-error': { textDecoration: 'underline wavy var(--danger)', textDecorationSkipInk: 'none', textUnderlineOffset: '3px' },
  '.cm-cairn-error-line': { backgroundColor: 'var(--danger-weak)' }
});

/** The extension that holds the mark. */
export function errorMarks(): Extension {
  return [errorField, errorTheme];
}

/** Show `mark` (or clear it with null) in `view`. */
export function showErrorMark(view: EditorView, mark: ErrorMark | null): void {
  view.dispatch({ effects: setErrorMark.of(mark) });
}
