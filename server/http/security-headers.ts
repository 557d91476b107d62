/**
 * Headers every answer carries, pages and static files included. Pages get their Content
 * Security Policy from SvelteKit (`kit.csp` in svelte.config.js, which adds a nonce for its
 * inline bootstrap); API answers get a policy that allows nothing, since they are data and
 * never a document anyone should render.
 */
import type { ServerResponse } from 'node:http';

/** Set on every response before anything else writes headers. */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  // A JSON error or an uploaded file must never be sniffed into HTML or script.
  'x-content-type-options': 'nosniff',
  // Notebook ids are in page URLs; other sites see only the origin.
  'referrer-policy': 'strict-origin-when-cross-origin'
};

/** The policy for API answers, samples and the health check: render nothing, frame nowhere. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function setCommonHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(COMMON_HEADERS)) res.setHeader(name, value);
}
