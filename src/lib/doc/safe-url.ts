/**
 * Which link targets a text cell may carry. A link in a notebook is clicked by every reader,
 * so it may only leave for the web (`http:`, `https:`), write an email (`mailto:`) or point
 * inside Cairn (a relative URL); `javascript:`, `data:`, `vbscript:` and every other scheme
 * are refused. The document is shared, so this holds wherever an href comes from: Markdown,
 * a paste, the link prompt, or a hostile client writing the Yjs document directly.
 */

const ALLOWED_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/** `href` when it is a safe link target, else null. */
export function safeHref(href: unknown): string | null {
  if (typeof href !== 'string') return null;
  // Browsers ignore control characters and whitespace in a scheme ("java\tscript:"), so
  // the scheme is read the way they read it.
  const squeezed = href.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
  const scheme = /^[a-z][a-z0-9+.-]*:/.exec(squeezed)?.[0];
  if (scheme === undefined) return href.trim(); // relative: stays on Cairn
  return ALLOWED_SCHEMES.has(scheme) ? href.trim() : null;
}
