/**
 * `GET /sandbox.html`: the document JS cells run in (src/lib/sandbox/document.ts). The app
 * frames it with `sandbox="allow-scripts"`, so its origin is opaque; this policy is the
 * second wall: the cell may run its own code and modules from https URLs, but may not call
 * any server (Cairn's API included), submit forms, or be framed by another site.
 */
import { createHash } from 'node:crypto';
import type { Router } from '../router.js';
import { allow } from '../../access/rules.js';
import type { PublicSite } from '../public-site.js';
import { SANDBOX_BOOT_SCRIPT, SANDBOX_DOCUMENT, SANDBOX_PATH } from '../../../src/lib/sandbox/document.js';

/** The sandbox document's Content-Security-Policy; each source is there for a reason given beside it. */
export function sandboxCsp(frameAncestors: string[]): string {
  const bootHash = createHash('sha256').update(SANDBOX_BOOT_SCRIPT).digest('base64');
  return [
    "default-src 'none'",
    // The boot script (by hash); the runtime, run from a blob URL; cells' `import 'https://…'`;
    // and eval, because a cell body is compiled with `new AsyncFunction`.
    `script-src 'sha256-${bootHash}' blob: https: 'unsafe-eval'`,
    // The Worker that runs non-DOM cells is started from the runtime's blob URL.
    'worker-src blob:',
    // The document's own <style>, and the inline styles Plot and d3 write.
    "style-src 'unsafe-inline'",
    'img-src data: blob: https:',
    'font-src data:',
    // No fetch, XHR, websocket or beacon: the cell's data comes from its inputs.
    "connect-src 'none'",
    "frame-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
    `frame-ancestors ${frameAncestors.join(' ')}`
  ].join('; ');
}

export function sandboxRoutes(router: Router, site: PublicSite): void {
  const etag = `"${createHash('sha256').update(SANDBOX_DOCUMENT).digest('base64url').slice(0, 16)}"`;
  router.add('GET', SANDBOX_PATH, allow.public('a static document with no data; its CSP keeps it from reaching the app'), async ({ req, res }) => {
    const headers = {
      // CSP has no syntax for IPv6 literals ([::1]); pages opened there cannot frame the sandbox.
      'content-security-policy': sandboxCsp(site.origins().filter((origin) => !origin.includes('['))),
      // Revalidated on each use (a 304 is cheap) so a new release never meets a stale boot script.
      'cache-control': 'no-cache',
      etag
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' });
    res.end(SANDBOX_DOCUMENT);
  });
}
