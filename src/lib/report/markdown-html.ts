/**
 * A text cell's Markdown as HTML for reports, the same on the server and in the browser:
 * raw HTML in the Markdown is escaped, and links go through the document's one URL check
 * (src/lib/doc/safe-url.ts), so a report renders nothing an author could smuggle in.
 */
import MarkdownIt from 'markdown-it';
import { safeHref } from '../doc/safe-url.js';

const md = new MarkdownIt({ html: false, linkify: true, typographer: false });
md.validateLink = (url) => safeHref(url) !== null;

export function markdownHtml(markdown: string): string {
  return md.render(markdown);
}
