/** How the lineage view words a cell's status: the same words the cells' `data-status` uses. */
import type { CellStatus } from '$kernels/graph/index.js';
import { timeAgo } from '../../time.js';

/** Statuses that need the reader's attention: drawn with a coloured border and their own mark. */
export const ATTENTION: ReadonlySet<CellStatus> = new Set(['stale', 'error', 'blocked']);

/** The one-line status under a node's name: the status word, then its age, error or blocker. */
export function statusLine(status: CellStatus, detail: { resultAt?: Date; error?: string; blockedBy?: string; now?: number }): string {
  const age = detail.resultAt ? timeAgo(detail.resultAt.toISOString(), detail.now) : '';
  switch (status) {
    case 'done':
      return age ? `done · ${age}` : 'done';
    case 'stale':
      return age ? `stale · result ${age}` : 'stale';
    case 'error':
      return detail.error ? `error · ${detail.error}` : 'error';
    case 'blocked':
      return detail.blockedBy ? `blocked by ${detail.blockedBy}` : 'blocked';
    default:
      return status;
  }
}
