/**
 * What the report author's page (`/r/:slug/manage`) knows and does: the report's shown
 * cells, its refresh state, alerts and the workspace's saved webhooks, loaded together;
 * refresh now; create and delete alerts; save webhooks. Components read its state and call
 * its methods; every failure lands in a field they show, never in the console alone.
 */
import { ApiError, errorMessage, reports, webhooks, workspaces, type AlertCreate, type AlertView, type CellRefreshView, type ReportRefreshState, type ReportView, type WebhookView } from '../api.js';
import { isManager, type WorkspaceRole } from '../contract/index.js';
import { currentUser } from '../user.svelte';


/** Why the page cannot show the report's management, in words for the person reading it. */
export type Refusal = { kind: 'signed-out' } | { kind: 'not-found' } | { kind: 'forbidden'; message: string } | { kind: 'failed'; message: string };

export class ReportManager {
  readonly slug: string;
  view = $state.raw<ReportView | null>(null);
  refreshState = $state.raw<ReportRefreshState | null>(null);
  alerts = $state.raw<AlertView[]>([]);
  webhooks = $state.raw<WebhookView[]>([]);
  /** The report's notebook and workspace, the caller's role there, and its refresh settings. */
  home = $state.raw<{ notebookId: string; workspaceId: string; role: WorkspaceRole; refresh: ReportRefreshState['refresh'] } | null>(null);
  /** The workspace webhooks are listed and saved in: the report's, else the user's current one. */
  workspaceId = $state<string | null>(null);
  role = $state<WorkspaceRole | null>(null);
  refusal = $state.raw<Refusal | null>(null);
  loaded = $state(false);
  /** A later load failed (the page stays, with this said above it). */
  error = $state('');
  refreshing = $state(false);
  /** The last Refresh now's per-cell outcome. */
  lastRun = $state.raw<{ ok: boolean; cells: CellRefreshView[] } | null>(null);
  refreshError = $state('');
  /** Bumped after each refresh, so open delivery histories read again. */
  refreshCount = $state(0);

  /** Owners and admins of the workspace save webhooks and may give a raw URL. */
  manager = $derived(isManager(this.role));
  /** The report's time zone, when its notebook was found; UTC is the server's default. */
  zone = $derived(this.home ? (this.home.refresh.timezone ?? 'UTC') : null);
  /** Cells an alert may watch: shown SQL and chart cells with a name. */
  alertCells = $derived((this.view?.cells ?? []).filter((c) => (c.kind === 'sql' || c.kind === 'chart') && c.name !== ''));

  constructor(slug: string) {
    this.slug = slug;
  }

  /** Load everything; a signed-out visitor, a report they may not manage, or a failure becomes {@link refusal}. */
  async load(): Promise<void> {
    try {
      // Signed out: the app's one path sends them to sign in and back here.
      if (!(await currentUser.load())) {
        this.refusal = { kind: 'signed-out' };
        return;
      }
      // The refresh state is for the notebook's editors: its answer decides whether this page is theirs.
      const [view, state] = await Promise.all([reports.view(this.slug), reports.refreshState(this.slug)]);
      this.view = view;
      this.refreshState = state;
      this.alerts = await reports.alerts(this.slug);
      const mine = await workspaces.list();
      const workspace = mine.find((w) => w.id === state.workspaceId);
      this.home = { notebookId: state.notebookId, workspaceId: state.workspaceId, role: workspace?.role ?? 'editor', refresh: state.refresh };
      this.workspaceId = state.workspaceId;
      this.role = workspace?.role ?? null;
      await this.loadWebhooks();
    } catch (e) {
      this.refusal = refusalOf(e);
    } finally {
      this.loaded = true;
    }
  }

  /** Read the workspace's saved webhooks again (names only for editors). */
  async loadWebhooks(): Promise<void> {
    if (!this.workspaceId) return;
    try {
      this.webhooks = await webhooks.list(this.workspaceId);
    } catch (e) {
      // A viewer of the workspace (or a foreign one) gets none: the form offers history only.
      if (e instanceof ApiError && (e.status === 403 || e.status === 404)) this.webhooks = [];
      else this.error = `Could not list the saved webhooks: ${errorMessage(e)}`;
    }
  }

  /** Read the refresh state and alerts again (after a refresh, a new alert, a deletion). */
  async reload(): Promise<void> {
    try {
      const [state, alerts] = await Promise.all([reports.refreshState(this.slug), reports.alerts(this.slug)]);
      this.refreshState = state;
      this.alerts = alerts;
      this.error = '';
    } catch (e) {
      this.error = `Could not read the report’s state: ${errorMessage(e)}`;
    }
  }

  /** Refresh every shown cell now; the answer's per-cell outcome stays on screen. */
  async refreshNow(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    this.refreshError = '';
    try {
      const answer = await reports.refresh(this.slug);
      this.lastRun = { ok: answer.ok, cells: answer.cells };
      await this.reload();
      this.refreshCount++;
    } catch (e) {
      this.refreshError = `Refresh failed: ${errorMessage(e)}`;
    } finally {
      this.refreshing = false;
    }
  }

  /** Create an alert; rejects with the API's error (a 400 names the field, a 403 says who may). */
  async createAlert(body: AlertCreate): Promise<void> {
    await reports.createAlert(this.slug, body);
    await this.reload();
  }

  /** Delete an alert and its history. */
  async deleteAlert(alertId: string): Promise<void> {
    await reports.deleteAlert(this.slug, alertId);
    await this.reload();
  }

  /** Save a named webhook in the workspace (owners and admins); returns its id. */
  async saveWebhook(name: string, url: string): Promise<string> {
    if (!this.workspaceId) throw new Error('No workspace to save the webhook in.');
    const id = await webhooks.create(this.workspaceId, { name, url });
    await this.loadWebhooks();
    return id;
  }
}

function refusalOf(e: unknown): Refusal {
  if (e instanceof ApiError) {
    if (e.status === 401) return { kind: 'signed-out' };
    if (e.status === 404) return { kind: 'not-found' };
    if (e.status === 403) return { kind: 'forbidden', message: e.message };
  }
  return { kind: 'failed', message: errorMessage(e) };
}
