/**
 * Commented ranges of a text cell: the selection as Yjs relative positions (base64, so a
 * range survives collaborators' edits around it), and a decoration that highlights one
 * range while its thread is open.
 */
import { Plugin, PluginKey, type EditorState } from 'prosemirror-state';
import { Decoration, DecorationSet, type EditorView } from 'prosemirror-view';
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from 'y-prosemirror';
import * as Y from 'yjs';
import type { CommentRange } from '$lib/contract/comments';

const key = new PluginKey<DecorationSet>('comment-range');

/** Highlights the range {@link showCommentRange} sets, following edits until it is cleared. */
export function commentRangeHighlight(): Plugin<DecorationSet> {
  return new Plugin<DecorationSet>({
    key,
    state: {
      init: () => DecorationSet.empty,
      apply(tr, set) {
        const next = tr.getMeta(key) as { from: number; to: number } | null | undefined;
        if (next === undefined) return set.map(tr.mapping, tr.doc);
        if (next === null || next.from >= next.to) return DecorationSet.empty;
        return DecorationSet.create(tr.doc, [Decoration.inline(next.from, next.to, { class: 'comment-range', 'data-comment-range': '' })]);
      }
    },
    props: { decorations: (state) => key.getState(state) }
  });
}

interface Sync {
  type: Y.XmlFragment;
  binding: { mapping: Map<Y.AbstractType<unknown>, unknown> };
}

function syncOf(state: EditorState): Sync | null {
  const sync = ySyncPluginKey.getState(state) as Sync | undefined;
  return sync?.type && sync.binding ? sync : null;
}

function encode(pos: Y.RelativePosition): string {
  let text = '';
  for (const byte of Y.encodeRelativePosition(pos)) text += String.fromCharCode(byte);
  return btoa(text);
}

function decode(text: string): Y.RelativePosition {
  return Y.decodeRelativePosition(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)));
}

/**
 * What the user selected in the editor's text, as document positions: read from the page's
 * selection, so it works in a read-only editor too (ProseMirror follows the selection only
 * while editable). Null when nothing inside this editor is selected.
 */
export function selectedSpan(view: EditorView): { from: number; to: number } | null {
  const sel = view.dom.ownerDocument.getSelection();
  if (!sel || sel.isCollapsed || sel.rangeCount === 0) return null;
  const r = sel.getRangeAt(0);
  if (!view.dom.contains(r.startContainer) || !view.dom.contains(r.endContainer)) return null;
  try {
    const from = view.posAtDOM(r.startContainer, r.startOffset);
    const to = view.posAtDOM(r.endContainer, r.endOffset);
    return from < to ? { from, to } : null;
  } catch {
    return null;
  }
}

/** A span of the editor's document as a comment range (relative positions), with its text for quoting. */
export function commentRangeOf(view: EditorView, span: { from: number; to: number }): { range: CommentRange; quote: string } | null {
  const sync = syncOf(view.state);
  if (!sync) return null;
  const mapping = sync.binding.mapping as never;
  return {
    range: { start: encode(absolutePositionToRelativePosition(span.from, sync.type, mapping)), end: encode(absolutePositionToRelativePosition(span.to, sync.type, mapping)) },
    quote: view.state.doc.textBetween(span.from, span.to, ' ')
  };
}

/** Highlight `range` (null: none). A range whose text was deleted meanwhile shows nothing. */
export function showCommentRange(view: EditorView, range: CommentRange | null): void {
  let next: { from: number; to: number } | null = null;
  const sync = syncOf(view.state);
  if (range && sync?.type.doc) {
    try {
      const from = relativePositionToAbsolutePosition(sync.type.doc, sync.type, decode(range.start), sync.binding.mapping as never);
      const to = relativePositionToAbsolutePosition(sync.type.doc, sync.type, decode(range.end), sync.binding.mapping as never);
      if (from !== null && to !== null) next = { from: Math.min(from, to), to: Math.max(from, to) };
    } catch (err) {
      console.warn('could not place a commented range', err);
    }
  }
  view.dispatch(view.state.tr.setMeta(key, next));
}
