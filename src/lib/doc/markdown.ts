/**
 * Text cells as Markdown: their `prose` fragment uses the CommonMark schema that
 * prosemirror-markdown exports, so every client agrees on node names and a text cell
 * reads and writes as Markdown.
 */
import * as Y from 'yjs';
import { prosemirrorToYXmlFragment, yXmlFragmentToProseMirrorRootNode } from 'y-prosemirror';
import { defaultMarkdownParser, defaultMarkdownSerializer, schema } from 'prosemirror-markdown';
import { cellsOf } from './cells.js';

/** The schema text cells are edited in. */
export const proseSchema = schema;

/** A text cell's content as Markdown ('' when empty or unreadable). */
export function proseToMarkdown(fragment: Y.XmlFragment): string {
  if (fragment.length === 0) return '';
  return defaultMarkdownSerializer.serialize(yXmlFragmentToProseMirrorRootNode(fragment, schema));
}

/** Replace a text cell's content with `markdown`, in one transaction. */
export function setProseMarkdown(doc: Y.Doc, cellId: string, markdown: string, origin?: unknown): void {
  doc.transact(() => {
    const fragment = cellsOf(doc).get(cellId)?.get('prose');
    if (!(fragment instanceof Y.XmlFragment)) throw new Error(`cell ${cellId} is not a text cell`);
    prosemirrorToYXmlFragment(defaultMarkdownParser.parse(markdown), fragment);
  }, origin);
}
