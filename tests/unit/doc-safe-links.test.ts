import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { prosemirrorToYXmlFragment, yXmlFragmentToProseMirrorRootNode } from 'y-prosemirror';
import type { Mark, Node } from 'prosemirror-model';
import { parseMarkdown, proseSchema, proseToMarkdown, safeHref } from '../../src/lib/doc/index.js';

const UNSAFE = ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'java\nscript:alert(1)', '\u0001javascript:alert(1)', 'vbscript:msgbox(1)', 'data:text/html,<script>alert(1)</script>', 'data:image/png;base64,AAAA', 'file:///etc/passwd', 'blob:https://x/1'];
const SAFE = ['https://example.com/a?b=c', 'http://example.com', 'mailto:ana@example.com', '/n/abc', 'other-notebook', '#section', '?q=1', '//example.com/x'];

/** Every link mark in a document, in order. */
function links(doc: Node): Mark[] {
  const found: Mark[] = [];
  doc.descendants((node) => {
    for (const mark of node.marks) if (mark.type === proseSchema.marks.link) found.push(mark);
  });
  return found;
}

/** The attributes a link mark renders with. */
function rendered(mark: Mark): Record<string, unknown> {
  const spec = proseSchema.marks.link.spec.toDOM!(mark, true) as [string, Record<string, unknown>];
  return spec[1];
}

describe('links in text cells', () => {
  it.each(UNSAFE)('refuses %j as a link target', (href) => {
    expect(safeHref(href)).toBeNull();
  });

  it.each(SAFE)('accepts %j as a link target', (href) => {
    expect(safeHref(href)).toBe(href);
  });

  it('keeps http, https, mailto and relative links when parsing Markdown', () => {
    const doc = parseMarkdown('[a](https://example.com) [b](mailto:ana@example.com) [c](/n/abc) <http://example.com>');
    expect(links(doc).map((m) => m.attrs.href)).toEqual(['https://example.com', 'mailto:ana@example.com', '/n/abc', 'http://example.com']);
  });

  it('turns javascript:, vbscript: and data: links in Markdown into text that links nowhere', () => {
    const doc = parseMarkdown('[a](javascript:alert(1)) [b](vbscript:x) [c](data:image/png;base64,AAAA) <javascript:alert(1)>');
    expect(doc.textContent).toContain('a');
    for (const mark of links(doc)) {
      expect(safeHref(mark.attrs.href) || null).toBeNull();
      expect(rendered(mark).href).toBeNull();
    }
  });

  it('renders a link written straight into the Yjs document without its unsafe href', () => {
    // A hostile client can put any attribute in the shared document; build that document.
    const ydoc = new Y.Doc();
    const fragment = ydoc.getXmlFragment('prose');
    const link = (href: string) => proseSchema.marks.link.create({ href });
    const paragraph = proseSchema.node('paragraph', null, [proseSchema.text('evil', [link('javascript:alert(document.cookie)')]), proseSchema.text(' fine', [link('https://example.com')])]);
    prosemirrorToYXmlFragment(proseSchema.node('doc', null, [paragraph]), fragment);

    const [evil, fine] = links(yXmlFragmentToProseMirrorRootNode(fragment, proseSchema));
    expect(rendered(evil).href).toBeNull();
    expect(rendered(fine).href).toBe('https://example.com');
    expect(rendered(fine).rel).toContain('noopener');
  });

  it('does not take an unsafe link from pasted HTML', () => {
    const rule = proseSchema.marks.link.spec.parseDOM![0] as { getAttrs: (dom: unknown) => unknown };
    const anchor = (href: string) => ({ getAttribute: (name: string) => (name === 'href' ? href : null) });
    expect(rule.getAttrs(anchor('javascript:alert(1)'))).toBe(false);
    expect(rule.getAttrs(anchor('https://example.com'))).toEqual({ href: 'https://example.com', title: null });
  });

  it('still writes safe links back out as Markdown', () => {
    const ydoc = new Y.Doc();
    const fragment = ydoc.getXmlFragment('prose');
    prosemirrorToYXmlFragment(parseMarkdown('see [the docs](https://example.com/docs)'), fragment);
    expect(proseToMarkdown(fragment).trim()).toBe('see [the docs](https://example.com/docs)');
  });
});
