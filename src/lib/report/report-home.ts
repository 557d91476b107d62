/**
 * Where a report lives: its notebook, workspace and refresh settings. The report endpoints
 * answer by slug and name none of these, so the author's page finds the notebook the way a
 * person would: among the notebooks titled like the report, in each of the user's
 * workspaces, the one whose publish state has this slug (`GET /api/notebooks/:id/publish`).
 */
import { ApiClient, ApiError } from '../api-client.js';
import type { PublishState, WorkspaceRole, WorkspaceSummary, NotebookSummary } from '../contract/index.js';

/** The notebook behind a report, with what the manage page needs from it. */
export interface ReportHome {
  notebookId: string;
  workspaceId: string;
  /** The caller's role in that workspace: owners and admins save webhooks and give raw URLs. */
  role: WorkspaceRole;
  refresh: NonNullable<PublishState['report']>['refresh'];
}

/** How many notebooks a search looks at per workspace, so a very common title costs a bounded number of requests. */
const MAX_CANDIDATES = 20;

/**
 * Find report `slug`'s notebook among `workspaces` by its title; null when none matches
 * (the notebook was renamed since publishing, or the caller reads none of them).
 */
export async function findReportHome(slug: string, title: string, workspaces: WorkspaceSummary[]): Promise<ReportHome | null> {
  const q = title.trim().slice(0, 200);
  for (const workspace of workspaces) {
    const client = new ApiClient({ workspaceId: workspace.id });
    const found = await client.json<{ notebooks: NotebookSummary[] }>('GET', `/api/notebooks${q ? `?q=${encodeURIComponent(q)}` : ''}`);
    const candidates = found.notebooks.filter((n) => n.title === title).concat(found.notebooks.filter((n) => n.title !== title)).slice(0, MAX_CANDIDATES);
    for (const notebook of candidates) {
      let state: PublishState;
      try {
        state = await client.json<PublishState>('GET', `/api/notebooks/${encodeURIComponent(notebook.id)}/publish`);
      } catch (e) {
        // A notebook deleted or unshared between the listing and now is simply not it.
        if (e instanceof ApiError && e.status === 404) continue;
        throw e;
      }
      if (state.report?.slug === slug) return { notebookId: notebook.id, workspaceId: workspace.id, role: workspace.role, refresh: state.report.refresh };
    }
  }
  return null;
}
