/**
 * The report page's fetches of its own data (`/api/reports/…/page`) go from this process
 * to itself: they carry the secret the server made at start, so the reader's request for
 * the page is counted against their address once, not again as the server's own fetch
 * (server/reports/rate-limits.ts). Nothing else leaves with it.
 */
import type { HandleFetch } from '@sveltejs/kit';

const HEADER = 'x-cairn-page-fetch';

export const handleFetch: HandleFetch = async ({ event, request, fetch }) => {
  const secret = process.env.CAIRN_PAGE_FETCH_SECRET;
  const url = new URL(request.url);
  if (secret && url.origin === event.url.origin && url.pathname.startsWith('/api/reports/')) request.headers.set(HEADER, secret);
  return fetch(request);
};
