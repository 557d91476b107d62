/** Per-cell run status as this browser sees it (`data-status` on each cell). */
import type { CellKind } from '$doc';

export const CELL_STATUSES = ['idle', 'queued', 'running', 'done', 'error', 'stale', 'blocked'] as const;
export type CellStatus = (typeof CELL_STATUSES)[number];

/** Kinds that produce a result and therefore run. */
export function isRunnable(kind: CellKind): boolean {
  return kind === 'sql' || kind === 'js' || kind === 'chart';
}

export class RunStatus {
  #byId = $state<Record<string, CellStatus>>({});

  /** The status of cell `id` ('idle' until something happens to it). */
  of(id: string): CellStatus {
    return this.#byId[id] ?? 'idle';
  }

  set(id: string, status: CellStatus): void {
    this.#byId[id] = status;
  }

  /**
   * Queue every runnable cell. The kernel host (a later issue) picks queued cells up and runs
   * them; until then this only marks them.
   */
  runAll(cells: { id: string; kind: CellKind }[]): void {
    for (const c of cells) if (isRunnable(c.kind)) this.set(c.id, 'queued');
  }
}
