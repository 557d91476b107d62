/** The signed-in user and their current workspace, loaded once per page from `GET /api/auth/me`. */
import { goto } from '$app/navigation';
import { auth, redirectIfSignedOut, workspaces, type Me, type User, type WorkspaceRole, type WorkspaceSummary } from './api';

class CurrentUser {
  user = $state<User | null>(null);
  /** The workspace the user is working in (null from servers without workspaces). */
  workspace = $state<WorkspaceSummary | null>(null);
  role = $state<WorkspaceRole | null>(null);
  /** Every workspace the user belongs to, once {@link loadWorkspaces} ran. */
  workspaces = $state.raw<WorkspaceSummary[]>([]);
  /** Owners and admins manage connections and members (the UI hides the controls; the server enforces it). */
  isAdmin = $derived(this.role === 'owner' || this.role === 'admin');
  /** Viewers read what is shared with them and create nothing. */
  isViewer = $derived(this.role === 'viewer');

  /** Load the user, or go to the sign-in page (resolving to null) when nobody is signed in. */
  async load(): Promise<User | null> {
    try {
      this.#set(await auth.me());
      return this.user;
    } catch (e) {
      if (redirectIfSignedOut(e)) return null;
      throw e;
    }
  }

  /** Read the user's workspaces (for the switcher); a failure leaves the list as it was. */
  async loadWorkspaces(): Promise<void> {
    try {
      this.workspaces = await workspaces.list();
    } catch (e) {
      if (!redirectIfSignedOut(e)) console.warn('Could not list workspaces', e);
    }
  }

  /** Make `workspaceId` current; everything on screen belonged to the old one, so the caller reloads. */
  async switchWorkspace(workspaceId: string): Promise<void> {
    this.#set(await auth.switchWorkspace(workspaceId));
  }

  /** End the session and go to the sign-in page. */
  async signOut(): Promise<void> {
    try {
      await auth.logout();
    } finally {
      this.forget();
      await goto('/login');
    }
  }

  /** Drop what is known about the user (their session ended elsewhere). */
  forget(): void {
    this.user = null;
    this.workspace = null;
    this.role = null;
    this.workspaces = [];
  }

  #set(me: Me): void {
    this.user = me.user;
    this.workspace = me.workspace ?? null;
    this.role = me.role ?? me.workspace?.role ?? null;
  }
}

export const currentUser = new CurrentUser();
