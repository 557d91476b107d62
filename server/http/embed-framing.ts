/**
 * Only a report's embed page (`/r/:slug/embed`) may be framed by other sites. Pages get
 * their policy from SvelteKit with `frame-ancestors 'none'` (svelte.config.js), which
 * cannot vary by route; for embed pages the server rewrites that one directive as the
 * header is set, leaving the rest of the policy as it is.
 */
import type { ServerResponse } from 'node:http';

const EMBED_PATH = /^\/r\/[^/]+\/embed\/?$/;

export function isEmbedPath(pathname: string): boolean {
  return EMBED_PATH.test(pathname);
}

/** Let any site frame the page `res` answers with. */
export function allowFraming(res: ServerResponse): void {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name: string, value: number | string | readonly string[]) => {
    const relaxed = name.toLowerCase() === 'content-security-policy' && typeof value === 'string' ? value.replace(/frame-ancestors [^;]*/, 'frame-ancestors *') : value;
    return setHeader(name, relaxed);
  };
}
