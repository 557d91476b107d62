/**
 * A code cell's editor: CodeMirror 6 bound to the cell's `source` Y.Text with y-codemirror.next.
 * Undo is a per-editor Y.UndoManager on that text, so it only ever reverts this user's typing.
 */
import { autocompletion, closeBrackets, closeBracketsKeymap, closeCompletion, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, indentWithTab } from '@codemirror/commands';
import { javascript } from '@codemirror/lang-javascript';
import { MySQL, PostgreSQL, sql, type SQLNamespace } from '@codemirror/lang-sql';
import { bracketMatching, indentOnInput } from '@codemirror/language';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { drawSelection, dropCursor, EditorView, highlightActiveLine, highlightSpecialChars, keymap, placeholder } from '@codemirror/view';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { codeTheme } from './code-theme';
import { errorMarks } from './error-mark';
import type { SqlDialect } from '$kernels/sql-ident.js';

/** What a SQL editor completes from: the engine's dialect and its tables → columns. */
export interface SqlLanguageConfig {
  dialect: SqlDialect;
  schema: SQLNamespace;
}

export interface CodeEditorOptions {
  parent: HTMLElement;
  text: Y.Text;
  awareness: Awareness;
  language: 'sql' | 'js';
  /** Accessible name of the editable region. */
  label: string;
  /** SQL only: dialect and completion schema (change it later with {@link setSqlLanguage}). */
  sqlConfig?: SqlLanguageConfig;
  /** Show the text without letting it be changed (a viewer's notebook). */
  readOnly?: boolean;
}

/**
 * The SQL language lives in a compartment, so a cell's engine or schema changing swaps
 * dialect and completions without re-creating the editor (and its Yjs binding and undo).
 */
const sqlCompartment = new Compartment();

function sqlLanguage(config: SqlLanguageConfig | undefined): Extension {
  // lang-sql has no DuckDB dialect; PostgreSQL's (double-quoted identifiers, $1 parameters) is the closest.
  return sql({ dialect: config?.dialect === 'mysql' ? MySQL : PostgreSQL, schema: config?.schema, upperCaseKeywords: false });
}

/** Reconfigure a SQL editor's dialect and completion schema. */
export function setSqlLanguage(view: EditorView, config: SqlLanguageConfig | undefined): void {
  view.dispatch({ effects: sqlCompartment.reconfigure(sqlLanguage(config)) });
}

const readOnlyCompartment = new Compartment();

function readOnlyExtension(readOnly: boolean): Extension {
  // Both: `readOnly` stops commands and input, `editable` stops the browser's own editing (IME, drops).
  return readOnly ? [EditorState.readOnly.of(true), EditorView.editable.of(false)] : [];
}

/** Make an editor read-only, or editable again (when the user's access changes while it is open). */
export function setCodeReadOnly(view: EditorView, readOnly: boolean): void {
  view.dispatch({ effects: readOnlyCompartment.reconfigure(readOnlyExtension(readOnly)) });
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
        opts.language === 'sql' ? sqlCompartment.of(sqlLanguage(opts.sqlConfig)) : javascript(),
        codeTheme(),
        // yUndoManagerKeymap first: it must win over any other Mod-z binding.
        keymap.of([...yUndoManagerKeymap, ...closeBracketsKeymap, ...completionKeymap, ...defaultKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ 'aria-label': opts.label }),
        // Leaving the editor (Escape to the cell, say) must not leave a completion popup behind.
        EditorView.domEventHandlers({ blur: (_e, view) => void closeCompletion(view) }),
        errorMarks(),
        readOnlyCompartment.of(readOnlyExtension(opts.readOnly ?? false)),
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
