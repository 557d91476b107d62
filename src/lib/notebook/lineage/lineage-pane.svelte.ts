/**
 * Whether a notebook page shows its lineage graph: shared by the header's Graph button, the
 * panel and the page's layout, one per open session.
 */
import type { NotebookSession } from '$lib/notebook/session.svelte';

export class LineagePane {
  open = $state(false);

  toggle(): void {
    this.open = !this.open;
  }
}

const panes = new WeakMap<NotebookSession, LineagePane>();

/** The lineage pane of `session`'s page. */
export function lineagePane(session: NotebookSession): LineagePane {
  let pane = panes.get(session);
  if (!pane) panes.set(session, (pane = new LineagePane()));
  return pane;
}
