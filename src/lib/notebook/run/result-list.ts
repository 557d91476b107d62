/**
 * The list of a notebook's last results (src/lib/contract/notebook-results.ts), asked for
 * as early as the page can: its route's load starts it while the page's code is still
 * arriving, and the session picks up that request instead of making its own. Kept apart
 * from last-results.ts so the route's load imports no Arrow code.
 */
import { ApiClient } from '$lib/api-client';
import type { NotebookResultList } from '$lib/contract/notebook-results.js';

/** A list asked for longer ago than this is not used: the document may have changed since. */
const PREFETCH_FRESH_MS = 10_000;

const api = new ApiClient();
const prefetched = new Map<string, { at: number; list: Promise<NotebookResultList | null> }>();

function fetchList(notebookId: string): Promise<NotebookResultList | null> {
  return api.json<NotebookResultList>('GET', `/api/notebooks/${encodeURIComponent(notebookId)}/results`).catch((err: unknown) => {
    // Not fatal: the page then computes every result itself.
    console.warn('Could not list the notebook’s last results; the page computes them itself', err);
    return null;
  });
}

/** Start asking for notebook `notebookId`'s list now (the page's load), for {@link listLastResults} to pick up. */
export function prefetchLastResults(notebookId: string): void {
  prefetched.set(notebookId, { at: Date.now(), list: fetchList(notebookId) });
}

/** The notebook's paintable cells, or null when the server has none to offer. */
export function listLastResults(notebookId: string): Promise<NotebookResultList | null> {
  const early = prefetched.get(notebookId);
  prefetched.delete(notebookId);
  return early && Date.now() - early.at < PREFETCH_FRESH_MS ? early.list : fetchList(notebookId);
}
