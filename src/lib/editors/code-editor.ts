/**
 * A code cell's editor: CodeMirror 6 bound to the cell's `source` Y.Text with y-codemirror.next.
 * Undo is a per-editor Y.UndoManager on that text, so it only ever reverts this user's typing.
 */
import { autocompletion, closeBrackets, closeBracketsKeymap, closeCompletion, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, indentWithTab } from '@codemirror/commands';
import { javascript } from '@codemirror/lang-javascript';
import { sql } from '@codemirror/lang-sql';
import { bracketMatching, indentOnInput } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { drawSelection, dropCursor, EditorView, highlightActiveLine, highlightSpecialChars, keymap, placeholder } from '@codemirror/view';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { codeTheme } from './code-theme';
import { errorMarks } from './error-mark';

export interface CodeEditorOptions {
  parent: HTMLElement;
  text: Y.Text;
  awareness: Awareness;
  language: 'sql' | 'js';
  /** Accessible name of the editable region. */
  label: string;
}

const PLACEHOLDER = {
  sql: 'select * from penguins',
  js: 'return 1 + 1'
};

export interface CodeEditor {
  view: EditorView;
  /** Tear down the view and its undo manager. */
  destroy(): void;
}

/** Create the editor; call `destroy()` on the result when the cell goes away. */
export function createCodeEditor(opts: CodeEditorOptions): CodeEditor {
  const undoManager = new Y.UndoManager(opts.text);
  const view = new EditorView({
    parent: opts.parent,
    state: EditorState.create({
      doc: opts.text.toString(),
      extensions: [
        highlightSpecialChars(),
        drawSelection(),
        dropCursor(),
        EditorState.allowMultipleSelections.of(true),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        autocompletion({ icons: false }),
        highlightActiveLine(),
        placeholder(PLACEHOLDER[opts.language]),
        opts.language === 'sql' ? sql() : javascript(),
        codeTheme(),
        // yUndoManagerKeymap first: it must win over any other Mod-z binding.
        keymap.of([...yUndoManagerKeymap, ...closeBracketsKeymap, ...completionKeymap, ...defaultKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ 'aria-label': opts.label }),
        // Leaving the editor (Escape to the cell, say) must not leave a completion popup behind.
        EditorView.domEventHandlers({ blur: (_e, view) => void closeCompletion(view) }),
        errorMarks(),
        yCollab(opts.text, opts.awareness, { undoManager })
      ]
    })
  });
  return {
    view,
    destroy() {
      view.destroy();
      undoManager.destroy();
    }
  };
}
