/**
 * Text cells as Markdown: their `prose` fragment uses the CommonMark schema that
 * prosemirror-markdown exports, so every client agrees on node names and a text cell
 * reads and writes as Markdown.
 */
import * as Y from 'yjs';
import { prosemirrorToYXmlFragment, yXmlFragmentToProseMirrorRootNode } from 'y-prosemirror';
import { Schema, type MarkSpec } from 'prosemirror-model';
import { MarkdownParser, defaultMarkdownParser, defaultMarkdownSerializer, schema as commonMarkSchema } from 'prosemirror-markdown';
import { cellsOf } from './cells.js';
import { safeHref } from './safe-url.js';

/**
 * prosemirror-markdown's link, checked at every door (see safe-url.ts): a link read from
 * the Yjs document renders without its href when the href is unsafe, and a pasted `<a>`
 * with one is plain text.
 */
const safeLink: MarkSpec = {
  ...commonMarkSchema.spec.marks.get('link'),
  parseDOM: [
    {
      tag: 'a[href]',
      getAttrs(dom) {
        const href = safeHref((dom as HTMLElement).getAttribute('href'));
        return href ? { href, title: (dom as HTMLElement).getAttribute('title') } : false;
      }
    }
  ],
  toDOM(mark) {
    const href = safeHref(mark.attrs.href) || null;
    return ['a', { href, title: mark.attrs.title, rel: 'noopener noreferrer nofollow' }];
  }
};

/** The schema text cells are edited in: CommonMark's, with links limited to safe targets. */
export const proseSchema = new Schema({ nodes: commonMarkSchema.spec.nodes, marks: commonMarkSchema.spec.marks.update('link', safeLink) });

/** CommonMark (no inline HTML) into {@link proseSchema}; a link to an unsafe target keeps its text only. */
const markdownParser = new MarkdownParser(proseSchema, defaultMarkdownParser.tokenizer, {
  ...defaultMarkdownParser.tokens,
  link: { mark: 'link', getAttrs: (tok) => ({ href: safeHref(tok.attrGet('href')) ?? '', title: tok.attrGet('title') || null }) }
});

/** Parse Markdown into a text cell's document. */
export function parseMarkdown(markdown: string) {
  return markdownParser.parse(markdown);
}

/** A text cell's content as Markdown ('' when empty or unreadable). */
export function proseToMarkdown(fragment: Y.XmlFragment): string {
  if (fragment.length === 0) return '';
  return defaultMarkdownSerializer.serialize(yXmlFragmentToProseMirrorRootNode(fragment, proseSchema));
}

/** Replace a text cell's content with `markdown`, in one transaction. */
export function setProseMarkdown(doc: Y.Doc, cellId: string, markdown: string, origin?: unknown): void {
  doc.transact(() => {
    const fragment = cellsOf(doc).get(cellId)?.get('prose');
    if (!(fragment instanceof Y.XmlFragment)) throw new Error(`cell ${cellId} is not a text cell`);
    prosemirrorToYXmlFragment(parseMarkdown(markdown), fragment);
  }, origin);
}
