/**
 * A text cell's editor: ProseMirror over the CommonMark schema, bound to the cell's `prose`
 * Y.XmlFragment. Cursors come from awareness; undo is y-prosemirror's, scoped to this user.
 */
import { keymap } from 'prosemirror-keymap';
import { EditorState } from 'prosemirror-state';
import { EditorView } from 'prosemirror-view';
import { redo, undo, yCursorPlugin, ySyncPlugin, yUndoPlugin } from 'y-prosemirror';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { markdownInputRules, proseKeymaps, proseSchema } from './prose-commands';
import { commentRangeHighlight } from './comment-range';

export interface ProseEditorOptions {
  parent: HTMLElement;
  fragment: Y.XmlFragment;
  awareness: Awareness;
  label: string;
  /** Show the text without letting it be changed (a viewer's notebook). */
  readOnly?: boolean;
  /** Called after every state change (the toolbar re-reads its active states). */
  onChange?: (state: EditorState) => void;
}

/** Create the editor; call `view.destroy()` when the cell goes away. */
export function createProseEditor(opts: ProseEditorOptions): EditorView {
  const state = EditorState.create({
    schema: proseSchema,
    plugins: [
      ySyncPlugin(opts.fragment),
      yCursorPlugin(opts.awareness),
      yUndoPlugin(),
      keymap({ 'Mod-z': undo, 'Mod-y': redo, 'Mod-Shift-z': redo }),
      markdownInputRules(),
      commentRangeHighlight(),
      ...proseKeymaps()
    ]
  });
  const editable = !(opts.readOnly ?? false);
  return new EditorView(opts.parent, {
    state,
    editable: () => editable,
    attributes: { 'aria-label': opts.label, 'aria-multiline': 'true', role: 'textbox', class: 'prose' },
    // `this`, not a captured variable: y-prosemirror dispatches while the view is being constructed.
    dispatchTransaction(this: EditorView, tr) {
      this.updateState(this.state.apply(tr));
      opts.onChange?.(this.state);
    }
  });
}

/** Make an editor read-only, or editable again (when the user's access changes while it is open). */
export function setProseReadOnly(view: EditorView, readOnly: boolean): void {
  view.setProps({ editable: () => !readOnly });
}
