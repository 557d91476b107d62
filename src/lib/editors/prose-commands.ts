/**
 * Editing commands for text cells over their schema (CommonMark's, src/lib/doc/markdown.ts): the
 * Markdown-style input rules, the keymap, and the toolbar's commands with their active state.
 */
import { baseKeymap, chainCommands, exitCode, setBlockType, toggleMark } from 'prosemirror-commands';
import { ellipsis, emDash, InputRule, inputRules, textblockTypeInputRule, wrappingInputRule } from 'prosemirror-inputrules';
import { keymap } from 'prosemirror-keymap';
import { proseSchema as schema, safeHref } from '$doc';
import type { MarkType, NodeType } from 'prosemirror-model';
import { liftListItem, sinkListItem, splitListItem, wrapInList } from 'prosemirror-schema-list';
import type { Command, EditorState, Plugin } from 'prosemirror-state';

const { nodes, marks } = schema;

/** Typing `open text close` applies mark `type` to the text and drops the delimiters. */
function markRule(pattern: RegExp, type: MarkType): InputRule {
  return new InputRule(pattern, (state, match, start, end) => {
    const text = match[2];
    // Only plain text: never mark across or inside code.
    if (!text || state.doc.rangeHasMark(start, end, marks.code)) return null;
    const from = start + match[1].length;
    const tr = state.tr.delete(from, end).insertText(text, from);
    tr.addMark(from, from + text.length, type.create());
    return tr.removeStoredMark(type);
  });
}

/** `# ` … `###### ` headings, `- `/`* ` bullets, `1. ` numbers, `> ` quotes, ``` code blocks. */
export function markdownInputRules(): Plugin {
  return inputRules({
    rules: [
      ellipsis,
      emDash,
      // The match ends before the closing delimiter is inserted: `end` is where it would go.
      markRule(/(^|[^`])`([^`]+)`$/, marks.code),
      markRule(/(^|[^*])\*\*([^*]+)\*\*$/, marks.strong),
      markRule(/(^|[^*])\*([^*\s][^*]*)\*$/, marks.em),
      markRule(/(^|[^_\w])_([^_\s][^_]*)_$/, marks.em),
      textblockTypeInputRule(/^(#{1,6})\s$/, nodes.heading, (m) => ({ level: m[1].length })),
      wrappingInputRule(/^\s*([-*])\s$/, nodes.bullet_list, { tight: true }),
      wrappingInputRule(
        /^(\d+)\.\s$/,
        nodes.ordered_list,
        (m) => ({ order: Number(m[1]), tight: true }),
        (m, node) => node.childCount + Number(node.attrs.order) === Number(m[1])
      ),
      wrappingInputRule(/^\s*>\s$/, nodes.blockquote),
      textblockTypeInputRule(/^```$/, nodes.code_block)
    ]
  });
}

/** Formatting keys, list keys, then ProseMirror's base keymap. */
export function proseKeymaps(): Plugin[] {
  return [
    keymap({
      'Mod-b': toggleMark(marks.strong),
      'Mod-i': toggleMark(marks.em),
      'Mod-`': toggleMark(marks.code),
      'Mod-Alt-1': toggleHeading(1),
      'Mod-Alt-2': toggleHeading(2),
      'Mod-Alt-0': setBlockType(nodes.paragraph),
      Enter: splitListItem(nodes.list_item),
      'Mod-[': liftListItem(nodes.list_item),
      'Mod-]': sinkListItem(nodes.list_item),
      Tab: sinkListItem(nodes.list_item),
      'Shift-Tab': liftListItem(nodes.list_item),
      // Leave a code block with Alt-Enter (Mod-Enter and Shift-Enter move to the next cell).
      'Alt-Enter': chainCommands(exitCode)
    }),
    keymap(baseKeymap)
  ];
}

/** Whether the selection carries mark `type`. */
export function markActive(state: EditorState, type: MarkType): boolean {
  const { from, $from, to, empty } = state.selection;
  if (empty) return !!type.isInSet(state.storedMarks || $from.marks());
  return state.doc.rangeHasMark(from, to, type);
}

/** Whether the selection's textblock is of `type` (with `attrs`, if given). */
export function blockActive(state: EditorState, type: NodeType, attrs?: Record<string, unknown>): boolean {
  const { $from } = state.selection;
  const node = $from.parent;
  if (node.type !== type) return false;
  return !attrs || Object.entries(attrs).every(([k, v]) => node.attrs[k] === v);
}

/** Whether the selection sits inside a list of `type`. */
export function inList(state: EditorState, type: NodeType): boolean {
  const { $from } = state.selection;
  for (let d = $from.depth; d > 0; d--) {
    const n = $from.node(d);
    if (n.type === nodes.bullet_list || n.type === nodes.ordered_list) return n.type === type;
  }
  return false;
}

/** Heading `level` on, or back to a paragraph when it already is one. */
export function toggleHeading(level: number): Command {
  return (state, dispatch) =>
    blockActive(state, nodes.heading, { level })
      ? setBlockType(nodes.paragraph)(state, dispatch)
      : setBlockType(nodes.heading, { level })(state, dispatch);
}

/** Wrap in a list of `type`, or lift out of it when already inside one. */
export function toggleList(type: NodeType): Command {
  return (state, dispatch) =>
    inList(state, type) ? liftListItem(nodes.list_item)(state, dispatch) : wrapInList(type, { tight: true })(state, dispatch);
}

/**
 * Remove the link under the selection, or ask for a URL and link the selection (or insert the
 * URL as linked text when nothing is selected).
 */
export function toggleLink(askUrl: () => string | null): Command {
  return (state, dispatch) => {
    const { from, to, empty } = state.selection;
    const type = marks.link;
    if (markActive(state, type)) {
      if (dispatch) {
        // Remove the whole link the cursor is in, not just the selected part.
        const $pos = state.doc.resolve(from);
        const start = $pos.parent.childAfter($pos.parentOffset);
        const linkStart = start.node ? $pos.start() + start.offset : from;
        const linkEnd = start.node ? linkStart + start.node.nodeSize : to;
        dispatch(state.tr.removeMark(Math.min(from, linkStart), Math.max(to, linkEnd), type));
      }
      return true;
    }
    if (!dispatch) return true;
    // A `javascript:` or `data:` target is refused here as well as when rendered.
    const href = safeHref(askUrl()?.trim());
    if (!href) return false;
    const mark = type.create({ href });
    if (empty) dispatch(state.tr.insert(from, schema.text(href, [mark])));
    else dispatch(state.tr.addMark(from, to, mark));
    return true;
  };
}

export { schema as proseSchema };
